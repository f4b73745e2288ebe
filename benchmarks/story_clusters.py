"""Story detection on a generated many-story corpus: purity and inverse purity of memo's
story clusters (mutual sentence coverage, blocked by nearest sources) against a baseline in
the same run (the same greedy assignment on the cosine of mean sentence embeddings).

    .venv/bin/python benchmarks/story_clusters.py [--articles 1000] [--cache DIR]

The corpus comes from benchmarks/make_corpus.py, whose titles name each article's true story
("Story 7: report 107"). Embeddings go through memo's cache (--cache,
default a temporary folder), so a second run with the same folder is quick.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import DEFAULT_DATA, make_corpus  # noqa: E402


def purity(labels: list[int], truth: list[int]) -> tuple[float, float]:
    """(purity, inverse purity): how much each found cluster is one story, and each story one cluster."""
    def score(a, b):
        total = 0
        for cluster in set(a):
            total += Counter(t for x, t in zip(a, b) if x == cluster).most_common(1)[0][1]
        return total / len(a)
    return score(labels, truth), score(truth, labels)


def greedy_by_centroid(rows: list[np.ndarray], threshold: float) -> list[int]:
    """Baseline: each article joins the story whose members' mean embeddings are closest on average."""
    centroids = np.stack([r.mean(axis=0) / max(np.linalg.norm(r.mean(axis=0)), 1e-9) if len(r) else
                          np.zeros(rows[0].shape[1]) for r in rows])
    labels: list[int] = []
    for a in range(len(rows)):
        best, best_label = -1.0, -1
        if labels:
            sims = centroids[:a] @ centroids[a]
            for label in set(labels):
                mean = float(np.mean([s for s, x in zip(sims, labels) if x == label]))
                if mean > best:
                    best, best_label = mean, label
        labels.append(best_label if best >= threshold else max(labels, default=-1) + 1)
    return labels


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"benchmark data not found: {args.data}", file=sys.stderr)
        return 2
    from memo import _ingest as ingest
    from memo._embed import CachedEmbedder, RememberingEmbedder, get_embedder
    from memo._extractive import is_candidate
    from memo._grouping import story_clusters
    from memo._stages.embed import embed_candidates as _embed_candidates
    from memo._executor import LocalExecutor
    from memo._prepare import prepare

    with tempfile.TemporaryDirectory() as work:
        corpus = make_corpus(args.articles, Path(work) / "corpus", args.data)
        cache = args.cache or Path(work) / "cache"
        started = time.perf_counter()
        prepared = [p for p in map(prepare, ingest.read_sources(corpus)) if p.article is not None]
        base = get_embedder(None)
        model = RememberingEmbedder(CachedEmbedder(base, cache / "embeddings.sqlite", model_key="minilm"))
        vectors = _embed_candidates(model, [list(p.sentences) for p in prepared], lambda *a: None,
                                    LocalExecutor(), base, base)
        print(f"{len(prepared)} articles prepared and embedded in {time.perf_counter() - started:.0f} s")
    truth = [int(p.article.title.split()[1].rstrip(":")) for p in prepared]  # "Story 7: report 107"
    rows = [v[[i for i, s in enumerate(p.sentences) if is_candidate(s)]] for p, v in zip(prepared, vectors)]
    print(f"{'method':<44} {'stories':>7} {'purity':>7} {'inverse':>7} {'seconds':>8}")
    for threshold in (0.5, 0.6, 0.7):
        started = time.perf_counter()
        labels = greedy_by_centroid(rows, threshold)
        seconds = time.perf_counter() - started
        print(f"{f'baseline: centroid cosine >= {threshold}':<44} {len(set(labels)):>7} "
              + " ".join(f"{x:7.3f}" for x in purity(labels, truth)) + f" {seconds:8.1f}")
    for threshold in (0.35, 0.40, 0.45):
        started = time.perf_counter()
        labels = story_clusters(rows, threshold)
        seconds = time.perf_counter() - started
        name = f"memo: mutual coverage >= {threshold:.2f}" + (" (shipped)" if threshold == 0.40 else "")
        print(f"{name:<44} {len(set(labels)):>7} " + " ".join(f"{x:7.3f}" for x in purity(labels, truth))
              + f" {seconds:8.1f}")
    print(f"true stories: {len(set(truth))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
