"""Large corpora: wall time, peak memory and embeddings computed for `memo build` at growing
corpus sizes, and a cached rebuild after adding 10 articles (the baseline: the first build).

    .venv/bin/python benchmarks/scale.py [--sizes 100 1000 3000]

Each size is a corpus from benchmarks/make_corpus.py, built cold by the CLI (extractive,
default embedder) with an empty embedding cache; then 10 more articles are added and it is
built again with that cache. Targets on a 2-core machine: 1,000 articles under 10 minutes and
4 GB, time at 1,000 under 12x time at 100, cached rebuild under 10% of the first build.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold_build import measure  # noqa: E402
from make_corpus import DEFAULT_DATA, make_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def build(corpus: Path, out: Path, cache: Path) -> tuple[float, float, int, int]:
    seconds, peak = measure([str(REPO / ".venv" / "bin" / "memo"), "build", str(corpus), "-o", str(out), "-q",
                             "--no-abstractive", "--cache", str(cache)])
    steps = " ".join(json.loads(out.read_text(encoding="utf-8"))["method"]["steps"])
    hits, total = map(int, re.search(r"\((\d+) of (\d+) from the embedding cache", steps).groups())
    return seconds, peak, total - hits, len(json.loads(out.read_text(encoding="utf-8"))["articles"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 1000, 3000])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"benchmark data not found: {args.data}", file=sys.stderr)
        return 2
    print(f"{'articles':>8} {'kept':>6} {'seconds':>8} {'peak MB':>8} {'embedded':>9} "
          f"{'+10 rebuild s':>13} {'embedded':>9} {'rebuild %':>9}")
    times = {}
    work = Path(tempfile.mkdtemp(prefix="memo-scale-"))
    try:
        for size in args.sizes:
            corpus = make_corpus(size + 10, work / f"corpus-{size}", args.data)
            extra = sorted(corpus.glob("*.txt"))[size:]
            held = work / f"held-{size}"
            held.mkdir()
            for path in extra:  # the last 10 wait for the rebuild
                path.rename(held / path.name)
            cache = work / f"cache-{size}"
            seconds, peak, embedded, kept = build(corpus, work / f"memo-{size}.json", cache)
            for path in held.iterdir():
                path.rename(corpus / path.name)
            again, _, embedded_again, _ = build(corpus, work / f"memo-{size}-b.json", cache)
            times[size] = seconds
            print(f"{size:>8} {kept:>6} {seconds:8.1f} {peak:8.0f} {embedded:>9} {again:13.1f} {embedded_again:>9} "
                  f"{100 * again / seconds:8.1f}%", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if 100 in times and 1000 in times:
        print(f"time at 1,000 / time at 100: {times[1000] / times[100]:.1f}x (target < 12x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
