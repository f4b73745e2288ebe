"""Write a large many-story news corpus for benchmarks, with no network: articles are
recombined from the Multi-News dev clusters in ../shared/eval/ (each cluster is one story,
reported by 2-7 outlets). Each new article takes, in their original order, about 40% of the
sentences of two articles of one story, so stories keep their shape and no two articles are
near-duplicates. As outlets do, each article words most sentences its own way (a lead-in, a
synonym, a trimmed clause), so that few sentences repeat verbatim across the corpus, as in a
real day of news, and embedding work is not understated.
Output: N .txt files and a metadata.json (outlet, title, date).

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
    from memo._model import Article
    from memo._segment import split_sentences

    csv.field_size_limit(10**9)
    if data.is_dir():  # the shared eval folder, as the other benchmarks' --data take it
        data = data / DEFAULT_DATA.name
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


LEAD_INS = ["Meanwhile, ", "On Tuesday, ", "Separately, ", "In a statement, ", "According to reports, ",
            "As of Monday, ", "Earlier, ", "Later, ", "By contrast, ", "Notably, ", "At the same time, ",
            "In addition, ", "For now, ", "Officials noted that ", "Reports said that ", "It emerged that "]
COMMON_OPENERS = {"The", "A", "An", "It", "He", "She", "They", "We", "This", "That", "These", "In", "On", "At",
                  "But", "And", "As", "His", "Her", "Their", "Its", "There", "Some", "Many", "For", "After"}
SYNONYMS = {"said": "stated", "says": "states", "told": "informed", "people": "residents", "police": "officers",
            "government": "administration", "president": "leader", "big": "large", "began": "started",
            "about": "roughly", "also": "additionally", "but": "yet", "after": "following", "more than": "over",
            "announced": "unveiled", "help": "assist", "show": "indicate", "find": "discover"}


def reworded(sentence: str, rng: random.Random) -> str:
    """The sentence in an outlet's own words: some of a lead-in, a synonym, a trimmed clause."""
    text = sentence = sentence.strip()
    if rng.random() < 0.5:
        for word in rng.sample(sorted(SYNONYMS), len(SYNONYMS)):
            if f" {word} " in text:
                text = text.replace(f" {word} ", f" {SYNONYMS[word]} ", 1)
                break
    if rng.random() < 0.3 and text.count(",") >= 2:
        head = text[:text.rindex(",")]
        text = head + text[-1] if text[-1] in ".!?" else head + "."
    if rng.random() < 0.5 or text == sentence:
        lead = rng.choice(LEAD_INS)
        first = text.split(" ", 1)[0]
        text = lead + (text[0].lower() + text[1:] if first in COMMON_OPENERS else text)
    return text


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
        picked = [s if rng.random() < 0.2 else reworded(s, rng) for s in (picked or first[:5])]
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
    if not (args.data.is_file() or (args.data / DEFAULT_DATA.name).is_file()):
        print(f"benchmark data not found: {args.data}", file=sys.stderr)
        return 2
    make_corpus(args.n, args.out, args.data, args.seed)
    print(f"wrote {args.n} articles to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
