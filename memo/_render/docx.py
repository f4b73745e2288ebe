"""DOCX export with real Word footnotes and hyperlinks, styled by the shipped template.

python-docx has no footnote or hyperlink API, so both are written through its
OPC/oxml layer: the template carries an (empty) footnotes part; each citation
appends a <w:footnote> there and a <w:footnoteReference> in the body run.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from importlib import resources

from .._model import Memo
from . import common
from .outline import Header, Heading, Link, Note, Paragraph, Table, Text, outline

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
    """The memo's footnotes, numbered by the outline: one per source sentence.

    A later use of a sentence repeats its number as a superscript run in the footnote
    reference style, not a second ``w:footnoteReference``: Word allows one reference per
    footnote (it "repairs" a file with two, dropping one), and a NOTEREF field to a bookmark
    in the note shows a stale or empty number in LibreOffice until fields are updated. Both
    programs number footnotes 1, 2, 3 ... in order of their references, and the outline
    numbers them in reading order, so the repeated number is the one the note carries in either."""

    def __init__(self, document):
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        self.part = document.part.part_related_by(RT.FOOTNOTES)
        self.root = self.part.element
        ids = [int(n.get(f"{{{W_NS}}}id")) for n in self.root.iterchildren(f"{{{W_NS}}}footnote")]
        self.first_id = max([0, *ids]) + 1

    def cite(self, paragraph, note: Note) -> None:
        if not note.first:
            paragraph._p.append(_run(str(note.number), "FootnoteReference"))
            return
        self.add(paragraph, self.first_id + note.number - 1, note.text, note.url)

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
    document = _template()
    body = document.element.body
    for child in list(body):
        if child.tag != f"{{{W_NS}}}sectPr":
            body.remove(child)
    _Writer(document).write(outline(memo, layout))
    return _finished(document, memo)


_STYLES = {"body": None, "bullet": "List Bullet", "bullet2": "List Bullet 2", "number": "List Number",
           "note": "Source Note"}


class _Writer:
    """Each block of the outline as Word paragraphs, headings and tables in the template's styles."""

    def __init__(self, document):
        self.document = document
        self.notes = _Footnotes(document)
        self.width = _text_width(document)
        self._style_ids: dict[str | None, str | None] = {}

    def paragraph(self, style: str | None, text: str = ""):
        """``document.add_paragraph(text, style)``, the style's id looked up once per name:
        python-docx scans every style of the template for the default on each assignment
        (0.1 s of a seeds memo's 0.25 s of writing, measured)."""
        if style not in self._style_ids:
            from docx.enum.style import WD_STYLE_TYPE

            styles = self.document.styles
            wanted = styles[style].style_id if style is not None else None
            default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
            self._style_ids[style] = None if default is not None and wanted == default.style_id else wanted
        paragraph = self.document.add_paragraph(text)
        if self._style_ids[style] is not None:
            paragraph._p.style = self._style_ids[style]
        return paragraph

    def write(self, memo_outline) -> None:
        for block in memo_outline.blocks:
            if isinstance(block, Header):
                self.header(block)
            elif isinstance(block, Heading):  # as document.add_heading
                heading = self.paragraph("Title" if block.level == 0 else f"Heading {block.level}", block.text)
                if block.new_page:
                    heading.paragraph_format.page_break_before = True
            elif isinstance(block, Paragraph):
                paragraph = self.paragraph(_STYLES[block.style])
                for run in block.runs:
                    self.run(paragraph, run)
            elif isinstance(block, Table):
                self.table(block)

    def header(self, block: Header) -> None:
        # Word memos set the default title in capitals; one the user chose is kept as typed
        self.paragraph("Title", block.title.upper() if block.title == "Memorandum" else block.title)
        for label, value in block.fields:
            paragraph = self.paragraph("Memo Header")
            paragraph.add_run(label).bold = True
            paragraph.add_run("\t" + value)

    def run(self, paragraph, run) -> None:
        if isinstance(run, Note):
            self.notes.cite(paragraph, run)
        elif isinstance(run, Link):
            paragraph._p.append(_hyperlink(self.document.part, run.url))
        else:
            self.text(paragraph, run)

    @staticmethod
    def text(paragraph, run: Text) -> None:
        from docx.shared import RGBColor

        added = paragraph.add_run(run.text)
        if run.strong:
            added.bold = True
        if run.quiet:
            added.italic = True
        if run.alert:
            added.italic = added.bold = True
            added.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        if run.small:
            added.font.size = _note_size()

    def table(self, block: Table) -> None:
        table = _table(self.document, block.columns, len(block.rows), block.shares, self.width)
        for row, cells in zip(table.rows[1:], block.rows):
            for cell, content in zip(row.cells, cells):
                texts = [run.text for run in content.runs if isinstance(run, Text)]
                if texts:
                    cell.text = "".join(texts)
                if content.state:
                    _shade(cell, common.CELL_SHADE[content.state])
                for run in content.runs:
                    if isinstance(run, Note):
                        self.notes.cite(cell.paragraphs[0], run)
        _small(table)


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
