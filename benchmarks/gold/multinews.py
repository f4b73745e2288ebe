"""Read Multi-News dev documents and point into them: the shared reader of memo's gold sets.

Gold sets store offsets into the documents of ``multinews_dev100.csv`` (cluster = row index,
document = index in that row's ``documents`` list, start/end = character offsets into that
document's string), never the text itself (the data's terms forbid copying it in).

    .venv/bin/python benchmarks/gold/multinews.py sentences CLUSTER DOCUMENT [--data CSV]
        prints each sentence of one document as memo splits it: index, start, end, text
    .venv/bin/python benchmarks/gold/multinews.py show CLUSTER [--data CSV]
        prints the cluster's documents with their lengths
"""

from __future__ import annotations

import argparse
import ast
import csv
from functools import lru_cache
from pathlib import Path

DEFAULT_CSV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "multinews_dev100.csv"


@lru_cache(maxsize=4)
def clusters(path: str | Path = DEFAULT_CSV) -> list[list[str]]:
    """The documents of every cluster, in file order."""
    csv.field_size_limit(10**9)
    with open(path, newline="", encoding="utf-8") as handle:
        return [list(ast.literal_eval(row["documents"])) for row in csv.DictReader(handle)]


def document(cluster: int, index: int, path: str | Path = DEFAULT_CSV) -> str:
    return clusters(path)[cluster][index]


def sentences(cluster: int, index: int, path: str | Path = DEFAULT_CSV):
    """memo's sentences of one document, spans into the document string."""
    from memo.model import Article
    from memo.segment import split_sentences

    text = document(cluster, index, path)
    return split_sentences(Article(id=f"c{cluster}d{index}", text=text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["sentences", "show"])
    parser.add_argument("cluster", type=int)
    parser.add_argument("document", type=int, nargs="?", default=0)
    parser.add_argument("--data", default=str(DEFAULT_CSV))
    args = parser.parse_args()
    if args.what == "show":
        for i, text in enumerate(clusters(args.data)[args.cluster]):
            print(f"--- document {i} ({len(text)} chars)")
            print(text)
        return
    for s in sentences(args.cluster, args.document, args.data):
        print(f"[{s.index}] {s.start}-{s.end}{' (heading)' if s.is_heading else ''}: {s.text}")


if __name__ == "__main__":
    main()
