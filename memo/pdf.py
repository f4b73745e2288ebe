"""PDF sources (reports, transcripts) by pypdf: one article per PDF, its pages kept.

The text layer is read page by page; lines the layout wrapped are joined back into
paragraphs (memo splits sentences line by line), running headers and footers and bare page
numbers are dropped, and where each page starts is kept (``RawDocument.pages``) so a
citation can say "p. 4". A PDF without a text layer (a scan) is skipped with that reason.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Mapping

from .errors import InputError
from .ingest import RawDocument

# Fewer letters than this in the whole file: no text layer worth the name (a scan, or a
# stamp and a page number on images).
MIN_LETTERS = 20
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I)


def pdf_document(doc_id: str, source: str, data: bytes, digest: str, meta: Mapping[str, str] | None = None
                 ) -> RawDocument:
    """A PDF as one document; ``InputError`` when it cannot be read at all, a skipped document
    when it has no text layer. ``meta`` wins over the PDF's own properties."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(f"{source}: the PDF is encrypted with a password")
        raw_pages = [page.extract_text() or "" for page in reader.pages]
        stated = _properties(reader)
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
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
