"""Peak memory of `memo build` on hostile inputs, against the seeds alone (issue 22).

Each run is a fresh process building a memo from `seeds/` plus one hostile file: a 50 MB
text file, and the hostile suite's crafted files (a Word file inflating to 1 GB of XML, the
same with a header that understates it, a "billion laughs" Word file, a PDF whose content
stream inflates to 1 GB, a page nested 100,000 deep, a truncated Word file). Each should be
skipped with a reason before it is inflated or parsed, so its peak memory is the seeds'
baseline, not what the file claims. Peak RSS is the larger of the kernel's peak for the
process and the sampled peak of its process tree (``cold_build.measure``).

    .venv/bin/python benchmarks/hostile_memory.py [--corpus seeds/] [--models]

By default the builds use the fast settings of the tests (hashing embedder, no generated
summaries, the embedding stance heuristic), so the figures are memo's reading, not its
models; ``--models`` runs memo's default models instead.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FAST = ["--embedder", "hashing", "--no-abstractive", "--stance", "embedding"]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_crafted(folder: Path) -> dict[str, str]:
    """The hostile suite's crafted files, written into ``folder``: name -> what it claims."""
    suite = _load("hostile_suite", REPO / "tests" / "test_hostile.py")
    bomb = suite._word_file(suite._inflating_xml)
    files = {
        "bomb.docx": (bomb, "1 GB of XML"),
        "liar.docx": (suite._understated(bomb, b"word/document.xml", 10 * 2**20), "10 MB declared, 1 GB inside"),
        "laughs.docx": (suite._word_file(suite._laughing_xml), "10^9 'lol's by entities"),
        "bomb.pdf": (suite._inflating_pdf(), "a 1 GB content stream"),
        "deep.html": (suite._deep_page().encode(), "100,000 levels of <div>"),
        "broken.docx": (bomb[:4096], "a truncated zip"),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    # 50 MB of real prose (not a sparse file): over the 20 MB file limit, refused unread.
    suite_prose = (suite.PROSE + "\n").encode()
    with open(folder / "big.txt", "wb") as handle:
        for _ in range(50 * 2**20 // len(suite_prose) + 1):
            handle.write(suite_prose)
    return {"big.txt": "50 MB of text", **{name: claim for name, (_, claim) in files.items()}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="seeds/")
    parser.add_argument("--models", action="store_true", help="memo's default models, not the fast settings")
    args = parser.parse_args(argv)
    measure = _load("cold_build", REPO / "benchmarks" / "cold_build.py").measure
    options = [] if args.models else FAST
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        claims = _write_crafted(folder)

        def build(*extra: str) -> tuple[float, float]:
            return measure([sys.executable, "-m", "memo", "build", args.corpus, *extra,
                            "-o", str(folder / "brief.md"), "-q", "--no-cache", *options])

        seconds, baseline = build()
        print(f"corpus: {args.corpus} plus one file each; settings: {'default models' if args.models else 'fast'}; "
              f"cores: {os.cpu_count()}")
        print(f"{'input':<14} {'on disk':>9}  {'claims':<28} {'seconds':>7} {'peak MB':>8} {'vs seeds':>8}")
        print(f"{'seeds alone':<14} {'':>9}  {'':<28} {seconds:7.1f} {baseline:8.0f} {'':>8}")
        for name, claim in claims.items():
            seconds, peak = build(str(folder / name))
            size = (folder / name).stat().st_size / 2**20
            print(f"{name:<14} {size:7.1f}MB  {claim:<28} {seconds:7.1f} {peak:8.0f} {peak - baseline:+8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
