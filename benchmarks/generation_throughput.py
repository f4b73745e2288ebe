"""Generation throughput and peak memory of real-size summarisation architectures.

No pretrained weights can be downloaded here, so each model is built from its published
configuration with random weights: the arithmetic per token is the same as the real model's.
Each run generates exactly ``--new-tokens`` tokens per input (``min_new_tokens`` =
``max_new_tokens``) from ``--input-tokens`` tokens of input, at batch 1 (the baseline) and
batch 8, each in a fresh process so its peak memory is its own, on the CPU and, where torch
sees one, on the GPU.

    .venv/bin/python benchmarks/generation_throughput.py [--models flan-t5-base bart-large]
    .venv/bin/python benchmarks/generation_throughput.py --server

``--server``: memo's two generation backends on one tiny chat model (tools/tiny_chat_model.py,
random weights), in one run: in-process (transformers, batch 4), and through `transformers
serve` (the OpenAI-compatible backend, ``openai:MODEL``) at concurrency 1 and 4, in prompts
per second for the same prompts. The in-process figure is the baseline.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

CONFIGS = {
    # google/flan-t5-base config.json (248M parameters)
    "flan-t5-base": ("T5Config", dict(vocab_size=32128, d_model=768, d_kv=64, d_ff=2048, num_layers=12,
                                      num_decoder_layers=12, num_heads=12, feed_forward_proj="gated-gelu",
                                      tie_word_embeddings=False, decoder_start_token_id=0, pad_token_id=0,
                                      eos_token_id=1)),
    # facebook/bart-large config.json (406M parameters)
    "bart-large": ("BartConfig", dict(vocab_size=50265, d_model=1024, encoder_layers=12, decoder_layers=12,
                                      encoder_attention_heads=16, decoder_attention_heads=16, encoder_ffn_dim=4096,
                                      decoder_ffn_dim=4096, max_position_embeddings=1024, pad_token_id=1,
                                      bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
                                      forced_eos_token_id=None, forced_bos_token_id=None)),
}


def run_one(model: str, device: str, batch: int, input_tokens: int, new_tokens: int) -> dict:
    """In this process: build the model, generate once to warm up, then time one batch."""
    import torch
    import transformers

    torch.manual_seed(0)
    kind, options = CONFIGS[model]
    config = getattr(transformers, kind)(**options)
    network = transformers.AutoModelForSeq2SeqLM.from_config(config).eval().to(device)
    parameters = sum(p.numel() for p in network.parameters())
    ids = torch.randint(5, config.vocab_size - 1, (batch, input_tokens), device=device)
    mask = torch.ones_like(ids)
    settings = dict(min_new_tokens=new_tokens, max_new_tokens=new_tokens, do_sample=False, num_beams=1)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with torch.inference_mode():
        network.generate(input_ids=ids[:1, :32], attention_mask=mask[:1, :32], min_new_tokens=4,
                         max_new_tokens=4)
        if device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        started = time.perf_counter()
        out = network.generate(input_ids=ids, attention_mask=mask, **settings)
        if device == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - started
    generated = int((out.shape[1] - 1) * batch)  # minus the decoder start token
    row = dict(model=model, device=device, batch=batch, parameters=parameters, seconds=round(seconds, 2),
               tokens=generated, tokens_per_s=round(generated / seconds, 1),
               peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
               rss_after_load_mb=round(rss_loaded), threads=torch.get_num_threads())
    if device == "cuda":
        row["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20)
        row["gpu"] = torch.cuda.get_device_name()
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 8])
    parser.add_argument("--input-tokens", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: "model,device,batch" in a child process
    parser.add_argument("--server", action="store_true", help="the server backend against the in-process one")
    parser.add_argument("--prompts", type=int, default=24, help="with --server: prompts per row")
    args = parser.parse_args(argv)
    if args.server:
        return server_rows(args.prompts, args.new_tokens)
    if args.one:
        model, device, batch = args.one.split(",")
        print(json.dumps(run_one(model, device, int(batch), args.input_tokens, args.new_tokens)))
        return 0
    import torch

    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"generate(): {args.input_tokens} input tokens, exactly {args.new_tokens} new tokens per input, "
          f"random weights, greedy; one fresh process per row")
    print(f"{'model':<14} {'device':<6} {'batch':>5} {'params':>7} {'seconds':>8} {'tokens/s':>9} "
          f"{'x batch 1':>9} {'peak RSS MB':>11} {'GPU MB':>7}")
    failed = False
    for model in args.models:
        for device in devices:
            baseline = None
            for batch in args.batches:
                child = subprocess.run([sys.executable, __file__, "--one", f"{model},{device},{batch}",
                                        "--input-tokens", str(args.input_tokens), "--new-tokens",
                                        str(args.new_tokens)], capture_output=True, text=True)
                if child.returncode != 0:
                    print(f"{model:<14} {device:<6} {batch:>5} failed: {child.stderr.strip().splitlines()[-1]}")
                    failed = True
                    continue
                row = json.loads(child.stdout.strip().splitlines()[-1])
                baseline = baseline or row["tokens_per_s"]
                print(f"{model:<14} {device:<6} {batch:>5} {row['parameters'] / 1e6:6.0f}M {row['seconds']:8.2f} "
                      f"{row['tokens_per_s']:9.1f} {row['tokens_per_s'] / baseline:9.2f} {row['peak_rss_mb']:11d} "
                      f"{row.get('peak_gpu_mb', '-'):>7}")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads"
          + (f", GPU {torch.cuda.get_device_name()}" if torch.cuda.is_available() else ", no GPU visible"))
    return 1 if failed else 0


def server_rows(count: int, new_tokens: int) -> int:
    """Prompts per second: in-process, then through `transformers serve` at concurrency 1 and 4."""
    import os
    import shutil
    import socket
    import tempfile
    import urllib.request
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo))
    from memo._abstractive import GenerationOptions, TransformersGenerator, get_generator
    from tools.tiny_chat_model import build

    serve = shutil.which("transformers", path=os.path.dirname(sys.executable)) or shutil.which("transformers")
    if serve is None:
        print("transformers' command line is missing: pip install 'transformers[serving]'", file=sys.stderr)
        return 2
    texts = [p.read_text(encoding="utf-8") for p in sorted((repo / "seeds").glob("*.txt"))]
    sentences = [line for text in texts for line in text.splitlines() if len(line) > 80]
    prompts = [f"Summarize in 20 words.\n\n{sentences[n % len(sentences)]}\n{sentences[(n + 7) % len(sentences)]}"
               for n in range(count)]
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "tiny-chat"
        build(model, texts)
        rows = []
        local = TransformersGenerator(model, GenerationOptions(device="cpu", batch_size=4, max_new_tokens=new_tokens,
                                                               no_repeat_ngram_size=0))
        local.generate(prompts[:2])  # load and warm up
        began = time.perf_counter()
        local.generate(prompts)
        rows.append(("in-process (transformers, batch 4)", time.perf_counter() - began))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen([serve, "serve", str(model), "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env={**os.environ, "HF_HUB_OFFLINE": "1"})
        try:
            base = f"http://127.0.0.1:{port}/v1"
            ends = time.time() + 120
            while True:
                try:
                    urllib.request.urlopen(base + "/models", timeout=2).close()
                    break
                except OSError:
                    if time.time() > ends:
                        raise SystemExit("transformers serve did not start")
                    time.sleep(0.5)
            for concurrency in (1, 4):
                remote = get_generator(f"openai:{model}", GenerationOptions(
                    api_base=base, concurrency=concurrency, max_new_tokens=new_tokens, context_window=2048))
                remote.generate(prompts[:2])
                began = time.perf_counter()
                remote.generate(prompts)
                rows.append((f"server (openai:, transformers serve), concurrency {concurrency}",
                             time.perf_counter() - began))
        finally:
            server.terminate()
            server.wait(timeout=30)
    baseline = count / rows[0][1]
    print(f"{count} prompts of two seeds sentences, {new_tokens} new tokens each, a tiny chat model (random weights)")
    print(f"{'backend':<52} {'seconds':>8} {'prompts/s':>10} {'x in-process':>12}")
    for name, seconds in rows:
        print(f"{name:<52} {seconds:8.2f} {count / seconds:10.2f} {count / seconds / baseline:12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
