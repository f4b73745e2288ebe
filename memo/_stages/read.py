"""Stage 1, read and prepare: every source read, cleaned and split, a batch at a time, and
attributed (here beside the embedding, or where the executor runs it)."""

from __future__ import annotations

import logging
from itertools import islice
from pathlib import Path
from typing import Sequence

from .. import _clean as clean, _ingest as ingest
from .._attribution import Attribution
from .._attribution import method as attribution_method
from .._errors import InputError
from .._executor import LocalExecutor
from .._model import Article, Notice, Sentence
from .._prepare import ArticleCache, Prepared, prepare, prepare_later
from .run import Corpus, Run

log = logging.getLogger("memo")


# Limits that keep a run within memory and a sensible time on a laptop; beyond them memo
# stops with an error instead of thrashing. Files are limited in ingest (MAX_FILE_BYTES).
MAX_ARTICLES = 10_000


MAX_CORPUS_CHARS = 50_000_000  # about 500,000 sentences, well inside memory


PREPARE_BATCH = 512  # documents read and prepared at a time


# Work too small to pay for starting tasks elsewhere (a Ray worker imports nltk or torch and
# loads the model: seconds) runs in this process; the results are the same either way.
SHIP_MIN_DOCUMENTS = 64


def read(plan, run: Run) -> Corpus:
    """Read, clean, split and (elsewhere, or later beside the embedding) attribute every source.

    Streaming: sources are read a batch at a time and prepared; only the prepared articles
    are kept, never the whole corpus's raw text beside them."""
    cache = run.options.runtime.cache
    sources_read = [0]
    documents = ingest.iter_documents(plan, read=lambda n: sources_read.__setitem__(0, n))
    articles: list[Article] = []
    sentences: dict[str, list[Sentence]] = {}
    attributions: dict[str, list[Attribution]] = {}
    unattributed: dict[str, tuple[bytes, Prepared]] = {}
    corpus_chars = count = 0
    # Documents seen before (same text, metadata and code) are read back from the cache.
    store = ArticleCache(Path(cache) / "articles.sqlite") if cache is not None else None
    try:
        run.report("reading and cleaning", 0, len(plan))
        before = 0  # sources read before this batch
        while batch := list(islice(documents, PREPARE_BATCH)):
            count += len(batch)
            if count > MAX_ARTICLES:
                raise InputError(f"more than {MAX_ARTICLES:,} articles given; the limit is {MAX_ARTICLES:,} per memo")
            prepared = _prepare_batch(batch, store, unattributed, run, sources_read, before, len(plan))
            for document, each in zip(batch, prepared):
                run.notices.extend(each.notices)
                if each.article is None:
                    continue
                articles.append(each.article)
                sentences[each.article.id] = list(each.sentences)
                attributions[each.article.id] = list(each.attributions)
                corpus_chars += len(each.article.text)
                if corpus_chars > MAX_CORPUS_CHARS:
                    raise InputError(f"{document.source}: the corpus passes {MAX_CORPUS_CHARS:,} characters of "
                                     f"text here; build separate memos from smaller sets")
            run.report("reading and cleaning", sources_read[0], len(plan))
            before = sources_read[0]
    except BaseException:
        if store is not None:
            store.close()
        raise
    if store is not None:
        run.opened.append(store)
    if not count:
        raise InputError("no articles found in the given sources")
    articles, duplicates = clean.collapse_duplicates(articles)
    run.notices.extend(duplicates)
    articles = [a for a in articles if sentences[a.id]]
    how, why = attribution_method()
    if how == "patterns":
        run.notices.append(Notice("attribution", "fallback", f"{why}; speakers were found by memo's patterns, "
                                                            "which miss or misname more of them"))
    if not articles:
        raise InputError("no article has any text to summarise" + _why_none(run.notices))
    for notice in run.notices:
        log.info("%s: %s: %s", notice.source, notice.kind, notice.detail)
    return Corpus(articles, sentences, attributions, unattributed, count, store)


def _prepare_batch(batch, store, unattributed, run: Run, sources_read, before: int, planned: int) -> list:
    """One batch of documents prepared: from the article cache, else here or elsewhere.
    Records prepared here are left for the parse to attribute beside the embedding (in
    ``unattributed``); the others go into the cache now."""
    prepared = store.lookup(batch) if store is not None else [None] * len(batch)
    todo = [i for i, p in enumerate(prepared) if p is None]

    def done(n: int) -> None:  # sources of this batch, pro rata
        run.report("reading and cleaning", before + (sources_read[0] - before) * n // len(todo), planned)

    where = run.runner if len(todo) >= SHIP_MIN_DOCUMENTS else LocalExecutor()
    # Here, attribution (the dependency parse) waits to run beside the embedding.
    here = type(where) is LocalExecutor  # not a subclass that ships work elsewhere
    for i, each in zip(todo, where.map(prepare_later if here else prepare, [batch[i] for i in todo], done=done)):
        prepared[i] = each
    later = {i for i in todo if here and prepared[i].article is not None and prepared[i].sentences}
    for i in later:
        unattributed[prepared[i].article.id] = (store.key(batch[i]) if store is not None else b"", prepared[i])
    if store is not None:
        store.store([batch[i] for i in todo if i not in later], [prepared[i] for i in todo if i not in later])
    return prepared


def _why_none(notices: Sequence[Notice], shown: int = 3) -> str:
    """Why no article is left, in one line: the first few skipped sources with their reasons
    and how many more (a corpus of 1,000 bad files is not a 1,000-item error)."""
    skipped = [f"{n.source}: {n.detail}" if n.source not in n.detail else n.detail
               for n in notices if n.kind in ("skipped", "duplicate")]
    if not skipped:
        return ""
    more = f"; and {len(skipped) - shown:,} more" if len(skipped) > shown else ""
    return f" ({'; '.join(skipped[:shown])}{more})"
