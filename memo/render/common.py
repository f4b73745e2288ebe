"""What every output format says the same way: section names, source labels, notes."""

from __future__ import annotations

from ..model import Article, Citation, Disagreement, Memo, Point, Position, Side, Statement

SECTION_BOTTOM_LINE = "Bottom Line Up Front"
SECTION_KEY_POINTS = "Key Points"
SECTION_SYNTHESIS = "Synthesis"
OWN_WORDS = "In the source's own words:"
SECTION_CONSENSUS = "Consensus"
SECTION_DISAGREEMENTS = "Disagreements"
SECTION_WHO = "Who Said What"
SECTION_MATRIX = "Agreement by Source"
WHO_COLUMNS = ("Speaker", "Role", "Outlet", "Position", "Source")
CELL_TEXT = {"supports": "supports", "contests": "contests", "silent": "—"}
CELL_SHADE = {"supports": "C6EFCE", "contests": "FFC7CE", "silent": "F2F2F2"}  # green, red, grey
SIDE_HEADINGS = {"supports": "Supporting", "contests": "Contesting"}
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


def speaker_line(memo: Memo, item: Statement) -> str:
    """ "Andrew Small (a senior fellow at ...), VICE World News" or just the outlet."""
    outlet = memo.article(item.citation.article_id).label
    if item.kind == "narration":
        return outlet
    role = f" ({item.role})" if item.role else ""
    return f"{item.speaker}{role}, {outlet}"


def stance_tag(item: Statement) -> str:
    return f"{item.stance}, confidence {item.confidence:.2f}" if item.stance else ""


def side_heading(side: Side) -> str:
    return f"{SIDE_HEADINGS[side.stance]}: {side.position}"


def disagreement_intro(disagreement: Disagreement) -> str:
    origin = "Asked" if disagreement.asked else "Found in the sources"
    return f"{origin}. Claim weighed: {disagreement.claim}"


def consensus_line(memo: Memo, group) -> str:
    outlets = ", ".join(dict.fromkeys(memo.article(a).label for a in group.sources))
    return f"{group.independent} independent origin(s) across {len(group.sources)} sources: {outlets}"


def matrix_point(text: str, words: int = 16) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def who_position(row: Position) -> str:
    """A "who said what" row's side where the stance model called one; else what the
    speaker said, marked as no side."""
    return row.position or f"No side called. Said: {quoted(row.statement.citation.quote)}"


def quoted(text: str) -> str:
    """The sentence in quotation marks, unless it already opens with one."""
    return text if text[:1] in "“\"”‘'" else f"“{text}”"


def flag_marker(point: Point) -> str:
    return f" [unsupported: {point.flag}]"


def is_extracted(point: Point) -> bool:
    """A verbatim sentence (one citation quoting exactly its text), not a generated one."""
    return len(point.citations) == 1 and point.citations[0].quote == point.text


def story_heading(story) -> str:
    return f"Story: {story.title}"


def story_sources(memo: Memo, story) -> str:
    labels = list(dict.fromkeys(memo.article(i).label for i in story.article_ids))
    return f"{len(story.article_ids)} source(s): " + ", ".join(labels)
