import json

import pytest

from memo.errors import InputError
from memo.ingest import decode_bytes, html_main_text, read_sources, split_front_matter


def test_directory_reads_supported_files_sorted_and_skips_the_sidecar(seeds_dir):
    docs = read_sources(seeds_dir)
    assert [d.id for d in docs] == sorted(p.stem for p in seeds_dir.glob("*.txt"))
    assert all(len(d.sha256) == 64 for d in docs)


def test_glob_list_and_in_memory_sources(tmp_path):
    (tmp_path / "one.txt").write_text("First article text. It has two sentences.")
    (tmp_path / "two.md").write_text("Second article here. Also two sentences.")
    docs = read_sources([str(tmp_path / "*.txt"), tmp_path / "two.md",
                         "An in-memory article.\nWith a second line.",
                         {"text": "A dict article.", "title": "T", "outlet": "Wire", "url": "https://x.test/a"}])
    assert [d.id for d in docs] == ["one", "two", "text-3", "text-4"]
    assert docs[3].metadata == {"title": "T", "outlet": "Wire", "url": "https://x.test/a"}


def test_short_text_with_a_slash_or_question_mark_is_an_article_not_a_glob(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing here is named like the texts
    docs = read_sources(["Yes/no?", "Why?", "Is it over/done!", "Okay."])
    assert [d.text for d in docs] == ["Yes/no?", "Why?", "Is it over/done!", "Okay."]
    assert [d.id for d in docs] == ["text-1", "text-2", "text-3", "text-4"]
    # Path-like strings are still read as paths, and a missing one still says so.
    (tmp_path / "day1.txt").write_text("Body.")
    assert [d.id for d in read_sources("day?.txt")] == ["day1"]
    with pytest.raises(InputError, match="no-such-dir/x: no such file"):
        read_sources("no-such-dir/x")
    with pytest.raises(InputError, match="the pattern matches no supported file"):
        read_sources("no-such-dir/*")


def test_sidecar_metadata_applies_to_named_files(tmp_path):
    (tmp_path / "a.txt").write_text("Body of a.")
    (tmp_path / "metadata.json").write_text(json.dumps({"a.txt": {"outlet": "Daily", "date": "2024-01-02", "x": 1}}))
    (doc,) = read_sources(tmp_path)
    assert doc.metadata == {"outlet": "Daily", "date": "2024-01-02"}


def test_front_matter_is_metadata_not_text():
    text, meta = split_front_matter("---\ntitle: Big News\nurl: https://n.test/1\nfoo: bar\n---\nBody here.\n")
    assert text == "Body here.\n"
    assert meta == {"title": "Big News", "url": "https://n.test/1"}


def test_jsonl_lines_become_articles_and_bad_lines_name_the_line(tmp_path):
    good = tmp_path / "feed.jsonl"
    good.write_text(json.dumps({"id": "x1", "text": "One.", "outlet": "Wire"}) + "\n\n"
                    + json.dumps({"body": "Two."}) + "\n")
    docs = read_sources(good)
    assert [d.id for d in docs] == ["x1", "feed-3"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{not json\n')
    with pytest.raises(InputError, match=r"bad.jsonl: line 2 is not JSON"):
        read_sources(bad)


def test_html_keeps_the_article_and_drops_scripts_navigation_and_banners():
    page = """<html><head><title>Page title</title><meta property="og:site_name" content="The Wire">
    <link rel="canonical" href="https://wire.test/story"><script>var x = "Do not keep";</script>
    <style>.a{}</style></head><body><nav>Home | World</nav>
    <div class="cookie-banner">We use cookies to improve</div>
    <article><h1>Headline here</h1><p>First paragraph &amp; more.</p><figure><figcaption>A caption
    </figcaption></figure><p>Second <b>bold</b> paragraph.</p></article><footer>Contact us</footer></body></html>"""
    text, meta = html_main_text(page)
    assert text.split("\n") == ["Headline here", "First paragraph & more.", "Second bold paragraph."]
    assert meta == {"title": "Page title", "outlet": "The Wire", "url": "https://wire.test/story"}


def test_docx_paragraphs_and_tables_are_read(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Report title")
    document.add_paragraph("The council approved the budget on Monday.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Budget", "4 million"
    document.core_properties.author = "A. Writer"
    path = tmp_path / "report.docx"
    document.save(path)
    (doc,) = read_sources(path)
    assert doc.text.split("\n") == ["Report title", "The council approved the budget on Monday.", "Budget | 4 million"]
    assert doc.metadata["author"] == "A. Writer"


@pytest.mark.parametrize("data, expected", [
    ("café déjà vu".encode("utf-8"), "café déjà vu"),
    ("Caf\u00e9 \u201cquoted\u201d".encode("cp1252"), "Caf\u00e9 \u201cquoted\u201d"),
    ("Grüße aus Köln".encode("utf-16"), "Grüße aus Köln"),
    ("\ufeffBOM text".encode("utf-8"), "BOM text"),
    ("No BOM here, said the mayor of Köln.".encode("utf-16-le"), "No BOM here, said the mayor of Köln."),
    ("No BOM here, said the mayor of Köln.".encode("utf-16-be"), "No BOM here, said the mayor of Köln."),
])
def test_decoding(data, expected):
    assert decode_bytes(data)[0] == expected


def test_errors_name_the_file_and_the_problem(tmp_path):
    with pytest.raises(InputError, match="missing.txt: no such file"):
        read_sources(tmp_path / "missing.txt")
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    with pytest.raises(InputError, match="empty: directory holds no"):
        read_sources(empty_dir)
    pdf = tmp_path / "paper.txt"
    pdf.write_bytes(b"%PDF-1.7\n\x00\x01binary")
    with pytest.raises(InputError, match="paper.txt: looks like a binary file"):
        read_sources(pdf)
    with pytest.raises(InputError, match=r"<input 0>: no article text"):
        read_sources([{"headline": "no body"}])
