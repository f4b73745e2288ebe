import io
import json
import re
import shutil
import subprocess
import zipfile

import docx
import pytest

import memo
from memo.errors import OutputError
from memo.render import save_memo

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _footnotes(data: bytes) -> list[str]:
    """Texts of the real (non-separator) footnotes in a DOCX."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/footnotes.xml"))
    notes = [n for n in root.iter(W + "footnote") if int(n.get(W + "id")) > 0]
    return ["".join(t.text or "" for t in n.iter(W + "t")).strip() for n in notes]


def _all_citations(brief: memo.Memo):
    return brief.citations()


def _json_citations(data: dict) -> list[dict]:
    """The citations of a memo's JSON export, in reading order, read from the JSON alone."""
    out = [c for section in ("bottom_line", "key_points") for p in data[section] for c in p["citations"]]
    out += [s["citation"] for g in data["consensus"] for s in g["statements"]]
    for disagreement in data["disagreements"]:
        out += [s["citation"] for side in disagreement["sides"] for s in side["statements"]]
        out += [s["citation"] for s in disagreement["unclear"]]
    out += [row["statement"]["citation"] for row in data["who_said_what"]]
    out += [c for row in data["agreement"] for c in row["evidence"] if c is not None]
    out += [c for s in data["source_summaries"] for p in s["points"] for c in p["citations"]]
    return out


def test_docx_has_real_footnotes_one_per_citation_quoting_the_source(seed_memo, tmp_path):
    path = seed_memo.save(tmp_path / "brief.docx")
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        types = package.read("[Content_Types].xml").decode()
        body = package.read("word/document.xml").decode()
        rels = package.read("word/_rels/document.xml.rels").decode()
    assert "wordprocessingml.footnotes+xml" in types and "relationships/footnotes" in rels
    citations = _all_citations(seed_memo)
    notes = _footnotes(data)
    assert len(notes) == len(citations) == body.count("<w:footnoteReference")
    for note, citation in zip(notes, citations):
        article = seed_memo.article(citation.article_id)
        assert note.endswith(f". “{citation.quote}”")  # seeds have no URLs, so the quote ends the note
        assert " ".join(citation.quote.split()) in " ".join(article.text.split())
        assert (article.outlet or "Outlet unknown") in note
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == ["Bottom Line Up Front", "Key Points", "Consensus", "Disagreements", "Who Said What",
                        "Agreement by Source", "Summaries by Source", "Sources", "Method"]
    assert [p.text.split("\t")[0] for p in document.paragraphs[1:5]] == ["TO:", "FROM:", "DATE:", "SUBJECT:"]
    assert "Footnote Text" in [s.name for s in document.styles]


def test_markdown_and_json_carry_the_same_points_and_citations_as_the_docx(seed_memo, tmp_path):
    docx_notes = _footnotes(seed_memo.save(tmp_path / "b.docx").read_bytes())
    markdown = seed_memo.save(tmp_path / "b.md").read_text(encoding="utf-8")
    md_notes = [re.sub(r"\\(.)", r"\1", m) for m in re.findall(r"^\[\^\d+\]: (.*)$", markdown, re.M)]
    assert md_notes == docx_notes
    data = json.loads(seed_memo.save(tmp_path / "b.json").read_text(encoding="utf-8"))
    assert [p["text"] for p in data["key_points"]] == [p.text for p in seed_memo.key_points]
    json_citations = _json_citations(data)
    assert [(c["article_id"], c["start"], c["end"], c["quote"]) for c in json_citations] == [
        (c.article_id, c.start, c.end, c.quote) for c in _all_citations(seed_memo)]
    texts = {a["id"]: a["text"] for a in data["articles"]}
    assert all(texts[c["article_id"]][c["start"]:c["end"]] == c["quote"] for c in json_citations)


def test_known_urls_become_hyperlinks_in_footnotes_and_sources(tmp_path):
    brief = memo.build([
        {"text": "The port reopened on Friday after a week of strikes, officials said.", "outlet": "Harbour News",
         "url": "https://harbour.test/port", "title": "Port reopens", "date": "2024-05-03"},
        {"text": "Dock workers ended their strike after a pay deal was reached late on Thursday.",
         "outlet": "Labour Daily"},
    ], embedder="hashing", key_points=1)
    data = brief.save(tmp_path / "links.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        footnote_rels = package.read("word/_rels/footnotes.xml.rels").decode()
        footnotes = package.read("word/footnotes.xml").decode()
        document_rels = package.read("word/_rels/document.xml.rels").decode()
    assert 'Target="https://harbour.test/port"' in footnote_rels and 'TargetMode="External"' in footnote_rels
    assert "<w:hyperlink" in footnotes
    assert "https://harbour.test/port" in document_rels
    assert any("Harbour News, “Port reopens”, 2024-05-03." in n for n in _footnotes(data))


def test_markdown_escapes_source_text(tmp_path):
    brief = memo.build(["A *bold* claim about [links](http://x) and <b>tags</b> was made in the report today."],
                       embedder="hashing")
    markdown = brief.to_markdown()
    assert "\\*bold\\*" in markdown and "\\[links\\]" in markdown and "\\<b\\>" in markdown


def test_an_existing_memo_is_replaced_only_by_a_complete_one(seed_memo, tmp_path, monkeypatch):
    target = tmp_path / "brief.docx"
    target.write_bytes(b"yesterday's memo")

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("memo.render.os.fsync", explode)
    with pytest.raises(KeyboardInterrupt):
        save_memo(seed_memo, target)
    assert target.read_bytes() == b"yesterday's memo"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.docx"]
    monkeypatch.undo()
    save_memo(seed_memo, target)
    assert zipfile.is_zipfile(target)


def test_bad_destinations_are_clear_errors(seed_memo, tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        seed_memo.save(tmp_path / "missing" / "brief.docx")
    with pytest.raises(OutputError, match="cannot tell the format"):
        seed_memo.save(tmp_path / "brief.pdf")
    with pytest.raises(OutputError, match="is a directory"):
        seed_memo.save(tmp_path, format="md")


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"),
                    reason="LibreOffice and poppler-utils are installed by .ci/run")
def test_libreoffice_converts_the_memo_with_its_footnotes(seed_memo, tmp_path):
    path = seed_memo.save(tmp_path / "brief.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", str(tmp_path / "brief.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = " ".join(text.split())
    assert "Bottom Line Up Front" in flat
    last = _all_citations(seed_memo)[-1]
    assert " ".join(last.quote.split()[:6]) in flat  # the last footnote made it onto a page


def test_the_same_memo_renders_to_the_same_bytes_in_every_format(seed_memo, tmp_path, monkeypatch):
    import time

    # python-docx dates zip entries from the wall clock (two-second steps): the second save
    # runs a day later by that clock.
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    first = {fmt: seed_memo.save(tmp_path / f"a.{fmt}").read_bytes() for fmt in ("docx", "md", "json")}
    monkeypatch.setattr(time, "time", lambda: now + 86_400)
    second = {fmt: seed_memo.save(tmp_path / f"b.{fmt}").read_bytes() for fmt in ("docx", "md", "json")}
    assert first == second


def test_building_a_docx_leaves_python_docx_part_classes_as_they_were(seed_memo, tmp_path, monkeypatch):
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.part import PartFactory

    # As in a process where memo has not rendered yet (an earlier test may have).
    monkeypatch.delitem(PartFactory.part_type_for, CT.WML_FOOTNOTES, raising=False)
    before = dict(PartFactory.part_type_for), PartFactory.part_class_selector
    data = seed_memo.save(tmp_path / "brief.docx").read_bytes()
    assert (dict(PartFactory.part_type_for), PartFactory.part_class_selector) == before
    assert len(_footnotes(data)) == len(_all_citations(seed_memo))  # memo's own document still gets them
    # Another program's document keeps python-docx's plain (binary) footnotes part.
    other = docx.Document(tmp_path / "brief.docx")
    footnotes = next(r.target_part for r in other.part.rels.values() if r.reltype.endswith("/footnotes"))
    assert type(footnotes) is docx.opc.part.Part


def test_docx_tables_who_said_what_and_a_matrix_shaded_by_each_sources_part(seed_memo, tmp_path):
    from memo.render.common import CELL_SHADE, CELL_TEXT, WHO_COLUMNS

    document = docx.Document(seed_memo.save(tmp_path / "brief.docx"))
    assert seed_memo.who_said_what and seed_memo.agreement
    who, matrix = document.tables
    assert [c.text for c in who.rows[0].cells] == list(WHO_COLUMNS)
    assert len(who.rows) == len(seed_memo.who_said_what) + 1
    for row, position in zip(who.rows[1:], seed_memo.who_said_what):
        assert row.cells[0].text == position.speaker
        assert row.cells[4]._tc.xml.count("<w:footnoteReference") == 1
    assert [c.text for c in matrix.rows[0].cells][1:] == [a.label for a in seed_memo.articles]
    for row, line in zip(matrix.rows[1:], seed_memo.agreement):
        for cell, state in zip(row.cells[1:], line.cells):
            assert cell.text == CELL_TEXT[state]
            assert f'w:fill="{CELL_SHADE[state]}"' in cell._tc.xml
            assert cell._tc.xml.count("<w:footnoteReference") == (state != "silent")
