"""DOCX export with real Word footnotes and hyperlinks, styled by the shipped template.

python-docx has no footnote or hyperlink API, so both are written through its
OPC/oxml layer: the template carries an (empty) footnotes part; each citation
appends a <w:footnote> there and a <w:footnoteReference> in the body run.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from importlib import resources

from ..model import Citation, Memo, Point, Statement
from . import common

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _template():
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.part import XmlPart

    with resources.files("memo.templates").joinpath("memo.docx").open("rb") as stream:
        document = docx.Document(stream)
    # python-docx reads the footnotes part as bytes; footnotes are appended to its XML, so
    # this document's part is swapped for an XML one. Registering XmlPart in python-docx's
    # global PartFactory would do the same for every document the process opens.
    for rel in document.part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not isinstance(rel.target_part, XmlPart):
            plain = rel.target_part
            part = XmlPart.load(plain.partname, plain.content_type, plain.blob, plain.package)
            for inner in plain.rels.values():
                part.load_rel(inner.reltype, inner._target, inner.rId, inner.is_external)
            rel._target = part
    return document


class _Footnotes:
    """The memo's footnotes: one per source sentence (``common.Notes`` numbers them).

    A later use of a sentence repeats its number as a superscript run in the footnote
    reference style, not a second ``w:footnoteReference``: Word allows one reference per
    footnote (it "repairs" a file with two, dropping one), and a NOTEREF field to a bookmark
    in the note shows a stale or empty number in LibreOffice until fields are updated. Both
    programs number footnotes 1, 2, 3 ... in order of their references, and memo writes the
    notes in reading order, so the repeated number is the one the note carries in either."""

    def __init__(self, document):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        self.part = document.part.part_related_by(RT.FOOTNOTES)
        self.root = self.part.element
        ids = [int(n.get(f"{{{W_NS}}}id")) for n in self.root.iterchildren(f"{{{W_NS}}}footnote")]
        self.first_id = max([0, *ids]) + 1
        self.numbers = common.Notes()

    def cite(self, paragraph, memo: Memo, citation: Citation) -> None:
        number, first = self.numbers.cite(citation)
        if not first:
            paragraph._p.append(_run(str(number), "FootnoteReference"))
            return
        text, url = common.footnote_parts(memo.article(citation.article_id), citation)
        self.add(paragraph, self.first_id + number - 1, text, url)

    def add(self, paragraph, number: int, text: str, url: str = "") -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        footnote = OxmlElement("w:footnote")
        footnote.set(qn("w:id"), str(number))
        p = OxmlElement("w:p")
        p_pr = OxmlElement("w:pPr")
        p_style = OxmlElement("w:pStyle")
        p_style.set(qn("w:val"), "FootnoteText")
        p_pr.append(p_style)
        p.append(p_pr)
        mark = _run("", "FootnoteReference")
        mark.append(OxmlElement("w:footnoteRef"))
        p.append(mark)
        p.append(_run(" " + text))
        if url:
            p.append(_run(" "))
            p.append(_hyperlink(self.part, url))
        footnote.append(p)
        self.root.append(footnote)
        reference = _run("", "FootnoteReference")
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(number))
        reference.append(ref)
        paragraph._p.append(reference)


def _run(text: str, style: str | None = None):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = OxmlElement("w:r")
    if style:
        r_pr = OxmlElement("w:rPr")
        r_style = OxmlElement("w:rStyle")
        r_style.set(qn("w:val"), style)
        r_pr.append(r_style)
        run.append(r_pr)
    if text:
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        run.append(t)
    return run


def _hyperlink(part, url: str):
    """A <w:hyperlink> to ``url``, related from ``part`` (the body or the footnotes)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), part.relate_to(url, RT.HYPERLINK, is_external=True))
    link.append(_run(url, "Hyperlink"))
    return link


def render_docx(memo: Memo, layout: common.Layout | None = None) -> bytes:
    from docx.shared import RGBColor

    layout = layout or common.Layout()
    document = _template()
    body = document.element.body
    for child in list(body):
        if child.tag != f"{{{W_NS}}}sectPr":
            body.remove(child)
    notes = _Footnotes(document)
    width = _text_width(document)

    def cite(paragraph, point: Point) -> None:
        for citation in point.citations:
            notes.cite(paragraph, memo, citation)

    def claim(paragraph, point: Point) -> None:
        paragraph.add_run(point.text)
        if point.flag:  # generated and unsupported: visibly marked, never cited
            marker = paragraph.add_run(common.flag_marker(point))
            marker.italic = marker.bold = True
            marker.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
            return
        if common.is_extracted(point):
            paragraph.add_run(f" ({common.source_label(memo, point.citations[0])})").italic = True
        cite(paragraph, point)

    def prose(paragraph, points) -> None:
        for i, point in enumerate(points):
            if i:
                paragraph.add_run(" ")
            if point.flag:
                claim(paragraph, point)
            else:
                paragraph.add_run(point.text)
                cite(paragraph, point)

    document.add_paragraph(memo.title.upper() if memo.title == "Memorandum" else memo.title, style="Title")
    for label, value in (("TO:", memo.to), ("FROM:", memo.from_), ("DATE:", memo.date), ("SUBJECT:", memo.subject)):
        paragraph = document.add_paragraph(style="Memo Header")
        paragraph.add_run(label).bold = True
        paragraph.add_run("\t" + value)

    document.add_heading(common.SECTION_BOTTOM_LINE, level=1)
    for point in memo.bottom_line:
        claim(document.add_paragraph(), point)

    if memo.synthesis:
        document.add_heading(common.SECTION_SYNTHESIS, level=1)
        prose(document.add_paragraph(), memo.synthesis)

    document.add_heading(common.SECTION_KEY_POINTS, level=1)
    for point in memo.key_points:
        claim(document.add_paragraph(style="List Bullet"), point)

    comparison = _Comparison(document, memo, notes, claim, layout, width)
    comparison.body()

    # The appendix: the evidence behind the body, then where it came from and how.
    document.add_heading(common.SECTION_APPENDIX, level=1).paragraph_format.page_break_before = True
    if layout.appendix:
        comparison.appendix()
        document.add_heading(common.SECTION_SOURCES_SUMMARY, level=2)
        for summary in memo.source_summaries:
            document.add_heading(common.source_heading(memo.article(summary.article_id)), level=3)
            if summary.generated:
                prose(document.add_paragraph(), summary.generated)
            paragraph = document.add_paragraph()
            if summary.generated and summary.points:
                paragraph.add_run(common.OWN_WORDS + " ").italic = True
            if not summary.points:
                paragraph.add_run("No sentence in this source qualified for a summary.").italic = True
            for i, point in enumerate(summary.points[:layout.summary]):
                paragraph.add_run(("" if i == 0 else " ") + point.text)
                cite(paragraph, point)

    _provenance(document, memo)
    return _finished(document, memo)


def _provenance(document, memo: Memo) -> None:
    """The appendix's end: the sources list and the method note."""
    document.add_heading(common.SECTION_SOURCES, level=2)
    for article in memo.articles:
        paragraph = document.add_paragraph(common.source_entry(article), style="List Number")
        if article.url:
            paragraph.add_run(" ")
            paragraph._p.append(_hyperlink(document.part, article.url))
        paragraph.add_run(f" {common.file_line(article)}").font.size = _note_size()

    document.add_heading(common.SECTION_METHOD, level=2)
    for step in memo.method.steps:  # in the note size: provenance, read when it is needed
        document.add_paragraph(step, style="Source Note")
    for heading, rows in common.notices_by_kind(memo):  # one paragraph a kind: a list, not a table
        paragraph = document.add_paragraph(style="Source Note")
        paragraph.add_run(heading + ": ").bold = True
        paragraph.add_run(common.listed(rows))
    document.add_paragraph(
        "Versions: " + ", ".join(f"{name} {version}" for name, version in memo.method.versions), style="Source Note")


def _finished(document, memo: Memo) -> bytes:
    """The document's properties set from the memo (its date as every timestamp), saved."""
    properties = document.core_properties
    properties.title = _property(memo.subject)
    properties.subject = _property(memo.subject)
    properties.author = _property(memo.from_)
    properties.comments = _comments(memo)
    stamp = _stamp(memo.date)
    properties.created = properties.modified = stamp
    properties.last_modified_by = _property(memo.from_)
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_timestamps(buffer.getvalue(), stamp)


COMMENTS_LIMIT = 255  # characters a core property holds (python-docx refuses more)


def _property(text: str) -> str:
    """A header line as a core property: cut with "…" past the limit (a long --subject)."""
    return text if len(text) <= COMMENTS_LIMIT else text[:COMMENTS_LIMIT - 1].rstrip() + "…"


def _comments(memo: Memo) -> str:
    """ "Built by memo from: a, b, c", cut with "… (N sources)" where the ids would pass the limit."""
    ids = [a.id for a in memo.articles]
    text = "Built by memo from: " + ", ".join(ids)
    if len(text) <= COMMENTS_LIMIT:
        return text
    tail = f", … ({len(ids)} sources)"
    return text[:COMMENTS_LIMIT - len(tail)].rsplit(", ", 1)[0] + tail


class _Comparison:
    """Consensus, disagreements, who said what and the shaded agreement matrix: in the body
    as much as ``layout`` allows, in the appendix in full. For a corpus of several stories,
    the asked questions and then a section per story."""

    def __init__(self, document, memo: Memo, notes: _Footnotes, claim, layout: common.Layout, width: int):
        self.document, self.memo, self.notes, self.claim = document, memo, notes, claim
        self.layout, self.width = layout, width

    def cite(self, paragraph, citation: Citation) -> None:
        self.notes.cite(paragraph, self.memo, citation)

    def said(self, paragraph, item: Statement, tagged: bool = True, brief: bool = False) -> None:
        """A statement: who, then their words, cited. ``brief`` (the appendix's lists): who,
        cited, the footnote quoting the words."""
        if brief:
            paragraph.add_run(common.speaker_line(self.memo, item)).bold = True
        else:
            paragraph.add_run(common.speaker_line(self.memo, item) + ": ").bold = True
            paragraph.add_run(common.statement_text(item))
        self.cite(paragraph, item.citation)
        if tagged and item.stance:
            paragraph.add_run(f" ({common.stance_tag(item)})").italic = True

    def empty(self, text: str) -> None:
        self.document.add_paragraph().add_run(text).italic = True

    def consensus(self, groups, level: int, full: bool = False) -> None:
        """The body: each point, its lead statement cited, and ``layout.supporting`` others.
        The appendix (``full``): every point, and every source making it, named and cited
        (the footnote quotes the sentence)."""
        document, memo = self.document, self.memo
        document.add_heading(common.SECTION_CONSENSUS_FULL if full else common.SECTION_CONSENSUS, level=level)
        if not groups:
            self.empty("No point is made by two or more independent sources without being contested.")
        shown = groups if full else groups[:self.layout.consensus]
        for group in shown:
            # The point is its lead statement's own words: cited once, then the others that make it.
            lead, *others = group.statements
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(group.point.text).bold = True
            paragraph.add_run(f" ({common.speaker_line(memo, lead, plain=True)})")
            self.cite(paragraph, lead.citation)
            paragraph.add_run(f" {common.consensus_line(memo, group)}.").italic = True
            if full and others:
                paragraph = document.add_paragraph(style="List Bullet 2")
                paragraph.add_run("Also made by: ").italic = True
                for i, item in enumerate(others):
                    paragraph.add_run(("; " if i else "") + common.speaker_line(memo, item, plain=True))
                    self.cite(paragraph, item.citation)
            for item in () if full else others[:self.layout.supporting]:
                self.said(document.add_paragraph(style="List Bullet 2"), item, tagged=False)
        if not full and self.layout.appendix and common.cut_consensus(groups, self.layout):
            self.empty(common.more_in_appendix(groups, self.layout))

    def disagreements(self, items, level: int, full: bool = False) -> None:
        """The body: each question with ``layout.statements`` statements a side (and, for a
        question asked, as many unclear ones).
        The appendix (``full``): the statements the body left out, under the same headings."""
        document = self.document
        document.add_heading(common.SECTION_DISAGREEMENTS_FULL if full else common.SECTION_DISAGREEMENTS,
                             level=level)
        if full:
            self.empty("The statements the body leaves out; each footnote quotes the sentence.")
        if not items:
            self.empty("No contested point was found, and no question was asked.")
        shown, rest = (self.layout.statements, None) if full else (0, self.layout.statements)
        for disagreement in items:
            if full and not common.cut_statements(disagreement, self.layout):
                continue
            document.add_heading(common.single_quotes(common.heading(disagreement.question)), level=level + 1)
            if not full:
                runs = common.answer_runs(disagreement)
                if runs:
                    paragraph = document.add_paragraph()
                    paragraph.add_run(common.ANSWER_LABEL + " ").bold = True
                    for text, citation in runs:
                        paragraph.add_run(text)
                        if citation is not None:
                            self.cite(paragraph, citation)
                self.empty(common.disagreement_intro(disagreement))
            for side in disagreement.sides:
                if full and not side.statements[shown:rest]:
                    continue
                document.add_paragraph().add_run(common.side_heading(side)).bold = True
                if not side.statements:
                    document.add_paragraph(style="List Bullet").add_run("No statement on this side.").italic = True
                for item in side.statements[shown:rest]:
                    self.said(document.add_paragraph(style="List Bullet"), item, brief=full)
            unclear = common.unclear_part(disagreement, self.layout, full)
            if unclear:
                document.add_paragraph().add_run(common.UNCLEAR_HEADING).bold = True
                for item in unclear:
                    self.said(document.add_paragraph(style="List Bullet"), item, brief=full)
            if not full and self.layout.appendix and common.cut_statements(disagreement, self.layout):
                self.empty(common.more_statements(disagreement, self.layout))
            if disagreement.note and not full:
                self.empty(disagreement.note)

    def matrix(self, rows, articles, level: int) -> None:
        document = self.document
        document.add_heading(common.SECTION_MATRIX, level=level)
        if not rows:
            self.empty("No point is shared or contested across sources.")
            return
        document.add_paragraph("Green: the source supports the point; red: it carries a statement contesting it; "
                               "grey: it says nothing on it. The points are listed below the table.",
                               style="Source Note")
        table = _table(document, ["Point"] + [a.label for a in articles], len(rows),
                       common.matrix_widths(len(articles)), self.width)
        for number, (row, line) in enumerate(zip(table.rows[1:], rows), start=1):
            row.cells[0].text = common.point_label(number)
            for cell, state, evidence in zip(row.cells[1:], line.cells, line.evidence):
                cell.text = common.CELL_TEXT[state]
                _shade(cell, common.CELL_SHADE[state])
                if evidence is not None:
                    self.cite(cell.paragraphs[0], evidence)
        _small(table)
        document.add_heading(common.SECTION_POINTS, level=level + 1)
        for number, line in enumerate(rows, start=1):
            paragraph = document.add_paragraph(style="Source Note")
            paragraph.add_run(common.point_label(number) + ". ").bold = True
            paragraph.add_run(f"{common.matrix_point(line.point.text)} ({line.label})")
            for citation in line.point.citations[:1]:
                self.cite(paragraph, citation)

    def who(self, full: bool) -> None:
        document, memo = self.document, self.memo
        document.add_heading(common.SECTION_WHO_FULL if full else common.SECTION_WHO, level=2 if full else 1)
        rows = memo.who_said_what if full else common.who_rows(memo, self.layout)
        if not rows:
            self.empty("No named speaker is quoted or reported.")
            return
        columns = common.WHO_COLUMNS if full else common.WHO_COMPACT
        table = _table(document, columns, len(rows), common.who_widths(full), self.width)
        for row, position in zip(table.rows[1:], rows):
            texts = common.who_cells(position, full)
            for cell, text in zip(row.cells, texts):
                cell.text = text
            self.cite(row.cells[len(texts)].paragraphs[0], position.statement.citation)
        _small(table)
        if not full and self.layout.appendix and common.who_cut(memo, self.layout):
            self.empty(common.more_who(memo, self.layout))

    def body(self) -> None:
        memo, document = self.memo, self.document
        if memo.stories:
            if memo.disagreements:  # the questions asked, over the whole corpus
                self.disagreements(memo.disagreements, 1)
            for story in memo.stories:
                document.add_heading(common.story_heading(story), level=1)
                document.add_paragraph(common.story_sources(memo, story), style="Source Note")
                for point in story.key_points:
                    self.claim(document.add_paragraph(style="List Bullet"), point)
                self.consensus(story.consensus, 2)
                self.disagreements(story.disagreements, 2)
        else:
            self.consensus(memo.consensus, 1)
            self.disagreements(memo.disagreements, 1)
        self.who(full=False)

    def appendix(self) -> None:
        """What the body left out: every consensus point and statement, the full who said
        what, the agreement matrix; nothing is repeated that the body showed in full."""
        memo, document = self.memo, self.document
        if memo.stories:
            if memo.disagreements and common.any_cut_statements(memo.disagreements, self.layout):
                self.disagreements(memo.disagreements, 2, full=True)
            for story in memo.stories:
                if not (story.consensus or story.disagreements or story.agreement):
                    continue
                document.add_heading(common.story_heading(story), level=2)
                if common.cut_consensus(story.consensus, self.layout):
                    self.consensus(story.consensus, 3, full=True)
                if common.any_cut_statements(story.disagreements, self.layout):
                    self.disagreements(story.disagreements, 3, full=True)
                self.matrix(story.agreement, [memo.article(i) for i in story.article_ids], 3)
        else:
            if common.cut_consensus(memo.consensus, self.layout):
                self.consensus(memo.consensus, 2, full=True)
            if common.any_cut_statements(memo.disagreements, self.layout):
                self.disagreements(memo.disagreements, 2, full=True)
        if common.who_cut(memo, self.layout):
            self.who(full=True)
        if not memo.stories:
            self.matrix(memo.agreement, memo.articles, 2)


def _text_width(document) -> int:
    """The page's text width in twentieths of a point (twips), from the template's section."""
    section = document.sections[-1]
    return int((section.page_width - section.left_margin - section.right_margin) / 635)


def _table(document, headings, rows: int, shares: tuple[float, ...], width: int):
    """A table as wide as the text, columns split by ``shares``; the grid (``w:gridCol``, which
    LibreOffice follows) and every cell (``w:tcW``, which Word reads) carry the same widths in
    twips, the layout is fixed, the heading row repeats on each page and no row splits
    across pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Twips

    widths = common.split_width(width, shares)
    table = document.add_table(rows=rows + 1, cols=len(headings))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(width))
    tbl_w.set(qn("w:type"), "dxa")
    for column, twips in zip(table._tbl.tblGrid.iterchildren(qn("w:gridCol")), widths):
        column.set(qn("w:w"), str(twips))
    for row in table.rows:
        for cell, twips in zip(row.cells, widths):
            cell.width = Twips(twips)
        _row_flag(row, "w:cantSplit")
    for cell, heading in zip(table.rows[0].cells, headings):
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
    _row_flag(table.rows[0], "w:tblHeader")  # the heading row repeats on every page
    return table


def _note_size():
    from docx.shared import Pt

    return Pt(9)


def _small(table) -> None:
    """Table text a size below the body's, as footnotes are: rows stay a few lines high."""
    from docx.shared import Pt

    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)


def _row_flag(row, tag: str) -> None:
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement(tag))


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _fixed_timestamps(package: bytes, stamp: datetime) -> bytes:
    """Re-zip with every entry dated ``stamp`` (python-docx uses the wall clock), so the
    same memo always gives the same bytes."""
    import zipfile

    date_time = (max(1980, stamp.year), stamp.month, stamp.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def _stamp(day: str) -> datetime:
    try:
        return datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
    except ValueError:
        return datetime(1980, 1, 1, tzinfo=timezone.utc)
