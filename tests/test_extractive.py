import numpy as np
import pytest

from memo._embed import HashingEmbedder
from memo._extractive import Budget, Weights, is_candidate, summarize_article, summarize_corpus
from memo._model import Article
from memo._segment import split_sentences

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


def test_turning_coverage_off_lets_the_most_central_source_repeat():
    # "b" restates the story twice; "c" is off the story. Coverage still reaches every source.
    docs = [_doc("a", STORY), _doc("b", [
        "The council budget vote on Monday added bus routes and night service across the city.",
        "Council members said parking fees would fund the new transit budget and bus routes.",
    ]), _doc("c", ["A local bakery won a regional prize for its sourdough bread this spring."])]
    args = [d[1] for d in docs], [d[2] for d in docs], Budget(sentences=3)
    assert sorted(s.article_id for s in summarize_corpus(*args)) == ["a", "b", "c"]
    without = [s.article_id for s in summarize_corpus(*args, Weights(coverage=0.0))]
    assert len(without) == 3 and without.count("b") == 2 and "a" not in without


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



def _pool(*texts: str):
    return split_sentences(Article("a", " ".join(texts)))


@pytest.mark.parametrize("text, leans", [
    ("During that landmark visit, the two leaders praised each other at length.", True),
    ("He told reporters the deal would be signed before the summit in the spring.", True),
    ("But the ministers failed to agree on the wording of the final statement.", True),
    ("Those talks ended without a date for the next round of negotiations.", True),
    ("This week the two leaders signed a new trade agreement in the capital.", False),
    ("It is unclear whether the agreement will survive the next election.", False),
    ("The ministers failed to agree on the wording of the final statement on Monday.", False),
])
def test_context_score_marks_sentences_that_lean_on_the_one_before(text, leans):
    from memo._extractive import context_score
    assert context_score(_pool(text)).tolist() == [1.0 if leans else 0.0]


@pytest.mark.parametrize("text, opinion", [
    ("“The only thing that matters to them is money, not the people of the region at all,” she said.", True),
    ("The decision shall not be underestimated as it might change the balance of power.", True),
    ("Why would the bishop keep this information from the police for so long?", True),
    ("During the summer I have seen dozens of dead animals floating in the reservoir.", True),
    ("The court sentenced the woman to 13 years in prison on Tuesday for trafficking.", False),
    ("Police said they had a warrant for the phone records of the suspect, a 19-year-old man.", False),
    ("Officials in May reported 153 cases of severe bleeding across 13 counties in the state.", False),
])
def test_opinion_score_marks_one_voices_judgement(text, opinion):
    from memo._extractive import opinion_score
    assert opinion_score(_pool(text)).tolist() == [1.0 if opinion else 0.0]


def test_key_point_weights_prefer_a_report_that_stands_alone_over_a_quote_or_a_reference_back():
    from memo._stages.rank import KEY_POINT_WEIGHTS
    report = "The two governments signed the water treaty in Geneva on Monday after months of talks."
    docs = [_doc("a", ["“The water treaty signed in Geneva is a disgrace and will be torn up,” one critic said.",
                       "During that earlier visit, the water treaty talks in Geneva stalled for months.", report]),
            _doc("b", ["The water treaty signed in Geneva might be torn up, critics in both governments say.",
                       "During that visit, the water treaty talks in Geneva stalled for months."])]
    plain = summarize_corpus([d[1] for d in docs], [d[2] for d in docs], Budget(sentences=1),
                             Weights(coverage=0.0, position=0.0, support=0.0, length=0.0))
    weighed = summarize_corpus([d[1] for d in docs], [d[2] for d in docs], Budget(sentences=1),
                               Weights(coverage=0.0, position=0.0, support=0.0, length=0.0,
                                       context=KEY_POINT_WEIGHTS.context, opinion=KEY_POINT_WEIGHTS.opinion))
    assert [s.text for s in weighed] == [report]
    assert [s.text for s in plain] != [report]  # without the penalties the report is not first

def _story_corpus(articles: int, stories: int, seed: int = 0):
    """Articles as sentence embeddings around one topic vector per story, stories interleaved."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(stories, 64))
    story_of = rng.permutation(np.arange(articles) % stories)
    rows = []
    for story in story_of:
        vectors = topics[story] + 0.8 * rng.normal(size=(int(rng.integers(3, 9)), 64))
        rows.append((vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32))
    return rows, story_of


def test_neighbour_sources_are_everyone_in_a_small_corpus_and_the_nearest_both_ways_in_a_large_one():
    from memo._extractive import neighbour_sources

    rng = np.random.default_rng(1)
    small = rng.normal(size=(6, 16))
    assert [n.tolist() for n in neighbour_sources(small, k=8)] == [[b for b in range(6) if b != a] for a in range(6)]
    centroids = rng.normal(size=(300, 16))
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    neighbours = neighbour_sources(centroids, k=8)
    sims = centroids @ centroids.T
    np.fill_diagonal(sims, -np.inf)
    for a, others in enumerate(neighbours):
        assert a not in others and list(others) == sorted(set(others.tolist()))
        assert set(np.argsort(-sims[a])[:8].tolist()) <= set(others.tolist())  # its own nearest
        assert all(a in neighbours[b] for b in others)  # and the relation is symmetric


def test_cross_source_support_is_the_mean_best_match_over_other_sources_and_blocking_keeps_story_mates():
    from memo._extractive import _cross_source_support, neighbour_sources

    for articles, stories in ((12, 3), (200, 20)):  # all sources compared; then blocked (200 > 65)
        rows, story_of = _story_corpus(articles, stories)
        matrix, docs = np.concatenate(rows), np.repeat(np.arange(articles), [len(r) for r in rows])
        support = _cross_source_support(matrix, docs)
        sims = matrix @ matrix.T
        best = np.stack([sims[:, docs == d].max(axis=1) for d in range(articles)], axis=1)
        best[np.arange(len(matrix)), docs] = 0
        if articles <= 65:
            assert np.allclose(support, best.sum(axis=1) / (articles - 1), atol=1e-5)
        else:  # blocked: exactly the neighbour sources are compared, and every story-mate is one
            centroids = np.stack([r.mean(axis=0) / np.linalg.norm(r.mean(axis=0)) for r in rows])
            neighbours = neighbour_sources(centroids)
            compared = np.zeros((articles, articles), dtype=bool)
            for a, others in enumerate(neighbours):
                compared[a, others] = True
                assert {b for b in range(articles) if story_of[b] == story_of[a]} - {a} <= set(others.tolist())
            assert np.allclose(support, np.where(compared[docs], best, 0).sum(axis=1) / (articles - 1), atol=1e-5)
