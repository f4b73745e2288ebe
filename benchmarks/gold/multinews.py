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
    from memo._model import Article
    from memo._segment import split_sentences

    text = document(cluster, index, path)
    return split_sentences(Article(id=f"c{cluster}d{index}", text=text))


def memo_of(documents: list[str], **options):
    """``memo.build`` on the documents written as doc0.txt, doc1.txt, ... (their order kept:
    ``document_of`` reads a citation's index back)."""
    import tempfile

    import memo

    with tempfile.TemporaryDirectory() as folder:
        for i, text in enumerate(documents):
            (Path(folder) / f"doc{i}.txt").write_text(text, encoding="utf-8")
        return memo.build(folder, **options)


def document_of(citation) -> int:
    """The index of the document a citation of ``memo_of``'s memo points into."""
    return int(citation.article_id.removeprefix("doc").split("-")[0])


def locate(original: str, quote: str, near: int = 0) -> tuple[int, int] | None:
    """Where ``quote`` (a sentence of memo's cleaned text) lies in the original document, the
    match nearest ``near``: exactly; else with all whitespace ignored (cleaning collapses and
    moves it); else the original sentence that shares most of its words (at least half)."""
    import re
    from collections import Counter

    quote = quote.strip()
    if not quote:
        return None
    hits = [m.start() for m in re.finditer(re.escape(quote), original)]
    if hits:
        start = min(hits, key=lambda h: abs(h - near))
        return start, start + len(quote)
    kept = [i for i, ch in enumerate(original) if not ch.isspace()]
    squeezed = "".join(original[i] for i in kept)
    needle = "".join(quote.split())
    hits = [m.start() for m in re.finditer(re.escape(needle), squeezed)]
    if hits:
        at = min(hits, key=lambda h: abs(kept[h] - near))
        return kept[at], kept[at + len(needle) - 1] + 1
    from memo._model import Article
    from memo._segment import split_sentences

    mine = Counter(w.lower() for w in re.findall(r"\w+", quote))
    best, best_score = None, 0.0
    for sentence in split_sentences(Article(id="original", text=original)):
        theirs = Counter(w.lower() for w in re.findall(r"\w+", sentence.text))
        score = sum((mine & theirs).values()) / max(1, sum(mine.values()), sum(theirs.values()))
        if score > best_score:
            best, best_score = (sentence.start, sentence.end), score
    return best if best_score >= 0.5 else None


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
