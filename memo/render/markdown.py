"""Markdown export: the same sections, points and citations as the DOCX, as footnotes."""

from __future__ import annotations

from ..model import Memo, Point
from . import common


def render_markdown(memo: Memo) -> str:
    notes: list[str] = []

    def cite(point: Point) -> str:
        marks = []
        for citation in point.citations:
            text, url = common.footnote_parts(memo.article(citation.article_id), citation)
            notes.append(f"[^{len(notes) + 1}]: {_escape(text)}" + (f" <{url}>" if url else ""))
            marks.append(f"[^{len(notes)}]")
        return "".join(marks)

    def claim(point: Point) -> str:
        return f"{_escape(point.text)} ({_escape(common.source_label(memo, point.citations[0]))}){cite(point)}"

    lines = [f"# {_escape(memo.title)}", "",
             f"**TO:** {_escape(memo.to)}  ", f"**FROM:** {_escape(memo.from_)}  ",
             f"**DATE:** {_escape(memo.date)}  ", f"**SUBJECT:** {_escape(memo.subject)}", "",
             f"## {common.SECTION_BOTTOM_LINE}", ""]
    lines += [claim(p) for p in memo.bottom_line]
    lines += ["", f"## {common.SECTION_KEY_POINTS}", ""]
    lines += [f"- {claim(p)}" for p in memo.key_points]
    lines += ["", f"## {common.SECTION_SOURCES_SUMMARY}", ""]
    for summary in memo.source_summaries:
        lines += [f"### {_escape(common.source_heading(memo.article(summary.article_id)))}", ""]
        lines.append(" ".join(_escape(p.text) + cite(p) for p in summary.points) or "_No summary sentences._")
        lines.append("")
    lines += [f"## {common.SECTION_SOURCES}", ""]
    for number, article in enumerate(memo.articles, start=1):
        url = f" <{article.url}>" if article.url else ""
        lines.append(f"{number}. {_escape(common.source_entry(article))}{url} File: `{article.source}`; "
                     f"SHA-256 `{article.sha256[:16]}…`")
    lines += ["", f"## {common.SECTION_METHOD}", ""]
    lines += [f"- {_escape(step)}" for step in memo.method.steps]
    for heading, rows in common.notices_by_kind(memo):
        lines += ["", f"**{heading}**", ""] + [f"- {_escape(row)}" for row in rows]
    lines += ["", "**Versions:** " + ", ".join(f"{name} {version}" for name, version in memo.method.versions), ""]
    lines += notes
    return "\n".join(lines).rstrip() + "\n"


def _escape(text: str) -> str:
    # Source text is data: keep it from turning into Markdown structure or HTML.
    for char in "\\`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text
