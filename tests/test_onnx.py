"""memo's own models on ONNX Runtime (memo._onnx): the same numbers as the torch encoder, int8
close to them, the graph built once per set of weights, clear errors, no torch in a build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from memo import _bert, _onnx
from memo._embed import BertEmbedder, bundled_minilm_path
from memo._errors import ModelError
from memo._stance import ClaimStance
from tiny_models import build_claim_stance

TEXTS = ["Chinese leader Xi Jinping landed in Moscow on Monday.",
         "The football club won the cup final on penalties after a goalless draw.", "x"]
PAIRS = [("Taxes should rise", "Higher taxes would fund better schools."),
         ("Taxes should rise", "Raising taxes now would wreck the recovery, economists warned."),
         ("The bridge is safe", "The weather was sunny on Sunday.")]


def _torch_hidden(folder: Path, texts, pairs=False):
    import torch

    config = _bert.read_config(folder)
    weights = _bert.load_weights(folder / "model.safetensors")
    tokenizer = _bert.load_tokenizer(folder, 64)
    encodings = tokenizer.encode_batch(texts)
    ids, mask, types = (np.array([getattr(e, f) for e in encodings]) for f in ("ids", "attention_mask", "type_ids"))
    with torch.inference_mode():
        if pairs:
            out = _bert.classify(weights, config, torch.tensor(ids), torch.tensor(mask), torch.tensor(types))
        else:
            out = _bert.hidden_states(weights, config, torch.tensor(ids), torch.tensor(mask))
    return config, (ids, mask, types), out.numpy()


def test_the_graph_gives_the_torch_encoders_hidden_states_and_logits(tmp_path):
    folder = build_claim_stance(tmp_path / "tiny")  # random weights: any slip in the graph shows
    config, (ids, mask, types), expected = _torch_hidden(folder, TEXTS)
    session = _onnx.Session([folder / "model.safetensors"], config, classifier=False, quantize=False)
    attended = mask.astype(bool)
    assert np.abs(session.run(ids, mask)[attended] - expected[attended]).max() < 1e-4
    config, (ids, mask, types), logits = _torch_hidden(folder, PAIRS, pairs=True)
    assert types.any()  # the second segment's type ids reach the graph
    classifier = _onnx.Session([folder / "model.safetensors"], config, classifier=True, quantize=False)
    assert np.abs(classifier.run(ids, mask, types) - logits).max() < 1e-4
    assert np.abs(classifier.run(ids, mask, np.zeros_like(types)) - logits).max() > 1e-4


def test_float32_matches_torch_and_int8_stays_close_on_minilm():
    by_runtime = {runtime: BertEmbedder(bundled_minilm_path(), runtime=runtime).embed(TEXTS)
                  for runtime in ("torch", "onnx", "int8")}
    assert np.abs(by_runtime["onnx"] - by_runtime["torch"]).max() < 1e-5
    cosine = (by_runtime["int8"] * by_runtime["torch"]).sum(1)
    assert cosine.min() > 0.97 and np.abs(by_runtime["int8"] - by_runtime["torch"]).max() > 1e-4


def test_the_shipped_stance_model_gives_torchs_probabilities_on_onnx():
    torch_probs = ClaimStance(runtime="torch").pair_probabilities(PAIRS)
    assert np.abs(ClaimStance(runtime="onnx").pair_probabilities(PAIRS) - torch_probs).max() < 1e-5
    assert np.abs(ClaimStance(runtime="int8").pair_probabilities(PAIRS) - torch_probs).max() < 0.1


def test_the_graph_is_built_once_per_weights_and_rebuilt_when_they_change(tmp_path, monkeypatch):
    monkeypatch.setenv("MEMO_MODEL_CACHE", str(tmp_path / "cache"))
    folder = build_claim_stance(tmp_path / "tiny")
    config = _bert.read_config(folder)
    first = _onnx.model_file([folder / "model.safetensors"], config, classifier=True)
    built = first.stat().st_mtime_ns

    def refuse(*args, **kwargs):
        raise AssertionError("rebuilt a cached graph")

    with monkeypatch.context() as patch:
        patch.setattr(_onnx, "build_graph", refuse)
        assert _onnx.model_file([folder / "model.safetensors"], config, classifier=True) == first
    assert first.stat().st_mtime_ns == built
    other = build_claim_stance(tmp_path / "other", seed=1)
    assert _onnx.model_file([other / "model.safetensors"], config, classifier=True) != first
    assert _onnx.model_file([folder / "model.safetensors"], config, classifier=True, quantize=True) != first
    assert len(list(first.parent.glob("*.onnx"))) == 3
    assert not [p.name for p in first.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_a_weights_file_is_hashed_once_across_runs_and_again_when_it_changes(tmp_path, monkeypatch):
    import hashlib
    import os

    monkeypatch.setenv("MEMO_MODEL_CACHE", str(tmp_path / "cache"))
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"a" * 1000)

    def hashed() -> bytes:
        _onnx._file_hash.cache_clear()  # as a new process would
        state = os.stat(weights)
        return _onnx._file_hash(str(weights), state.st_size, state.st_mtime_ns)

    assert hashed() == hashlib.sha256(b"a" * 1000).digest()
    kept = os.stat(weights)
    weights.write_bytes(b"b" * 1000)  # same size; put back the time: the file looks unchanged
    os.utime(weights, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert hashed() == hashlib.sha256(b"a" * 1000).digest()  # remembered, not read again
    os.utime(weights, ns=(kept.st_atime_ns, kept.st_mtime_ns + 10**9))  # changed: hashed again
    assert hashed() == hashlib.sha256(b"b" * 1000).digest()
    (tmp_path / "cache" / _onnx.HASHES_FILE).write_text("not json")  # a damaged record is ignored
    assert hashed() == hashlib.sha256(b"b" * 1000).digest()


def test_a_damaged_cached_graph_and_an_unwritable_cache_are_clear_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("MEMO_MODEL_CACHE", str(tmp_path / "cache"))
    folder = build_claim_stance(tmp_path / "tiny")
    config = _bert.read_config(folder)
    cached = _onnx.model_file([folder / "model.safetensors"], config, classifier=True)
    cached.write_bytes(b"not an onnx file")
    with pytest.raises(ModelError, match="delete it to rebuild it"):
        _onnx.Session([folder / "model.safetensors"], config, classifier=True)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("MEMO_MODEL_CACHE", str(blocker / "cache"))
    with pytest.raises(ModelError, match="MEMO_MODEL_CACHE"):
        _onnx.model_file([folder / "model.safetensors"], config, classifier=True)


def test_the_runtime_is_chosen_by_name_or_environment_and_unknown_names_are_refused(monkeypatch):
    monkeypatch.delenv("MEMO_RUNTIME", raising=False)
    assert _onnx.choose(None) == _onnx.DEFAULT_RUNTIME
    monkeypatch.setenv("MEMO_RUNTIME", "torch")
    assert _onnx.choose(None) == "torch" and _onnx.choose("int8") == "int8"
    assert "torch" in BertEmbedder(bundled_minilm_path()).description
    with pytest.raises(ModelError, match="unknown model runtime 'tpu'"):
        _onnx.choose("tpu")


def test_a_default_build_never_imports_torch(small_corpus):
    corpus = small_corpus
    script = ("import sys, memo\n"
              f"memo.build([{str(corpus)!r}], questions=[{'Will the storm weaken by Thursday?'!r}])\n"
              "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MEMO_RUNTIME": ""})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def _same(left, right) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        return isinstance(left, (int, float)) and isinstance(right, (int, float)) and abs(left - right) <= 1e-5
    if isinstance(left, dict):
        return isinstance(right, dict) and left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return isinstance(right, list) and len(left) == len(right) and all(map(_same, left, right))
    return left == right


def test_the_cli_runtimes_give_the_same_memo(tmp_path, small_corpus):
    corpus = small_corpus
    memos = {}
    for runtime in ("onnx", "torch"):
        out = tmp_path / f"{runtime}.json"
        done = subprocess.run([sys.executable, "-m", "memo", "build", str(corpus), "-o", str(out), "-q", "--no-cache",
                               "--runtime", runtime, "--question", "Will the storm weaken by Thursday?"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        memos[runtime] = json.loads(out.read_text(encoding="utf-8"))
    method = {runtime: memos[runtime].pop("method") for runtime in memos}
    # the same points, sides and citations; confidences agree to float32's precision (compared
    # with a tolerance: rounding both to 5 places split 0.707675 into 0.70768 and 0.70767)
    assert _same(memos["onnx"], memos["torch"])
    assert "ONNX Runtime" in json.dumps(method["onnx"]) and "ONNX Runtime" not in json.dumps(method["torch"])


def test_spacy_may_load_beside_an_embedder_that_never_imports_torch():
    from memo._stages.embed import embeds_with_torch_here

    assert not embeds_with_torch_here(BertEmbedder(bundled_minilm_path(), runtime="onnx"))
    assert not embeds_with_torch_here(BertEmbedder(bundled_minilm_path(), runtime="int8"))
    assert embeds_with_torch_here(BertEmbedder(bundled_minilm_path(), runtime="torch"))
