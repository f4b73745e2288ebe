"""Markdown export: the same sections, points and citations as the DOCX, as footnotes.

Each source sentence gets one footnote; a later use repeats its ``[^n]`` reference, which
Markdown's footnote extensions (GitHub, Pandoc, Python-Markdown) link to the same note."""

from __future__ import annotations

from ..model import Citation, Memo, Point, Statement
from . import common


def render_markdown(memo: Memo, layout: common.Layout | None = None) -> str:
    layout = layout or common.Layout()
    notes: list[str] = []
    numbers = common.Notes()

    def mark(citation: Citation) -> str:
        number, first = numbers.cite(citation)
        if first:
            text, url = common.footnote_parts(memo.article(citation.article_id), citation)
            notes.append(f"[^{number}]: {_escape(text)}" + (f" <{url}>" if url else ""))
        return f"[^{number}]"

    def cite(point: Point) -> str:
        return "".join(mark(c) for c in point.citations)

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
    comparison = _Comparison(memo, mark, claim, layout)
    lines += comparison.body()
    lines += ["", f"## {common.SECTION_APPENDIX}"]
    if layout.appendix:
        lines += comparison.appendix()
        lines += ["", f"### {common.SECTION_SOURCES_SUMMARY}", ""]
        for summary in memo.source_summaries:
            lines += [f"#### {_escape(common.source_heading(memo.article(summary.article_id)))}", ""]
            if summary.generated:
                lines += [prose(summary.generated), ""]
            own = " ".join(_escape(p.text) + cite(p) for p in summary.points[:layout.summary]) \
                or "_No summary sentences._"
            lines.append((f"_{common.OWN_WORDS}_ " if summary.generated and summary.points else "") + own)
            lines.append("")
    lines += ["", f"### {common.SECTION_SOURCES}", ""]
    for number, article in enumerate(memo.articles, start=1):
        url = f" <{article.url}>" if article.url else ""
        lines.append(f"{number}. {_escape(common.source_entry(article))}{url} {_escape(common.file_line(article))}")
    lines += ["", f"### {common.SECTION_METHOD}", ""]
    lines += [f"- {_escape(step)}" for step in memo.method.steps]
    for heading, rows in common.notices_by_kind(memo):
        lines += ["", f"**{heading}:** {_escape(common.listed(rows))}"]
    lines += ["", "**Versions:** " + ", ".join(f"{name} {version}" for name, version in memo.method.versions), ""]
    lines += notes
    return "\n".join(lines).rstrip() + "\n"


class _Comparison:
    """Consensus, disagreements, who said what and the agreement matrix, in the body as much
    as ``layout`` allows and in the appendix in full (as the DOCX); for a corpus of several
    stories, the asked questions and then a section per story."""

    def __init__(self, memo: Memo, mark, claim, layout: common.Layout):
        self.memo, self.mark, self.claim, self.layout = memo, mark, claim, layout

    def said(self, item: Statement, tagged: bool = True, brief: bool = False) -> str:
        tag = common.stance_tag(item) if tagged else ""
        who = _escape(common.speaker_line(self.memo, item))
        text = f"**{who}**" if brief else f"{who}: {_escape(common.statement_text(item))}"
        return text + self.mark(item.citation) + (f" _({tag})_" if tag else "")

    def consensus(self, groups, level: str, full: bool = False) -> list[str]:
        memo, layout = self.memo, self.layout
        lines = ["", f"{level} {common.SECTION_CONSENSUS_FULL if full else common.SECTION_CONSENSUS}", ""]
        if not groups:
            lines.append("_No point is made by two or more independent sources without being contested._")
        for group in groups if full else groups[:layout.consensus]:
            # The point is its lead statement's own words: cited once, then the others that make it.
            lead, *others = group.statements
            lines.append(f"- **{_escape(group.point.text)}** ({_escape(common.speaker_line(memo, lead, plain=True))})"
                         f"{self.mark(lead.citation)} _{_escape(common.consensus_line(memo, group))}._")
            if full and others:
                lines.append("  - _Also made by:_ " + "; ".join(
                    _escape(common.speaker_line(memo, item, plain=True)) + self.mark(item.citation) for item in others))
            lines += [f"  - {self.said(item, tagged=False)}" for item in (() if full else others[:layout.supporting])]
        if not full and layout.appendix and common.cut_consensus(groups, layout):
            lines += ["", f"_{common.more_in_appendix(groups, layout)}_"]
        return lines

    def disagreements(self, items, level: str, full: bool = False) -> list[str]:
        layout = self.layout
        lines = ["", f"{level} {common.SECTION_DISAGREEMENTS_FULL if full else common.SECTION_DISAGREEMENTS}", ""]
        if full:
            lines += ["_The statements the body leaves out; each footnote quotes the sentence._", ""]
        if not items:
            lines.append("_No contested point was found, and no question was asked._")
        shown, rest = (layout.statements, None) if full else (0, layout.statements)
        for disagreement in items:
            if full and not common.cut_statements(disagreement, layout):
                continue
            lines += [f"{level}# {_escape(common.single_quotes(common.heading(disagreement.question)))}", ""]
            if not full:
                answer = "".join(_escape(text) + (self.mark(citation) if citation else "")
                                 for text, citation in common.answer_runs(disagreement))
                lines += ([f"**{common.ANSWER_LABEL}** {answer}", ""] if answer else [])
                lines += [f"_{_escape(common.disagreement_intro(disagreement))}_", ""]
            for side in disagreement.sides:
                if full and not side.statements[shown:rest]:
                    continue
                lines += [f"**{_escape(common.side_heading(side))}**", ""]
                lines += [f"- {self.said(item, brief=full)}" for item in side.statements[shown:rest]] \
                    or ["- _No statement on this side._"]
                lines.append("")
            unclear = common.unclear_part(disagreement, layout, full)
            if unclear:
                lines += [f"**{common.UNCLEAR_HEADING}**", ""]
                lines += [f"- {self.said(item, brief=full)}" for item in unclear] + [""]
            if not full and layout.appendix and common.cut_statements(disagreement, layout):
                lines += [f"_{common.more_statements(disagreement, layout)}_", ""]
            if disagreement.note and not full:
                lines += [f"_{_escape(disagreement.note)}_", ""]
        return lines

    def matrix(self, rows, articles, level: str) -> list[str]:
        lines = ["", f"{level} {common.SECTION_MATRIX}", ""]
        if not rows:
            return lines + ["_No point is shared or contested across sources._"]
        labels = [_cell(a.label) for a in articles]
        lines += ["| Point | " + " | ".join(labels) + " |", "|" + "---|" * (len(labels) + 1)]
        for number, row in enumerate(rows, start=1):
            cells = [common.CELL_TEXT[state] + (self.mark(evidence) if evidence else "")
                     for state, evidence in zip(row.cells, row.evidence)]
            lines.append(f"| {common.point_label(number)} | " + " | ".join(cells) + " |")
        lines += ["", f"{level}# {common.SECTION_POINTS}", ""]
        for number, row in enumerate(rows, start=1):
            lines.append(f"- **{common.point_label(number)}.** {_escape(common.matrix_point(row.point.text))} "
                         f"({row.label})" + "".join(self.mark(c) for c in row.point.citations[:1]))
        return lines

    def who(self, full: bool) -> list[str]:
        memo = self.memo
        lines = ["", f"{'###' if full else '##'} {common.SECTION_WHO_FULL if full else common.SECTION_WHO}", ""]
        rows = memo.who_said_what if full else common.who_rows(memo, self.layout)
        if not rows:
            return lines + ["_No named speaker is quoted or reported._"]
        columns = common.WHO_COLUMNS if full else common.WHO_COMPACT
        lines += ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        for row in rows:
            lines.append("| " + " | ".join(_cell(c) for c in common.who_cells(row, full)) + " | "
                         + self.mark(row.statement.citation) + " |")
        if not full and self.layout.appendix and common.who_cut(memo, self.layout):
            lines += ["", f"_{common.more_who(memo, self.layout)}_"]
        return lines

    def body(self) -> list[str]:
        memo = self.memo
        lines: list[str] = []
        if memo.stories:
            if memo.disagreements:  # the questions asked, over the whole corpus
                lines += self.disagreements(memo.disagreements, "##")
            for story in memo.stories:
                lines += ["", f"## {_escape(common.story_heading(story))}", "",
                          f"_{_escape(common.story_sources(memo, story))}_", ""]
                lines += [f"- {self.claim(p)}" for p in story.key_points]
                lines += self.consensus(story.consensus, "###")
                lines += self.disagreements(story.disagreements, "###")
        else:
            lines += self.consensus(memo.consensus, "##") + self.disagreements(memo.disagreements, "##")
        return lines + self.who(full=False)

    def appendix(self) -> list[str]:
        memo, layout = self.memo, self.layout
        lines: list[str] = []
        if memo.stories:
            if memo.disagreements and common.any_cut_statements(memo.disagreements, layout):
                lines += self.disagreements(memo.disagreements, "###", full=True)
            for story in memo.stories:
                if not (story.consensus or story.disagreements or story.agreement):
                    continue
                lines += ["", f"### {_escape(common.story_heading(story))}"]
                if common.cut_consensus(story.consensus, layout):
                    lines += self.consensus(story.consensus, "####", full=True)
                if common.any_cut_statements(story.disagreements, layout):
                    lines += self.disagreements(story.disagreements, "####", full=True)
                lines += self.matrix(story.agreement, [memo.article(i) for i in story.article_ids], "####")
        else:
            if common.cut_consensus(memo.consensus, layout):
                lines += self.consensus(memo.consensus, "###", full=True)
            if common.any_cut_statements(memo.disagreements, layout):
                lines += self.disagreements(memo.disagreements, "###", full=True)
        if common.who_cut(memo, layout):
            lines += self.who(full=True)
        if not memo.stories:
            lines += self.matrix(memo.agreement, memo.articles, "###")
        return lines


def _cell(text: str) -> str:
    return _escape(text).replace("|", "\\|").replace("\n", " ")


def _escape(text: str) -> str:
    # Source text is data: keep it from turning into Markdown structure or HTML.
    for char in "\\`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text
