"""Stage 5: extractive summaries, per article and across the corpus.

Salience mixes centrality (cosine to the centroid of the text's sentence
embeddings), lead position and length; for the corpus it adds cross-source
support (how closely other sources say the same thing). Selection is maximal
marginal relevance, so near-repeats are not picked twice, and the corpus summary
gives every source a place before any source gets a second. Output sentences are
the articles' own, with their spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ._model import Sentence
from ._syntax import quote_spans, quoted_words

MIN_WORDS = 6
MAX_WORDS = 80


@dataclass(frozen=True)
class Budget:
    """How long a summary may be: a number of sentences, of words, or both."""

    sentences: int | None = None
    words: int | None = None

    def __post_init__(self):
        if self.sentences is None and self.words is None:
            raise ValueError("a budget needs sentences or words")
        for value in (self.sentences, self.words):
            if value is not None and value < 1:
                raise ValueError("summary length must be at least 1")


@dataclass(frozen=True)
class Weights:
    """How salience is mixed; the defaults were tuned on Multi-News dev clusters."""

    centrality: float = 1.0
    position: float = 0.3
    support: float = 0.8
    length: float = 0.6
    redundancy: float = 1.0  # MMR: weight of the similarity to what is already chosen
    coverage: float = 0.35  # bonus for a source not yet in the corpus summary
    background: float = 0.5  # penalty for sentences dated only in years well before the corpus
    context: float = 0.0  # penalty for sentences that lean on the one before ("During that visit", "He")
    opinion: float = 0.0  # penalty for one voice's judgement: a quotation, a hedge ("might", "should")


# Photo captions and credits that survive inside running text on scraped pages.
_INLINE_CAPTION = re.compile(
    r"\((?:AP |AFP |Reuters )?(?:photo|image|file photo|credit|pictured)\b[^)]*\)"
    r"|\b(?:photo|image|picture|file photo)s? (?:shows?|taken|provided by|courtesy of|released by)\b"
    r"|\bimage (?:copyright|caption)\b|\b(?:getty images|shutterstock)\b|^story highlights\b", re.I)


def is_candidate(sentence: Sentence) -> bool:
    """Prose sentences worth quoting: not headings, fragments, captions or walls of text."""
    return not sentence.is_heading and _is_quotable(sentence.text)


@lru_cache(maxsize=1 << 16)  # asked of every sentence by several stages; the regex is the cost
def _is_quotable(text: str) -> bool:
    return (MIN_WORDS <= len(text.split()) <= MAX_WORDS and any(ch.isalpha() for ch in text)
            and not _INLINE_CAPTION.search(text))


def centroid(vectors: np.ndarray) -> np.ndarray:
    centre = vectors.mean(axis=0)
    norm = np.linalg.norm(centre)
    return centre / norm if norm else centre


def _position_score(positions: np.ndarray) -> np.ndarray:
    # News leads: the first few sentences carry the story; the pull fades over ~3 sentences.
    return np.exp(-positions / 3.0)


def _length_score(words: np.ndarray) -> np.ndarray:
    # Short sentences carry little; past ~35 words they crowd out others in a word budget.
    return np.minimum(1.0, words / 15.0) - np.maximum(0.0, (words - 35) / 60.0)


def _mmr(salience: np.ndarray, vectors: np.ndarray, words: np.ndarray, budget: Budget, weights: Weights,
         groups: np.ndarray | None = None) -> list[int]:
    """Greedy MMR under a sentence and/or word budget; ``groups`` turns on source coverage."""
    chosen: list[int] = []
    available = np.ones(len(salience), dtype=bool)
    max_similarity = np.zeros(len(salience))
    used_words = 0
    covered: set[int] = set()
    n_groups = len(set(groups.tolist())) if groups is not None else 0
    while available.any():
        if budget.sentences is not None and len(chosen) >= budget.sentences:
            break
        score = salience - weights.redundancy * max_similarity
        if groups is not None and len(covered) < n_groups:
            score = score + weights.coverage * np.array([g not in covered for g in groups.tolist()])
        score = np.where(available, score, -np.inf)
        best = int(np.argmax(score))
        available[best] = False
        if budget.words is not None and chosen and used_words + words[best] > budget.words * 1.1:
            continue  # too long for what is left; a shorter one may still fit
        chosen.append(best)
        used_words += int(words[best])
        if groups is not None:
            covered.add(int(groups[best]))
        max_similarity = np.maximum(max_similarity, vectors @ vectors[best])
        if budget.words is not None and used_words >= budget.words:
            break
    return chosen


def summarize_article(sentences: list[Sentence], vectors: np.ndarray, budget: Budget,
                      weights: Weights = Weights()) -> list[Sentence]:
    """The article's most salient, non-redundant sentences, in reading order."""
    keep = [i for i, s in enumerate(sentences) if is_candidate(s)]
    if not keep:
        return []
    vecs = vectors[keep]
    words = np.array([sentences[i].words for i in keep], dtype=float)
    positions = np.arange(len(keep), dtype=float)
    salience = (weights.centrality * (vecs @ centroid(vecs))
                + weights.position * _position_score(positions)
                + weights.length * _length_score(words))
    picked = _mmr(salience, vecs, words, budget, weights)
    return [sentences[keep[i]] for i in sorted(picked)]


@dataclass
class CorpusPool:
    """Every candidate sentence of the corpus with what ranking needs, computed once and
    then selected from as often as the memo needs (bottom line, key points)."""

    pool: list[Sentence]
    matrix: np.ndarray
    docs: np.ndarray
    positions: np.ndarray
    centre: np.ndarray
    support: np.ndarray
    words: np.ndarray

    @classmethod
    def build(cls, documents: list[list[Sentence]], vectors: list[np.ndarray]) -> "CorpusPool | None":
        pool: list[Sentence] = []
        rows: list[np.ndarray] = []
        doc_of: list[int] = []
        positions: list[int] = []
        centroids = []
        for d, (sentences, vecs) in enumerate(zip(documents, vectors)):
            keep = [i for i, s in enumerate(sentences) if is_candidate(s)]
            if not keep:
                continue
            centroids.append(centroid(vecs[keep]))
            for rank, i in enumerate(keep):
                pool.append(sentences[i])
                rows.append(vecs[i])
                doc_of.append(d)
                positions.append(rank)
        if not pool:
            return None
        matrix = np.stack(rows)
        docs = np.array(doc_of)
        # Each source weighs the same in the centroid, however long it is.
        return cls(pool, matrix, docs, np.array(positions, dtype=float), centroid(np.stack(centroids)),
                   _cross_source_support(matrix, docs), np.array([s.words for s in pool], dtype=float))

    def select(self, budget: Budget, weights: Weights = Weights()) -> list[Sentence]:
        salience = (weights.centrality * (self.matrix @ self.centre)
                    + weights.support * self.support
                    + weights.position * _position_score(self.positions)
                    + weights.length * _length_score(self.words))
        if weights.background:
            salience = salience - weights.background * background_score(self.pool)
        if weights.context:
            salience = salience - weights.context * context_score(self.pool)
        if weights.opinion:
            salience = salience - weights.opinion * opinion_score(self.pool)
        groups = self.docs if len(set(self.docs.tolist())) > 1 else None
        return [self.pool[i] for i in _mmr(salience, self.matrix, self.words, budget, weights, groups)]


def summarize_corpus(documents: list[list[Sentence]], vectors: list[np.ndarray], budget: Budget,
                     weights: Weights = Weights()) -> list[Sentence]:
    """Sentences for the whole corpus, most salient first, covering every source first."""
    pool = CorpusPool.build(documents, vectors)
    return pool.select(budget, weights) if pool is not None else []


def _cross_source_support(matrix: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """For each sentence, the mean over other sources of its best match in that source.
    ``docs`` is in document order, so each source's rows are contiguous. In a large corpus
    only each source's neighbour sources are compared (``neighbour_sources``); the others
    tell other stories and count as no support."""
    sources, starts, sizes = np.unique(docs, return_index=True, return_counts=True)
    if len(sources) < 2:
        return np.zeros(len(matrix))
    centroids = np.stack([centroid(matrix[b:b + n]) for b, n in zip(starts, sizes)])
    total = np.zeros(len(matrix))
    for a, _, best in best_matches(matrix, starts, sizes, neighbour_sources(centroids)):
        total[starts[a]:starts[a] + sizes[a]] = best.sum(axis=1, dtype=float)
    return total / (len(sources) - 1)


# Blocking: in a corpus of more sources than this, each source's sentences are compared only
# with those of its nearest sources by mean embedding (and of the sources that have it among
# theirs), so the work grows with the corpus, not with its square. On a generated corpus of
# 1,000 articles telling 100 stories of about 10 articles each, every story-mate of an
# article is among its 64 nearest.
NEIGHBOURS = 64


def neighbour_sources(centroids: np.ndarray, k: int = NEIGHBOURS) -> list[np.ndarray]:
    """For each source, the sources its sentences are compared with, in order: every other
    one in a corpus of ``k + 1`` or fewer; else its ``k`` nearest by centroid cosine and
    those that have it among theirs (so the relation is symmetric)."""
    n = len(centroids)
    if n <= k + 1:
        return [np.delete(np.arange(n), a) for a in range(n)]
    pairs = []
    for begin in range(0, n, 1024):
        sims = centroids[begin:begin + 1024] @ centroids.T
        own = np.arange(begin, begin + len(sims))
        sims[np.arange(len(sims)), own] = -np.inf
        nearest = np.argpartition(-sims, k, axis=1)[:, :k]
        pairs.append(np.column_stack([np.repeat(own, k), nearest.ravel()]))
    pairs = np.concatenate(pairs)
    pairs = np.unique(np.concatenate([pairs, pairs[:, ::-1]]), axis=0)  # sorted by source, then neighbour
    bounds = np.searchsorted(pairs[:, 0], np.arange(n + 1))
    return [pairs[bounds[a]:bounds[a + 1], 1] for a in range(n)]


def best_matches(flat: np.ndarray, starts: np.ndarray, sizes: np.ndarray, neighbours: list[np.ndarray]):
    """For each source ``a`` (rows ``flat[starts[a]:starts[a] + sizes[a]]``): ``(a, others,
    best)``, ``others`` its non-empty neighbours and ``best[i, j]`` the closest cosine of its
    sentence ``i`` to any sentence of ``others[j]``."""
    for a in range(len(sizes)):
        others = neighbours[a][sizes[neighbours[a]] > 0]
        if not sizes[a] or not len(others):
            yield a, others, np.zeros((sizes[a], len(others)), dtype=np.float32)
            continue
        index = np.concatenate([np.arange(starts[b], starts[b] + sizes[b]) for b in others])
        firsts = np.concatenate([[0], np.cumsum(sizes[others])[:-1]])
        sims = flat[starts[a]:starts[a] + sizes[a]] @ flat[index].T
        yield a, others, np.maximum.reduceat(sims, firsts, axis=1)


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def background_score(pool: list[Sentence]) -> np.ndarray:
    """1 for sentences whose years all lie two or more years before the latest the corpus names."""
    years = [[int(y) for y in _YEAR.findall(s.text)] for s in pool]
    latest = max((max(y) for y in years if y), default=None)
    if latest is None:
        return np.zeros(len(pool))
    return np.array([1.0 if y and max(y) <= latest - 2 else 0.0 for y in years])


# A sentence that opens on what the previous one said: a pronoun subject, a demonstrative
# ("During that landmark visit", "Those talks"), a connective ("But", "However"). Lifted out
# of its article it misleads ("that visit" was a different year's). "This week" and the
# like are today's news, not a reference back.
_LEANS_BACK = re.compile(
    r"^\W*(?:(?:He|She|They|His|Her|Their|Its|That|Those|Such|But|And|Yet|Still|However|Also|Then)\b"
    r"|It\b(?!\s+(?:is|was|has been|had been|remains|seems|appears)\s+\w+\s+(?:that|whether|if|to)\b)"
    r"|(?:This|These)\b(?!\s+(?:week|month|year|morning|afternoon|evening|weekend|spring|summer|autumn|fall|winter)\b)"
    r"|(?:During|After|Before|At|In|On|Since|Unlike|Like)\s+(?:that|those|this|these|the same|such)\b)")
# Speculative and prescriptive modals mark a judgement, not a report (lower case only: "May"
# is a month); so do a question or an exclamation, and the first person outside quotation
# marks (a voice the writer lets speak, or the writer's own).
_HEDGED = re.compile(r"\b(?:might|may|could|should|shall|must|ought to|perhaps|arguably)\b|[?!]\W*$")
_FIRST_PERSON = re.compile(r"\b(?:I|I[’']m|I[’']ve|I[’']d|me|my|we|our|us)\b")


def context_score(pool: list[Sentence]) -> np.ndarray:
    """1 for sentences that need the sentence before them to be read right."""
    return np.array([1.0 if _LEANS_BACK.match(s.text) else 0.0 for s in pool])


def opinion_score(pool: list[Sentence]) -> np.ndarray:
    """1 for one voice's judgement: mostly a quotation (or inside one), hedged by a modal, a
    question or exclamation, or in the first person."""
    return np.array([1.0 if 2 * quoted_words(s.text) >= s.words or _HEDGED.search(s.text)
                     or _FIRST_PERSON.search(_unquoted(s.text)) else 0.0 for s in pool])


def _unquoted(text: str) -> str:
    for begin, end in reversed(quote_spans(text)):
        text = text[:begin] + text[end:]
    return text
