"""PDF sources (reports, transcripts) by pypdf: one article per PDF, its pages kept.

The text layer is read page by page; lines the layout wrapped are joined back into
paragraphs (memo splits sentences line by line), running headers and footers and bare page
numbers are dropped, and where each page starts is kept (``RawDocument.pages``) so a
citation can say "p. 4". A PDF without a text layer (a scan) is skipped with that reason.
"""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from contextlib import contextmanager
from typing import Mapping

from ._errors import InputError, LimitError
from ._documents import DEFAULT_LIMITS, Limits, RawDocument, size_text

# Fewer letters than this in the whole file: no text layer worth the name (a scan, or a
# stamp and a page number on images).
MIN_LETTERS = 20
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I)


def pdf_document(doc_id: str, source: str, data: bytes, digest: str, meta: Mapping[str, str] | None = None,
                 *, limits: Limits = DEFAULT_LIMITS) -> RawDocument:
    """A PDF as one document; ``InputError`` when it cannot be read at all, ``LimitError`` when
    it passes a limit (pages, what a stream inflates to, time), a skipped document when it
    has no text layer. ``meta`` wins over the PDF's own properties."""
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    started = time.monotonic()
    try:
        with _stream_limits(limits.pdf_stream_bytes):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise InputError(f"{source}: the PDF is encrypted with a password")
            count = len(reader.pages)
            if count > limits.pdf_pages:
                raise LimitError(f"{source}: the PDF has {count:,} pages, above the limit of {limits.pdf_pages:,}")
            raw_pages = []
            for number, page in enumerate(reader.pages, 1):
                # extract_text swallows pypdf's decompression limit and returns "" (a bomb would
                # read as a scan); decoding the content stream first lets the limit be reported.
                page.get_contents()
                raw_pages.append(page.extract_text() or "")
                # Checked between pages: one page's extraction cannot be interrupted, but a file
                # of many slow pages stops here instead of holding the run.
                if time.monotonic() - started > limits.pdf_seconds:
                    raise LimitError(f"{source}: reading the PDF took more than {limits.pdf_seconds:g} s "
                                     f"(stopped at page {number} of {count}), above the time limit")
            stated = _properties(reader)
    except InputError:
        raise
    except LimitReachedError as exc:  # pypdf's own guard, at the limit memo set for it
        raise LimitError(f"{source}: a PDF stream inflates past the {size_text(limits.pdf_stream_bytes)} limit "
                         f"({exc})") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError,
            MemoryError) as exc:
        raise InputError(f"{source}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    meta = {**stated, **(meta or {})}
    if sum(ch.isalpha() for page in raw_pages for ch in page) < MIN_LETTERS:
        return RawDocument(doc_id, source, "", digest, meta,
                           skipped=f"the PDF has no text layer ({len(raw_pages)} pages of images, e.g. a scan; "
                                   "memo reads no text from images)")
    pages = _drop_running_lines([page.splitlines() for page in raw_pages])
    starts, parts, offset = [], [], 0
    for lines in pages:
        text = "\n".join(_paragraphs(lines))
        starts.append(offset)
        if text:
            parts.append(text)
            offset += len(text) + 1
    return RawDocument(doc_id, source, "\n".join(parts), digest, meta, pages=tuple(starts))


@contextmanager
def _stream_limits(max_bytes: int):
    """pypdf's decompression limits set to ``max_bytes`` for this file (a context variable:
    other threads' reads keep theirs). An older pypdf without ``apply_configuration`` keeps its
    own limits (75 MB a stream), which bound memory all the same."""
    try:
        from pypdf import apply_configuration
    except ImportError:
        yield
        return
    with apply_configuration(zlib_maximum_output_length=max_bytes, maximum_declared_stream_length=max_bytes,
                             lzw_maximum_output_length=max_bytes, run_length_maximum_output_length=max_bytes,
                             array_based_stream_maximum_output_length=max_bytes):
        yield


def _properties(reader) -> dict[str, str]:
    info = reader.metadata
    if info is None:
        return {}
    meta = {}
    title = (info.title or "").strip()
    # Word and other tools write the file name as the title ("Microsoft Word - draft3.docx").
    if title and not re.search(r"^microsoft \w+ - |\.(?:docx?|pdf|indd|pptx?|tex)$", title, re.I):
        meta["title"] = title
    if (info.author or "").strip():
        meta["author"] = info.author.strip()
    try:
        created = info.creation_date
    except (ValueError, TypeError):  # a malformed date string is no date, not a broken file
        created = None
    if created is not None and created.year > 1980:
        meta["date"] = created.date().isoformat()
    return {k: " ".join(v.split()) for k, v in meta.items()}


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Without bare page numbers, and without the first or last lines that recur on half the
    pages or more (running headers and footers), when there are three pages or more."""
    pages = [[line.strip() for line in lines if line.strip() and not _PAGE_NUMBER.match(line.strip())]
             for lines in pages]
    if len(pages) < 3:
        return pages
    edges = Counter(line for lines in pages for line in {*lines[:2], *lines[-2:]})
    running = {line for line, n in edges.items() if n >= max(2, len(pages) / 2)}
    return [[line for i, line in enumerate(lines) if not (line in running and (i < 2 or i >= len(lines) - 2))]
            for lines in pages]


def _paragraphs(lines: list[str]) -> list[str]:
    """Rejoin lines the layout wrapped: a line runs on into the next one when it is nearly
    as long as the page's usual line; a hyphen at a wrap that splits a word ("inter-" /
    "national") is removed."""
    if not lines:
        return []
    lengths = sorted(len(line) for line in lines)
    usual = lengths[min(len(lengths) - 1, int(0.8 * len(lengths)))]
    out: list[str] = []
    run_on = False
    for line in lines:
        if run_on and out:
            if out[-1].endswith("-") and out[-1][-2:-1].isalpha() and line[:1].islower():
                out[-1] = out[-1][:-1] + line
            else:
                out[-1] += " " + line
        else:
            out.append(line)
        # A paragraph's last line is short; a full-width line runs on, whatever it ends with
        # (a sentence can end at a wrap). Pages of short lines (tables, lists) stay as they are.
        run_on = usual >= 40 and len(line) >= 0.75 * usual
    return out
