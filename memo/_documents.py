"""What reading a source produces (``RawDocument``) and the limits reading keeps to, apart
from ``memo._ingest`` so that the format readers it calls (``memo._pdf``, ``memo._webpage``)
can use them without importing it back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

MAX_FILE_BYTES = 20 * 1024 * 1024  # a news article, even as a web page, is far smaller
MB = 2**20


@dataclass(frozen=True, kw_only=True)
class Limits:
    """How much memo reads of one source before refusing it, so that what a hostile file
    claims (a zip that inflates to gigabytes, nested XML entities, a page nested thousands
    deep, a PDF stream that inflates without end) never decides memory or time. A source
    past a limit raises ``LimitError`` naming it and the limit; ``build`` then skips it
    (or stops, with ``strict=True``). Every default is here and in the README's table.

    The defaults are sized for real news documents: a long Word report holds a few MB of
    XML and compresses 5-20 times; a heavy news page is 1-3 MB with a few thousand elements;
    a report PDF has tens of pages."""

    file_bytes: int = MAX_FILE_BYTES  # any file, as it is on disk
    # Zip-based files (.docx): what each part and the whole inflate to, checked against the
    # declared sizes first and then while reading (at most the limit + 1 byte is inflated).
    archive_part_bytes: int = 50 * MB
    archive_total_bytes: int = 100 * MB
    archive_entries: int = 1_000  # a Word file has 10-100 parts
    archive_ratio: float = 100.0  # inflated / compressed, per part of more than 1 MB
    # HTML, counted before parsing: lxml drops what lies deeper than 256 levels, silently,
    # and trafilatura's time grows fast with the number of elements (a 19 MB page of 200,000
    # paragraphs: about 100 s and 600 MB).
    html_bytes: int = 10 * MB
    html_elements: int = 100_000
    html_depth: int = 256
    # PDFs (pypdf): pages, what one stream may inflate to, and a time budget per file,
    # checked between pages.
    pdf_pages: int = 2_000
    pdf_stream_bytes: int = 50 * MB
    pdf_seconds: float = 120.0


DEFAULT_LIMITS = Limits()


def size_text(count: float) -> str:
    """A byte count as a limit's message gives it: "512 bytes", "20 KB", "1.5 MB", "1,024 MB"."""
    if count < 1024:
        return f"{count:,.0f} bytes"
    if count < MB:
        return f"{count / 1024:,.0f} KB"
    return f"{count / MB:,.0f} MB" if count >= 10 * MB or count % MB == 0 else f"{count / MB:.1f} MB"


@dataclass(frozen=True)
class RawDocument:
    """A source as read: decoded text, what the reader knew about it, and its hash."""

    id: str
    source: str
    text: str
    sha256: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    # Why the source yields no article (a page without a body, a link that failed, a PDF
    # without a text layer); such a document is reported as skipped, never summarised.
    skipped: str = ""
    # Where each page starts in ``text`` (PDFs), so a citation can name its page.
    pages: tuple[int, ...] = ()
