"""Stage 1: find the sources and read them into text plus any metadata they carry.

Sources may be a directory, a glob, a path, a list of those, or in-memory
strings / dicts, or links (http/https URLs, or a ``fetch.Links``). Formats: .txt, .md,
.html/.htm (by trafilatura, ``memo._webpage``), .docx, .jsonl, .pdf (``memo._pdf``). Bytes are
decoded here (BOM, UTF-8, then detection); cleaning happens in ``clean``.
"""

from __future__ import annotations

import glob as globlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

from ._documents import DEFAULT_LIMITS, MAX_FILE_BYTES, MB, Limits, RawDocument, size_text  # noqa: F401 - re-exported
from ._errors import InputError, LimitError
from ._fetch import LinkBatch, Links, check_url, looks_like_url

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".jsonl", ".pdf")
METADATA_FIELDS = ("title", "outlet", "author", "date", "url")
# A directory may hold one of these, mapping file names to metadata.
SIDECAR_NAMES = ("metadata.json", "metadata.jsonl")


def read_sources(sources, *, strict: bool = False, limits: Limits = DEFAULT_LIMITS) -> list[RawDocument]:
    """Read every source into a ``RawDocument``; one that cannot be read is a skipped
    document with the reason, or, with ``strict``, an ``InputError`` naming it."""
    documents = list(iter_documents(plan_sources(sources, strict=strict, limits=limits)))
    if not documents:
        raise InputError("no articles found in the given sources")
    return documents


Reader = Callable[[], list[RawDocument]]


def plan_sources(sources, *, strict: bool = False, limits: Limits = DEFAULT_LIMITS) -> list[Reader]:
    """What to read, in order, without reading it yet: one reader per file (a JSON Lines
    file may hold many articles) or per article given in memory. Paths are expanded and
    checked now, so a missing one fails before any slow work (a typo is the user's to fix,
    whatever ``strict`` says).

    A source that cannot be read (corrupt, past a limit in ``limits``, a failed link, a bad
    JSON line) raises ``InputError`` naming it when ``strict``; otherwise it becomes a skipped
    document with the reason, so one bad file does not cost a large corpus its memo."""
    if isinstance(sources, (str, Path, Mapping, Links)):
        sources = [sources]
    sources = list(sources)
    # Plain URL strings are fetched together, as one batch with the default settings; a
    # ``Links`` (the command line's, with its options) is a batch of its own.
    urls = [check_url(item) for item in sources if isinstance(item, str) and looks_like_url(item)]
    shared = LinkBatch(Links(tuple(urls))) if urls else None
    plan: list[Reader] = []
    for position, item in enumerate(sources):
        if isinstance(item, Links):
            batch = LinkBatch(item)
            plan.extend(_Guarded(url, _link_id(url), strict, partial(_read_link, batch, url, limits, strict))
                        for url in dict.fromkeys(item.urls))
        elif isinstance(item, str) and looks_like_url(item):
            url = item.strip()
            plan.append(_Guarded(url, _link_id(url), strict, partial(_read_link, shared, url, limits, strict)))
        elif isinstance(item, Mapping):
            plan.append(_Guarded(f"<input {position}>", f"text-{position + 1}", strict,
                                 partial(_one_mapping, item, f"<input {position}>", position)))
        elif isinstance(item, Path) or (isinstance(item, str) and _looks_like_path(item)):
            plan.extend(_Guarded(str(path), path.stem, strict, partial(_read_file, path, sidecar, limits, strict))
                        for path, sidecar in _expand(str(item)))
        elif isinstance(item, str):
            plan.append(partial(list, [_from_text(item, f"<input {position}>", f"text-{position + 1}")]))
        else:
            raise InputError(f"<input {position}>: unsupported source type {type(item).__name__}")
    return plan


@dataclass(frozen=True)
class _Guarded:
    """One source's reader: what it reads, or, when it cannot be read and the run is not
    strict, a skipped document naming the source and the reason."""

    source: str
    doc_id: str
    strict: bool
    read: Callable[[], list[RawDocument]]

    def __call__(self) -> list[RawDocument]:
        try:
            return self.read()
        except InputError as exc:
            if self.strict:
                raise
            return [unreadable(self.doc_id, self.source, exc)]


def unreadable(doc_id: str, source: str, error: InputError | str) -> RawDocument:
    """A source that could not be read, as a skipped document: the reason without the source
    name the error starts with (the notice names the source)."""
    reason = str(error)
    reason = reason[len(source) + 2:] if reason.startswith(f"{source}: ") else reason
    return RawDocument(doc_id, source, "", "", skipped=reason)


def _one_mapping(item: Mapping, source: str, position: int) -> list[RawDocument]:
    return [_from_mapping(item, source, position)]


def iter_documents(plan: Sequence[Reader], *, read: Callable[[int], None] | None = None) -> Iterator[RawDocument]:
    """The documents of a plan, read one source at a time, each with an id of its own;
    ``read`` is told how many sources have been read, as they are."""
    seen: dict[str, int] = {}
    for done, reader in enumerate(plan, 1):
        documents = reader()
        if read:
            read(done)
        for doc in documents:
            count = seen.get(doc.id, 0)
            seen[doc.id] = count + 1
            if count:
                doc = replace(doc, id=f"{doc.id}-{count + 1}")
            yield doc


def _looks_like_path(item: str) -> bool:
    # Article text has line breaks or reads as prose (many words, or ends like a sentence);
    # paths and globs do not.
    # A dict {"text": ...} is never taken for a path.
    if "\n" in item or len(item) > 4096:
        return False
    if Path(item).exists():
        return True
    if len(item.split()) >= 4:
        return False
    if item.lower().endswith(SUPPORTED_SUFFIXES):
        return True
    if item.rstrip().endswith((".", "?", "!")) and "*" not in item:
        return False  # ends like a sentence ("Yes/no?", "Why?"): a glob for memo's files ends in a suffix or *
    return any(ch in item for ch in "*?[/\\")


def _expand(item: str) -> list[tuple[Path, dict]]:
    """Files named by a path, directory or glob, each with its directory's sidecar metadata."""
    path = Path(item)
    if any(ch in item for ch in "*?[") and not path.exists():
        matches = sorted(Path(p) for p in globlib.glob(item, recursive=True))
        files = [p for p in matches if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES]
        if not files:
            raise InputError(f"{item}: the pattern matches no supported file")
        return [(p, _sidecar_for(p.parent).get(p.name, {})) for p in files]
    if not path.exists():
        if os.path.lexists(path):
            raise InputError(f"{item}: broken or looping symbolic link")
        raise InputError(f"{item}: no such file or directory")
    if path.is_dir():
        sidecar = _sidecar_for(path)
        try:
            entries = list(path.iterdir())
        except OSError as exc:
            raise InputError(f"{item}: cannot list the directory ({exc.strerror or exc})") from None
        files = sorted(
            p for p in entries
            if p.suffix.lower() in SUPPORTED_SUFFIXES and p.name not in SIDECAR_NAMES and p.is_file()
        )
        if not files:
            raise InputError(f"{item}: directory holds no {', '.join(SUPPORTED_SUFFIXES)} file")
        return [(p, sidecar.get(p.name, {})) for p in files]
    if not path.is_file():
        raise InputError(f"{item}: not a regular file")
    return [(path, _sidecar_for(path.parent).get(path.name, {}))]


def _sidecar_for(directory: Path) -> dict[str, dict]:
    """Metadata for the files of a directory, from ``metadata.json`` or ``metadata.jsonl``."""
    for name in SIDECAR_NAMES:
        sidecar = directory / name
        if not sidecar.is_file():
            continue
        try:
            text = sidecar.read_text(encoding="utf-8-sig")
            if name.endswith(".jsonl"):
                rows = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                loaded = json.loads(text)
                rows = loaded if isinstance(loaded, list) else [
                    {"file": key, **value} for key, value in loaded.items()
                ]
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            raise InputError(f"{sidecar}: not valid metadata ({exc})") from None
        table = {}
        for row in rows:
            if not isinstance(row, dict) or not isinstance(row.get("file"), str):
                raise InputError(f"{sidecar}: every entry needs a \"file\" name")
            table[row["file"]] = {k: str(v) for k, v in row.items() if k in METADATA_FIELDS and v}
        return table
    return {}


def _read_file(path: Path, sidecar: dict, limits: Limits = DEFAULT_LIMITS, strict: bool = True
               ) -> list[RawDocument]:
    try:
        size = path.stat().st_size
        if size > limits.file_bytes:
            raise LimitError(f"{path}: file is {size_text(size)}, above the {size_text(limits.file_bytes)} limit")
        data = path.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from ._pdf import pdf_document

        return [pdf_document(path.stem, str(path), data, digest, sidecar, limits=limits)]
    if suffix == ".docx":
        text, meta = _docx_text(path, data, limits)
        return [RawDocument(path.stem, str(path), text, digest, {**meta, **sidecar})]
    if _looks_binary(data):
        raise InputError(f"{path}: looks like a binary file, not {suffix[1:]} text")
    text, encoding = decode_bytes(data)
    if suffix == ".jsonl":
        return _jsonl_documents(path, text, sidecar, strict)
    if suffix in (".html", ".htm"):
        return [html_document(path.stem, str(path), text, digest, sidecar, encoding, limits=limits)]
    text, meta = split_front_matter(text)
    return [RawDocument(path.stem, str(path), text, digest, {**meta, **sidecar}, encoding)]


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x7fELF")):
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head):
        return False
    # A stray NUL is dirt in a text file (cleaning removes it); many of them mean binary data.
    return head.count(b"\x00") > max(2, len(head) // 100)


def _utf16_without_bom(head: bytes) -> str:
    """'utf-16-le' / 'utf-16-be' when every other byte of ASCII-heavy text is NUL."""
    if len(head) < 16:
        return ""
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return ""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode bytes: BOM first, then strict UTF-8, then detection, then cp1252."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    bomless = _utf16_without_bom(data[:4096])
    if bomless:
        return data.decode(bomless, errors="replace"), bomless
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Western text in cp1252 has a few accented letters among mostly ASCII ones;
        # a text that is mostly high bytes is another script, so ask the detector.
        text = data.decode("cp1252")
        letters = [ch for ch in text if ch.isalpha()]
        if sum(ord(ch) > 127 for ch in letters) <= 0.3 * max(1, len(letters)):
            return text, "cp1252"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding:
            return str(best), best.encoding
    except ImportError:  # optional: fall through to the Western default
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)


def split_front_matter(text: str) -> tuple[str, dict]:
    """Strip a ``---`` block of ``key: value`` lines at the top and return its metadata."""
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if not match:
        return text, {}
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in METADATA_FIELDS:
            meta[key] = value.strip().strip("\"'")
    return text.lstrip("\ufeff")[match.end():], {k: v for k, v in meta.items() if v}


def _jsonl_documents(path: Path, text: str, sidecar: dict, strict: bool = True) -> list[RawDocument]:
    """One document per line; a bad line is an error naming it when ``strict``, else that
    record alone is skipped (as ``path:line``) and the file's other articles are read."""
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source, default_id = f"{path}:{number}", f"{path.stem}-{number}"
        try:
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise InputError(f"{path}: line {number} is not JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise InputError(f"{path}: line {number} is not a JSON object")
            documents.append(_from_mapping(row, source, number - 1, default_id=default_id))
        except InputError as exc:
            if strict:
                raise
            # The message names the file and the line ("f.jsonl: line 3 ..."); the record's
            # source is "f.jsonl:3", so the reason keeps its line number.
            reason = str(exc).removeprefix(f"{path}: ").removeprefix(f"{source}: ")
            documents.append(RawDocument(default_id, source, "", "", skipped=reason))
    if not documents:
        raise InputError(f"{path}: no JSON lines in the file")
    return documents


_TEXT_KEYS = ("text", "body", "content", "article")


def _from_mapping(row: Mapping, source: str, position: int, default_id: str | None = None) -> RawDocument:
    body = next((row[k] for k in _TEXT_KEYS if isinstance(row.get(k), str)), None)
    if body is None:
        raise InputError(f"{source}: no article text (expected one of the keys {', '.join(_TEXT_KEYS)})")
    meta = {k: str(row[k]) for k in METADATA_FIELDS if row.get(k)}
    doc_id = str(row.get("id") or default_id or f"text-{position + 1}")
    return _from_text(body, source, doc_id, meta)


def _from_text(text: str, source: str, doc_id: str, meta: Mapping[str, str] | None = None) -> RawDocument:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    body, front = split_front_matter(text)
    return RawDocument(doc_id, source, body, digest, {**front, **(meta or {})})


# ---- links ----------------------------------------------------------------

def _read_link(batch: LinkBatch, url: str, limits: Limits = DEFAULT_LIMITS, strict: bool = False
               ) -> list[RawDocument]:
    """A fetched link as a document; the URL is its source and its citations' link. A link
    that fails is that link's failure, not the run's: skipped with the reason, unless strict."""
    fetched = batch.get(url)
    doc_id = _link_id(url)
    meta = {"url": url}  # the link as the user gave it, not where it redirected
    if fetched.error:
        if strict:
            raise InputError(f"could not fetch {url}: {fetched.error}")
        return [RawDocument(doc_id, url, "", "", meta, skipped=f"could not fetch {url}: {fetched.error}")]
    digest = hashlib.sha256(fetched.body).hexdigest()
    if fetched.kind == "pdf":
        from ._pdf import pdf_document

        try:
            return [pdf_document(doc_id, url, fetched.body, digest, meta, limits=limits)]
        except InputError as exc:
            if strict:
                raise
            reason = str(exc).removeprefix(f"{url}: ")
            return [RawDocument(doc_id, url, "", digest, meta, skipped=f"could not read {url}: {reason}")]
    markup, encoding = _decode_declared(fetched.body, fetched.charset)
    return [html_document(doc_id, url, markup, digest, meta, encoding, url=fetched.final_url or url, limits=limits)]


def _link_id(url: str) -> str:
    """A short id for a link: its last path segment without the suffix ("talks-resume"), or its host."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    segment = next((s for s in reversed(parts.path.split("/")) if s), "")
    stem = re.sub(r"\.(?:s?html?|php|aspx?|pdf)$", "", segment, flags=re.I)
    return re.sub(r"[^\w.-]+", "-", stem or parts.hostname or "link").strip("-") or "link"


def _decode_declared(data: bytes, charset: str) -> tuple[str, str]:
    """Bytes in the charset the server declared, else as any file's bytes are decoded."""
    import codecs

    if charset:
        try:
            name = codecs.lookup(charset).name
        except LookupError:
            name = ""
        if name:
            return data.decode(name, errors="replace"), "utf-8" if name == "utf-8" else name
    return decode_bytes(data)


# ---- Word documents and other zip archives --------------------------------

# Parts a Word file keeps as they are (pictures, fonts): not XML, never parsed by python-docx,
# so not searched for a DTD (an SVG picture may well declare one).
_MEDIA_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".svg", ".ico",
                   ".webp", ".wdp", ".odttf", ".ttf", ".bin", ".mp3", ".mp4", ".wav")
_RATIO_FLOOR = 1 * MB  # below this a part cannot hurt, whatever its ratio (a blank settings.xml)
_DTD = tuple(mark.encode(codec) for mark in ("<!DOCTYPE", "<!ENTITY") for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def read_archive(source: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """The parts of a zip archive, each inflated only as far as the limits allow: the
    declared sizes, the number of entries and the compression ratio are checked first,
    and each part is then read through a bounded stream (at most the limit + 1 byte), so
    a header that understates a part cannot get it past them. ``LimitError`` names the
    source, the part and the limit; a file that is no zip is an ``InputError``."""
    import io
    import zipfile
    import zlib

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError) as exc:
        raise InputError(f"{source}: not a readable zip archive ({exc})") from None
    if len(entries) > limits.archive_entries:
        raise LimitError(f"{source}: the archive holds {len(entries):,} entries, above the limit of "
                         f"{limits.archive_entries:,}")
    declared = 0
    for info in entries:
        if info.file_size > limits.archive_part_bytes:
            raise LimitError(f"{source}: {info.filename} would inflate to {size_text(info.file_size)}, above "
                             f"the {size_text(limits.archive_part_bytes)} limit per part")
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > _RATIO_FLOOR and ratio > limits.archive_ratio:
            raise LimitError(f"{source}: {info.filename} is compressed {ratio:,.0f} to 1, above the limit of "
                             f"{limits.archive_ratio:g} to 1 (a decompression bomb?)")
        declared += info.file_size
    if declared > limits.archive_total_bytes:
        raise LimitError(f"{source}: the archive would inflate to {size_text(declared)}, above the "
                         f"{size_text(limits.archive_total_bytes)} limit")
    parts: dict[str, bytes] = {}
    left = limits.archive_total_bytes
    for info in entries:
        if info.is_dir():
            continue
        bound = min(limits.archive_part_bytes, left)
        try:
            with archive.open(info) as member:
                # zipfile stops at the declared size and then checks the CRC, but the bound
                # does not rest on that: a stream read past the limit is refused here.
                blob = member.read(bound + 1)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, ValueError, EOFError,
                OSError) as exc:
            raise InputError(f"{source}: {info.filename} cannot be inflated ({exc})") from None
        if len(blob) > bound:
            which = "per part" if bound == limits.archive_part_bytes else "in all"
            raise LimitError(f"{source}: {info.filename} inflates past the {size_text(bound)} limit {which}, "
                             "more than its header declares")
        left -= len(blob)
        parts[info.filename] = blob
    return parts


def _docx_text(path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[str, dict]:
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    parts = read_archive(str(path), data, limits)
    for name, blob in parts.items():
        # OOXML forbids DTDs in its parts (ECMA-376 Part 2, 8.1.4); one here is an entity
        # bomb ("billion laughs") or an external entity, refused before any parser sees it.
        if not name.lower().endswith(_MEDIA_SUFFIXES) and any(mark in blob for mark in _DTD):
            raise LimitError(f"{path}: {name} declares XML entities (a DTD), which Word documents never "
                             "do; refused unparsed")
    # python-docx reads the parts checked above, from a copy stored without compression: it
    # never inflates anything itself.
    checked = io.BytesIO()
    with zipfile.ZipFile(checked, "w", zipfile.ZIP_STORED) as copy:
        for name, blob in parts.items():
            copy.writestr(name, blob)
    del parts
    try:
        document = docx.Document(checked)
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:  # tables after the running text, row by row
            for row in table.rows:
                cells = [c.text.strip() for c in row.cells if c.text.strip()]
                if cells:
                    lines.append(" | ".join(dict.fromkeys(cells)))
        props = document.core_properties
    except etree.XMLSyntaxError as exc:  # lxml's own guards (entity amplification, depth) land here too
        raise InputError(f"{path}: not a readable Word document (XML: {exc})") from None
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, TypeError, AttributeError,
            IndexError) as exc:
        raise InputError(f"{path}: not a readable Word document ({type(exc).__name__}: {exc})") from None
    meta = {"title": props.title or "", "author": props.author or ""}
    if props.created and props.created.year > 1980:
        meta["date"] = props.created.date().isoformat()
    return "\n".join(lines), {k: v for k, v in meta.items() if v}


# ---- HTML -----------------------------------------------------------------
# memo's hand-written parser (``_MainTextParser``) is gone: trafilatura (``memo._webpage``)
# scores F1 0.95+ on the article-extraction benchmark where it scored 0.79, and does not
# drop an article whose wrapper's class merely contains "sidebar" or "header".

def html_document(doc_id: str, source: str, markup: str, digest: str, meta: Mapping[str, str] | None = None,
                  encoding: str = "utf-8", *, url: str | None = None, limits: Limits = DEFAULT_LIMITS
                  ) -> RawDocument:
    """A web page as a document: its article body and stated metadata (``meta`` wins over
    what the page states); a page with no body is a skipped document, with the reason. A
    page past the HTML limits raises ``LimitError`` before it is parsed."""
    from ._webpage import NoBody, check_markup, page_text

    check_markup(source, markup, max_bytes=limits.html_bytes, max_elements=limits.html_elements,
                 max_depth=limits.html_depth)
    try:
        text, stated = page_text(markup, url=url)
    except NoBody as exc:
        return RawDocument(doc_id, source, "", digest, dict(meta or {}), encoding, skipped=str(exc))
    return RawDocument(doc_id, source, text, digest, {**stated, **(meta or {})}, encoding)
