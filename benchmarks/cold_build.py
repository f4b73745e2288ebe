"""Cold-process timing and peak memory of `memo build seeds/ -o brief.docx`.

Each run is a fresh Python process, as a user's command is (memory counts memo's
embedding helper process too). For scale, the same run
times two baselines: a bare interpreter and an interpreter that only imports torch
(the floor any torch-based embedder pays), and the previous path, `--runtime torch`
(memo's models on torch instead of ONNX Runtime). Before the timed runs, one build with an
empty model cache times what a first run ever pays to build the ONNX graphs (then cached).
Targets on a 2-core machine: under 8 s (issue 11), at most 4.0 s (issue 18), under 1.5 GB
peak RSS.

    .venv/bin/python benchmarks/cold_build.py [--runs 3] [--corpus seeds/] [--question Q]...

With ``--question`` the build also sets out the sides of each question asked (the stance
model's work), as ``memo build --question`` does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 8.0
TARGET_FAST_SECONDS = 4.0
TARGET_RSS_MB = 1536
REPO = Path(__file__).resolve().parents[1]


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(c) for c in children.read().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def measure(command: list[str], also: list[int] = ()) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, its helper processes included:
    the larger of the kernel's peak for the main process and the sampled peak of the tree
    (plus the trees of the processes in ``also``, e.g. a Ray cluster the command uses)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree_peak = 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        tree_peak = max(tree_peak, _tree_rss_mb(process.pid) + sum(_tree_rss_mb(p) for p in also))
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-500:]}")
    return elapsed, max(usage.ru_maxrss / 1024, tree_peak)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", default="seeds/")
    parser.add_argument("--question", action="append", default=[], help="a question the memo answers")
    args = parser.parse_args(argv)
    asked = [arg for q in args.question for arg in ("--question", q)]
    memo_cli = str(Path(sys.executable).with_name("memo"))
    with tempfile.TemporaryDirectory() as tmp:
        # --no-cache: a first build, every sentence embedded (a cached rebuild is far quicker)
        build = [memo_cli, "build", args.corpus, "-o", str(Path(tmp) / "brief.docx"), "-q", "--no-cache", *asked]
        commands = {
            "python (baseline)": [sys.executable, "-c", "pass"],
            "import torch (baseline)": [sys.executable, "-c", "import torch"],
            "memo build --runtime torch": [*build, "--runtime", "torch"],
            "memo build": build,
        }
        os.environ["MEMO_MODEL_CACHE"] = str(Path(tmp) / "models")
        first = measure(build)  # builds the ONNX graphs into the empty model cache
        results = {}
        for name, command in commands.items():
            runs = [measure(command) for _ in range(args.runs)]
            results[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
        results["memo build, first run ever"] = first
    print(f"cold runs of each command: {args.runs}, corpus: {args.corpus}, cores: {os.cpu_count()}"
          + "".join(f", question: {q}" for q in args.question))
    print(f"{'command':<26} {'median s':>9} {'peak RSS MB':>12}")
    for name, (seconds, rss) in results.items():
        print(f"{name:<26} {seconds:9.2f} {rss:12.0f}")
    seconds, rss = results["memo build"]
    ok = seconds < TARGET_SECONDS and rss < TARGET_RSS_MB
    print(f"memo build: {seconds:.2f} s (target < {TARGET_SECONDS:.0f} s), {rss:.0f} MB "
          f"(target < {TARGET_RSS_MB} MB): {'PASS' if ok else 'FAIL'}")
    fast = seconds <= TARGET_FAST_SECONDS
    before = results["memo build --runtime torch"][0]
    print(f"memo build: {seconds:.2f} s against {before:.2f} s on the previous path ({before - seconds:+.2f} s saved; "
          f"target <= {TARGET_FAST_SECONDS:.1f} s): {'PASS' if fast else 'FAIL'}")
    return 0 if ok and fast else 1


if __name__ == "__main__":
    sys.exit(main())
