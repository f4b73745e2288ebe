"""DOCX export with real Word footnotes and hyperlinks, styled by the shipped template.

python-docx has no footnote or hyperlink API, so both are written through its
OPC/oxml layer: the template carries an (empty) footnotes part; each citation
appends a <w:footnote> there and a <w:footnoteReference> in the body run.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from importlib import resources

from ..model import Memo, Point
from . import common

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _template():
    import docx
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.part import PartFactory, XmlPart

    # Load the footnotes part as XML so footnotes can be appended to it.
    PartFactory.part_type_for.setdefault(CT.WML_FOOTNOTES, XmlPart)
    with resources.files("memo.templates").joinpath("memo.docx").open("rb") as stream:
        return docx.Document(stream)


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
        paragraph.add_run(f" ({common.source_label(memo, point.citations[0])})").italic = True
        cite(paragraph, point)

    document.add_paragraph(memo.title.upper() if memo.title == "Memorandum" else memo.title, style="Title")
    for label, value in (("TO:", memo.to), ("FROM:", memo.from_), ("DATE:", memo.date), ("SUBJECT:", memo.subject)):
        paragraph = document.add_paragraph(style="Memo Header")
        paragraph.add_run(label).bold = True
        paragraph.add_run("\t" + value)

    document.add_heading(common.SECTION_BOTTOM_LINE, level=1)
    for point in memo.bottom_line:
        claim(document.add_paragraph(), point)

    document.add_heading(common.SECTION_KEY_POINTS, level=1)
    for point in memo.key_points:
        claim(document.add_paragraph(style="List Bullet"), point)

    document.add_heading(common.SECTION_SOURCES_SUMMARY, level=1)
    for summary in memo.source_summaries:
        document.add_heading(common.source_heading(memo.article(summary.article_id)), level=2)
        paragraph = document.add_paragraph()
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
