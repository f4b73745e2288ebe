import numpy as np
import pytest

from memo.embed import HashingEmbedder
from memo.extractive import Budget, Weights, is_candidate, summarize_article, summarize_corpus
from memo.model import Article
from memo.segment import split_sentences

STORY = [
    "The city council approved a new transit budget on Monday after a long debate.",
    "The budget adds twelve bus routes and extends night service across the city.",
    "Council members said the plan would be funded by a modest increase in parking fees.",
    "The council approved the new transit budget on Monday following a lengthy debate.",
    "Some residents argued that the parking fee increase would hurt small businesses downtown.",
    "The mayor is expected to sign the budget into law by the end of the week.",
]


def _doc(article_id: str, lines: list[str]):
    article = Article(article_id, "\n".join(lines))
    sentences = split_sentences(article)
    return article, sentences, HashingEmbedder(1024).embed([s.text for s in sentences])


def test_article_summary_is_verbatim_in_reading_order_and_within_budget():
    article, sentences, vectors = _doc("a", STORY)
    picked = summarize_article(sentences, vectors, Budget(sentences=3))
    assert len(picked) == 3
    assert [s.index for s in picked] == sorted(s.index for s in picked)
    for s in picked:
        assert article.text[s.start:s.end] == s.text


def test_near_repeats_are_not_both_chosen():
    _, sentences, vectors = _doc("a", STORY)
    picked = {s.index for s in summarize_article(sentences, vectors, Budget(sentences=4))}
    assert not {0, 3} <= picked


def test_word_budget_is_respected():
    _, sentences, vectors = _doc("a", STORY)
    picked = summarize_article(sentences, vectors, Budget(words=30))
    assert 0 < sum(s.words for s in picked) <= 33


def test_corpus_summary_covers_every_source_before_repeating_one():
    docs = [_doc("a", STORY), _doc("b", [
        "Bus riders welcomed the expanded night service announced by the council.",
        "Riders said late shifts had been hard to reach without buses after midnight.",
    ]), _doc("c", [
        "Downtown shop owners plan to protest the higher parking fees next week.",
        "They say customers will drive to suburban malls instead.",
    ])]
    picked = summarize_corpus([d[1] for d in docs], [d[2] for d in docs], Budget(sentences=3))
    assert sorted(s.article_id for s in picked) == ["a", "b", "c"]
    again = summarize_corpus([d[1] for d in docs], [d[2] for d in docs], Budget(sentences=3),
                             Weights(coverage=0.0))
    assert len(again) == 3


def test_headings_fragments_and_captions_are_never_summary_material():
    article = Article("a", "A Headline With No Period\nToo short.\n"
                      "This handout photo shows the minister arriving at the summit in the capital.\n"
                      "The minister arrived at the summit in the capital on Tuesday morning.")
    sentences = split_sentences(article)
    assert [is_candidate(s) for s in sentences] == [False, False, False, True]


def test_budget_must_say_something():
    with pytest.raises(ValueError):
        Budget()
    with pytest.raises(ValueError):
        Budget(sentences=0)


def test_empty_inputs_give_empty_summaries():
    assert summarize_article([], np.zeros((0, 4)), Budget(sentences=2)) == []
    assert summarize_corpus([], [], Budget(sentences=2)) == []


def test_background_weight_holds_back_sentences_dated_years_before_the_news():
    docs = [_doc("a", ["In 2015 the two leaders first signed the trade treaty in Geneva after long talks.",
                       "The two leaders renewed the trade treaty in Geneva on Monday, officials said in 2024."]),
            _doc("b", ["The trade treaty between the two leaders was renewed in Geneva this week in 2024.",
                       "The original trade treaty was signed by the two leaders in Geneva in 2015."])]
    plain = summarize_corpus([d[1] for d in docs], [d[2] for d in docs], Budget(sentences=2),
                             Weights(coverage=0.0, position=0.0, background=0.0))
    held = summarize_corpus([d[1] for d in docs], [d[2] for d in docs], Budget(sentences=2),
                            Weights(coverage=0.0, position=0.0, background=5.0))
    assert any("2015" in s.text for s in plain)
    assert not any("2015" in s.text for s in held)
