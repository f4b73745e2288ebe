"""Markdown export: the same sections, points and citations as the DOCX, as footnotes."""

from __future__ import annotations

from ..model import Memo, Point, Statement
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
        if point.flag:  # generated and unsupported: visibly marked, never cited
            return f"{_escape(point.text)} **{_escape(common.flag_marker(point).strip())}**"
        if common.is_extracted(point):
            return f"{_escape(point.text)} ({_escape(common.source_label(memo, point.citations[0]))}){cite(point)}"
        return f"{_escape(point.text)}{cite(point)}"

    def prose(points) -> str:
        return " ".join(claim(p) if p.flag else _escape(p.text) + cite(p) for p in points)

    lines = [f"# {_escape(memo.title)}", "",
             f"**TO:** {_escape(memo.to)}  ", f"**FROM:** {_escape(memo.from_)}  ",
             f"**DATE:** {_escape(memo.date)}  ", f"**SUBJECT:** {_escape(memo.subject)}", "",
             f"## {common.SECTION_BOTTOM_LINE}", ""]
    lines += [claim(p) for p in memo.bottom_line]
    if memo.synthesis:
        lines += ["", f"## {common.SECTION_SYNTHESIS}", "", prose(memo.synthesis)]
    lines += ["", f"## {common.SECTION_KEY_POINTS}", ""]
    lines += [f"- {claim(p)}" for p in memo.key_points]
    lines += _comparison(memo, cite, claim)
    lines += ["", f"## {common.SECTION_SOURCES_SUMMARY}", ""]
    for summary in memo.source_summaries:
        lines += [f"### {_escape(common.source_heading(memo.article(summary.article_id)))}", ""]
        if summary.generated:
            lines += [prose(summary.generated), ""]
        own = " ".join(_escape(p.text) + cite(p) for p in summary.points) or "_No summary sentences._"
        lines.append((f"_{common.OWN_WORDS}_ " if summary.generated and summary.points else "") + own)
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


def _comparison(memo: Memo, cite, claim) -> list[str]:
    """Consensus, disagreements, who said what and the agreement matrix; for a corpus of
    several stories, the asked questions and then a section per story."""

    def said(item: Statement, tagged: bool = True) -> str:
        tag = common.stance_tag(item) if tagged else ""
        return (f"{_escape(common.speaker_line(memo, item))}: {_escape(common.quoted(item.citation.quote))}"
                f"{cite(Point(item.citation.quote, (item.citation,)))}" + (f" _({tag})_" if tag else ""))

    def consensus(groups, level: str) -> list[str]:
        lines = ["", f"{level} {common.SECTION_CONSENSUS}", ""]
        if not groups:
            lines.append("_No point is made by two or more independent sources without being contested._")
        for group in groups:
            # The point is its lead statement's own words: cited once, then the others that make it.
            lead, *others = group.statements
            lines.append(f"- **{_escape(group.point.text)}** ({_escape(common.speaker_line(memo, lead))})"
                         f"{cite(Point(lead.citation.quote, (lead.citation,)))} "
                         f"_{_escape(common.consensus_line(memo, group))}._")
            lines += [f"  - {said(item, tagged=False)}" for item in others]
        return lines

    def disagreements(items, level: str) -> list[str]:
        lines = ["", f"{level} {common.SECTION_DISAGREEMENTS}", ""]
        if not items:
            lines.append("_No contested point was found, and no question was asked._")
        for disagreement in items:
            lines += [f"{level}# {_escape(disagreement.question)}", "",
                      f"_{_escape(common.disagreement_intro(disagreement))}_", ""]
            for side in disagreement.sides:
                lines += [f"**{_escape(common.side_heading(side))}**", ""]
                lines += [f"- {said(item)}" for item in side.statements] or ["- _No statement on this side._"]
                lines.append("")
            if disagreement.unclear:
                lines += ["**Unclear (stance not called with confidence)**", ""]
                lines += [f"- {said(item)}" for item in disagreement.unclear] + [""]
            if disagreement.note:
                lines += [f"_{_escape(disagreement.note)}_", ""]
        return lines

    def matrix(rows, articles, level: str) -> list[str]:
        lines = ["", f"{level} {common.SECTION_MATRIX}", ""]
        if not rows:
            return lines + ["_No point is shared or contested across sources._"]
        labels = [_cell(a.label) for a in articles]
        lines += ["| Point | " + " | ".join(labels) + " |", "|" + "---|" * (len(labels) + 1)]
        for row in rows:
            cells = []
            for state, evidence in zip(row.cells, row.evidence):
                mark = cite(Point(evidence.quote, (evidence,))) if evidence else ""
                cells.append(common.CELL_TEXT[state] + mark)
            lines.append(f"| {_cell(common.matrix_point(row.point.text))} ({row.label}) | " + " | ".join(cells) + " |")
        return lines

    lines: list[str] = []
    if memo.stories:
        if memo.disagreements:  # the questions asked, over the whole corpus
            lines += disagreements(memo.disagreements, "##")
        for story in memo.stories:
            lines += ["", f"## {_escape(common.story_heading(story))}", "",
                      f"_{_escape(common.story_sources(memo, story))}_", ""]
            lines += [f"- {claim(p)}" for p in story.key_points]
            lines += consensus(story.consensus, "###")
            lines += disagreements(story.disagreements, "###")
            lines += matrix(story.agreement, [memo.article(i) for i in story.article_ids], "###")
    else:
        lines += consensus(memo.consensus, "##") + disagreements(memo.disagreements, "##")
    lines += ["", f"## {common.SECTION_WHO}", ""]
    if memo.who_said_what:
        lines += ["| " + " | ".join(common.WHO_COLUMNS) + " |", "|" + "---|" * len(common.WHO_COLUMNS)]
        for row in memo.who_said_what:
            cells = [row.speaker, row.role, row.outlet, common.who_position(row)]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " | "
                         + cite(Point(row.statement.citation.quote, (row.statement.citation,))) + " |")
    else:
        lines.append("_No named speaker is quoted or reported._")
    if not memo.stories:
        lines += matrix(memo.agreement, memo.articles, "##")
    return lines


def _cell(text: str) -> str:
    return _escape(text).replace("|", "\\|").replace("\n", " ")


def _escape(text: str) -> str:
    # Source text is data: keep it from turning into Markdown structure or HTML.
    for char in "\\`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text
