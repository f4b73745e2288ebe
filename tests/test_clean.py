import pytest

from memo._clean import (clean_document, collapse_duplicates, infer_metadata, normalise, repair_mojibake,
                        strip_boilerplate)
from memo._ingest import RawDocument, read_sources
from memo._model import Article


def _misread(text: str, codec: str, fill: str = "cp1252") -> str:
    """Simulate a UTF-8 text opened with a single-byte code page (undefined bytes by ``fill``)."""
    out = []
    for byte in text.encode("utf-8"):
        for candidate in (codec, fill, "latin-1"):
            try:
                out.append(bytes([byte]).decode(candidate))
                break
            except UnicodeDecodeError:
                continue
    return "".join(out)


@pytest.mark.parametrize("codec", ["cp1252", "cp874", "cp1250", "cp1251"])
@pytest.mark.parametrize("original", [
    "Chinese leader Xí Jìnpíng 习近平 met “counterparts” in Moscow — briefly…",
    "São Paulo’s mayor said the café’s “résumé” was fine.",
])
def test_mojibake_from_several_code_pages_is_undone(codec, original):
    broken = _misread(original, codec)
    assert broken != original
    fixed, count, _ = repair_mojibake(broken)
    assert fixed == original
    assert count > 0


def test_seed_003_is_repaired_to_the_real_name(seeds_dir):
    (doc,) = read_sources(seeds_dir / "003_5ce62125c2ca7797.txt")
    article, notices = clean_document(doc)
    assert "Xí Jìnpíng 习近平" in article.text
    assert "โ" not in article.text and "€" not in article.text and "รญ" not in article.text
    assert any(n.kind == "repaired" for n in notices)


def test_dropped_closing_quote_byte_is_restored():
    # 0x9D (last byte of ”) is undefined in cp1252 and gets lost: 'â€' is left behind.
    fixed, count, _ = repair_mojibake("a â€œno limitsâ€ partnership")
    assert fixed == "a “no limits” partnership" and count == 2


@pytest.mark.parametrize("text", [
    "Plain ASCII text, nothing to do.",
    "Zürich, Kraków and Šeliga are spelled right — “quoted” too.",
    "Москва и Пекин подписали соглашение.",
    "ภาษาไทย ข่าววันนี้",
    "中国和俄罗斯的关系",
])
def test_correct_text_is_left_alone(text):
    assert repair_mojibake(text) == (text, 0, "")


def test_normalise_removes_control_characters_and_splits_glued_quotes():
    assert normalise("One\x00 two\x0b\u00a0three.\r\nNext.”Then") == "One two three.\nNext. ”Then"


def test_boilerplate_lines_are_dropped_and_reported():
    text = "\n".join([
        "World & Politics",
        "A headline about the summit",
        "By: Ana María López",
        "Photo: Reuters",
        "The summit opened on Monday with leaders from twelve countries in attendance, officials said.",
        "Subscribe to our newsletter for weekly analysis.",
        "Leaders (L) and ministers pose before talks. John Smith / AFP",
        "Videos by WIRE",
        "The talks will continue on Tuesday with a focus on trade and security in the region.",
        "Copyright (c) 2024. Daily Planet, Inc. All rights reserved.",
        "Recent Posts",
        "* * *",
    ])
    cleaned = strip_boilerplate(text, "x.txt")
    assert cleaned.text.split("\n") == [
        "A headline about the summit",
        "The summit opened on Monday with leaders from twelve countries in attendance, officials said.",
        "The talks will continue on Tuesday with a focus on trade and security in the region.",
    ]
    reasons = [n.detail.split(":")[0] for n in cleaned.notices]
    assert reasons == ["section kicker", "byline", "caption or credit", "promo", "caption or credit", "promo",
                       "copyright notice", "promo", "symbols only"]
    assert cleaned.metadata == {"author": "Ana María López", "copyright_outlet": "Daily Planet"}


def test_subheadings_and_quotes_in_the_body_are_kept():
    text = ("The first paragraph is long enough to count as body text for this check, surely.\n"
            "Watching From Kyiv\n"
            "“Subscribe to nothing,” the minister said, mocking the plan.\n")
    assert strip_boilerplate(text, "x").text.split("\n") == text.strip().split("\n")


def test_metadata_is_inferred_only_where_the_text_states_it():
    text = ("Markets Rally On Rate Hopes\n\nShares rose on Friday, a trader told Market Wire. "
            "Another analyst told Market Wire the rally may fade. The minister told reporters little.")
    assert infer_metadata(text, {}) == {"title": "Markets Rally On Rate Hopes", "outlet": "Market Wire"}
    assert infer_metadata("Just one sentence of text.", {}) == {}
    assert infer_metadata(text, {"outlet": "Given Outlet"})["outlet"] == "Given Outlet"


def test_a_story_that_contains_another_is_kept_and_of_near_duplicates_the_fuller_text_stays():
    release = ("The agency apologises for the wrong names that were confirmed by mistake this morning. "
               "An intern acted outside his authority when he confirmed them to a television station. ")
    story = (release + "The station read the names on air at noon without checking them with anyone else. "
             "Viewers complained within minutes, and the station apologised twice that afternoon. "
             "The airline said it was considering legal action against the station and the agency. "
             "Journalists' groups called the broadcast offensive and asked for an inquiry into it. ") * 2
    kept, notices = collapse_duplicates([Article("r", release, source="r.txt"), Article("s", story, source="s.txt")])
    assert [x.id for x in kept] == ["r", "s"] and not notices  # the story quotes the release and says more
    fuller = story + "The agency's chair said new rules on naming crews would follow within a week. "
    kept, notices = collapse_duplicates([Article("s", story, source="s.txt"), Article("f", fuller, source="f.txt")])
    assert [x.id for x in kept] == ["f"]
    assert notices[0].source == "s.txt" and notices[0].detail.endswith("of f.txt; kept f")


def test_date_line_becomes_metadata_and_leaves_the_text():
    raw = RawDocument("d", "d.txt", " date 2023-03-21 The visit began on Monday, officials said today.", "0" * 64)
    article, _ = clean_document(raw)
    assert article.date == "2023-03-21"
    assert article.text == "The visit began on Monday, officials said today."


def test_exact_and_near_duplicates_are_collapsed_with_a_note():
    story = ("The central bank raised interest rates by a quarter point on Wednesday, citing persistent "
             "inflation in services and a tight labour market, and signalled that more increases may follow. ") * 3
    a = Article("a", story, source="a.txt")
    b = Article("b", story, source="b.txt")
    c = Article("c", story.replace("Wednesday", "Thursday") + " Reporting by a wire service.", source="c.txt")
    d = Article("d", "A completely different story about a football match and its surprising result.", source="d.txt")
    kept, notices = collapse_duplicates([a, b, c, d])
    assert [x.id for x in kept] == ["c", "d"]  # c, the fuller text, in the place of a
    assert [n.source for n in notices] == ["b.txt", "a.txt"]
    assert "exact duplicate of a.txt" in notices[0].detail
    assert "near duplicate" in notices[1].detail and notices[1].detail.endswith("of c.txt; kept c")
