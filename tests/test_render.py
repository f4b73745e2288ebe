import dataclasses
import io
import json
import re
from pathlib import Path
import shutil
import subprocess
import zipfile

import docx
import pytest

import memo
from memo._errors import OutputError
from memo._render import save_memo

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A repeated note number: a run in the footnote reference style whose text is a number.
REPEATED = re.compile(r'w:val="FootnoteReference"/>(?:(?!</w:r>).)*?<w:t[^>]*>(\d+)</w:t>', re.S)
REPO_SEEDS = __import__("pathlib").Path(__file__).resolve().parents[1] / "seeds"


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
    out += [f["statement"]["citation"] for d in data["discrepancies"] for f in d["figures"]]
    for disagreement in data["disagreements"]:
        out += [s["citation"] for side in disagreement["sides"] for s in side["statements"]]
        out += [s["citation"] for s in disagreement["unclear"]]
    out += [row["statement"]["citation"] for row in data["who_said_what"]]
    out += [c for row in data["agreement"] for c in row["evidence"] if c is not None]
    out += [c for s in data["source_summaries"] for p in s["points"] for c in p["citations"]]
    return out


def _distinct(citations) -> list:
    return list(dict.fromkeys((c.article_id, c.start, c.end, c.quote) for c in citations))


def test_docx_has_real_footnotes_one_per_source_sentence_quoting_it(seed_memo, tmp_path):
    from memo._render.common import quoted

    # Every per-source summary sentence shown, so every citation the memo carries is rendered.
    path = seed_memo.save(tmp_path / "brief.docx", layout={"summary": 99})
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        types = package.read("[Content_Types].xml").decode()
        body = package.read("word/document.xml").decode()
        rels = package.read("word/_rels/document.xml.rels").decode()
    assert "wordprocessingml.footnotes+xml" in types and "relationships/footnotes" in rels
    citations = _distinct(_all_citations(seed_memo))
    assert len(citations) < len(_all_citations(seed_memo))  # the seeds cite some sentences twice
    notes = _footnotes(data)
    # One footnote per distinct sentence and one reference to each; later uses repeat the number.
    assert len(notes) == len(citations) == body.count("<w:footnoteReference")
    ids = re.findall(r'<w:footnoteReference w:id="(\d+)"', body)
    assert len(ids) == len(set(ids))
    by_quote = {quoted(quote): (article_id, quote) for article_id, _, _, quote in citations}
    for note in notes:
        ending = next(q for q in by_quote if note.endswith(". " + q))  # seeds have no URLs: the quote ends it
        article = seed_memo.article(by_quote[ending][0])
        assert note.startswith(article.label)
        assert "Outlet unknown" not in note
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == ["Bottom Line Up Front", "Key Points", "Consensus", "Disagreements", "Who Said What",
                        "Appendix"]
    appendix = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 2")]
    assert appendix[-4:] == ["Agreement by Source", "Summaries by Source", "Sources", "Method"]
    assert [p.text.split("\t")[0] for p in document.paragraphs[1:5]] == ["TO:", "FROM:", "DATE:", "SUBJECT:"]
    assert "Footnote Text" in [s.name for s in document.styles]


def test_markdown_and_json_carry_the_same_points_and_citations_as_the_docx(seed_memo, tmp_path):
    from memo._render.common import quoted

    docx_notes = _footnotes(seed_memo.save(tmp_path / "b.docx").read_bytes())
    markdown = seed_memo.save(tmp_path / "b.md").read_text(encoding="utf-8")
    md_notes = [re.sub(r"\\(.)", r"\1", m) for m in re.findall(r"^\[\^\d+\]: (.*)$", markdown, re.M)]
    assert md_notes == docx_notes
    data = json.loads(seed_memo.save(tmp_path / "b.json").read_text(encoding="utf-8"))
    assert [p["text"] for p in data["key_points"]] == [p.text for p in seed_memo.key_points]
    json_citations = _json_citations(data)
    assert {(c["article_id"], c["start"], c["end"], c["quote"]) for c in json_citations} == set(
        _distinct(_all_citations(seed_memo)))
    # The JSON's footnotes are the DOCX's, numbered alike: the n-th quotes the n-th note's sentence.
    footnotes = data["footnotes"]
    assert [f["number"] for f in footnotes] == list(range(1, len(docx_notes) + 1))
    assert all(note.endswith(quoted(f["quote"])) for note, f in zip(docx_notes, footnotes))
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

    monkeypatch.setattr("memo._render.os.fsync", explode)
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


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"),
                    reason="LibreOffice and poppler-utils are installed by .ci/run")
def test_libreoffice_converts_the_memo_with_its_footnotes(seed_memo, tmp_path):
    path = seed_memo.save(tmp_path / "brief.docx")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", str(tmp_path / "brief.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    flat = " ".join(text.split())
    assert "Bottom Line Up Front" in flat
    last = seed_memo.source_summaries[-1].points[0].citations[0]  # the last new footnote
    assert " ".join(last.quote.split()[:6]) in flat  # made it onto a page


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
    data = seed_memo.save(tmp_path / "brief.docx", layout={"summary": 99}).read_bytes()
    assert (dict(PartFactory.part_type_for), PartFactory.part_class_selector) == before
    assert len(_footnotes(data)) == len(_distinct(_all_citations(seed_memo)))  # memo's document still gets them
    # Another program's document keeps python-docx's plain (binary) footnotes part.
    other = docx.Document(tmp_path / "brief.docx")
    footnotes = next(r.target_part for r in other.part.rels.values() if r.reltype.endswith("/footnotes"))
    assert type(footnotes) is docx.opc.part.Part


def _cited(cell) -> int:
    """Notes a table cell points to: a first footnote reference or a repeated note number."""
    xml = cell._tc.xml
    return xml.count("<w:footnoteReference") + len(re.findall(REPEATED, xml))


def test_docx_tables_who_said_what_and_a_matrix_shaded_by_each_sources_part(seed_memo, tmp_path):
    from memo._render.common import CELL_SHADE, CELL_TEXT, ROLE_WORDS, WHO_COLUMNS, WHO_COMPACT, Layout, point_label

    document = docx.Document(seed_memo.save(tmp_path / "brief.docx"))
    assert len(seed_memo.who_said_what) > Layout().who and seed_memo.agreement
    compact, who, matrix = document.tables
    assert [c.text for c in compact.rows[0].cells] == list(WHO_COMPACT)
    assert len(compact.rows) == Layout().who + 1  # the body's table; all rows in the appendix
    assert [c.text for c in who.rows[0].cells] == list(WHO_COLUMNS)
    assert len(who.rows) == len(seed_memo.who_said_what) + 1
    for row, position in zip(who.rows[1:], seed_memo.who_said_what):
        role = position.role.split()
        # a long role is cut in the table (the statements give it whole)
        shown = position.role if len(role) <= ROLE_WORDS else " ".join(role[:ROLE_WORDS]).rstrip(",;") + " …"
        assert row.cells[0].text == position.speaker and row.cells[1].text == shown
        assert _cited(row.cells[4]) == 1
    assert [c.text for c in matrix.rows[0].cells][1:] == [a.label for a in seed_memo.articles]
    for number, (row, line) in enumerate(zip(matrix.rows[1:], seed_memo.agreement), start=1):
        assert row.cells[0].text == point_label(number)  # a short label; the point is listed below
        for cell, state in zip(row.cells[1:], line.cells):
            assert cell.text.rstrip("0123456789") == CELL_TEXT[state]
            assert f'w:fill="{CELL_SHADE[state]}"' in cell._tc.xml
            assert _cited(cell) == (state != "silent")


# -- issue 12: tables, citations, shape --------------------------------------------------

NEWS = {  # four reports of one summit, written for these tests; quotes open and close the sentences
    "a.txt": "Leaders Meet On River Treaty\n\nBy Ana Ruiz\n\n"
             "The leaders of Norland and Suderia met in Vell on Monday to discuss a treaty on sharing the river. "
             "“The treaty is within reach,” said Mara Olsen, the foreign minister of Norland. "
             "Olsen said both sides had agreed on the water quotas. "
             "Critics said the talks ignored the farmers downstream. "
             "“Nobody asked the farmers,” said Piet Haan, who leads the farmers' union.\n",
    "b.txt": "River Talks End Without A Deal\n\n"
             "Talks between Norland and Suderia on the river treaty ended in Vell on Monday without a deal. "
             "Suderia's envoy, Lio Brandt, said the quotas were still disputed. "
             "“We are not close to a treaty,” Brandt told reporters. "
             "The two countries have argued over the river since 1990. "
             "Farmers downstream fear their fields will dry out.\n",
    "c.txt": "Summit In Vell\n\nBy Tom Weiss\n\n"
             "Norland and Suderia held talks in Vell on Monday about sharing the river's water. "
             "Mara Olsen, the foreign minister of Norland, said a treaty was within reach. "
             "Analyst Ida Berg said the quotas were the hardest part of any deal. "
             "\"The farmers will pay for a bad treaty,\" said Piet Haan, who leads the farmers' union. "
             "A second round of talks is planned for May.\n",
    "d.txt": "Water Treaty Talks Stall\n\n"
             "The river talks between Norland and Suderia stalled in Vell on Monday. "
             "Lio Brandt, Suderia's envoy, said the quotas were still disputed. "
             "Mara Olsen said a treaty was within reach, according to officials. "
             "A second round of talks is planned for May, the two governments said. "
             "Farmers downstream have protested for weeks.\n",
}


@pytest.fixture(scope="module")
def news_memo(tmp_path_factory):
    from tests.conftest import write_corpus

    folder = write_corpus(tmp_path_factory.mktemp("news") / "corpus", NEWS)
    return memo.build(folder, questions=["Is a river treaty within reach?"], date="2024-05-01")


def _notes_of(brief: memo.Memo, tmp_path) -> tuple[list[str], list[str]]:
    """The DOCX footnotes and the Markdown footnotes of one memo."""
    docx_notes = _footnotes(brief.save(tmp_path / "n.docx").read_bytes())
    markdown = brief.save(tmp_path / "n.md").read_text(encoding="utf-8")
    md_notes = [re.sub(r"\\(.)", r"\1", m) for m in re.findall(r"^\[\^\d+\]: (.*)$", markdown, re.M)]
    return docx_notes, md_notes


@pytest.mark.parametrize("which", ["news", "seeds"])
def test_each_footnote_is_unique_and_never_doubles_a_quotation_mark(which, news_memo, seed_memo, tmp_path):
    brief = news_memo if which == "news" else seed_memo
    docx_notes, md_notes = _notes_of(brief, tmp_path)
    assert docx_notes and md_notes == docx_notes
    assert len(set(docx_notes)) == len(docx_notes)
    doubled = re.compile(r"[“”\"‘’„]{2}")
    assert not [n for n in docx_notes if doubled.search(n)]
    markdown = (tmp_path / "n.md").read_text(encoding="utf-8")
    assert not doubled.search(markdown.split("\n[^1]:")[0].replace("'", ""))  # nor in the text
    assert "(s)" not in markdown and "Outlet unknown" not in markdown


def test_a_sentence_cited_twice_gets_one_footnote_and_later_uses_repeat_its_number(news_memo, tmp_path):
    citations = news_memo.citations()
    repeated = {(c.article_id, c.start) for c in citations if citations.count(c) > 1}
    assert repeated  # the bottom line's sentence is also a consensus point, and so on
    data = news_memo.save(tmp_path / "b.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = package.read("word/document.xml").decode()
    references = re.findall(r'<w:footnoteReference w:id="(\d+)"', body)
    assert len(references) == len(set(references)) == len(_footnotes(data))
    # A repeated use: a superscript (footnote reference style) run holding a number already given.
    repeats = [int(n) for n in re.findall(REPEATED, body)]
    assert repeats and all(1 <= n <= len(references) for n in repeats)
    markdown = news_memo.save(tmp_path / "b.md").read_text(encoding="utf-8")
    uses = re.findall(r"\[\^(\d+)\](?!:)", markdown)
    assert len(uses) > len(set(uses)) == len(re.findall(r"^\[\^\d+\]:", markdown, re.M))


def test_narration_is_the_outlets_own_words_and_quotes_are_quoted(tmp_path):
    from memo._model import Article, Citation, Disagreement, Method, Point, Side, Statement

    text = ("Rain fell on the valley all week. “We will rebuild,” the mayor said. "
            "The dam held, the engineer said. “It was built well. The town is safe,” she added. "
            "It will hold for decades.")
    article = Article("x", text, title="Floods", outlet="Valley Post", date="2024-01-02", source="/home/ann/x.txt",
                      sha256="ab" * 32)

    def cite(sentence: str) -> Citation:
        return Citation("x", text.index(sentence), text.index(sentence) + len(sentence), sentence)

    told = cite("Rain fell on the valley all week.")
    said = cite("“We will rebuild,” the mayor said.")
    reported = cite("The dam held, the engineer said.")
    closing = cite("The town is safe,” she added.")
    within = cite("It will hold for decades.")
    sides = (Side("supports", "Yes: the valley will recover.",
                  (Statement(told, "Valley Post", "", "narration", "supports", 0.9),
                   Statement(said, "the mayor", "", "quote", "supports", 0.9),
                   Statement(reported, "the engineer", "", "reported", "supports", 0.9),
                   Statement(closing, "the engineer", "", "quote", "supports", 0.9),
                   Statement(within, "the engineer", "", "quote", "supports", 0.9))),)
    brief = memo.Memo("Memorandum", "Desk", "memo", "2024-01-03", "Floods", (Point(text[:33], (told,)),), (),
                      (), (article,), Method((), ()),
                      disagreements=(Disagreement("will the valley recover?", "The valley will recover.", True,
                                                  sides),))
    document = docx.Document(brief.save(tmp_path / "f.docx", layout={"statements": 5}))
    lines = [p.text for p in document.paragraphs]
    # The outlet's narration unquoted, its second use repeating note 1; the quote not wrapped twice.
    assert "Valley Post (own reporting): Rain fell on the valley all week.1 (supports, confidence 0.90)" in lines
    assert "the mayor, Valley Post: “We will rebuild,” the mayor said. (supports, confidence 0.90)" in lines
    # A report of what someone said is the outlet's wording: unquoted. A sentence that closes a
    # quotation keeps its own marks, with none added; one inside a quotation gets a pair.
    assert "the engineer, Valley Post: The dam held, the engineer said. (supports, confidence 0.90)" in lines
    assert "the engineer, Valley Post: The town is safe,” she added. (supports, confidence 0.90)" in lines
    assert "the engineer, Valley Post: “It will hold for decades.” (supports, confidence 0.90)" in lines
    assert "Will the valley recover?" in lines  # headings start with a capital
    assert [p for p in lines if p.startswith("Valley Post, “Floods”")]  # one label: the sources list too
    assert "/home/ann" not in "\n".join(lines) and "x.txt" in "\n".join(lines)
    assert _footnotes((tmp_path / "f.docx").read_bytes()) == [
        "Valley Post, “Floods”, 2024-01-02. “Rain fell on the valley all week.”",
        "Valley Post, “Floods”, 2024-01-02. “We will rebuild,” the mayor said.",
        "Valley Post, “Floods”, 2024-01-02. “The dam held, the engineer said.”",
        "Valley Post, “Floods”, 2024-01-02. The town is safe,” she added.",
        "Valley Post, “Floods”, 2024-01-02. “It will hold for decades.”"]


def _page_width_twips(document) -> int:
    section = document.sections[-1]
    return int((section.page_width - section.left_margin - section.right_margin) / 635)


def test_table_grids_match_their_cells_and_fill_the_text_width(news_memo, tmp_path):
    from docx.oxml.ns import qn

    document = docx.Document(news_memo.save(tmp_path / "t.docx"))
    width = _page_width_twips(document)
    assert len(document.tables) >= 2
    for table in document.tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iterchildren(qn("w:gridCol"))]
        assert sum(grid) == width and len(set(grid)) > 1  # not one width for all
        for row in table.rows:
            assert [int(c._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for c in row.cells] == grid
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert table.rows[-1]._tr.trPr.find(qn("w:tblHeader")) is None or len(table.rows) == 1


def test_the_body_comes_first_and_the_evidence_goes_to_the_appendix(news_memo, tmp_path):
    from memo._render.common import Layout

    document = docx.Document(news_memo.save(tmp_path / "a.docx", layout={"statements": 1, "who": 1}))
    top = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert top == ["Bottom Line Up Front", "Key Points", "Consensus", "Disagreements", "Who Said What", "Appendix"]
    inner = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert inner[-3:] == ["Summaries by Source", "Sources", "Method"] and "Who Said What in Full" in inner
    assert len(document.tables[0].rows) == 2  # one speaker in the body, as asked
    assert len(document.tables[1].rows) == len(news_memo.who_said_what) + 1
    short = docx.Document(news_memo.save(tmp_path / "s.docx", layout={"appendix": False}))
    headings = [p.text for p in short.paragraphs if p.style.name.startswith("Heading")]
    assert headings[headings.index("Appendix") + 1:] == ["Sources", "Method"] and len(short.tables) == 1
    with pytest.raises(memo.MemoError, match="layout"):
        news_memo.save(tmp_path / "x.md", layout={"pages": 3})
    with pytest.raises(ValueError):
        Layout(who=-1)


def _convert(path, target: str, outdir) -> None:
    # A profile of its own: a LibreOffice already running (a user's, another test run's)
    # holds the default profile's lock, and the conversion then silently does nothing.
    profile = Path(outdir) / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
                    "--outdir", str(outdir), str(path)], check=True, capture_output=True, timeout=240)


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext") or not shutil.which("pdfinfo"),
                    reason="LibreOffice and poppler-utils are installed by .ci/run")
@pytest.mark.parametrize("which", ["news", "seeds"])
def test_libreoffice_lays_the_tables_out_as_the_grid_says_in_a_short_memo(which, news_memo, tmp_path):
    """LibreOffice follows the table grid: read the column widths it gives each table (ODT) and
    count the pages of the PDF it prints: the body first, then the appendix."""
    from lxml import etree

    from memo._render.common import matrix_widths, split_width, who_widths

    brief = news_memo if which == "news" else memo.build(
        REPO_SEEDS, questions=["Is China a credible mediator in Ukraine?"], date="2023-03-21")
    path = brief.save(tmp_path / "brief.docx")
    width = _page_width_twips(docx.Document(path))
    _convert(path, "odt", tmp_path)
    with zipfile.ZipFile(tmp_path / "brief.odt") as package:
        content = etree.fromstring(package.read("content.xml"))
    ns = {"style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
          "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0"}
    widths = {s.get(f"{{{ns['style']}}}name"): _twips(p.get(f"{{{ns['style']}}}column-width"))
              for s in content.iterfind(".//style:style", ns)
              for p in s.iterfind("style:table-column-properties", ns)}
    tables = content.findall(".//table:table", ns)
    expected = [who_widths(False), who_widths(True)] + [matrix_widths(len(brief.articles))] * (not brief.stories)
    assert len(tables) == len(expected)
    for table, shares in zip(tables, expected):
        columns = []
        for column in table.iterfind("table:table-column", ns):
            repeat = int(column.get(f"{{{ns['table']}}}number-columns-repeated", "1"))
            columns += [widths[column.get(f"{{{ns['table']}}}style-name")]] * repeat
        assert abs(sum(columns) - width) <= 30  # the text width, to rounding
        for got, want in zip(columns, split_width(width, shares)):
            assert abs(got - want) <= 30
    _convert(path, "pdf", tmp_path)
    info = subprocess.run(["pdfinfo", str(tmp_path / "brief.pdf")], check=True, capture_output=True,
                          text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    text = subprocess.run(["pdftotext", str(tmp_path / "brief.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    printed = text.split("\f")
    body = next(i for i, page in enumerate(printed) if page.lstrip().startswith("Appendix"))
    # The body is what must stay short; the appendix (evidence, sources, method) runs on, and its last
    # page turns with a line of the method note (machines word a fallback notice differently).
    assert 1 <= body <= 5 and pages <= 14, (body, pages)
    assert "Who Said What" in "".join(printed[:body])


def _twips(length: str) -> int:
    value, unit = float(re.match(r"[\d.]+", length).group()), re.search(r"[a-z]+$", length).group()
    return round(value * {"in": 1440, "cm": 1440 / 2.54, "mm": 144 / 2.54, "pt": 20}[unit])


def test_a_memo_of_many_sources_saves_as_docx_with_its_sources_named_in_the_properties(tmp_path):
    # Word's comments property holds 255 characters; the list of 80 source ids is cut, never refused.
    texts = {f"source-{n:03d}": f"The river rose {n} centimetres in town number {n} on Monday after heavy rain fell."
             for n in range(80)}
    brief = memo.build([{"text": text, "title": name} for name, text in texts.items()], embedder="hashing")
    path = brief.save(tmp_path / "many.docx")
    comments = docx.Document(path).core_properties.comments
    assert comments.startswith("Built by memo from: ") and len(comments) <= 255
    assert comments.endswith(f"({len(brief.articles)} sources)")
    long = "A subject line far longer than any headline, " * 8  # the header lines are properties too
    titled = memo.build([{"text": texts["source-001"]}], embedder="hashing", subject=long, from_=long)
    properties = docx.Document(titled.save(tmp_path / "long.docx")).core_properties
    assert properties.title.endswith("…") and len(properties.title) <= 255 and len(properties.author) <= 255


def test_a_consensus_point_says_whose_view_it_is_with_a_footnote_per_outlet(seed_memo, tmp_path):
    from memo._model import Citation, Group, Point, Statement
    from memo._render.common import whose_view

    articles = [a for a in seed_memo.articles if a.outlet][:4]
    cites = [Citation(a.id, 0, 10, a.text[:10]) for a in articles]
    outlets = [a.outlet for a in articles]
    group = Group(Point(cites[0].quote, tuple(cites)), (
        Statement(cites[0], outlets[0], "", "narration"),
        Statement(cites[1], "Dmitry Peskov", "Kremlin spokesperson", "quote"),
        Statement(cites[2], "Western experts", "", "reported"),
        Statement(cites[3], "customs figures", "", "reported"),
    ), tuple(a.id for a in articles), 4, "consensus")
    runs = whose_view(seed_memo, group)
    assert "".join(text for text, _ in runs) == (
        f"Reported by {outlets[0]} and {outlets[3]} (citing customs figures); Dmitry Peskov says so, quoted by "
        f"{outlets[1]}; Western experts reported by {outlets[2]} say so: 4 independent origins.")
    assert [c for _, c in runs if c is not None] == [cites[0], cites[3], cites[1], cites[2]]
    # In the memo: each outlet's footnote follows its name.
    out = dataclasses.replace(seed_memo, consensus=(group,), stories=()).save(tmp_path / "m.md")
    line = next(line for line in out.read_text(encoding="utf-8").splitlines() if "Dmitry Peskov says so" in line)
    assert len(re.findall(r"\[\^\d+\]", line)) == 5  # the lead's, then one per outlet
