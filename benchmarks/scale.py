"""Large corpora: wall time, peak memory and embeddings computed for `memo build` at growing
corpus sizes, locally and on a 2-worker Ray instance, and a cached rebuild after adding 10
articles (the baseline: the first build).

    .venv/bin/python benchmarks/scale.py [--sizes 100 1000 3000] [--ray] [--no-local]

Each size is a corpus from benchmarks/make_corpus.py, built cold by the CLI (extractive,
default embedder) with an empty embedding cache; then 10 more articles are added and it is
built again with that cache. With --ray, each size is also built with `--ray ADDRESS` on a Ray
instance this script starts (`ray start --head --num-cpus 2`), its memory counted with the
driver's. Targets on a 2-core machine: 1,000 articles under 10 minutes and 4 GB, time at
1,000 under 12x time at 100, cached rebuild under 10% of the first build.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold_build import measure  # noqa: E402
from make_corpus import DEFAULT_DATA, make_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BIN = REPO / ".venv" / "bin"
RAY_PORT = 6391


def build(corpus: Path, out: Path, cache: Path, ray: list[int] | None) -> tuple[float, float, int, int]:
    command = [str(BIN / "memo"), "build", str(corpus), "-o", str(out), "-q", "--no-abstractive", "--cache", str(cache)]
    if ray is not None:
        command += ["--ray", f"127.0.0.1:{RAY_PORT}"]
    before = _cached_vectors(cache)
    seconds, peak = measure(command, also=ray or [])
    memo = json.loads(out.read_text(encoding="utf-8"))
    # The memo's method note no longer reports cache hits (a cached rebuild must give the same
    # bytes), so what was embedded is counted in the cache itself: the vectors it gained.
    return seconds, peak, _cached_vectors(cache) - before, len(memo["articles"])


def _cached_vectors(cache: Path) -> int:
    import sqlite3

    path = cache / "embeddings.sqlite"
    if not path.is_file():
        return 0
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]


def start_ray() -> list[int]:
    """A 2-CPU Ray head on this machine; the pids of its daemons, whose trees hold the workers."""
    os.environ["RAY_AUTH_MODE"] = "disabled"  # a private instance on loopback; memo runs inherit this
    subprocess.run([str(BIN / "ray"), "start", "--head", "--num-cpus", "2", "--port", str(RAY_PORT),
                    "--include-dashboard", "false", "--disable-usage-stats"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    found = subprocess.run(["pgrep", "-f", "raylet|gcs_server"], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


def stop_ray() -> None:
    subprocess.run([str(BIN / "ray"), "stop", "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 1000, 3000])
    parser.add_argument("--ray", action="store_true", help="also build each corpus on a 2-worker Ray instance")
    parser.add_argument("--no-local", action="store_true", help="skip the local builds")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"benchmark data not found: {args.data}", file=sys.stderr)
        return 2
    runs = ([] if args.no_local else ["local"]) + (["ray"] if args.ray else [])
    print(f"{'articles':>8} {'run':>5} {'kept':>6} {'seconds':>8} {'peak MB':>8} {'embedded':>9} "
          f"{'+10 rebuild s':>13} {'embedded':>9} {'rebuild %':>9}", flush=True)
    times: dict[tuple[str, int], float] = {}
    work = Path(tempfile.mkdtemp(prefix="memo-scale-"))
    ray = start_ray() if "ray" in runs else None
    try:
        for size in args.sizes:
            for run in runs:
                corpus = make_corpus(size + 10, work / f"corpus-{size}-{run}", args.data)
                held = work / f"held-{size}-{run}"
                held.mkdir()
                for path in sorted(corpus.glob("*.txt"))[size:]:  # the last 10 wait for the rebuild
                    path.rename(held / path.name)
                cache = work / f"cache-{size}-{run}"
                where = ray if run == "ray" else None
                seconds, peak, embedded, kept = build(corpus, work / f"memo-{size}.json", cache, where)
                for path in held.iterdir():
                    path.rename(corpus / path.name)
                again, _, embedded_again, _ = build(corpus, work / f"memo-{size}-b.json", cache, where)
                times[run, size] = seconds
                print(f"{size:>8} {run:>5} {kept:>6} {seconds:8.1f} {peak:8.0f} {embedded:>9} {again:13.1f} "
                      f"{embedded_again:>9} {100 * again / seconds:8.1f}%", flush=True)
                shutil.rmtree(corpus)
                shutil.rmtree(cache)
    finally:
        if ray is not None:
            stop_ray()
        shutil.rmtree(work, ignore_errors=True)
    for run in runs:
        if (run, 100) in times and (run, 1000) in times:
            print(f"{run}: time at 1,000 / time at 100: {times[run, 1000] / times[run, 100]:.1f}x (target < 12x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
