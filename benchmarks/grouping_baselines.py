"""Grouping baselines the benchmarks compare memo against (not used by memo itself): the
dense closeness matrix of memo's grouping (embedding cosine plus shared rare words) and a
plain complete-linkage agglomeration over it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from memo._grouping import SHARED_WORDS, _content_words, _overlap, _rarity  # noqa: E402


def closeness_matrix(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    """How close each pair of statements is to making the same point: embedding cosine plus
    the share of content words they have in common, each word weighted by its rarity among
    ``texts``. Words every sentence of a story uses ("Xi", "Moscow") say little; rare shared
    terms, names and numbers ("bilateral trade", "record", "2022") say a lot."""
    words = [_content_words(t) for t in texts]
    rarity = _rarity(words)
    shared = np.array([[_overlap(left, right, rarity) for right in words] for left in words]).reshape(len(words), -1)
    return vectors @ vectors.T + SHARED_WORDS * shared


def cluster_statements(vectors: np.ndarray, threshold: float, *, texts: list[str] | None = None,
                       slack: float = 0.0) -> list[int]:
    """Cluster labels for a set of statements: agglomeration merging the pair of clusters
    whose farthest members are closest, as long as some cross pair reaches ``threshold``
    and every cross pair stays at or above ``threshold - slack`` (complete linkage when
    ``slack`` is 0). With ``texts``, closeness also counts shared rare words."""
    if len(vectors) == 0:
        return []
    sims = closeness_matrix(vectors, texts) if texts is not None else vectors @ vectors.T
    return cluster_statements_on(sims, threshold, slack=slack)


def cluster_statements_on(sims: np.ndarray, threshold: float, *, slack: float = 0.0) -> list[int]:
    """``cluster_statements`` on a given matrix of pairwise closeness."""
    n = len(sims)
    if n == 0:
        return []
    clusters: list[list[int]] = [[i] for i in range(n)]
    # weakest[a][b] / strongest[a][b]: the smallest / largest closeness between members of a and b
    weakest = sims.copy()
    np.fill_diagonal(weakest, -np.inf)
    strongest = weakest.copy()
    alive = list(range(n))
    while len(alive) > 1:
        index = np.ix_(alive, alive)
        allowed = np.where(strongest[index] >= threshold, weakest[index], -np.inf)
        flat = int(np.argmax(allowed))
        i, j = divmod(flat, len(alive))
        if allowed[i, j] < threshold - slack:
            break
        a, b = alive[i], alive[j]
        clusters[a].extend(clusters[b])
        weakest[a, :] = np.minimum(weakest[a, :], weakest[b, :])
        weakest[:, a] = weakest[a, :]
        strongest[a, :] = np.maximum(strongest[a, :], strongest[b, :])
        strongest[:, a] = strongest[a, :]
        weakest[a, a] = strongest[a, a] = -np.inf
        alive.remove(b)
    labels = [0] * n
    for label, root in enumerate(alive):
        for member in clusters[root]:
            labels[member] = label
    return labels


def paraphrase_encoder(folder: Path):
    """A paraphrase encoder written by tools/train_paraphrase.py (MiniLM's upper layers, fine-tuned,
    over the installed MiniLM) and the grouping threshold its card carries."""
    import json

    from memo._embed import BertEmbedder, bundled_minilm_path

    card = json.loads((Path(folder) / "paraphrase.json").read_text(encoding="utf-8"))
    encoder = BertEmbedder(bundled_minilm_path(), weights=[Path(folder) / "weights.safetensors"], name=card["name"])
    return encoder, float(card["threshold"])
