"""The memo as one outline: every section, paragraph, table and cited run in reading order,
with its footnotes numbered. It is built once from a ``Memo`` and a ``Layout``; the DOCX,
Markdown and JSON writers only translate it, so what a memo says, in which order, and which
sentence each footnote quotes are decided here and nowhere else.

Runs say what a piece of text is (strong, quiet, an alert, in the note size), not how a
format shows it: the DOCX writer makes quiet text italic, Markdown wraps it in underscores."""

from __future__ import annotations

from dataclasses import dataclass

from .._model import Citation, Memo, Point, Statement
from . import common


@dataclass(frozen=True)
class Text:
    """A run of text. ``strong``: a label or a point (bold); ``quiet``: an aside (italic);
    ``alert``: a generated sentence the sources do not support; ``small``: the note size."""

    text: str
    strong: bool = False
    quiet: bool = False
    alert: bool = False
    small: bool = False


@dataclass(frozen=True)
class Note:
    """A footnote reference. ``first``: the sentence's first use, which makes the footnote
    (``text`` and ``url``); a later use repeats ``number``."""

    number: int
    first: bool
    citation: Citation
    text: str
    url: str


@dataclass(frozen=True)
class Link:
    url: str


@dataclass(frozen=True)
class Header:
    """The memo's title and its TO / FROM / DATE / SUBJECT lines."""

    title: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: a section of the memo; 2 and 3 inside it
    new_page: bool = False


PARAGRAPH_STYLES = ("body", "bullet", "bullet2", "number", "note")


@dataclass(frozen=True)
class Paragraph:
    """``style``: body text, a bullet, a bullet under a bullet, a numbered item, or a note
    (provenance, read when needed)."""

    runs: tuple
    style: str = "body"


@dataclass(frozen=True)
class Cell:
    """A table cell; a cell without a ``Text`` run is left empty (its runs are notes only).
    ``state``: a matrix cell's reading (supports, contests, silent), which a writer may shade."""

    runs: tuple
    state: str = ""


@dataclass(frozen=True)
class Table:
    """``shares``: each column's share of the text width."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    shares: tuple[float, ...]


@dataclass(frozen=True)
class Outline:
    blocks: tuple

    def notes(self) -> list[Note]:
        """Every footnote reference in reading order (a repeated sentence each time it is used)."""
        out: list[Note] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                out += [run for run in block.runs if isinstance(run, Note)]
            elif isinstance(block, Table):
                out += [run for row in block.rows for cell in row for run in cell.runs if isinstance(run, Note)]
        return out

    def footnotes(self) -> list[Note]:
        """The footnotes themselves, numbered 1, 2, 3 ... in reading order."""
        return [note for note in self.notes() if note.first]


def outline(memo: Memo, layout: common.Layout | None = None) -> Outline:
    return _Builder(memo, layout or common.Layout()).build()


def citations(memo: Memo) -> list[Citation]:
    """Every citation of the memo in reading order, as an outline that leaves nothing to the
    appendix's cut shows them: each use of a sentence, the first making its footnote."""
    most = max([len(s.points) for s in memo.source_summaries] or [0])
    return [note.citation for note in outline(memo, common.Layout(summary=most)).notes()]


class _Builder:
    """The memo top to bottom: header, bottom line, (synthesis), key points, the comparison
    (consensus, disagreements, who said what), then the appendix: the evidence the body left
    out, the summaries by source, the sources and the method note."""

    def __init__(self, memo: Memo, layout: common.Layout):
        self.memo, self.layout = memo, layout
        self.blocks: list = []
        self.numbers = common.Notes()

    # -- runs and blocks

    def note(self, citation: Citation) -> Note:
        number, first = self.numbers.cite(citation)
        text, url = common.footnote_parts(self.memo.article(citation.article_id), citation) if first else ("", "")
        return Note(number, first, citation, text, url)

    def notes(self, point: Point) -> list[Note]:
        return [self.note(c) for c in point.citations]

    def heading(self, text: str, level: int, new_page: bool = False) -> None:
        self.blocks.append(Heading(text, level, new_page))

    def paragraph(self, runs, style: str = "body") -> None:
        self.blocks.append(Paragraph(tuple(runs), style))

    def quiet(self, text: str) -> None:
        self.paragraph([Text(text, quiet=True)])

    def claim(self, point: Point) -> list:
        """A point in full: its words, then (a verbatim sentence) the source's label, then its
        footnotes; a generated point the sources do not support is marked and never cited."""
        runs: list = [Text(point.text)]
        if point.flag:
            return runs + [Text(common.flag_marker(point), alert=True)]
        if common.is_extracted(point):
            runs.append(Text(f" ({common.source_label(self.memo, point.citations[0])})", quiet=True))
        return runs + self.notes(point)

    def prose(self, points) -> list:
        """Points run together as one paragraph, each cited where it ends."""
        runs: list = []
        for i, point in enumerate(points):
            if i:
                runs.append(Text(" "))
            runs += self.claim(point) if point.flag else [Text(point.text), *self.notes(point)]
        return runs

    def said(self, item: Statement, tagged: bool = True, brief: bool = False) -> list:
        """A statement: who, then their words, cited. ``brief`` (the appendix's lists): who,
        cited, the footnote quoting the words."""
        speaker = common.speaker_line(self.memo, item)
        runs: list = [Text(speaker, strong=True)] if brief else \
            [Text(speaker + ": ", strong=True), Text(common.statement_text(item))]
        runs.append(self.note(item.citation))
        if tagged and item.stance:
            runs.append(Text(f" ({common.stance_tag(item)})", quiet=True))
        return runs

    # -- the memo

    def build(self) -> Outline:
        memo, layout = self.memo, self.layout
        self.blocks.append(Header(memo.title, (("TO:", memo.to), ("FROM:", memo.from_), ("DATE:", memo.date),
                                               ("SUBJECT:", memo.subject))))
        self.heading(common.SECTION_BOTTOM_LINE, 1)
        for point in memo.bottom_line:
            self.paragraph(self.claim(point))
        if memo.synthesis:
            self.heading(common.SECTION_SYNTHESIS, 1)
            self.paragraph(self.prose(memo.synthesis))
        self.heading(common.SECTION_KEY_POINTS, 1)
        for point in memo.key_points:
            self.paragraph(self.claim(point), "bullet")
        self.body()
        # The appendix: the evidence behind the body, then where it came from and how.
        self.heading(common.SECTION_APPENDIX, 1, new_page=True)
        if layout.appendix:
            self.appendix()
            self.summaries()
        self.provenance()
        return Outline(tuple(self.blocks))

    def body(self) -> None:
        memo = self.memo
        if memo.stories:
            if memo.disagreements:  # the questions asked, over the whole corpus
                self.disagreements(memo.disagreements, 1)
            for story in memo.stories:
                self.heading(common.story_heading(story), 1)
                self.paragraph([Text(common.story_sources(memo, story))], "note")
                for point in story.key_points:
                    self.paragraph(self.claim(point), "bullet")
                self.consensus(story.consensus, 2)
                self.discrepancies(story.discrepancies, 3)
                self.disagreements(story.disagreements, 2)
        else:
            self.consensus(memo.consensus, 1)
            self.discrepancies(memo.discrepancies, 2)
            self.disagreements(memo.disagreements, 1)
        self.who(full=False)

    def appendix(self) -> None:
        """What the body left out: every consensus point and statement, the full who said
        what, the agreement matrix; nothing is repeated that the body showed in full."""
        memo, layout = self.memo, self.layout
        if memo.stories:
            if memo.disagreements and common.any_cut_statements(memo.disagreements, layout):
                self.disagreements(memo.disagreements, 2, full=True)
            for story in memo.stories:
                if not (story.consensus or story.disagreements or story.agreement):
                    continue
                self.heading(common.story_heading(story), 2)
                if common.cut_consensus(story.consensus, layout):
                    self.consensus(story.consensus, 3, full=True)
                if common.any_cut_statements(story.disagreements, layout):
                    self.disagreements(story.disagreements, 3, full=True)
                self.matrix(story.agreement, [memo.article(i) for i in story.article_ids], 3)
        else:
            if common.cut_consensus(memo.consensus, layout):
                self.consensus(memo.consensus, 2, full=True)
            if common.any_cut_statements(memo.disagreements, layout):
                self.disagreements(memo.disagreements, 2, full=True)
        if common.who_cut(memo, layout):
            self.who(full=True)
        if not memo.stories:
            self.matrix(memo.agreement, memo.articles, 2)

    def consensus(self, groups, level: int, full: bool = False) -> None:
        """The body: each point, its lead statement cited, and ``layout.supporting`` others.
        The appendix (``full``): every point, and every source making it, named and cited
        (the footnote quotes the sentence)."""
        memo, layout = self.memo, self.layout
        self.heading(common.SECTION_CONSENSUS_FULL if full else common.SECTION_CONSENSUS, level)
        if not groups:
            self.quiet("No point is made by two or more independent sources without being contested.")
        for group in groups if full else groups[:layout.consensus]:
            # The point is its lead statement's own words: cited once, then the others that make it.
            lead, *others = group.statements
            runs = [Text(group.point.text, strong=True),
                    Text(f" ({common.speaker_line(memo, lead, plain=True)})"), self.note(lead.citation), Text(" ")]
            for text, citation in common.whose_view(memo, group):
                runs.append(Text(text, quiet=True))
                if citation is not None:
                    runs.append(self.note(citation))
            self.paragraph(runs, "bullet")
            if full and others:
                runs: list = [Text("Also made by: ", quiet=True)]
                for i, item in enumerate(others):
                    runs += [Text(("; " if i else "") + common.speaker_line(memo, item, plain=True)),
                             self.note(item.citation)]
                self.paragraph(runs, "bullet2")
            for item in () if full else others[:layout.supporting]:
                self.paragraph(self.said(item, tagged=False), "bullet2")
        if not full and layout.appendix and common.cut_consensus(groups, layout):
            self.quiet(common.more_in_appendix(groups, layout))

    def discrepancies(self, items, level: int) -> None:
        """Points the sources make with different figures: each point, then each source's
        figure in its own words, cited (a section only where there are some)."""
        if not items:
            return
        self.heading(common.SECTION_DISCREPANCIES, level)
        for item in items:
            runs: list = [Text(item.point.text, strong=True),
                          Text(f" {common.discrepancy_intro(item)} ", quiet=True)]
            for i, (statement, words) in enumerate(common.figures_by_statement(item)):
                runs += [Text(("; " if i else "") + common.figure_line(self.memo, statement, words)),
                         self.note(statement.citation)]
            runs.append(Text("."))
            self.paragraph(runs, "bullet")

    def disagreements(self, items, level: int, full: bool = False) -> None:
        """The body: each question with ``layout.statements`` statements a side (and, for a
        question asked, as many unclear ones).
        The appendix (``full``): the statements the body left out, under the same headings."""
        layout = self.layout
        self.heading(common.SECTION_DISAGREEMENTS_FULL if full else common.SECTION_DISAGREEMENTS, level)
        if full:
            self.quiet("The statements the body leaves out; each footnote quotes the sentence.")
        if not items:
            self.quiet("No contested point was found, and no question was asked.")
        shown, rest = (layout.statements, None) if full else (0, layout.statements)
        for disagreement in items:
            if full and not common.cut_statements(disagreement, layout):
                continue
            self.heading(common.single_quotes(common.heading(disagreement.question)), level + 1)
            if not full:
                answer = common.answer_runs(disagreement)
                if answer:
                    runs: list = [Text(common.ANSWER_LABEL + " ", strong=True)]
                    for text, citation in answer:
                        runs.append(Text(text))
                        if citation is not None:
                            runs.append(self.note(citation))
                    self.paragraph(runs)
                self.quiet(common.disagreement_intro(disagreement))
            for side in disagreement.sides:
                if full and not side.statements[shown:rest]:
                    continue
                self.paragraph([Text(common.side_heading(side), strong=True)])
                if not side.statements:
                    self.paragraph([Text("No statement on this side.", quiet=True)], "bullet")
                for item in side.statements[shown:rest]:
                    self.paragraph(self.said(item, brief=full), "bullet")
            unclear = common.unclear_part(disagreement, layout, full)
            if unclear:
                self.paragraph([Text(common.UNCLEAR_HEADING, strong=True)])
                for item in unclear:
                    self.paragraph(self.said(item, brief=full), "bullet")
            if not full and layout.appendix and common.cut_statements(disagreement, layout):
                self.quiet(common.more_statements(disagreement, layout))
            if disagreement.note and not full:
                self.quiet(disagreement.note)

    def matrix(self, rows, articles, level: int) -> None:
        self.heading(common.SECTION_MATRIX, level)
        if not rows:
            self.quiet("No point is shared or contested across sources.")
            return
        self.paragraph([Text("Green: the source supports the point; red: it carries a statement contesting it; "
                             "grey: it says nothing on it. The points are listed below the table.")], "note")
        cells = []
        for number, line in enumerate(rows, start=1):
            row = [Cell((Text(common.point_label(number)),))]
            for state, evidence in zip(line.cells, line.evidence):
                runs = (Text(common.CELL_TEXT[state]),) + ((self.note(evidence),) if evidence is not None else ())
                row.append(Cell(runs, state))
            cells.append(tuple(row))
        self.blocks.append(Table(("Point", *(a.label for a in articles)), tuple(cells),
                                 common.matrix_widths(len(articles))))
        self.heading(common.SECTION_POINTS, level + 1)
        for number, line in enumerate(rows, start=1):
            self.paragraph([Text(common.point_label(number) + ". ", strong=True),
                            Text(f"{common.matrix_point(line.point.text)} ({line.label})"),
                            *(self.note(c) for c in line.point.citations[:1])], "note")

    def who(self, full: bool) -> None:
        memo = self.memo
        self.heading(common.SECTION_WHO_FULL if full else common.SECTION_WHO, 2 if full else 1)
        rows = memo.who_said_what if full else common.who_rows(memo, self.layout)
        if not rows:
            self.quiet("No named speaker is quoted or reported.")
            return
        cells = tuple((*(Cell((Text(text),)) for text in common.who_cells(row, full)),
                       Cell((self.note(row.statement.citation),))) for row in rows)
        self.blocks.append(Table(common.WHO_COLUMNS if full else common.WHO_COMPACT, cells, common.who_widths(full)))
        if not full and self.layout.appendix and common.who_cut(memo, self.layout):
            self.quiet(common.more_who(memo, self.layout))

    def summaries(self) -> None:
        memo = self.memo
        self.heading(common.SECTION_SOURCES_SUMMARY, 2)
        for summary in memo.source_summaries:
            self.heading(common.source_heading(memo.article(summary.article_id)), 3)
            if summary.generated:
                self.paragraph(self.prose(summary.generated))
            runs: list = []
            if summary.generated and summary.points:
                runs.append(Text(common.OWN_WORDS + " ", quiet=True))
            if not summary.points:
                runs.append(Text("No sentence in this source qualified for a summary.", quiet=True))
            for i, point in enumerate(summary.points[:self.layout.summary]):
                runs += [Text(("" if i == 0 else " ") + point.text), *self.notes(point)]
            self.paragraph(runs)

    def provenance(self) -> None:
        """The appendix's end: the sources list and the method note."""
        memo = self.memo
        self.heading(common.SECTION_SOURCES, 2)
        for article in memo.articles:
            runs: list = [Text(common.source_entry(article))]
            if article.url:
                runs += [Text(" "), Link(article.url)]
            self.paragraph(runs + [Text(f" {common.file_line(article)}", small=True)], "number")
        self.heading(common.SECTION_METHOD, 2)
        for step in memo.method.steps:
            self.paragraph([Text(step)], "note")
        for heading, rows in common.notices_by_kind(memo):  # one paragraph a kind: a list, not a table
            self.paragraph([Text(heading + ": ", strong=True), Text(common.listed(rows))], "note")
        self.paragraph([Text("Versions: " + ", ".join(f"{name} {version}" for name, version in memo.method.versions))],
                       "note")
