"""Where a build's time and memory go: wall time and peak resident memory per stage.

(Not named profile.py: run as a script, benchmarks/ comes first on the path, and the
standard library's profile module, which cProfile imports, must not be shadowed.)

    .venv/bin/python benchmarks/stage_profile.py [--corpus seeds/] [--question Q]... [--articles N]

One fresh process builds the memo through ``memo.build`` (the library path: every model in
this process, no helper), cold (no cache), and times each stage of ``memo._pipeline`` as it
runs: the imports, reading and preparing the sources (cleaning, sentence splitting), the
embedding (the model's load and, with torch, its import), the wait for the attribution
parse that runs beside it, ranking, grouping, the stance calls (checking groups, answering
questions), who said what, assembling and writing. Each stage's peak memory is the
process's resident peak while it ran (Linux: the peak is reset before each stage).

``--articles N`` profiles a corpus of N generated articles (``make_corpus.py``, from the
shared Multi-News and FNC-1 texts) instead of ``--corpus``. The baseline printed beside the
build is a bare interpreter that imports torch (the floor any torch model pays).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Run in the child: wraps the pipeline's stage functions and prints one JSON line per stage.
CHILD = textwrap.dedent("""
    import json, sys, time
    started = time.perf_counter()

    def peak_mb():
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024

    def reset_peak():
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")
        except OSError:
            pass

    rows = []
    import memo
    from memo import _pipeline as pipeline
    from memo import _prepare as prepare
    from memo._stages import compare as compare_stage
    rows.append(("imports (memo, numpy, spaCy's module)", time.perf_counter() - started, peak_mb()))

    def timed(owner, name, label):
        inner = getattr(owner, name)

        def wrapper(*args, **kwargs):
            reset_peak()
            began = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                rows.append((label, time.perf_counter() - began, peak_mb()))
        setattr(owner, name, wrapper)

    timed(pipeline, "read", "read, clean, split (and parse, when not beside the embedding)")
    timed(pipeline, "embed", "embed (model load and import included)")
    timed(prepare.Attributing, "result", "wait for the attribution parse")
    timed(pipeline, "rank", "rank: bottom line, key points, summaries")
    timed(compare_stage, "group_points", "group points")
    timed(compare_stage, "weigh_groups", "stance: check groups")
    timed(compare_stage, "answer", "stance: answer questions")
    timed(compare_stage, "who_said_what", "who said what")
    timed(pipeline, "assemble", "assemble the memo")
    timed(memo.Memo, "save", "render and write")
    corpus, out, questions = sys.argv[1], sys.argv[2], sys.argv[3:]
    began = time.perf_counter()
    memo.build([corpus], out=out, questions=questions)
    total = time.perf_counter() - started
    for label, seconds, peak in rows:
        print(json.dumps({"stage": label, "seconds": seconds, "peak_mb": peak}))
    print(json.dumps({"stage": "total", "seconds": total, "peak_mb": peak_mb()}))
""")


def profile(corpus: Path, questions: list[str]) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-c", CHILD, str(corpus), str(Path(tmp) / "brief.docx"), *questions]
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the build failed: {done.stderr[-800:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def merged(rows: list[dict]) -> list[dict]:
    """Stages called more than once (one stance check per story) summed, in first-call order."""
    out: dict[str, dict] = {}
    for row in rows:
        if row["stage"] in out:
            out[row["stage"]]["seconds"] += row["seconds"]
            out[row["stage"]]["peak_mb"] = max(out[row["stage"]]["peak_mb"], row["peak_mb"])
            out[row["stage"]]["calls"] += 1
        else:
            out[row["stage"]] = {**row, "calls": 1}
    return list(out.values())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / "seeds")
    parser.add_argument("--question", action="append", default=[])
    parser.add_argument("--articles", type=int, help="profile a generated corpus of this many articles")
    parser.add_argument("--data", type=Path, help="the shared eval folder, for --articles")
    args = parser.parse_args(argv)
    corpus = args.corpus
    with tempfile.TemporaryDirectory() as tmp:
        if args.articles:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from make_corpus import DEFAULT_DATA, make_corpus

            corpus = Path(tmp) / "corpus"
            make_corpus(args.articles, corpus, args.data or DEFAULT_DATA)
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        torch_import = time.perf_counter() - began
        rows = merged(profile(corpus, args.question))
    print(f"stage profile of a cold build: {corpus if not args.articles else f'{args.articles} generated articles'}"
          + "".join(f", question: {q}" for q in args.question) + f", cores: {os.cpu_count()}")
    print(f"{'stage':<64} {'seconds':>8} {'peak MB':>8}")
    for row in rows:
        calls = f" ({row['calls']} calls)" if row["calls"] > 1 else ""
        print(f"{(row['stage'] + calls):<64} {row['seconds']:8.2f} {row['peak_mb']:8.0f}")
    print(f"{'baseline: a bare interpreter importing torch':<64} {torch_import:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
