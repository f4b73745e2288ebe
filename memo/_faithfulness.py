"""Stage 6c: the faithfulness gate. Every generated sentence is tied to the source sentences
that support it, which become its footnotes, or it is flagged.

A generated sentence is supported when source sentences are close to it in meaning and every
name, number and date it states appears in them. One with no such sentences, or stating a
name, number or date none of them has, is flagged: the memo shows it with a visible marker,
never with a footnote, and the method note lists it. With a stance backend that judges
entailment (memo's own stance model, the default, or an NLI model), a supported sentence
must also be entailed by one of its sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ._embed import Embedder, embed_unique
from ._model import Citation, Point, Sentence
from ._stance import SUPPORTS, StanceBackend

SUPPORT = 0.55  # cosine between a generated sentence and a source sentence that can back it
MAX_SUPPORT = 3  # footnotes per generated sentence

_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_NUMBER = re.compile(r"\d[\d,.]*%?")
_WORD = re.compile(r"[\w’'-]+")
_DAY_OR_YEAR = re.compile(r"(?:[12]?\d|3[01])(?:st|nd|rd|th)?|\d{4}", re.I)


@dataclass(frozen=True)
class Checked:
    text: str
    support: tuple[Citation, ...]
    problem: str  # "" when supported

    def as_point(self) -> Point:
        if self.problem:
            return Point(self.text, (), 0.0, self.problem)
        return Point(self.text, self.support)


def facts(sentence: str) -> set[str]:
    """Names (capitalised words after the first), numbers, months (capitalised, or before a day or
    year: not the modal "may" or the verb "march") and years a sentence states."""
    found: set[str] = set()
    words = _WORD.findall(sentence)
    for i, word in enumerate(words):
        bare = word.strip("’'-")
        if not bare:
            continue
        if bare[0].isdigit():
            continue  # numbers are read whole below ("90,000", not "90" and "000")
        if bare.lower() in _MONTHS:
            if _is_month(bare, words[i + 1] if i + 1 < len(words) else ""):
                found.add(bare.lower())
        elif i > 0 and bare[0].isupper() and bare.lower() not in ("i",):
            found.add(bare.lower())
    found |= {n.rstrip(".,").lower() for n in _NUMBER.findall(sentence)}
    return {f for f in found if f}


def _is_month(word: str, following: str) -> bool:
    # "may" and "march" are also a modal and a verb: lower-case, a month only before a day or year.
    return word[0].isupper() or bool(_DAY_OR_YEAR.fullmatch(following))


def _words_of(text: str) -> set[str]:
    return {w.strip("’'-").lower() for w in _WORD.findall(text)} | {n.rstrip(".,") for n in _NUMBER.findall(text)}


def check(generated: list[str], sources: list[Sentence], vectors: np.ndarray, embedder: Embedder,
          nli: StanceBackend | None = None) -> list[Checked]:
    """Each generated sentence with its support, or the reason it has none."""
    if not generated:
        return []
    if not sources:
        return [Checked(g, (), "no source sentence to check it against") for g in generated]
    rows = embed_unique(embedder, generated)
    sims = rows @ vectors.T
    out = []
    for n, text in enumerate(generated):
        order = [int(k) for k in np.argsort(-sims[n], kind="stable")[:MAX_SUPPORT] if sims[n, k] >= SUPPORT]
        if not order:
            out.append(Checked(text, (), "no source sentence says this"))
            continue
        support = [sources[k] for k in order]
        known = set().union(*(_words_of(s.text) for s in support))
        missing = sorted(f for f in facts(text) if f not in known)
        if missing:
            out.append(Checked(text, (), "not in its sources: " + ", ".join(missing)))
            continue
        if getattr(nli, "entails", False):
            if callable(getattr(nli, "entailed", None)):
                verdicts = nli.entailed(text, [s.text for s in support])
            else:
                verdicts = [c.label == SUPPORTS for c in nli.stance(text, [s.text for s in support])]
            entailed = [s for s, ok in zip(support, verdicts) if ok]
            if not entailed:
                out.append(Checked(text, (), "not entailed by its closest source sentences"))
                continue
            support = entailed
        out.append(Checked(text, tuple(Citation(s.article_id, s.start, s.end, s.text) for s in support), ""))
    return out
