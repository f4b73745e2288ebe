"""PDF sources: one article per PDF with its pages kept, and a PDF without a text layer skipped."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest

import memo
from memo._clean import clean_document
from memo._errors import InputError
from memo._ingest import read_sources
from memo._prepare import ArticleCache, prepare

def make_pdf(pages: list[list[str]], title: str = "") -> bytes:
    """A minimal PDF: each page's lines in Helvetica, top to bottom (written by hand: no writer library)."""
    def esc(s): return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        stream = "BT /F1 11 Tf 14 TL 72 740 Td " + " ".join(f"({esc(l)}) Tj T*" for l in lines) + " ET"
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {len(objects)} 0 R >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    if title:
        objects.append(f"<< /Title ({esc(title)}) >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    info = f" /Info {len(objects)} 0 R" if title else ""
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


LINE = "The regional council met on Tuesday to debate the new water plan for the valley and its"
PAGES = [
    ["Water Plan Review 2024", LINE, "towns, and members voted to fund two new reservoirs north of the city.", "1"],
    ["Water Plan Review 2024", "Critics said the plan would cost far more than the council has budgeted for the",
     "coming years, and that the council had not even consulted the inter-", "national lenders.", "Page 2 of 4"],
    ["Water Plan Review 2024", "Farmers in the south told the council that the new reservoirs would take water",
     "from their fields during the dry summer months, when rivers run low.", "3"],
    ["Water Plan Review 2024", "The mayor said a final vote on the financing of the plan is expected in March.", "4"],
]


def test_a_pdf_is_one_article_with_its_pages(tmp_path):
    (tmp_path / "review.pdf").write_bytes(make_pdf(PAGES, title="Water Plan Review"))
    (doc,) = read_sources(tmp_path / "review.pdf")
    assert doc.id == "review" and doc.metadata == {"title": "Water Plan Review"}
    article, _ = clean_document(doc)
    lines = article.text.split("\n")
    # Wrapped lines are one paragraph again; the running header and the page numbers are gone.
    assert lines[0] == LINE + " towns, and members voted to fund two new reservoirs north of the city."
    assert "Water Plan Review 2024" not in article.text and "Page 2 of 4" not in article.text
    assert "the international lenders" in article.text  # the hyphen of a wrapped word is removed
    assert len(article.pages) == 4 and article.pages[0] == 0
    for page, phrase in [(1, "two new reservoirs"), (2, "Critics said"), (2, "international lenders"),
                         (3, "Farmers in the south"), (4, "final vote")]:
        assert article.page_at(article.text.index(phrase)) == page, phrase
    assert article.text[article.pages[2]:].startswith("Farmers in the south")


def test_page_numbers_survive_the_article_cache_and_reach_the_memo(tmp_path):
    (tmp_path / "review.pdf").write_bytes(make_pdf(PAGES))
    (doc,) = read_sources(tmp_path / "review.pdf")
    cache = ArticleCache(tmp_path / "articles.sqlite")
    fresh = prepare(doc)
    cache.store([doc], [fresh])
    (cached,) = cache.lookup([doc])
    cache.close()
    assert cached.article == fresh.article and cached.article.pages == fresh.article.pages
    brief = memo.build(tmp_path / "review.pdf", embedder="hashing")
    (article,) = brief.articles
    citation = brief.key_points[0].citations[0]
    assert article.page_at(citation.start) in (1, 2, 3, 4)
    assert json.loads(brief.to_json())["articles"][0]["pages"] == list(article.pages)


def test_a_pdf_without_a_text_layer_is_skipped_with_the_reason(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    (tmp_path / "scan.pdf").write_bytes(buffer.getvalue())
    (doc,) = read_sources(tmp_path / "scan.pdf")
    assert doc.text == "" and doc.skipped.startswith("the PDF has no text layer (3 pages")
    (tmp_path / "note.txt").write_text("The council approved the water plan on Monday after a long debate, "
                                       "officials said. Two reservoirs will be built north of the city.\n")
    brief = memo.build(tmp_path, embedder="hashing")
    assert [a.id for a in brief.articles] == ["note"]
    assert [(n.source.rsplit("/", 1)[-1], n.detail) for n in brief.method.notices if n.kind == "skipped"] == [
        ("scan.pdf", doc.skipped)]
    assert "pages" not in brief.to_dict()["articles"][0]  # other sources' JSON is as before


def test_a_broken_pdf_is_one_clear_error(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF\n")
    with pytest.raises(InputError, match=r"broken.pdf: not a readable PDF"):
        read_sources(tmp_path / "broken.pdf", strict=True)
    (doc,) = read_sources(tmp_path / "broken.pdf")  # by default: skipped, with the reason
    assert doc.text == "" and doc.skipped.startswith("not a readable PDF")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_pdf_written_by_libreoffice_is_read_with_its_pages(tmp_path):
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.add_paragraph("The regional council approved the water plan on Monday after a long debate.")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("Critics said the plan would cost far more than the council has budgeted.")
    document.save(tmp_path / "memo.docx")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "memo.docx")], check=True, capture_output=True, timeout=120)
    article, _ = clean_document(read_sources(tmp_path / "memo.pdf")[0])
    assert article.page_at(article.text.index("Critics said")) == 2
    assert article.page_at(article.text.index("approved the water plan")) == 1
