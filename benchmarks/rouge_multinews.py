"""ROUGE of memo's corpus-level extractive summary on Multi-News dev clusters.

Compares, in the same run and on the same cleaned, segmented sentences, against
  - Lead: round-robin lead sentences (first sentence of each article, then the second, ...),
  - sumy's LexRank and TextRank (every sentence ranked by its score, best first).
Every summary is cut at 300 words; ROUGE-1/2/L F1 with stemming (rouge-score).
Target: memo's R-1 at least 1.5 points above the best baseline.

memo only quotes "candidate" sentences (no headings, fragments under 6 words or photo
captions). The baselines see every sentence, as they are defined; an extra row,
"lead+filter", shows Lead restricted to memo's candidates, for reference only.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/rouge_multinews.py [--data ../shared/eval/multinews_dev100.csv]
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import statistics
import sys
import time
from pathlib import Path

from memo._clean import normalise, repair_mojibake, strip_boilerplate
from memo._embed import embed_unique, get_embedder
from memo._extractive import Budget, Weights, is_candidate, summarize_corpus
from memo._model import Article
from memo._segment import split_sentences

WORD_LIMIT = 300
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "multinews_dev100.csv"


def load_clusters(path: Path, limit: int | None):
    csv.field_size_limit(10**9)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows[:limit]:
        docs = [d for d in ast.literal_eval(row["documents"]) if d.strip()]
        yield docs, row["summary"].lstrip("– ").strip()


def prepare(docs: list[str]):
    """memo's own ingest cleaning and segmentation, shared by every system."""
    documents = []
    for i, raw in enumerate(docs):
        text = strip_boilerplate(normalise(repair_mojibake(raw)[0]), f"doc{i}").text
        documents.append(split_sentences(Article(id=f"doc{i}", text=text)))
    return documents


def cut(sentences: list[str], limit: int = WORD_LIMIT) -> str:
    return " ".join(" ".join(sentences).split()[:limit])


def lead(documents, keep=lambda sentence: True) -> list[str]:
    pools = [[s.text for s in doc if keep(s)] for doc in documents]
    out, depth = [], 0
    while any(depth < len(p) for p in pools) and len(" ".join(out).split()) < WORD_LIMIT:
        out.extend(p[depth] for p in pools if depth < len(p))
        depth += 1
    return out


class _Words:
    language = "english"

    @staticmethod
    def to_words(sentence: str):
        return re.findall(r"\w+", sentence)


def sumy_ranked(documents, summarizer_class) -> list[str]:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.utils import get_stop_words

    class Ranked(summarizer_class):
        @staticmethod
        def _get_best_sentences(sentences, count, rating, *args, **kwargs):
            rate = rating if callable(rating) else rating.__getitem__
            return tuple(sorted(sentences, key=lambda s: rate(s, *args, **kwargs), reverse=True))

    paragraphs = [Paragraph([Sentence(s.text, _Words) for s in doc if _Words.to_words(s.text)])
                  for doc in documents]
    summarizer = Ranked(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    model = ObjectDocumentModel([p for p in paragraphs if p.sentences])
    return [str(s) for s in summarizer(model, 10**6)]


def memo_summary(documents, embedder, weights: Weights) -> list[str]:
    texts = [s.text for doc in documents for s in doc]
    vectors = embed_unique(embedder, texts)
    per_doc, start = [], 0
    for doc in documents:
        per_doc.append(vectors[start:start + len(doc)])
        start += len(doc)
    return [s.text for s in summarize_corpus(documents, per_doc, Budget(words=WORD_LIMIT), weights)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N clusters only")
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("--weights", default="", help="override Weights fields, e.g. position=0.4,support=1")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"benchmark data not found: {args.data}", file=sys.stderr)
        return 2
    from rouge_score import rouge_scorer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    overrides = dict(kv.split("=") for kv in args.weights.split(",") if kv)
    weights = Weights(**{k: float(v) for k, v in overrides.items()})
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    embedder = get_embedder(args.embedder)
    systems = {"memo": lambda d: memo_summary(d, embedder, weights), "lead": lead,
               "lexrank": lambda d: sumy_ranked(d, LexRankSummarizer),
               "textrank": lambda d: sumy_ranked(d, TextRankSummarizer),
               "lead+filter": lambda d: lead(d, is_candidate)}
    reference_only = {"lead+filter"}
    scores = {name: {"rouge1": [], "rouge2": [], "rougeL": []} for name in systems}
    seconds = {name: 0.0 for name in systems}
    clusters = 0
    for docs, reference in load_clusters(args.data, args.limit):
        documents = prepare(docs)
        clusters += 1
        for name, system in systems.items():
            started = time.perf_counter()
            summary = cut(system(documents))
            seconds[name] += time.perf_counter() - started
            for metric, value in scorer.score(reference, summary).items():
                scores[name][metric].append(value.fmeasure * 100)
    print(f"Multi-News dev, {clusters} clusters, summaries cut at {WORD_LIMIT} words, ROUGE F1 (stemmed)")
    print(f"{'system':<10} {'R-1':>6} {'R-2':>6} {'R-L':>6} {'seconds':>8}")
    means = {}
    for name in systems:
        means[name] = {m: statistics.mean(v) for m, v in scores[name].items()}
        print(f"{name:<10} {means[name]['rouge1']:6.2f} {means[name]['rouge2']:6.2f} "
              f"{means[name]['rougeL']:6.2f} {seconds[name]:8.1f}")
    best = max((n for n in systems if n != "memo" and n not in reference_only), key=lambda n: means[n]["rouge1"])
    margin = means["memo"]["rouge1"] - means[best]["rouge1"]
    verdict = "PASS" if margin >= 1.5 else "FAIL"
    print(f"memo R-1 minus best baseline ({best}): {margin:+.2f} points (target >= +1.50): {verdict}")
    print(f"memo R-1 minus lead+filter (reference only): {means['memo']['rouge1'] - means['lead+filter']['rouge1']:+.2f}")
    return 0 if margin >= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
