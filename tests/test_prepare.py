"""The per-article stages before embedding, and their on-disk cache."""

from memo._ingest import RawDocument
from memo._prepare import ArticleCache, Prepared, prepare

TEXT = ("Officials said the bridge would reopen on Monday. “We are nearly done,” said Ana Lima, the city engineer. "
        "Traffic will be limited to one lane at first.")


def _doc(text: str, doc_id: str = "a", source: str = "a.txt") -> RawDocument:
    return RawDocument(doc_id, source, text, "", {"outlet": "City News"})


def test_prepare_splits_and_attributes_and_skips_what_cannot_be_used():
    prepared = prepare(_doc(TEXT))
    assert [s.text for s in prepared.sentences][1].startswith("“We are nearly done,”")
    assert all(prepared.article.text[s.start:s.end] == s.text for s in prepared.sentences)
    assert len(prepared.attributions) == len(prepared.sentences) and prepared.attributions[1].speaker == "Ana Lima"
    empty = prepare(_doc("   \n"))
    assert empty.article is None and empty.notices[-1].kind == "skipped"
    foreign = prepare(_doc("Les responsables ont déclaré que le pont rouvrirait lundi après des travaux. " * 3))
    assert foreign.article is None and "not in English" in foreign.notices[-1].detail


def test_the_article_cache_gives_back_what_was_stored_under_the_document_id_asked_for(tmp_path):
    cache = ArticleCache(tmp_path / "articles.sqlite")
    original = prepare(_doc(TEXT))
    assert cache.lookup([_doc(TEXT)]) == [None]
    cache.store([_doc(TEXT)], [original])
    (same,) = cache.lookup([_doc(TEXT)])
    assert same == original
    (renamed,) = cache.lookup([_doc(TEXT, doc_id="b")])  # the same file, now listed under another id
    assert renamed.article.id == "b" and {s.article_id for s in renamed.sentences} == {"b"}
    assert cache.lookup([_doc(TEXT + " More.")]) == [None]  # changed text: prepared again
    assert cache.lookup([_doc(TEXT, source="other.txt")]) == [None]
    cache.close()
    assert isinstance(same, Prepared)


def test_attributing_many_articles_parses_each_distinct_sentence_once(monkeypatch):
    from memo import _syntax as syntax
    from memo._prepare import attribute_all, prepare_later

    wire = "“We are nearly done,” said Ana Lima, the city engineer."
    docs = [_doc(TEXT, "a"), _doc(f"The council met on Tuesday. {wire} She expects no delays.", "b"),
            _doc(f"{wire} Officials said the bridge would reopen on Monday.", "c")]
    one_by_one = [prepare(d).attributions for d in docs]
    parsed: list[str] = []
    real_parse = syntax.parse
    monkeypatch.setattr(syntax, "parse", lambda texts: parsed.extend(texts) or real_parse(texts))
    together = attribute_all([prepare_later(d) for d in docs])
    assert [p.attributions for p in together] == one_by_one  # the same attributions as article by article
    assert sorted(parsed) == sorted(set(parsed)) and wire in parsed  # the wire sentence once, not twice
