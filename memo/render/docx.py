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
    def __init__(self, document):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        self.part = document.part.part_related_by(RT.FOOTNOTES)
        self.root = self.part.element
        ids = [int(n.get(f"{{{W_NS}}}id")) for n in self.root.iterchildren(f"{{{W_NS}}}footnote")]
        self.next_id = max([0, *ids]) + 1

    def add(self, paragraph, text: str, url: str = "") -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        number = self.next_id
        self.next_id += 1
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


def render_docx(memo: Memo) -> bytes:
    from docx.shared import RGBColor

    document = _template()
    body = document.element.body
    for child in list(body):
        if child.tag != f"{{{W_NS}}}sectPr":
            body.remove(child)
    notes = _Footnotes(document)

    def cite(paragraph, point: Point) -> None:
        for citation in point.citations:
            text, url = common.footnote_parts(memo.article(citation.article_id), citation)
            notes.add(paragraph, text, url)

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

    _comparison(document, memo, notes, claim)

    document.add_heading(common.SECTION_SOURCES_SUMMARY, level=1)
    for summary in memo.source_summaries:
        document.add_heading(common.source_heading(memo.article(summary.article_id)), level=2)
        if summary.generated:
            prose(document.add_paragraph(), summary.generated)
        paragraph = document.add_paragraph()
        if summary.generated and summary.points:
            paragraph.add_run(common.OWN_WORDS + " ").italic = True
        if not summary.points:
            paragraph.add_run("No sentence in this source qualified for a summary.").italic = True
        for i, point in enumerate(summary.points):
            paragraph.add_run(("" if i == 0 else " ") + point.text)
            cite(paragraph, point)

    document.add_heading(common.SECTION_SOURCES, level=1)
    for article in memo.articles:
        paragraph = document.add_paragraph(common.source_entry(article), style="List Number")
        if article.url:
            paragraph.add_run(" ")
            paragraph._p.append(_hyperlink(document.part, article.url))
        note = document.add_paragraph(f"File: {article.source}. SHA-256: {article.sha256}", style="Source Note")
        note.paragraph_format.left_indent = paragraph.paragraph_format.left_indent

    document.add_heading(common.SECTION_METHOD, level=1)
    for step in memo.method.steps:
        document.add_paragraph(step, style="List Bullet")
    for heading, rows in common.notices_by_kind(memo):
        document.add_paragraph().add_run(heading).bold = True
        for row in rows:
            document.add_paragraph(row, style="Source Note")
    document.add_paragraph(
        "Versions: " + ", ".join(f"{name} {version}" for name, version in memo.method.versions), style="Source Note")

    properties = document.core_properties
    properties.title = memo.subject
    properties.subject = memo.subject
    properties.author = memo.from_
    properties.comments = "Built by memo from: " + ", ".join(a.id for a in memo.articles)
    stamp = _stamp(memo.date)
    properties.created = properties.modified = stamp
    properties.last_modified_by = memo.from_
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_timestamps(buffer.getvalue(), stamp)


def _comparison(document, memo: Memo, notes: _Footnotes, claim) -> None:
    """Consensus, disagreements, who said what and the shaded agreement matrix; for a
    corpus of several stories, the asked questions and then a section per story."""

    def cite(paragraph, citation: Citation) -> None:
        text, url = common.footnote_parts(memo.article(citation.article_id), citation)
        notes.add(paragraph, text, url)

    def said(paragraph, item: Statement, tagged: bool = True) -> None:
        paragraph.add_run(common.speaker_line(memo, item) + ": ").bold = True
        paragraph.add_run(common.quoted(item.citation.quote))
        cite(paragraph, item.citation)
        if tagged and item.stance:
            paragraph.add_run(f" ({common.stance_tag(item)})").italic = True

    def empty(text: str) -> None:
        document.add_paragraph().add_run(text).italic = True

    def consensus(groups, level: int) -> None:
        document.add_heading(common.SECTION_CONSENSUS, level=level)
        if not groups:
            empty("No point is made by two or more independent sources without being contested.")
        for group in groups:
            # The point is its lead statement's own words: cited once, then the others that make it.
            lead, *others = group.statements
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(group.point.text).bold = True
            paragraph.add_run(f" ({common.speaker_line(memo, lead)})")
            cite(paragraph, lead.citation)
            paragraph.add_run(f" {common.consensus_line(memo, group)}.").italic = True
            for item in others:
                said(document.add_paragraph(style="List Bullet 2"), item, tagged=False)

    def disagreements(items, level: int) -> None:
        document.add_heading(common.SECTION_DISAGREEMENTS, level=level)
        if not items:
            empty("No contested point was found, and no question was asked.")
        for disagreement in items:
            document.add_heading(disagreement.question, level=level + 1)
            empty(common.disagreement_intro(disagreement))
            for side in disagreement.sides:
                document.add_paragraph().add_run(common.side_heading(side)).bold = True
                if not side.statements:
                    document.add_paragraph(style="List Bullet").add_run("No statement on this side.").italic = True
                for item in side.statements:
                    said(document.add_paragraph(style="List Bullet"), item)
            if disagreement.unclear:
                document.add_paragraph().add_run("Unclear (stance not called with confidence)").bold = True
                for item in disagreement.unclear:
                    said(document.add_paragraph(style="List Bullet"), item)
            if disagreement.note:
                empty(disagreement.note)

    def matrix(rows, articles, level: int) -> None:
        document.add_heading(common.SECTION_MATRIX, level=level)
        if not rows:
            empty("No point is shared or contested across sources.")
            return
        document.add_paragraph("Green: the source supports the point; red: it carries a statement contesting it; "
                               "grey: it says nothing on it.", style="Source Note")
        share = 4.3 / max(1, len(articles))
        table = _table(document, ["Point"] + [a.label for a in articles], len(rows),
                       widths=(2.1,) + (share,) * len(articles))
        for row, line in zip(table.rows[1:], rows):
            row.cells[0].text = f"{common.matrix_point(line.point.text)} ({line.label})"
            for cell, state, evidence in zip(row.cells[1:], line.cells, line.evidence):
                cell.text = common.CELL_TEXT[state]
                _shade(cell, common.CELL_SHADE[state])
                if evidence is not None:
                    cite(cell.paragraphs[0], evidence)

    if memo.stories:
        if memo.disagreements:  # the questions asked, over the whole corpus
            disagreements(memo.disagreements, 1)
        for story in memo.stories:
            document.add_heading(common.story_heading(story), level=1)
            document.add_paragraph(common.story_sources(memo, story), style="Source Note")
            for point in story.key_points:
                claim(document.add_paragraph(style="List Bullet"), point)
            consensus(story.consensus, 2)
            disagreements(story.disagreements, 2)
            matrix(story.agreement, [memo.article(i) for i in story.article_ids], 2)
    else:
        consensus(memo.consensus, 1)
        disagreements(memo.disagreements, 1)

    document.add_heading(common.SECTION_WHO, level=1)
    if not memo.who_said_what:
        empty("No named speaker is quoted or reported.")
    else:
        table = _table(document, common.WHO_COLUMNS, len(memo.who_said_what), widths=(1.1, 1.4, 1.0, 2.3, 0.6))
        for row, position in zip(table.rows[1:], memo.who_said_what):
            for cell, text in zip(row.cells, (position.speaker, position.role, position.outlet,
                                              common.who_position(position))):
                cell.text = text
            cite(row.cells[4].paragraphs[0], position.statement.citation)

    if not memo.stories:
        matrix(memo.agreement, memo.articles, 1)


def _table(document, headings, rows: int, widths: tuple[float, ...]):
    from docx.shared import Inches

    table = document.add_table(rows=rows + 1, cols=len(headings))
    table.style = document.styles["Table Grid"]
    table.autofit = False
    for column, width in zip(table.columns, widths):  # inches; Word reads the cell widths
        for cell in column.cells:
            cell.width = Inches(width)
    for cell, heading in zip(table.rows[0].cells, headings):
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
    _repeat_header(table.rows[0])
    return table


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement

    header = OxmlElement("w:tblHeader")  # the heading row repeats on every page
    row._tr.get_or_add_trPr().append(header)


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
