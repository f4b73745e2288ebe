"""Write a large many-story news corpus for benchmarks, with no network: articles are
recombined from the Multi-News dev clusters in ../shared/eval/ (each cluster is one story,
reported by 2-7 outlets). Each new article takes, in their original order, about 40% of the
sentences of two articles of one story, so stories keep their shape and no two articles are
near-duplicates. Output: N .txt files and a metadata.json (outlet, title, date).

    .venv/bin/python benchmarks/make_corpus.py N OUT_DIR [--data ../shared/eval/multinews_dev100.csv]
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import random
import sys
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "multinews_dev100.csv"


def stories(data: Path) -> list[list[list[str]]]:
    """Per cluster, its articles, each a list of sentences (split on full stops: good enough to recombine)."""
    from memo.model import Article
    from memo.segment import split_sentences

    csv.field_size_limit(10**9)
    out = []
    with data.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            docs = []
            for text in ast.literal_eval(row["documents"]):
                sentences = [s.text for s in split_sentences(Article("x", text)) if len(s.text.split()) >= 6]
                if len(sentences) >= 5:
                    docs.append(sentences)
            if docs:
                out.append(docs)
    return out


def make_corpus(n: int, out_dir: Path, data: Path = DEFAULT_DATA, seed: int = 0) -> Path:
    rng = random.Random(seed)
    clusters = stories(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    metadata = {}
    for k in range(n):
        story = k % len(clusters)
        docs = clusters[story]
        first, second = rng.choice(docs), rng.choice(docs)
        picked = [s for s in first if rng.random() < 0.4] + [s for s in second if rng.random() < 0.4]
        picked = picked or first[:5]
        name = f"{k:05d}.txt"
        (out_dir / name).write_text("\n\n".join(picked) + "\n", encoding="utf-8")
        metadata[name] = {"outlet": f"Outlet {rng.randrange(1, 200)}", "title": f"Story {story}: report {k}",
                          "date": f"2024-05-{1 + story % 28:02d}"}
    (out_dir / "metadata.json").write_text(json.dumps(metadata, indent=1), encoding="utf-8")
    return out_dir


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"benchmark data not found: {args.data}", file=sys.stderr)
        return 2
    make_corpus(args.n, args.out, args.data, args.seed)
    print(f"wrote {args.n} articles to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
