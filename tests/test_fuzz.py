"""Property tests: arbitrary Unicode through ingest, cleaning, segmentation and every renderer."""

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import memo
from memo._clean import clean_document, repair_mojibake
from memo._errors import InputError
from memo._ingest import RawDocument
from memo._segment import split_sentences

# Unicode text of every category (surrogates excluded: they cannot be encoded as UTF-8),
# mixed with prose so that some inputs produce memos.
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400)
prose = st.lists(st.sampled_from([
    "The ministers met in Vienna on Monday.", "Talks will resume next week, officials said.",
    "“We are hopeful,” the envoy told reporters.", "Headline Without Period", "- a list item",
    "Photo: Agency", "Copyright 2024 Outlet.", "$var {{ x }} {% y %}", "🎉🚀", "ÃƒÂ©", "\x00\x0b\x1f",
]), max_size=8).map("\n".join)
article = st.builds(lambda a, b, c: a + b + c, text, prose, text)


@settings(max_examples=150, deadline=None)
@given(article)
def test_cleaning_and_segmentation_never_crash_and_spans_hold(raw):
    cleaned, _ = clean_document(RawDocument("x", "x.txt", raw, "0" * 64))
    for sentence in split_sentences(cleaned):
        assert cleaned.text[sentence.start:sentence.end] == sentence.text
        assert sentence.text.strip() == sentence.text and sentence.text


@settings(max_examples=150, deadline=None)
@given(text)
def test_mojibake_repair_only_ever_shortens_and_never_invents_replacement_characters(raw):
    fixed, count, codec = repair_mojibake(raw)
    assert (fixed == raw) == (count == 0)
    assert len(fixed) <= len(raw) - count
    assert ("\ufffd" in fixed) <= ("\ufffd" in raw)
    assert bool(codec) == bool(count)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(article, min_size=1, max_size=3), text)
def test_any_articles_give_a_memo_or_one_clear_error(articles, title):
    try:
        brief = memo.build([{"text": a, "outlet": title} for a in articles], embedder="hashing", title=title)
    except InputError as exc:
        assert "no article" in str(exc)
        return
    from memo._render import render_bytes

    docx_bytes = render_bytes(brief, "docx")
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        assert package.testzip() is None
    import docx

    docx.Document(io.BytesIO(docx_bytes))
    assert brief.to_markdown().startswith("# ")
    points = [*brief.bottom_line, *brief.key_points] + [p for s in brief.source_summaries for p in s.points]
    for point in points:
        for c in point.citations:
            assert brief.article(c.article_id).text[c.start:c.end] == c.quote
