"""What each runtime of memo's own models costs in accuracy, and what it saves in time.

The runtimes (``memo build --runtime``, ``$MEMO_RUNTIME``): torch (the previous path, the
baseline every figure is compared with), onnx (ONNX Runtime, float32) and int8 (ONNX Runtime
with int8 weights, the default). In one run, on the shared data:
  - the sentence embedder on Multi-News dev sentences: cosine of each vector with torch's
    (mean, 1st percentile, minimum), and sentences per second;
  - memo's stance model on Perspectrum dev: forced accuracy, placed precision and coverage;
  - the corpus-level extractive summary on Multi-News dev clusters: ROUGE-1/2/L F1.
Targets (issue 18): embedding cosine with float32 at least 0.99 (mean), stance forced
accuracy within 0.5 points of torch's, extractive ROUGE within 0.2 points.

    .venv/bin/python benchmarks/runtimes.py --data ../shared/eval [--clusters 30] [--runtimes torch onnx int8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from memo._embed import BertEmbedder, bundled_minilm_path  # noqa: E402
from memo._extractive import Weights  # noqa: E402
from memo._stance import ClaimStance  # noqa: E402
from perspectrum_stance import load as load_perspectrum  # noqa: E402
from perspectrum_stance import score as score_stance  # noqa: E402
from rouge_multinews import cut, load_clusters, memo_summary, prepare  # noqa: E402

TARGET_COSINE = 0.99
TARGET_STANCE_POINTS = 0.5
TARGET_ROUGE_POINTS = 0.2
BASELINE = "torch"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--clusters", type=int, default=30, help="Multi-News dev clusters (embedding and ROUGE)")
    parser.add_argument("--runtimes", nargs="+", default=["torch", "onnx", "int8"])
    args = parser.parse_args(argv)
    multinews, perspectrum = args.data / "multinews_dev100.csv", args.data / "perspectrum"
    if not multinews.is_file() or not (perspectrum / "claims_train_dev.json").is_file():
        print(f"benchmark data not found: {args.data} (needs multinews_dev100.csv and perspectrum/)", file=sys.stderr)
        return 2
    runtimes = [BASELINE] + [r for r in args.runtimes if r != BASELINE]
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    clusters = [(prepare(docs), reference) for docs, reference in load_clusters(multinews, args.clusters)]
    sentences = list(dict.fromkeys(s.text for documents, _ in clusters for doc in documents for s in doc))
    dev = load_perspectrum(perspectrum)["dev"]
    rows, vectors = {}, {}
    for runtime in runtimes:
        embedder = BertEmbedder(bundled_minilm_path(), runtime=runtime)
        embedder.embed(sentences[:16])  # the load (and, the first time, the ONNX build) is not timed
        started = time.perf_counter()
        vectors[runtime] = embedder.embed(sentences)
        embed_rate = len(sentences) / (time.perf_counter() - started)
        rouge = {"rouge1": [], "rouge2": [], "rougeL": []}
        for documents, reference in clusters:
            for metric, value in scorer.score(reference, cut(memo_summary(documents, embedder, Weights()))).items():
                rouge[metric].append(value.fmeasure * 100)
        stance = ClaimStance(runtime=runtime)
        stance.stance("A warm-up claim.", ["A warm-up statement."])
        forced, precision, coverage, seconds = score_stance(stance, dev)
        rows[runtime] = dict(rate=embed_rate, forced=forced, precision=precision, coverage=coverage,
                             pairs=sum(len(texts) for _, texts, _ in dev) / seconds,
                             **{k: statistics.mean(v) for k, v in rouge.items()})
    print(f"{len(sentences)} Multi-News dev sentences ({len(clusters)} clusters), {len(dev)} Perspectrum dev claims; "
          f"baseline: {BASELINE}")
    print(f"{'runtime':<8} {'cos mean':>8} {'cos p1':>7} {'cos min':>7} {'sent/s':>7} {'forced':>7} {'precision':>9} "
          f"{'coverage':>8} {'pairs/s':>7} {'R-1':>6} {'R-2':>6} {'R-L':>6}")
    ok = True
    base = rows[BASELINE]
    for runtime in runtimes:
        row = rows[runtime]
        cosine = (vectors[runtime] * vectors[BASELINE]).sum(1)
        print(f"{runtime:<8} {cosine.mean():8.4f} {np.percentile(cosine, 1):7.4f} {cosine.min():7.4f} "
              f"{row['rate']:7.0f} {row['forced']:7.3f} {row['precision']:9.3f} {row['coverage']:8.3f} "
              f"{row['pairs']:7.0f} {row['rouge1']:6.2f} {row['rouge2']:6.2f} {row['rougeL']:6.2f}")
        if runtime == BASELINE:
            continue
        stance_points = (row["forced"] - base["forced"]) * 100
        rouge_points = max(abs(row[k] - base[k]) for k in ("rouge1", "rouge2", "rougeL"))
        meets = (cosine.mean() >= TARGET_COSINE and abs(stance_points) <= TARGET_STANCE_POINTS
                 and rouge_points <= TARGET_ROUGE_POINTS)
        ok &= meets
        print(f"  {runtime} against {BASELINE}: embedding cosine {cosine.mean():.4f} (target >= {TARGET_COSINE}), "
              f"stance forced accuracy {stance_points:+.2f} points (target within {TARGET_STANCE_POINTS}), "
              f"coverage {(row['coverage'] - base['coverage']) * 100:+.1f} points, largest ROUGE change "
              f"{rouge_points:.2f} points (target within {TARGET_ROUGE_POINTS}); embedding "
              f"{row['rate'] / base['rate']:.2f}x, stance {row['pairs'] / base['pairs']:.2f}x as fast: "
              f"{'PASS' if meets else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
