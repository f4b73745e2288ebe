"""The outline: one reading order and one footnote numbering that every writer follows."""

import dataclasses
import json
import re
import zipfile

from memo._model import Citation
from memo._render.common import Layout, quoted
from memo._render.markdown import _text
from memo._render.outline import Heading, Paragraph, Table, Text, outline

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _every_citation(value) -> set:
    """Every citation a memo's data holds, wherever it sits (the articles aside)."""
    if isinstance(value, Citation):
        return {value}
    if dataclasses.is_dataclass(value):
        return set().union(*(_every_citation(getattr(value, f.name)) for f in dataclasses.fields(value)
                             if f.name != "articles"))
    if isinstance(value, (tuple, list)):
        return set().union(*(_every_citation(v) for v in value)) if value else set()
    return set()


def test_footnotes_are_numbered_in_reading_order_and_a_repeat_refers_back(seed_memo):
    notes = outline(seed_memo).notes()
    seen: dict = {}
    for note in notes:
        key = (note.citation.article_id, note.citation.start, note.citation.end)
        if note.first:
            assert key not in seen and note.number == len(seen) + 1
            seen[key] = note.number
            assert note.text.endswith(quoted(note.citation.quote))
        else:
            assert seen[key] == note.number and not note.text
    assert len(seen) < len(notes)  # the seeds cite some sentences in more than one place


def test_every_writer_shows_the_outlines_footnotes_in_its_order(seed_memo, tmp_path):
    memo_outline = outline(seed_memo)
    footnotes = memo_outline.footnotes()
    with zipfile.ZipFile(seed_memo.save(tmp_path / "m.docx")) as package:
        body = package.read("word/document.xml").decode()
        xml = package.read("word/footnotes.xml").decode()
    docx_notes = re.findall(r'<w:footnote w:id="(\d+)">.*?</w:footnote>', xml, re.S)
    assert len(docx_notes) == len(footnotes) == body.count("<w:footnoteReference")
    markdown = seed_memo.save(tmp_path / "m.md").read_text(encoding="utf-8")
    body_md, _, notes_md = markdown.partition("\n[^1]: ")
    assert [int(n) for n in re.findall(r"\[\^(\d+)\]", body_md)] == [n.number for n in memo_outline.notes()]
    assert len(re.findall(r"^\[\^\d+\]: ", "[^1]: " + notes_md, re.M)) == len(footnotes)
    data = json.loads(seed_memo.save(tmp_path / "m.json").read_text(encoding="utf-8"))
    assert [(f["number"], f["article_id"], f["start"]) for f in data["footnotes"]] == [
        (n.number, n.citation.article_id, n.citation.start) for n in footnotes]


def test_the_layout_moves_evidence_between_body_and_appendix_without_losing_any(seed_memo):
    def cited(layout):
        return {(n.citation.article_id, n.citation.start) for n in outline(seed_memo, layout).notes()}

    everything = cited(Layout(summary=99))
    assert cited(Layout(consensus=0, statements=0, who=0, summary=99)) == everything
    assert cited(Layout(appendix=False)) < everything  # no appendix: its evidence is not cited


def test_memo_citations_hold_every_citation_the_memo_carries(seed_memo):
    assert set(seed_memo.citations()) == _every_citation(seed_memo)
    assert seed_memo.citations()[0] == seed_memo.bottom_line[0].citations[0]


def test_the_outline_reads_top_to_bottom_and_its_tables_are_whole(seed_memo):
    blocks = outline(seed_memo).blocks
    headings = [b.text for b in blocks if isinstance(b, Heading) and b.level == 1]
    assert headings[:2] == ["Bottom Line Up Front", "Key Points"] and headings[-1] == "Appendix"
    assert [b for b in blocks if isinstance(b, Heading) and b.new_page] == [
        next(b for b in blocks if isinstance(b, Heading) and b.text == "Appendix")]
    tables = [b for b in blocks if isinstance(b, Table)]
    assert tables and all(len(row) == len(t.columns) == len(t.shares) for t in tables for row in t.rows)
    assert all(b.style in ("body", "bullet", "bullet2", "number", "note") for b in blocks if isinstance(b, Paragraph))


def test_markdown_emphasis_hugs_its_words():
    assert _text(Text(" (VICE World News)", quiet=True), cell=False) == " _(VICE World News)_"
    assert _text(Text("Putin (President): ", strong=True), cell=False) == "**Putin (President):** "
    assert _text(Text("a_b*c"), cell=False) == "a\\_b\\*c"
    assert _text(Text(" ", quiet=True), cell=False) == " "
    assert _text(Text("x | y"), cell=True) == "x \\| y"



def test_the_html_writer_translates_the_outline_and_escapes_source_text(seed_memo, tmp_path):
    import dataclasses as dc

    from memo._render.html import memo_fragment

    page = seed_memo.save(tmp_path / "m.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<li id=\"fn-") == len(outline(seed_memo).footnotes())
    assert page.count("<table>") == sum(isinstance(b, Table) for b in outline(seed_memo).blocks)
    # A sentence holding markup is shown as text: never a tag, in the body or in a footnote's hover.
    point = seed_memo.key_points[0]
    hostile = dc.replace(seed_memo, key_points=(dc.replace(point, text='<script>alert("x")</script> & co'),))
    fragment = memo_fragment(hostile, prefix="t")
    assert "<script>" not in fragment and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in fragment
    assert 'href="#t-1"' in fragment and '<li id="t-1">' in fragment
    first = seed_memo.articles[0]
    scripted = dc.replace(seed_memo, articles=(dc.replace(first, url="javascript:alert(1)"),) + seed_memo.articles[1:])
    assert 'href="javascript' not in memo_fragment(scripted) and "javascript:alert(1)" in memo_fragment(scripted)
