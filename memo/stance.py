"""Stage 7: stance. Does a statement support or contest a claim, and how sure is that?

Backends share one method, ``stance(claim, statements) -> list[Stance]``, and are chosen
by name or passed as objects (``get_stance``):

- ``"embedding"`` (default, offline): no NLI weights exist here, so stance is read from
  what the sentence embedder and a sentiment lexicon can tell: is the statement closer to
  the claim than to the claim negated ("X is not Y"), closer to "It is true that ..." than
  to "It is not true that ...", and does its sentiment (VADER) agree with the claim's.
  A logistic model over those four signals gives a probability; its coefficients were
  fitted on the Perspectrum *train* claims (benchmarks/perspectrum_stance.py --fit prints
  them again). Forced to choose, it is right 6 times in 10 on Perspectrum dev (majority
  class: 5 in 10); its confident third is right 3 times in 4, and the rest is shown as
  "unclear" rather than forced into a side.
- ``"nli:PATH_OR_HUB_NAME"`` or a model path: a transformers sequence-classification NLI
  model (labels named entailment / neutral / contradiction in its config); the statement
  is the premise and the claim the hypothesis.
"""

from __future__ import annotations

import math
from importlib import resources
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from .embed import Embedder, RememberingEmbedder, embed_unique
from .errors import ModelError
from .hub import cannot_load, local_files_only

SUPPORTS, CONTESTS, UNCLEAR = "supports", "contests", "unclear"


@dataclass(frozen=True)
class Stance:
    """``label`` is SUPPORTS, CONTESTS or UNCLEAR; ``support`` the probability of support;
    ``confidence`` in [0, 1], how far that probability is from a coin toss (or, for NLI,
    from "neutral")."""

    label: str
    support: float
    confidence: float


@runtime_checkable
class StanceBackend(Protocol):
    def stance(self, claim: str, statements: Sequence[str]) -> list[Stance]:
        """One ``Stance`` per statement, relative to ``claim``."""


_AUX = re.compile(r"\b(is|are|was|were|should|must|can|could|will|would|shall|may|might|has|have|had|does|do|did)\b")


def negate(claim: str) -> str:
    """The claim with its first auxiliary negated: "China is a mediator" -> "China is not a
    mediator"; without one, "It is not true that ..."."""
    claim = claim.strip().rstrip(".!?")
    match = _AUX.search(claim)
    if match and not re.match(r"\s+(?:not\b|n[o']t\b|never\b)", claim[match.end():]):
        return claim[:match.end()] + " not" + claim[match.end():]
    if match:  # already negated: take the negation away
        return claim[:match.end()] + re.sub(r"^\s+(?:not|never)\b", "", claim[match.end():])
    return "It is not true that " + _lower_first(claim)


def _lower_first(text: str) -> str:
    # Keep proper nouns and acronyms: "China ..." stays, "The war ..." -> "the war ..."
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first in ("The", "A", "An", "This", "That", "These", "Those") else text


def _news_lexicon() -> dict[str, float]:
    text = resources.files("memo.data").joinpath("stance_lexicon.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {word.strip(): float(value) for word, value in rows}


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


class EmbeddingStance:
    """The offline default: embedding contrasts with the negated claim plus VADER sentiment."""

    # Fitted on Perspectrum train (7,000 claim-perspective pairs); see the module docstring.
    COEFFICIENTS = np.array([9.402, 4.885, 0.549, 0.678])  # weights of ``signals``, in their order
    # Below this confidence a call is "unclear": on Perspectrum train the calls above it
    # (a third of them) are right 3 times in 4, those below it little better than chance.
    MIN_CONFIDENCE = 0.25

    def __init__(self, embedder: Embedder, *, min_confidence: float | None = None):
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.embedder = embedder if isinstance(embedder, RememberingEmbedder) else RememberingEmbedder(embedder)
        self.sentiment = SentimentIntensityAnalyzer()
        self.sentiment.lexicon.update(_news_lexicon())
        self.min_confidence = self.MIN_CONFIDENCE if min_confidence is None else min_confidence

    def prepare(self, claims: Sequence[str]) -> None:
        """Optional: embed the anchors of many claims in one batch before weighing each."""
        self.embedder.embed([anchor for claim in claims for anchor in self._anchors(claim)])

    def _anchors(self, claim: str) -> list[str]:
        body = claim.strip().rstrip(".!?")
        return [body, negate(body), "It is true that " + _lower_first(body), "It is not true that " + _lower_first(body)]

    def stance(self, claim: str, statements: Sequence[str]) -> list[Stance]:
        out = []
        for signals in self.signals(claim, statements):
            support = _sigmoid(float(signals @ self.COEFFICIENTS))
            confidence = abs(2 * support - 1)
            label = UNCLEAR if confidence < self.min_confidence else SUPPORTS if support > 0.5 else CONTESTS
            out.append(Stance(label, support, confidence))
        return out

    def signals(self, claim: str, statements: Sequence[str]) -> np.ndarray:
        """Per statement: (claim - negated claim, "true that" - "not true that") cosine
        contrasts, the statement's sentiment, and sentiment times the claim's."""
        if not statements:
            return np.zeros((0, 4))
        body = claim.strip().rstrip(".!?")
        vectors = embed_unique(self.embedder, self._anchors(claim) + list(statements))
        sims = vectors[4:] @ vectors[:4].T
        claim_mood = self._polarity(body)
        moods = np.array([self._polarity(text) for text in statements])
        return np.column_stack([sims[:, 0] - sims[:, 1], sims[:, 2] - sims[:, 3], moods, moods * claim_mood])

    def _polarity(self, text: str) -> float:
        return self.sentiment.polarity_scores(text)["compound"]


class NLIStance:
    """A transformers NLI model: P(entailment) vs P(contradiction), with "neutral" as doubt."""

    def __init__(self, model: str | Path, *, device: str | None = None, batch_size: int = 16,
                 min_confidence: float = 0.5):
        self.name = str(model)
        self.device = device
        self.batch_size = batch_size
        self.min_confidence = min_confidence
        self._loaded = None

    def _load(self):
        if self._loaded is not None:
            return self._loaded
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - both are core dependencies
            raise ModelError(f"NLI stance needs transformers and torch: {exc}") from None
        offline = local_files_only(self.name, "NLI model")
        try:
            tokenizer = AutoTokenizer.from_pretrained(self.name, local_files_only=offline)
            model = AutoModelForSequenceClassification.from_pretrained(self.name, local_files_only=offline)
        except Exception as exc:  # noqa: BLE001 - transformers raises many types here
            raise ModelError(cannot_load(self.name, "NLI model", str(exc).strip().splitlines()[0]
                                         if str(exc).strip() else type(exc).__name__)) from None
        labels = {index: name.lower() for index, name in model.config.id2label.items()}
        entail = [i for i, name in labels.items() if name.startswith("entail")]
        contra = [i for i, name in labels.items() if name.startswith("contradict")]
        if not entail or not contra:
            raise ModelError(f"NLI model {self.name!r} has labels {sorted(labels.values())}; stance needs "
                             "'entailment' and 'contradiction' among them")
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        model.to(device).eval()
        self._loaded = (torch, tokenizer, model, device, entail[0], contra[0])
        return self._loaded

    def stance(self, claim: str, statements: Sequence[str]) -> list[Stance]:
        if not statements:
            return []
        torch, tokenizer, model, device, entail, contra = self._load()
        out: list[Stance] = []
        for begin in range(0, len(statements), self.batch_size):
            premises = list(statements[begin:begin + self.batch_size])
            batch = tokenizer(premises, [claim] * len(premises), padding=True, truncation="only_first",
                              return_tensors="pt").to(device)
            with torch.inference_mode():
                probs = torch.softmax(model(**batch).logits.float(), dim=-1).cpu().numpy()
            for row in probs:
                decided = float(row[entail] + row[contra])
                support = float(row[entail] / decided) if decided > 0 else 0.5
                confidence = decided * abs(2 * support - 1)
                label = (UNCLEAR if confidence < self.min_confidence
                         else SUPPORTS if support > 0.5 else CONTESTS)
                out.append(Stance(label, support, confidence))
        return out


def get_stance(spec: str | StanceBackend | None, embedder: Embedder) -> StanceBackend:
    """``None``/"embedding": the offline default; "nli:MODEL" or a model directory: NLI."""
    if spec is None or spec == "embedding":
        return EmbeddingStance(embedder)
    if isinstance(spec, str):
        name = spec[4:] if spec.startswith("nli:") else spec
        if spec.startswith("nli:") or Path(name).is_dir():
            return NLIStance(name)
        raise ModelError(f"unknown stance backend {spec!r}: use 'embedding', 'nli:MODEL' or a model directory")
    if callable(getattr(spec, "stance", None)):
        return spec
    raise ModelError(f"{type(spec).__name__} has no stance(claim, statements) method")


def describe_stance(backend: StanceBackend) -> str:
    if isinstance(backend, EmbeddingStance):
        return ("the offline stance estimate (embedding contrast with the negated claim plus VADER sentiment; "
                f"calls below confidence {backend.min_confidence:.2f} shown as unclear)")
    if isinstance(backend, NLIStance):
        return f"the NLI model {backend.name}"
    return type(backend).__name__
