"""Who says each sentence: memo's attribution scored on a gold set of real news.

The gold (``benchmarks/gold/attribution*.jsonl``, annotated by memo's developers on whole
Multi-News dev documents, stored as offsets) lists every attributed sentence of each annotated
document with its speaker. Each method reads the same documents, split by memo's splitter:
  - memo: the dependency parse (``memo._attribution.attribute(..., method="parse")``),
  - patterns: the regular-expression attribution memo used before (the baseline).
Printed per method:
  - speaker accuracy: of the gold attributed sentences the method attributes, the share with
    the right speaker (the fullest name the document gives; descriptions and collectives by
    their head word), overall and by how the sentence refers to its source (named, pronoun,
    description, continuation),
  - coverage of said/says: of the gold attributed sentences containing "said" or "says", the
    share the method attributes to anyone,
  - precision: of the sentences the method attributes, the share the gold attributes too,
  - seconds spent.

    .venv/bin/python benchmarks/attribution.py [--data ../shared/eval/multinews_dev100.csv]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gold.multinews import DEFAULT_CSV, document  # noqa: E402

from memo._attribution import NARRATION, attribute  # noqa: E402
from memo._model import Article  # noqa: E402
from memo._segment import split_sentences  # noqa: E402

GOLD = sorted((Path(__file__).resolve().parent / "gold").glob("attribution*.jsonl"))
SAID = re.compile(r"\b(?:said|says)\b", re.I)
TARGETS = {"accuracy": 0.92, "coverage": 0.90, "precision": 0.90}


def load_gold(paths):
    documents: dict[tuple[int, int], dict[tuple[int, int], dict]] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            key = (record["cluster"], record["document"])
            if record.get("annotated"):
                documents.setdefault(key, {})
            else:
                documents[key][(record["start"], record["end"])] = record
    return documents


def normalise(name: str) -> str:
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = re.sub(r"'s\b", "", name.replace("’", "'"))
    words = re.findall(r"[a-z0-9]+", name.lower())
    while words and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)


def same_speaker(found: str, gold: dict) -> bool:
    mine, theirs = normalise(found), normalise(gold["speaker"])
    if not mine:
        return False
    if mine == theirs:
        return True
    if gold["source"] == "person" and gold["mention"] != "description":
        return False
    # A description or collective ("a State Department spokesman", "sources familiar with the
    # probe") is right when it names the same kind of source: its head word is in the gold's.
    return mine.split()[-1] in theirs.split()


def score(method: str, gold, data: Path):
    started = time.perf_counter()
    right = Counter()
    seen = Counter()
    said = said_found = 0
    attributed = attributed_gold = 0
    for (cluster, index), records in gold.items():
        text = document(cluster, index, data)
        article = Article(id=f"c{cluster}d{index}", text=text)
        sentences = split_sentences(article)
        found = attribute(article, sentences, method=method)
        for sentence, attribution in zip(sentences, found):
            record = records.get((sentence.start, sentence.end))
            is_attributed = attribution.kind != NARRATION
            if is_attributed:
                attributed += 1
                attributed_gold += record is not None
            if record is None:
                continue
            if SAID.search(sentence.text):
                said += 1
                said_found += is_attributed
            if is_attributed:
                seen[record["mention"]] += 1
                right[record["mention"]] += same_speaker(attribution.speaker, record)
    seconds = time.perf_counter() - started
    total_seen, total_right = sum(seen.values()), sum(right.values())
    figures = {"accuracy": total_right / max(1, total_seen), "coverage": said_found / max(1, said),
               "precision": attributed_gold / max(1, attributed)}
    by_mention = ", ".join(f"{m} {right[m]}/{seen[m]} ({right[m] / max(1, seen[m]):.0%})"
                           for m in ("named", "pronoun", "description", "continuation"))
    print(f"{method}: speaker accuracy {figures['accuracy']:.1%} ({total_right}/{total_seen}; {by_mention}), "
          f"said/says coverage {figures['coverage']:.1%} ({said_found}/{said}), "
          f"precision {figures['precision']:.1%} ({attributed_gold}/{attributed}), {seconds:.1f} s")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV, help="multinews_dev100.csv")
    parser.add_argument("--gold", type=Path, nargs="*", default=GOLD)
    parser.add_argument("--verbose", action="store_true", help="print each wrong or missed sentence (memo)")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"no data at {args.data}; pass --data PATH/multinews_dev100.csv", file=sys.stderr)
        return 2
    gold = load_gold(args.gold)
    records = sum(len(r) for r in gold.values())
    print(f"gold: {records} attributed sentences in {len(gold)} documents "
          f"({len({c for c, _ in gold})} clusters), {', '.join(p.name for p in args.gold)}")
    if args.verbose:
        show_errors(gold, args.data)
    memo = score("parse", gold, args.data)
    baseline = score("patterns", gold, args.data)
    print("targets: " + ", ".join(
        f"{name} >= {target:.0%}: {'met' if memo[name] >= target else 'missed'}"
        f"{' (above the patterns)' if memo[name] > baseline[name] else ' (NOT above the patterns)'}"
        for name, target in TARGETS.items()))
    return 0


def show_errors(gold, data: Path) -> None:
    wrong = defaultdict(list)
    for (cluster, index), records in gold.items():
        text = document(cluster, index, data)
        article = Article(id=f"c{cluster}d{index}", text=text)
        sentences = split_sentences(article)
        for sentence, attribution in zip(sentences, attribute(article, sentences, method="parse")):
            record = records.get((sentence.start, sentence.end))
            mine = attribution.speaker if attribution.kind != NARRATION else "-"
            if record is None and mine == "-":
                continue
            if record is not None and mine != "-" and same_speaker(mine, record):
                continue
            kind = "extra" if record is None else "missed" if mine == "-" else "wrong"
            theirs = record["speaker"] + f" [{record['mention']}]" if record else "-"
            wrong[kind].append(f"  c{cluster}d{index} [{sentence.index}] memo={mine!r} gold={theirs!r}: "
                               f"{sentence.text[:140]!r}")
    for kind, lines in wrong.items():
        print(f"{kind} ({len(lines)}):")
        print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
