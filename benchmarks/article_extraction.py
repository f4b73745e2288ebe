"""Article-body extraction on saved news pages: memo (the code path of an .html source: ingest
then cleaning, as `memo text` prints it) against trafilatura with its default settings, in
one run, and against the figure of memo's former hand-written parser.

    .venv/bin/python benchmarks/article_extraction.py --data DIR [--limit N]

DIR is laid out like the Zyte article-extraction benchmark (scrapinghub/article-extraction-
benchmark, MIT): ``ground-truth.json`` maps a page id to ``{"articleBody": ..., "url": ...}``
and ``html/ID.html.gz`` holds the page. The data is read where it lies, never copied.

Scoring follows that benchmark's evaluate.py: case-sensitive word 4-grams (``\\w+`` tokens)
counted with multiplicity; per page, true/false positives and false negatives are divided by
their sum so that long pages weigh no more than short ones; precision is averaged over the
pages that predicted something, recall over those whose truth has something, and F1 is the
harmonic mean of the two averages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# memo's hand-written HTML parser (memo/_ingest.py before issue 14) on the same 92 pages.
OLD_PARSER_F1 = 0.79
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    # A text shorter than n words is one (short) shingle; an empty text has none.
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def page_scores(truth: str, predicted: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over the 4-grams of one page, normalised to sum to 1."""
    true, pred = shingles(truth), shingles(predicted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def summary(scores: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(precision, recall, F1) averaged over pages, as the benchmark averages them."""
    def ratio(tp, other, fp, fn):
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == other == 0 else tp / (tp + other)

    precision = statistics.mean(ratio(tp, fp, fp, fn) for tp, fp, fn in scores if tp + fp > 0)
    recall = statistics.mean(ratio(tp, fn, fp, fn) for tp, fp, fn in scores if tp + fn > 0)
    return precision, recall, 2 * precision * recall / (precision + recall)


def memo_extract(paths: list[Path]) -> list[str]:
    """What memo would summarise from each page: read as an .html source, then cleaned.
    A page memo skips (no body found) counts as an empty prediction."""
    from memo import _ingest as ingest
    from memo._clean import clean_document

    out = []
    for path in paths:
        (document,) = ingest.read_sources(path)
        out.append("" if document.skipped else clean_document(document)[0].text)
    return out


def trafilatura_extract(paths: list[Path]) -> list[str]:
    from trafilatura import extract

    return [extract(path.read_bytes()) or "" for path in paths]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with ground-truth.json and html/")
    parser.add_argument("--limit", type=int, help="only the first N pages (a quick look)")
    args = parser.parse_args(argv)
    truth_file = args.data / "ground-truth.json"
    if not truth_file.is_file() or not (args.data / "html").is_dir():
        print(f"benchmark data not found: {args.data} needs ground-truth.json and html/", file=sys.stderr)
        return 2
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    ids = sorted(truth)[:args.limit]
    import trafilatura

    with tempfile.TemporaryDirectory() as work:
        # Unzipped to a temporary folder (outside the repository), as a user's saved page would be.
        paths = []
        for page_id in ids:
            path = Path(work) / f"{page_id}.html"
            path.write_bytes(gzip.decompress((args.data / "html" / f"{page_id}.html.gz").read_bytes()))
            paths.append(path)
        memo_extract(paths[:1])  # imports and first-call set-up are not per-page costs
        trafilatura_extract(paths[:1])
        rows = []
        for name, extract in ((f"trafilatura {trafilatura.__version__} defaults", trafilatura_extract),
                              ("memo (ingest + clean)", memo_extract)):
            started = time.perf_counter()
            predicted = extract(paths)
            seconds = time.perf_counter() - started
            scores = [page_scores(truth[i].get("articleBody", ""), p) for i, p in zip(ids, predicted)]
            rows.append((name, *summary(scores), len(paths) / seconds,
                         sum(1 for p in predicted if not p.strip())))
    print(f"{len(ids)} pages from {args.data}")
    print(f"{'extractor':<32} {'precision':>9} {'recall':>7} {'F1':>6} {'pages/s':>8} {'empty':>6}")
    print(f"{'memo: former hand-written parser':<32} {'':>9} {'':>7} {OLD_PARSER_F1:6.3f} {'':>8} {'':>6}")
    for name, precision, recall, f1, rate, empty in rows:
        print(f"{name:<32} {precision:9.3f} {recall:7.3f} {f1:6.3f} {rate:8.1f} {empty:6d}")
    baseline, ours = rows[0][3], rows[1][3]
    verdict = "meets" if ours >= 0.95 and ours >= baseline else "MISSES"
    print(f"memo F1 {ours:.3f} vs trafilatura defaults {baseline:.3f}: {verdict} the bar "
          f"(F1 >= 0.95 and not below trafilatura's defaults)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
