"""What every output format says the same way: section names, source labels, notes."""

from __future__ import annotations

from ..model import Article, Citation, Memo

SECTION_BOTTOM_LINE = "Bottom Line Up Front"
SECTION_KEY_POINTS = "Key Points"
SECTION_SOURCES_SUMMARY = "Summaries by Source"
SECTION_SOURCES = "Sources"
SECTION_METHOD = "Method"

NOTICE_HEADINGS = {
    "repaired": "Repaired",
    "dropped-line": "Removed as boilerplate",
    "duplicate": "Collapsed as duplicates",
    "skipped": "Skipped",
    "metadata": "Metadata inferred from the text",
}


def source_heading(article: Article) -> str:
    parts = [article.outlet or article.id]
    if article.title:
        parts.append(f"“{article.title}”")
    if article.date:
        parts.append(article.date)
    return ", ".join(parts)


def footnote_parts(article: Article, citation: Citation) -> tuple[str, str]:
    """(text, url): outlet, title, author, date, the quoted sentence; the URL separately."""
    parts = [article.outlet or "Outlet unknown"]
    if article.title:
        parts.append(f"“{article.title}”")
    if article.author:
        parts.append(article.author)
    parts.append(article.date or "undated")
    return ", ".join(parts) + f". “{citation.quote}”", article.url


def source_entry(article: Article) -> str:
    parts = [article.outlet or "Outlet unknown"]
    parts.append(f"“{article.title}”" if article.title else "untitled")
    if article.author:
        parts.append(f"by {article.author}")
    parts.append(article.date or "undated")
    return ", ".join(parts) + "."


def source_label(memo: Memo, citation: Citation) -> str:
    return memo.article(citation.article_id).label


def notices_by_kind(memo: Memo) -> list[tuple[str, list[str]]]:
    grouped: dict[str, list[str]] = {}
    for notice in memo.method.notices:
        grouped.setdefault(notice.kind, []).append(f"{_short(notice.source)}: {notice.detail}")
    return [(NOTICE_HEADINGS.get(kind, kind), rows) for kind, rows in grouped.items()]


def _short(source: str) -> str:
    return source.rsplit("/", 1)[-1]
