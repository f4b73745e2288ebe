"""The OpenAI-compatible backend (openai:MODEL) against a small HTTP server the test runs on
127.0.0.1: a real client talking to a real socket; the server says what a model server says,
including the faults a real one cannot be made to produce on demand (a 500, a slow reply)."""

import json
import math
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import memo
from memo._abstractive import GenerationOptions, get_generator
from memo._errors import ModelError
from memo._openai import CALIBRATION_TEXT, estimate_tokens

KEY = "sk-test-0123456789abcdef"


class _Server:
    """Serves /v1/models and /v1/chat/completions; ``faults`` is a list of what the next
    completions do instead of answering ("500", "429", "slow")."""

    def __init__(self, model="tiny-chat", window=1024):
        self.model, self.window, self.faults, self.received, self.headers = model, window, [], [], []
        self.density = 8  # the usage it reports, in tenths of memo's estimate (8: fewer tokens than estimated)
        # How it answers memo's stance_judge prompts: (prompt, body) -> (reply, [(token, probability)] or None).
        self.judge, self.judged, self.refuse_logprobs = None, [], False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body, headers=()):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                server.headers.append(dict(self.headers))
                if self.path == "/v1/models":
                    self.reply(200, {"object": "list", "data": [{"id": server.model, "object": "model",
                                                                 "max_model_len": server.window}]})
                else:
                    self.reply(404, {"error": {"message": "no such route"}})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                server.headers.append(dict(self.headers))
                fault = server.faults.pop(0) if server.faults else None
                if fault == "500":
                    return self.reply(500, {"error": {"message": "overloaded"}})
                if fault == "429":
                    return self.reply(429, {"error": {"message": "slow down"}}, [("retry-after", "0.1")])
                if fault == "slow":
                    time.sleep(2)
                if body["model"] != server.model:
                    return self.reply(404, {"error": {"message": f"model {body['model']} not found"}})
                prompt = body["messages"][0]["content"]
                if server.judge is not None and prompt.startswith("Claim:"):  # memo's stance_judge template
                    server.judged.append(body)
                    if body.get("logprobs") and server.refuse_logprobs:
                        return self.reply(400, {"error": {"message": "logprobs is not supported"}})
                    content, alternatives = server.judge(prompt, body)
                    choice = {"message": {"role": "assistant", "content": content}}
                    if body.get("logprobs") and alternatives is not None:
                        tops = [{"token": t, "logprob": math.log(p)} for t, p in alternatives]
                        choice["logprobs"] = {"content": [{**tops[0], "top_logprobs": tops}]}
                    return self.reply(200, {"choices": [choice], "usage": {"prompt_tokens": 10}})
                if prompt != CALIBRATION_TEXT:  # the one request that learns how the model counts
                    server.received.append(body)
                # A "model" that answers with the prompt's last line: text from the sources.
                lines = [line for line in prompt.splitlines() if line.strip()]
                self.reply(200, {"choices": [{"message": {"role": "assistant", "content": lines[-1] if lines else ""}}],
                                 "usage": {"prompt_tokens": (estimate_tokens(prompt) + 16) * server.density // 10}})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def server():
    running = _Server()
    yield running
    running.close()


def _options(server, **changes):
    return GenerationOptions(**{"api_base": server.base, "retries": 2, "timeout": 5, **changes})


def test_a_seeds_build_through_the_server_fits_every_prompt_to_its_window(server, seeds_dir, tmp_path,
                                                                           monkeypatch, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    brief = memo.build(seeds_dir, abstractive="openai:tiny-chat", api_base=server.base, out=tmp_path / "m.docx")
    assert server.received and brief.synthesis  # generated, through the gate
    window = 1024 - 96
    assert all(estimate_tokens(b["messages"][0]["content"]) + 16 <= window for b in server.received)
    assert all(b["temperature"] == 0.0 and b["seed"] == 0 and b["max_tokens"] == 96 for b in server.received)
    assert all(h.get("Authorization") == f"Bearer {KEY}" for h in server.headers)
    method = " ".join(brief.method.steps)
    assert "tiny-chat on the OpenAI-compatible server at 127.0.0.1:" in method
    for kind in ("docx", "md", "json"):
        brief.save(tmp_path / f"m.{kind}")
        assert KEY.encode() not in (tmp_path / f"m.{kind}").read_bytes()
    assert KEY not in caplog.text


def test_a_long_text_is_split_to_the_window_and_reduced(server):
    generator = get_generator("openai:tiny-chat", _options(server))
    summary = memo.Prompts()
    from memo._abstractive import Summarizer

    text = [f"Sentence {n} of a long report on the harbour strike, with figures {n * 7} and more words." for n in
            range(400)]
    Summarizer(generator, summary).article(title="T", outlet="O", date="", words=60, units=text)
    assert len(server.received) > 3 and generator.trace.reduce_levels >= 1
    assert max(estimate_tokens(b["messages"][0]["content"]) + 16 for b in server.received) <= generator.window


def test_a_500_then_success_is_retried_and_a_429_waits(server):
    generator = get_generator("openai:tiny-chat", _options(server)).load()
    server.faults[:] = ["500", "429"]
    assert generator.generate(["Say something.\nThe port reopened."]) == ["The port reopened."]
    assert len(server.received) == 1 and not server.faults


def test_a_reply_slower_than_the_timeout_fails_in_one_line(server):
    generator = get_generator("openai:tiny-chat", _options(server, timeout=0.5, retries=1)).load()
    server.faults[:] = ["slow", "slow"]
    with pytest.raises(ModelError, match=r"no reply within 0.5 s after 2 tries") as raised:
        generator.generate(["Hello."])
    assert "\n" not in str(raised.value) and KEY not in str(raised.value)


def test_an_unknown_model_fails_before_any_work_naming_what_the_server_serves(server, seeds_dir, tmp_path):
    done = subprocess.run([sys.executable, "-m", "memo", "build", str(seeds_dir), "-o", str(tmp_path / "m.docx"),
                           "--abstractive", "openai:big-model", "--api-base", server.base, "--no-cache"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and not (tmp_path / "m.docx").exists()
    assert done.stderr.strip().count("\n") == 0
    assert "does not serve 'big-model' (it serves: tiny-chat)" in done.stderr


def test_a_server_that_is_down_fails_in_one_line_before_slow_work(seeds_dir, tmp_path):
    began = time.time()
    done = subprocess.run([sys.executable, "-m", "memo", "build", str(seeds_dir), "-o", str(tmp_path / "m.docx"),
                           "--abstractive", "openai:tiny-chat", "--api-base", "http://127.0.0.1:9/v1",
                           "--no-cache"], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "OPENAI_API_KEY": KEY})
    assert done.returncode == 1 and not (tmp_path / "m.docx").exists()
    assert done.stderr.startswith("memo: error: model server 127.0.0.1:9 (openai:tiny-chat): cannot reach it")
    assert done.stderr.strip().count("\n") == 0 and KEY not in done.stderr
    assert time.time() - began < 60


def test_the_estimate_counts_more_tokens_than_a_real_tokenizer():
    from tokenizers import Tokenizer

    from memo._embed import bundled_minilm_path

    tokenizer = Tokenizer.from_file(str(bundled_minilm_path() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    texts = ["Chinese leader Xi Jinping landed in Moscow on Monday for a high-profile meeting.",
             "习近平 is in Moscow on his first state visit since the start of the Ukraine war.",
             "The figures — 1,234,567.89 and 3.5% — were revised on 2023-03-21 (see https://example.test/a?b=c)."]
    for text in texts:
        assert estimate_tokens(text) >= len(tokenizer.encode(text).ids)


def test_prompts_render_prints_byte_for_byte_what_the_server_then_receives(server, seeds_dir, tmp_path):
    shown = subprocess.run([sys.executable, "-m", "memo", "prompts", "render", str(seeds_dir),
                            "--abstractive", "openai:tiny-chat", "--api-base", server.base],
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert not server.received  # render generates nothing
    parts = re.split(r"^===== article_summary: (.+?): (\d+) tokens \(estimated; window (\d+)\) =====\n",
                     shown.stdout, flags=re.M)
    printed = []
    for header_end in range(1, len(parts), 4):
        body = re.split(r"^===== then ", parts[header_end + 3], flags=re.M)[0]
        printed.append((body[:-1], int(parts[header_end + 1]), int(parts[header_end + 2])))  # one newline after each
    assert len({p for p in re.findall(r"^===== article_summary: ([^,:]+)", shown.stdout, re.M)}) == 5
    assert all(tokens <= window for _, tokens, window in printed)
    memo.build(seeds_dir, abstractive="openai:tiny-chat", generation={"api_base": server.base})
    received = [b["messages"][0]["content"] for b in server.received]
    assert printed and all(prompt in received for prompt, _, _ in printed)


def test_a_whole_seeds_build_through_transformers_serve(seeds_dir, tmp_path):
    """`transformers serve` (the transformers[serving] extra) serving a tiny chat model this test
    builds: memo's prompts go to a real OpenAI-compatible server and fit its model's window."""
    import os
    import shutil
    import socket
    import urllib.request

    pytest.importorskip("fastapi")
    serve = shutil.which("transformers", path=os.path.dirname(sys.executable)) or shutil.which("transformers")
    if serve is None:
        pytest.skip("transformers' command line is not installed")
    model_dir = tmp_path / "tiny-chat"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tools.tiny_chat_model import build

    tokenizer = build(model_dir, [p.read_text(encoding="utf-8") for p in seeds_dir.glob("*.txt")])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OPENAI_API_KEY": KEY}
    server = subprocess.Popen([serve, "serve", str(model_dir), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        ends = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/models", timeout=2) as reply:
                    assert str(model_dir) in reply.read().decode()
                break
            except OSError:
                if time.time() > ends or server.poll() is not None:
                    raise AssertionError("transformers serve did not start")
                time.sleep(0.5)
        window, new_tokens = 1024, 16
        common = ["--abstractive", f"openai:{model_dir}", "--api-base", base, "--context-window", str(window),
                  "--max-new-tokens", str(new_tokens)]
        out = tmp_path / "m.json"
        done = subprocess.run([sys.executable, "-m", "memo", "build", str(seeds_dir), "-o", str(out), "--no-cache",
                               *common], capture_output=True, text=True, timeout=600, env=env)
        assert done.returncode == 0, done.stderr
        data = json.loads(out.read_text(encoding="utf-8"))
        method = " ".join(data["method"]["steps"])
        assert f"on the OpenAI-compatible server at 127.0.0.1:{port}" in method
        assert any(s["generated"] for s in data["source_summaries"]) or data["synthesis"]  # the server answered
        assert KEY not in out.read_text(encoding="utf-8") and KEY not in done.stderr
        # Every article prompt, counted by the served model's own tokenizer with its chat template, fits.
        shown = subprocess.run([sys.executable, "-m", "memo", "prompts", "render", str(seeds_dir), *common[:4],
                                "--context-window", str(window), "--max-new-tokens", str(new_tokens)],
                               capture_output=True, text=True, timeout=120, env=env)
        prompts = re.split(r"^===== [^\n]* =====\n", shown.stdout, flags=re.M)[1:]
        assert len(prompts) >= 5
        for prompt in prompts:
            text = tokenizer.apply_chat_template([{"role": "user", "content": prompt[:-1]}], tokenize=False,
                                                 add_generation_prompt=True)
            assert len(tokenizer(text, add_special_tokens=False)["input_ids"]) <= window - new_tokens
        # As stance judge: this server takes logprobs but gives none back, so memo samples answers;
        # a random-weight model's replies are no yes/no/neither, so nothing goes on a side.
        from memo._answers import SAMPLED
        from memo._stance import UNCLEAR, get_stance

        generator = get_generator(f"openai:{model_dir}", GenerationOptions(api_base=base, context_window=window))
        judge = get_stance("llm", None, generator=generator)
        calls = judge.stance("The port has reopened.", ["The port reopened on Monday.", "The port is closed."])
        assert generator.token_probabilities is False and judge.how == {SAMPLED}
        assert all(c.label == UNCLEAR or c.confidence >= 0.8 for c in calls)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_model_that_counts_more_tokens_than_the_estimate_scales_every_count(server):
    server.density = 20  # this model's tokenizer counts twice memo's estimate
    generator = get_generator("openai:tiny-chat", _options(server)).load()
    assert 2.0 <= generator.scale <= 2.3
    text = "The port reopened on Friday after a week of strikes, officials said. " * 40
    assert generator.count(text) >= 2 * estimate_tokens(text)
    pieces = generator.split_tokens(text, 200)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "") and all(generator.count(p) <= 200 for p in pieces)


# -- the generation model as stance judge (--stance llm) ----------------------------------------

def _statement(prompt: str) -> str:
    return prompt.split("Statement: ", 1)[1].split("\n", 1)[0]


def test_the_llm_judge_reads_token_probabilities_and_abstains_below_the_threshold(server):
    from memo._stance import CONTESTS, SUPPORTS, UNCLEAR, get_stance

    answers = {"The bridge reopened on Monday.": ("Yes", [("Yes", 0.90), (" yes", 0.04), ("No", 0.03)]),
               "The bridge is still closed.": ("No", [("No", 0.85), ("Yes", 0.10)]),
               "Engineers are unsure about the repairs.": ("No", [("No", 0.55), ("Yes", 0.40)]),
               "It rained in the capital.": ("Neither", [("Neither", 0.7), ("No", 0.2)]),
               "Traffic returned to the river crossing.": ("I think it did.", [("I", 0.6), ("Yes", 0.3)])}
    server.judge = lambda prompt, body: answers[_statement(prompt)]
    judge = get_stance("llm", None, generator=get_generator("openai:tiny-chat", _options(server)))
    calls = judge.stance("The bridge has reopened.", list(answers))
    assert [c.label for c in calls] == [SUPPORTS, CONTESTS, UNCLEAR, UNCLEAR, UNCLEAR]
    assert calls[0].confidence == pytest.approx(0.94) and calls[1].support == pytest.approx(0.10 / 0.95)
    assert calls[4].confidence == 0.0  # "I think it did." is not yes, no or neither: unclear, whatever its odds
    assert all(b["temperature"] == 0.0 and b["logprobs"] is True and b["max_tokens"] <= 4 for b in server.judged)
    # requests go out concurrently, so the server may receive them in any order
    assert any("Claim: The bridge has reopened.\nStatement: The bridge reopened on Monday.\n" in
               b["messages"][0]["content"] for b in server.judged)
    note = __import__("memo._stance", fromlist=["describe_stance"]).describe_stance(judge)
    assert "tiny-chat as judge" in note and "by token probabilities" in note
    assert "1 of 5 replies were not yes, no or neither" in note


def test_the_llm_judge_samples_answers_where_the_server_refuses_token_probabilities(server):
    from memo._stance import CONTESTS, SUPPORTS, UNCLEAR, get_stance

    def answer(prompt, body):
        if "reopened" in prompt.split("Statement:")[1]:
            return ("Yes" if body["seed"] < 4 else "No"), None  # four of five samples say yes
        if "closed" in prompt.split("Statement:")[1]:
            return "no.", None
        return ("Yes" if body["seed"] % 2 else "neither"), None

    server.judge, server.refuse_logprobs = answer, True
    judge = get_stance("llm", None, generator=get_generator("openai:tiny-chat", _options(server, concurrency=1)))
    calls = judge.stance("The bridge has reopened.", ["The bridge reopened on Monday.", "The bridge is closed.",
                                                     "Officials gave no date."])
    assert [c.label for c in calls] == [SUPPORTS, CONTESTS, UNCLEAR]
    assert calls[0].confidence == pytest.approx(0.8) and calls[2].confidence == pytest.approx(0.4)
    asked_with_logprobs = [b for b in server.judged if b.get("logprobs")]
    assert len(asked_with_logprobs) == 1  # refused once, then never asked again
    sampled = [b for b in server.judged if not b.get("logprobs")]
    assert len(sampled) == 15 and all(b["temperature"] == 1.0 for b in sampled)
    assert sorted({b["seed"] for b in sampled}) == [0, 1, 2, 3, 4]
    assert "by sampled answers" in __import__("memo._stance", fromlist=["x"]).describe_stance(judge)


def test_an_analysts_own_stance_judge_template_is_what_the_server_receives(server, tmp_path):
    from memo._stance import get_stance

    (tmp_path / "stance_judge.txt").write_text("# mine\nSTATEMENT={{statement}}\nCLAIM={{claim}}\nyes/no/neither?\n",
                                               encoding="utf-8")
    judge = get_stance("llm", None, generator=get_generator("openai:tiny-chat", _options(server)),
                       prompts=memo.Prompts(tmp_path))
    judge.stance("Tolls rose.", ["Tolls went up by a euro."])
    assert server.received[-1]["messages"][0]["content"] == "STATEMENT=Tolls went up by a euro.\nCLAIM=Tolls rose.\n" \
                                                            "yes/no/neither?\n"


def test_a_build_with_the_llm_judge_puts_its_confident_answers_on_the_sides(server, seeds_dir, tmp_path):
    def answer(prompt, body):
        statement = _statement(prompt)
        if "poor choice as mediator" in statement:
            return "No", [("No", 0.95), ("Yes", 0.02)]
        return "Neither", [("Neither", 0.9), ("Yes", 0.05)]

    server.judge = answer
    out = tmp_path / "m.json"
    done = subprocess.run([sys.executable, "-m", "memo", "build", str(seeds_dir), "-o", str(out), "--no-cache",
                           "--question", "Is China a credible mediator in Ukraine?", "--stance", "llm",
                           "--abstractive", "openai:tiny-chat", "--api-base", server.base],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    asked = next(d for d in data["disagreements"] if d["asked"])
    sides = {side["stance"]: side for side in asked["sides"]}
    quotes = [s["citation"]["quote"] for s in sides["contests"]["statements"]]
    assert quotes and all("poor choice as mediator" in q for q in quotes)
    assert not sides.get("supports", {}).get("statements")
    assert server.judged and "as judge" in " ".join(data["method"]["steps"])


def test_the_llm_judge_without_a_generation_model_fails_in_one_line(seeds_dir, tmp_path):
    done = subprocess.run([sys.executable, "-m", "memo", "build", str(seeds_dir), "-o", str(tmp_path / "m.md"),
                           "--stance", "llm", "--no-abstractive"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and not (tmp_path / "m.md").exists()
    assert done.stderr.strip().count("\n") == 0 and "--stance llm asks the generation model" in done.stderr


@pytest.mark.parametrize("benchmark", ["perspectrum_stance", "fnc1_stance"])
def test_the_stance_benchmarks_score_the_llm_judge_beside_memos_model(benchmark, server, tmp_path, capsys):
    import importlib

    from test_train_stance import write_shared_layout

    root = write_shared_layout(tmp_path / "eval")
    server.judge = lambda prompt, body: ("Yes", [("Yes", 0.9), ("No", 0.05)])
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    module = importlib.import_module(benchmark)
    folder = root / ("perspectrum" if benchmark == "perspectrum_stance" else "fnc1")
    extra = ["--pairs", "0"] if benchmark == "perspectrum_stance" else ["--all"]
    module.main(["--data", str(folder), *extra, "--llm", "openai:tiny-chat", "--api-base", server.base,
                 "--llm-claims", "1"])
    shown = capsys.readouterr().out
    row = next(line for line in shown.splitlines() if line.startswith("llm judge tiny-chat (by token probabilities"))
    beside = next(line for line in shown.splitlines() if line.startswith("memo (stance model) on the same"))
    assert len(re.findall(r"\d\.\d{3}", row)) >= 2 and len(re.findall(r"\d\.\d{3}", beside)) >= 2
    assert server.judged  # the judge was asked, through the server
    first = server.judged[0]["messages"][0]["content"]
    assert len({b["messages"][0]["content"].split("\n", 1)[0] for b in server.judged}) == 1  # one claim only
    assert first.startswith("Claim: ")


def test_the_llm_judge_never_sends_a_prompt_over_the_window():
    from memo._stance import SUPPORTS, UNCLEAR, describe_stance, get_stance

    small = _Server(window=400)  # 400 - 96 new tokens: room for a short statement, not a long one
    try:
        small.judge = lambda prompt, body: ("Yes", [("Yes", 0.95)])
        judge = get_stance("llm", None, generator=get_generator("openai:tiny-chat", _options(small)))
        long = "The harbour strike went on, with pickets at every gate and talks stalled again. " * 12
        calls = judge.stance("The strike is over.", ["The strike ended on Friday.", long])
        assert [c.label for c in calls] == [SUPPORTS, UNCLEAR]
        generator = judge.generator
        assert len(small.judged) == 1
        assert all(generator.count(b["messages"][0]["content"]) <= generator.window for b in small.judged)
        assert "1 statement over the model's window was not asked" in describe_stance(judge)
    finally:
        small.close()
