"""Do two sentences make the same point? A pairwise judge for grouping (stage: grouping).

A judge has one method, ``same(pairs) -> np.ndarray``: for each (sentence, sentence) pair, the
probability that they state the same fact or assessment in other words. memo groups by
embedding closeness alone unless given one (``build(grouping=...)``, ``--grouping DIR``):

- ``SamePointModel``: a cross-encoder written by ``tools/train_same_point.py`` (all-MiniLM-L6-v2
  fine-tuned on Perspectrum's clusters of equivalent statements and on FNC-1 headlines and
  articles), run like memo's stance model (``memo._onnx``). An experiment, measured and not
  shipped: it groups Perspectrum's debate perspectives better than closeness (dev ARI 0.59
  against 0.535) but news stories worse (the tool's docstring has the figures).
- any object with ``same(pairs)``, and optionally ``floor`` (the embedding closeness from which
  it is asked) and ``threshold`` (the probability from which a pair is one point).

Embeddings still choose which pairs are asked: a corpus's pairs are far too many to read.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from ._errors import ModelError


@runtime_checkable
class SamePointJudge(Protocol):
    def same(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """For each pair of sentences, the probability that they make the same point."""


class SamePointModel:
    """A same-point cross-encoder written by ``tools/train_same_point.py``: one logit per pair,
    temperature-scaled into a probability; ``threshold`` (chosen on held-out train claims) is
    where a pair counts as one point, and ``floor`` the embedding closeness below which pairs
    are not asked. ``base``: the model its weights are a delta over (default: the installed
    all-MiniLM-L6-v2)."""

    def __init__(self, model: str | Path, *, base: str | Path | None = None, runtime: str | None = None,
                 batch_size: int = 32):
        from ._onnx import choose

        folder = Path(model)
        self.path = folder
        self.runtime = choose(runtime)
        calibration_file = folder / "calibration.json"
        try:
            self.calibration = json.loads(calibration_file.read_text(encoding="utf-8"))
            self.temperature = float(self.calibration["temperature"])
            self.threshold = float(self.calibration["threshold"])
            self.floor = float(self.calibration["floor"])
            self.max_length = int(self.calibration["max_length"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(f"{calibration_file}: not a memo same-point model ({exc})") from None
        self.base = Path(base) if base is not None else None  # under a delta: the installed MiniLM unless named
        self.batch_size = batch_size
        self._runner = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.calibration.get("name", self.path.name)

    def load(self) -> None:
        """Loads the model now (it otherwise loads when first used); safe from any thread."""
        with self._lock:
            if self._runner is None:
                self._runner = self._read()

    def _read(self):
        from . import _bert as bert
        from ._embed import bundled_minilm_path
        from ._stance import _PlainBertPairs

        delta = self.path / "weights.safetensors"
        base = self.path if not delta.is_file() else self.base or bundled_minilm_path()
        config = bert.read_config(self.path)
        if not bert.plain_bert(config):
            raise ModelError(f"{self.path}: not a model memo's BERT encoder implements")
        try:
            runner = _PlainBertPairs(config, base, delta if delta.is_file() else None, self.max_length, self.runtime)
        except ModelError as exc:
            raise ModelError(f"cannot load the same-point model {self.path}: {exc}") from None
        if runner.labels != 1:
            raise ModelError(f"{self.path}: a same-point model has one output, this one has {runner.labels}")
        return runner

    def same(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.zeros(0)
        self.load()
        from ._stance import pair_logits

        logits = pair_logits(self._runner, pairs, self.batch_size)[:, 0] / self.temperature
        return 1.0 / (1.0 + np.exp(-logits))


DEFAULT_GROUPING = "closeness"


def get_judge(spec: "str | Path | SamePointJudge | None") -> "SamePointJudge | None":
    """``None``/"closeness": no judge, embedding closeness alone (the default); a folder written
    by tools/train_same_point.py; or an object with ``same(pairs)`` (and optionally ``floor``
    and ``threshold``, else those of ``DEFAULT_SETTINGS``)."""
    from ._errors import ArgumentError

    if spec is None or spec == DEFAULT_GROUPING:
        return None
    if isinstance(spec, (str, Path)):
        if (Path(spec) / "calibration.json").is_file():
            return SamePointModel(spec)
        raise ArgumentError(f"unknown grouping {str(spec)!r}: use 'closeness' or a folder written by "
                            "tools/train_same_point.py")
    if callable(getattr(spec, "same", None)):
        return spec
    raise ArgumentError(f"{type(spec).__name__} has no same(pairs) method")


# For a judge of one's own that does not say: the embedding closeness from which pairs are asked,
# and the probability from which a pair is one point.
DEFAULT_SETTINGS = {"floor": 0.5, "threshold": 0.5}


def settings(judge: SamePointJudge) -> tuple[float, float]:
    """(floor, threshold) of ``judge``."""
    return (float(getattr(judge, "floor", DEFAULT_SETTINGS["floor"])),
            float(getattr(judge, "threshold", DEFAULT_SETTINGS["threshold"])))


def describe_grouping(judge: SamePointJudge | None) -> str:
    if judge is None:
        return "embedding closeness (cosine plus shared rare words)"
    floor, threshold = settings(judge)
    name = f"the same-point model {judge.name}" if isinstance(judge, SamePointModel) else type(judge).__name__
    return (f"{name}, reading each candidate pair of sentences from different sources at embedding closeness "
            f"{floor:.2f} or more and counting it as one point at probability {threshold:.2f} or more")
