"""Stage 2, embed: every candidate sentence embedded once (from the cache where it has them),
in blocks the executor may run elsewhere, while the attribution parse runs in a thread."""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from .._embed import (UNCACHED, CachedEmbedder, Embedder, RememberingEmbedder, cache_key, describe, embed_unique,
                      get_embedder)
from .._executor import Executor, LocalExecutor
from .._extractive import is_candidate
from .._model import Notice, Sentence
from .._prepare import Attributing
from .run import Corpus, Embedded, Progress, Run

log = logging.getLogger("memo")


# Texts per embedding task: a multiple of every batch size memo's embedders use, so that a
# block, sorted by length, is batched the same wherever it runs (and gives the same vectors).
EMBED_BLOCK = 256


SHIP_MIN_BLOCKS = 4


def embed(corpus: Corpus, run: Run) -> Embedded:
    """Every candidate sentence embedded once (from the cache where it has them), while the
    attribution parse runs in a thread."""
    runtime = run.options.runtime
    base = get_embedder(runtime.embedder)
    attributing = Attributing(corpus.unattributed, corpus.store, torch_here=embeds_with_torch_here(base))
    if attributing.parsing:
        leave_a_core(base)
    if runtime.cache is not None:
        embedder = runtime.embedder
        key = embedder if isinstance(embedder, str) else "minilm" if embedder is None else cache_key(base)
        if key:
            base = CachedEmbedder(base, Path(runtime.cache) / "embeddings.sqlite", model_key=key)
            run.opened.append(base)
        else:  # a class name would let differently configured instances share vectors
            run.notices.append(Notice("embedding cache", "fallback", f"{describe(base)} is not cached: {UNCACHED}"))
            log.warning("%s is not cached: %s", describe(base), UNCACHED)
    model = RememberingEmbedder(base)
    # Tasks in this process use the loaded model; tasks elsewhere load it by its name (None:
    # the default) or get the embedder object pickled.
    here = base.inner if isinstance(base, CachedEmbedder) else base
    articles = corpus.articles
    vectors = embed_candidates(model, [corpus.sentences[a.id] for a in articles], run.report, run.runner,
                                here if isinstance(run.runner, LocalExecutor) else runtime.embedder, here,
                                spare_core=attributing.wait if attributing.parsing else None)
    return Embedded(model, dict(zip((a.id for a in articles), vectors)), attributing)


def embed_candidates(model: RememberingEmbedder, documents: list[list[Sentence]], report: Progress,
                      runner: Executor, remote, here: Embedder, *,
                      spare_core: Callable[[], object] | None = None) -> list[np.ndarray]:
    """One vector per sentence; only summary candidates are embedded (others stay zero,
    as nothing reads them), each distinct text once. Texts the cache has are read from it;
    the others, sorted by length, go to the executor in blocks, and into the cache.
    ``spare_core``: blocks until the work beside the embedding (the parse) is over, when the
    embedding here may take the core it left (``embed_here``)."""
    texts = list(dict.fromkeys(s.text for doc in documents for s in doc if is_candidate(s)))
    cache = model.inner if isinstance(model.inner, CachedEmbedder) else None
    rows = cache.lookup(texts) if cache is not None else {}
    missing = sorted((t for t in texts if t not in rows), key=len)
    if len(missing) < SHIP_MIN_BLOCKS * EMBED_BLOCK:
        runner, remote = LocalExecutor(), here
    blocks = [(remote, missing[i:i + EMBED_BLOCK]) for i in range(0, len(missing), EMBED_BLOCK)]
    report("embedding", len(rows), len(texts))

    def done(n: int) -> None:
        report("embedding", len(rows) + min(n * EMBED_BLOCK, len(missing)), len(texts))

    if isinstance(runner, LocalExecutor) and spare_core is not None and _left_a_core(here):
        vectors = embed_here(blocks, spare_core, done)
    else:
        vectors = runner.map(_embed_block, blocks, done=done)
    if missing:
        fresh = np.concatenate(vectors)
        if cache is not None:
            cache.store(missing, fresh)
        rows.update(zip(missing, fresh))
    model.remember(list(rows), list(rows.values()))
    width = next(iter(rows.values())).shape[0] if rows else 1
    zero = np.zeros(width, dtype=np.float32)
    return [np.stack([rows.get(s.text, zero) for s in doc]) if doc else np.zeros((0, width), np.float32)
            for doc in documents]


def embed_here(blocks: list, spare_core: Callable[[], object], done: Callable[[int], None]) -> list[np.ndarray]:
    """The blocks embedded in this process, in this thread and, once ``spare_core`` returns
    (the parse beside the embedding is over), in a second thread too: the encoder left a core
    to the parse (``leave_a_core``), which would otherwise stay idle for the rest of the
    embedding. ONNX Runtime runs two calls at once on one session (one thread each here),
    each block as it would alone, so the vectors are the same. Measured on 1,000 generated
    articles (2 cores): the parse ends after about 110 s, the embedding on one core after
    about 155 s."""
    if len(blocks) < 2:  # nothing to share (and no thread left waiting for a first block)
        return [_embed_block(block) for block in blocks]
    results: list[np.ndarray | None] = [None] * len(blocks)
    taken = iter(range(len(blocks)))
    changed = threading.Condition()
    finished = 0
    first_done = threading.Event()  # the model is loaded: a second thread never loads it again
    failures: list[BaseException] = []

    def work() -> None:
        nonlocal finished
        while True:
            with changed:
                index = None if failures else next(taken, None)
            if index is None:
                return
            try:
                results[index] = _embed_block(blocks[index])
            except BaseException as exc:  # raised again in the build's thread below
                with changed:
                    failures.append(exc)
                    changed.notify_all()
                return
            finally:
                first_done.set()
            with changed:
                finished += 1
                done(finished)
                changed.notify_all()

    def helper() -> None:
        spare_core()
        first_done.wait()
        work()

    # a daemon: when the embedding is over before the parse, nothing waits for it to wake
    threading.Thread(target=helper, name="memo-embedding", daemon=True).start()
    work()
    with changed:  # the blocks the second thread took, if any
        changed.wait_for(lambda: failures or finished == len(blocks))
    if failures:
        raise failures[0]
    return results


def _left_a_core(embedder) -> bool:
    return getattr(embedder, "core_left", False)


def _embed_block(job) -> np.ndarray:
    embedder, texts = job
    if embedder is None or isinstance(embedder, str):
        embedder = _worker_embedder(embedder)
    return embed_unique(embedder, texts)


@lru_cache(maxsize=2)
def _worker_embedder(name: str | None) -> Embedder:
    """A task's embedder, loaded once per worker process and kept for its later tasks."""
    return get_embedder(name)


def leave_a_core(embedder) -> None:
    """memo's encoder on ONNX Runtime, not yet loaded, takes one core fewer than the machine
    has: the attribution parse (one thread) runs beside the embedding, and with a thread per
    core the three contend, the parse ends last and the build waits on it (cold seeds build on
    2 cores: the parse ended 0.3-0.9 s after the embedding; with one embedding thread both end
    together). For a large corpus the parse is the longer of the two whatever the split."""
    from .._embed import BertEmbedder

    cores = os.cpu_count() or 1
    if isinstance(embedder, BertEmbedder) and embedder.runtime != "torch" and embedder.threads is None \
            and not embedder.loaded and cores > 1:
        embedder.threads = min(cores, 8) - 1
        embedder.core_left = True  # embed_here takes it back when the parse is over


def embeds_with_torch_here(embedder) -> bool:
    """Whether ``embedder`` runs torch in this process (memo's helper process, the hashing
    embedder and memo's BERT encoder on ONNX Runtime do not)."""
    from .._embed import BertEmbedder, HashingEmbedder
    from .._preload import PreloadedEmbedder

    inner = getattr(embedder, "inner", embedder)
    if isinstance(inner, BertEmbedder):
        return inner.runtime == "torch"
    return not isinstance(inner, (HashingEmbedder, PreloadedEmbedder))
