import json

import pytest

from memo._errors import InputError
from memo._ingest import decode_bytes, read_sources, split_front_matter
from memo._prepare import prepare


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
    bad.write_text('{"text": "ok"}\n{not json\n[1]\n{"text": "also ok"}\n')
    with pytest.raises(InputError, match=r"bad.jsonl: line 2 is not JSON"):
        read_sources(bad, strict=True)
    # By default a bad record is skipped by its line, and the file's other records are read.
    docs = read_sources(bad)
    assert [(d.source.rsplit("/", 1)[-1], d.text, d.skipped.split(" (")[0]) for d in docs] == [
        ("bad.jsonl:1", "ok", ""), ("bad.jsonl:2", "", "line 2 is not JSON"),
        ("bad.jsonl:3", "", "line 3 is not a JSON object"), ("bad.jsonl:4", "also ok", "")]


_BODY = ("<p>The ministers agreed on Tuesday to resume the talks in Geneva next week, officials said.</p>"
         "<p>Both delegations described the first round as constructive and businesslike.</p>")


def _page(inner: str, head: str = "") -> str:
    return (f"<html><head><title>Page title</title>{head}</head><body><nav>Home | World | Sport</nav>"
            f"{inner}<footer>Contact us</footer></body></html>")


def _read_html(tmp_path, markup: str, name: str = "page.html"):
    (tmp_path / name).write_text(markup, encoding="utf-8")
    (doc,) = read_sources(tmp_path / name)
    return doc


def test_html_keeps_the_article_and_its_metadata_and_drops_scripts_navigation_and_banners(tmp_path):
    page = _page(
        """<div class="cookie-banner">We use cookies to improve</div><script>var x = "Do not keep";</script>
        <article><h1>Headline here</h1><p>First paragraph &amp; more of the story, as officials said today.</p>
        <figure><figcaption>A caption</figcaption></figure><p>Second <b>bold</b> paragraph of the story
        is here too.</p></article>""",
        head="""<meta property="og:site_name" content="The Wire"><meta name="author" content="Jane Roe">
        <meta property="article:published_time" content="2024-03-05T10:00:00Z">
        <link rel="canonical" href="https://wire.test/story"><style>.a{}</style>""")
    doc = _read_html(tmp_path, page)
    assert doc.text.split("\n") == ["Headline here", "First paragraph & more of the story, as officials said today.",
                                    "Second bold paragraph of the story is here too."]
    assert doc.metadata == {"title": "Headline here", "outlet": "The Wire", "author": "Jane Roe",
                            "date": "2024-03-05", "url": "https://wire.test/story"}
    assert not doc.skipped


@pytest.mark.parametrize("wrapper", ["has-sidebar", "story commentary", "post-header-wrap"])
def test_a_body_inside_a_class_naming_page_chrome_is_kept(tmp_path, wrapper):
    # The old parser dropped any element whose class contained "sidebar", "comment" or
    # "header": a whole article wrapped in <div class="has-sidebar"> came out empty.
    doc = _read_html(tmp_path, _page(f'<div class="{wrapper}"><article>{_BODY}</article></div>'))
    assert "resume the talks in Geneva" in doc.text
    assert "constructive and businesslike" in doc.text


def test_entities_are_decoded_once(tmp_path):
    # The page writes "&lt;b&gt;" to show "<b>" and "&amp;amp;" to show "&amp;": decoded once, never twice.
    doc = _read_html(tmp_path, _page("<article><p>The filter strips &lt;b&gt; tags and &amp;amp; entities from "
                                     "every comment, the developers said.</p></article>"))
    assert "strips <b> tags and &amp; entities" in doc.text


def test_a_page_without_an_article_body_is_skipped_with_the_reason(tmp_path):
    doc = _read_html(tmp_path, "<html><head><title>Menu</title></head><body><nav>Home | World</nav>"
                               "<ul><li>About</li><li>Contact</li></ul></body></html>")
    assert doc.text == "" and doc.skipped.startswith("no article body found in the page")
    prepared = prepare(doc)
    assert prepared.article is None
    assert [(n.kind, n.detail) for n in prepared.notices] == [("skipped", doc.skipped)]


def test_sidecar_metadata_wins_over_what_the_page_states(tmp_path):
    (tmp_path / "metadata.json").write_text(json.dumps({"page.html": {"outlet": "Sidecar Daily"}}))
    doc = _read_html(tmp_path, _page(f"<article>{_BODY}</article>",
                                     head='<meta property="og:site_name" content="The Wire">'))
    assert doc.metadata["outlet"] == "Sidecar Daily"


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
        read_sources(pdf, strict=True)
    with pytest.raises(InputError, match=r"<input 0>: no article text"):
        read_sources([{"headline": "no body"}], strict=True)
    # Not strict: the same sources are skipped documents naming the problem, beside good ones.
    docs = read_sources([pdf, {"headline": "no body"}, "The talks resumed on Monday."])
    assert [(d.id, d.skipped) for d in docs] == [
        ("paper", "looks like a binary file, not txt text"),
        ("text-2", "no article text (expected one of the keys text, body, content, article)"), ("text-3", "")]
