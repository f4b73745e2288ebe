"""Regenerate memo/templates/memo.docx, the Word template every memo is styled from.

Run once after changing the house style:  .venv/bin/python tools/make_template.py
The template holds the styles (fonts, headings, footnote text and reference,
hyperlink, memo header, source note) and an empty footnotes part with Word's
separator footnotes, so memos carry real footnotes. Edit it in Word to restyle.
"""

from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Cm, Pt, RGBColor

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TARGET = Path(__file__).resolve().parents[1] / "memo" / "templates" / "memo.docx"

FOOTNOTES = f"""<w:footnotes xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
</w:footnotes>"""


def main() -> None:
    document = docx.Document()
    for paragraph in list(document.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)

    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    for name, size in (("Title", 22), ("Heading 1", 14), ("Heading 2", 12)):
        style = styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)

    footnote_text = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
    footnote_text.base_style = normal
    footnote_text.font.size = Pt(9)
    footnote_text.paragraph_format.space_after = Pt(2)
    footnote_text.paragraph_format.line_spacing = 1.0  # single, as Word's own: notes are dense reference text
    footnote_reference = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    footnote_reference.font.superscript = True
    hyperlink = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    hyperlink.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    hyperlink.font.underline = True
    header = styles.add_style("Memo Header", WD_STYLE_TYPE.PARAGRAPH)
    header.base_style = normal
    header.paragraph_format.space_after = Pt(2)
    header.paragraph_format.tab_stops.add_tab_stop(Cm(2.6))
    header.paragraph_format.left_indent = Cm(2.6)  # long SUBJECT lines wrap under the value
    header.paragraph_format.first_line_indent = Cm(-2.6)
    note = styles.add_style("Source Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(9)
    note.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    note.paragraph_format.line_spacing = 1.0
    for name in ("Footnote Text", "Footnote Reference", "Hyperlink", "Memo Header", "Source Note"):
        styles[name].hidden = False
        styles[name].quick_style = True

    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, FOOTNOTES.encode("utf-8"), document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    settings = document.settings.element
    settings.insert(0, parse_xml(
        f'<w:footnotePr xmlns:w="{W}"><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'))
    document.core_properties.title = "Memorandum"
    document.core_properties.author = "memo"
    document.save(TARGET)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
