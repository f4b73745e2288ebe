import numpy as np
import pytest

from memo._attribution import attribute
from memo._extractive import is_candidate
from memo._grouping import Pool, group_points, story_clusters, weigh_groups
from memo._model import Article
from memo._segment import split_sentences
from memo._stance import CONTESTS, SUPPORTS, Stance

SHARED = "The central bank raised its main interest rate by half a point on Thursday"


def _parts(texts: dict[str, str], outlets: dict[str, str] | None = None):
    from memo._embed import get_embedder

    embedder = get_embedder()
    articles = [Article(name, text, outlet=(outlets or {}).get(name, name.upper())) for name, text in texts.items()]
    sentences = [split_sentences(a) for a in articles]
    vectors = [embedder.embed([s.text for s in doc]) for doc in sentences]
    attributions = [attribute(a, doc) for a, doc in zip(articles, sentences)]
    candidates = [[i for i, s in enumerate(doc) if is_candidate(s)] for doc in sentences]
    return articles, sentences, vectors, attributions, candidates


def _groups(texts: dict[str, str], outlets: dict[str, str] | None = None, threshold: float = 0.7):
    return group_points(*_parts(texts, outlets), threshold=threshold)


class StanceByWord:
    """Contests when one of claim and statement says "not" and the other does not (either way
    round), with the confidence the test sets."""

    def __init__(self, confidence: float = 0.9):
        self.confidence = confidence
        self.claims: list[str] = []

    def stance(self, claim, statements):
        self.claims.append(claim)
        return [Stance(CONTESTS, 0.05, self.confidence) if (" not " in s) != (" not " in claim)
                else Stance(SUPPORTS, 0.95, self.confidence) for s in statements]


class OneWayStance(StanceByWord):
    """Contests a claim only when the *statement* says "not": the reverse reading supports."""

    def stance(self, claim, statements):
        self.claims.append(claim)
        return [Stance(CONTESTS, 0.05, self.confidence) if " not " in s and " not " not in claim
                else Stance(SUPPORTS, 0.95, self.confidence) for s in statements]


RATES = {
    "a": f"{SHARED}, its sharpest move in a decade.",
    "b": "On Thursday the central bank lifted its key interest rate by 0.5 percentage points.",
    "c": "The central bank did not raise its main interest rate by half a point on Thursday, its governor said.",
}


def test_a_member_that_contests_the_point_leaves_the_group_and_marks_it_contested():
    parts = _parts(RATES)
    groups = group_points(*parts)
    assert groups[0].sources == ("a", "b", "c")  # by wording alone, one group
    weighed = weigh_groups(groups, Pool.build(*parts[1:]), StanceByWord())
    top = next(g for g in weighed if "a" in g.sources)
    assert top.label == "contested" and set(top.sources) == {"a", "b"}
    assert [s.citation.article_id for s in top.contested_by] == ["c"]
    assert top.contested_by[0].stance == CONTESTS and top.contested_by[0].confidence == 0.9


def test_a_weak_contest_does_not_break_a_consensus():
    parts = _parts(RATES)
    weighed = weigh_groups(group_points(*parts), Pool.build(*parts[1:]), StanceByWord(confidence=0.3))
    top = next(g for g in weighed if "a" in g.sources)
    assert top.label == "consensus" and not top.contested_by and top.independent == 3


def test_a_contest_read_one_way_only_is_no_disagreement_but_the_member_read_so_leaves_the_group():
    parts = _parts(RATES)
    weighed = weigh_groups(group_points(*parts), Pool.build(*parts[1:]), OneWayStance())
    top = next(g for g in weighed if "a" in g.sources)
    assert top.label == "consensus" and not top.contested_by  # contradiction reads both ways
    assert set(top.sources) == {"a", "b"}  # but a consensus never carries a statement read as denying it


def test_a_denial_of_something_else_on_the_same_matter_is_no_disagreement(monkeypatch):
    import memo._grouping as grouping

    parts = _parts({**{key: RATES[key] for key in ("a", "b")},
                    "c": "The central bank did not raise its main interest rate in the spring."})  # cosine 0.52
    groups = [g for g in group_points(*parts) if "a" in g.sources]
    assert groups[0].sources == ("a", "b")
    weighed = weigh_groups(groups, Pool.build(*parts[1:]), StanceByWord())
    assert weighed[0].label == "consensus" and not weighed[0].contested_by  # it denies something else
    monkeypatch.setattr(grouping, "SAME_CLAIM", 0.3)  # taken as about the same thing, it would contradict
    assert weigh_groups(groups, Pool.build(*parts[1:]), StanceByWord())[0].label == "contested"


def test_the_same_words_never_contradict_themselves():
    from memo._grouping import contradicts

    denial = Stance(CONTESTS, 0.05, 0.9)
    text = "The basic structure of the race has not changed, the pollster said."
    assert not contradicts(denial, denial, 0.98, text, f"“{text}")  # a verbatim repeat, one quote mark apart
    assert contradicts(denial, denial, 0.9, text, text.replace("has not changed", "has changed"))
    assert not contradicts(denial, None, 0.9, text, "The race has changed.")  # not read the other way
    assert not contradicts(denial, denial, 0.5, text, "Turnout fell.")  # about something else


def test_paraphrases_that_all_agree_stay_consensus_and_each_statement_carries_its_stance():
    parts = _parts({key: RATES[key] for key in ("a", "b")})
    weighed = weigh_groups(group_points(*parts), Pool.build(*parts[1:]), StanceByWord())
    assert weighed[0].label == "consensus" and weighed[0].statements[1].stance == SUPPORTS


def test_paraphrases_in_three_sources_form_one_consensus_group_citing_each():
    groups = _groups({
        "a": f"{SHARED}, its sharpest move in a decade. Bakers in the capital sold out of bread by noon.",
        "b": "On Thursday the central bank lifted interest rates by half a percentage point. "
             "The football season opens next week with a derby.",
        "c": "Interest rates went up by half a point on Thursday after the central bank's decision. "
             "A new museum of modern art opened downtown.",
    })
    top = groups[0]
    assert top.label == "consensus" and top.sources == ("a", "b", "c") and top.independent == 3
    assert all("rate" in c.quote for c in top.point.citations)
    assert [len(g.sources) for g in groups[1:]] == [1] * (len(groups) - 1)


def test_the_same_wire_copy_in_two_outlets_counts_once():
    groups = _groups({"a": f"{SHARED}, the bank said in a statement.",
                      "b": f"{SHARED}, the bank said in a statement to investors."})
    assert groups[0].sources == ("a", "b")
    assert groups[0].independent == 1 and groups[0].label == "single-source"


def test_one_speaker_quoted_by_two_outlets_is_two_reports_of_what_was_said():
    groups = _groups({
        "a": "“Inflation is still far too high,” said Maria Lopez, the bank’s governor, on Thursday.",
        "b": "Governor Maria Lopez said on Thursday that inflation remained much too high for comfort.",
    })
    assert groups[0].sources == ("a", "b")
    assert set(groups[0].speakers) == {"Maria Lopez"} and groups[0].independent == 2
    assert groups[0].label == "consensus"


def test_the_same_quotation_attributed_in_each_outlets_own_words_is_two_reports():
    quote = "“We will do whatever it takes to bring inflation back to target, and we will not hesitate,”"
    groups = _groups({"a": f"{quote} Maria Lopez told reporters in Frankfurt.",
                      "b": f"{quote} the governor said at a conference on Thursday."})
    assert groups[0].sources == ("a", "b") and groups[0].independent == 2


QUOTE = "“We have never seen a fire like this one in the port in thirty years of work,”"
REPORT = [
    "Firefighters battled a blaze at a chemical warehouse on the edge of the port for nine hours overnight.",
    "Residents within two kilometres were told to keep their windows shut until the smoke had cleared completely.",
    "The fire service said three of its crews were treated for smoke inhalation and later released from hospital.",
    "Investigators from the port authority are expected to arrive at the warehouse site on Monday morning.",
    "The warehouse stores fertiliser and cleaning products for farms and factories across the whole region.",
    f"{QUOTE} said Jan Olsen, the harbour master.",
]


def test_two_copies_of_one_report_count_as_one_origin_and_a_story_sharing_a_paragraph_does_not():
    from memo._grouping import copied_reports

    copy = REPORT[:3] + ["Investigators from the port authority will arrive at the warehouse site on Monday morning.",
                         "A local school will stay closed on Monday while the air quality is checked by the council.",
                         REPORT[5]]
    other = [REPORT[2], "A fire at a chemical warehouse by the port burned for nine hours through the night.",
             f"{QUOTE} Olsen told the local radio station on Sunday afternoon.",
             "Shipping through the port was suspended for most of the night and resumed at dawn under police watch.",
             "The mayor praised the crews and promised a review of how chemicals are stored near homes in the city.",
             "Insurers have begun to estimate the damage, which local officials put at several million euros.",
             "Dockworkers said the fire began near a loading bay where pallets of packaging were stacked high.",
             "The port's busiest terminal reopened by the afternoon, and ferries ran to their usual timetable."]
    texts = {"a": " ".join(REPORT), "b": " ".join(copy), "c": " ".join(other)}
    parts = _parts(texts)
    assert copied_reports(parts[1]) == {"a": "a", "b": "a"}  # c shares two sentences: its own report
    groups = group_points(*parts)
    fire = next(g for g in groups if "nine hours" in g.point.text)
    assert fire.sources == ("a", "b", "c") and fire.independent == 2  # a and b copy one report
    quoted = next(g for g in groups if g.point.text.startswith(QUOTE))
    assert quoted.sources == ("a", "b", "c") and quoted.independent == 2  # one speaker: a and b's copy, c's own
    syndicated = next(g for g in groups if g.point.text.startswith("The fire service said"))
    assert syndicated.sources == ("a", "b", "c") and syndicated.independent == 1  # one paragraph, word for word
    monday = next(g for g in groups if "Monday morning" in g.point.text)
    assert monday.sources == ("a", "b") and monday.independent == 1 and monday.label == "single-source"


def test_unrelated_sentences_stay_apart():
    groups = _groups({"a": "The river flooded three villages after days of heavy rain.",
                      "b": "The chess champion retained her title after a long final game."})
    assert all(len(g.sources) == 1 for g in groups)


def test_the_sparse_closeness_keeps_every_pair_the_dense_matrix_puts_above_the_floor():
    from memo._grouping import SHARED_WORDS, _content_words, _overlap, _rarity, _SparseCloseness

    def closeness_matrix(vectors, texts):  # the dense matrix the sparse one stands for
        words = [_content_words(t) for t in texts]
        rarity = _rarity(words)
        shared = np.array([[_overlap(left, right, rarity) for right in words] for left in words])
        return vectors @ vectors.T + SHARED_WORDS * shared

    articles, sentences, vectors, _, candidates = _parts({
        "a": f"{SHARED}, its sharpest move in a decade. Bakers in the capital sold out of bread by noon.",
        "b": "On Thursday the central bank lifted interest rates by half a percentage point. The bakers sold out.",
        "c": "Interest rates went up by half a point on Thursday. A new museum of modern art opened downtown.",
    })
    flat = [(a, i) for a, rows in enumerate(candidates) for i in rows]
    texts = [sentences[a][i] for a, i in flat]
    rows = [vectors[a][i] for a, i in flat]
    sparse = _SparseCloseness(rows, texts, [a for a, _ in flat], floor=0.5)
    dense = closeness_matrix(np.stack(rows), [s.text for s in texts])
    expected = {(i, j) for i in range(len(flat)) for j in range(i + 1, len(flat))
                if flat[i][0] != flat[j][0] and dense[i, j] >= 0.5}
    assert expected and {(i, j) for i, j, _ in sparse.pairs} == expected
    for i, j, value in sparse.pairs:
        assert value == pytest.approx(dense[i, j], abs=1e-5) == pytest.approx(sparse(j, i), abs=1e-5)
    assert sparse(0, 1) == pytest.approx(dense[0, 1], abs=1e-5)  # a pair below the floor, computed on demand


@pytest.mark.parametrize("articles, stories", [(12, 3), (400, 40)])
def test_story_clusters_recover_each_story_in_small_and_blocked_large_corpora(articles, stories):
    from test_extractive import _story_corpus

    rows, story_of = _story_corpus(articles, stories, seed=3)
    labels = story_clusters(rows)
    assert len(set(labels)) == stories
    for label in set(labels):  # each found story is exactly one true story
        assert len({story_of[a] for a in range(articles) if labels[a] == label}) == 1


def test_a_pair_is_read_the_other_way_only_when_the_first_reading_contests_and_it_is_close():
    from memo._grouping import _judge_both_ways
    from memo._stance import CONTESTS, UNCLEAR, Stance

    class Recorded:
        def __init__(self):
            self.asked = []

        def stance_pairs(self, pairs):
            self.asked.append(list(pairs))
            first = {"plain fact": Stance(UNCLEAR, 0.9, 0.2),
                     "leans against": Stance(UNCLEAR, 0.3, 0.6),
                     "flat denial": Stance(CONTESTS, 0.05, 0.95),
                     "denial of something else": Stance(CONTESTS, 0.05, 0.95)}
            return [first.get(b, Stance(CONTESTS, 0.1, 0.9)) for a, b in pairs]

    backend = Recorded()
    texts = ["plain fact", "leans against", "flat denial", "denial of something else"]
    calls = _judge_both_ways([("the claim", texts)], backend, [[0.9, 0.9, 0.9, 0.5]])
    assert backend.asked[1] == [("flat denial", "the claim")]  # only that pair is read again
    assert [(f.label, b.label if b else None) for f, b in calls[0]] == [
        (UNCLEAR, None), (UNCLEAR, None), (CONTESTS, CONTESTS), (CONTESTS, None)]


class JudgeByPairs:
    """A same-point judge that calls a pair one point when both sentences name one of the
    ``same`` words, and records what it was asked."""

    floor, threshold = 0.2, 0.5

    def __init__(self, *same_words: str):
        self.same_words = same_words
        self.asked: list[tuple[str, str]] = []

    def same(self, pairs):
        self.asked += list(pairs)
        return np.array([1.0 if any(w in a and w in b for w in self.same_words) else 0.0 for a, b in pairs])


EXPECTATIONS = {
    "a": "Analysts expect no breakthrough from the talks in Geneva. The harbour froze for the first time.",
    "b": "A deal in Geneva is seen as unlikely by most observers of the negotiations. The zoo bought a panda.",
}


def test_judged_closeness_groups_what_the_model_reads_as_one_point_and_parts_what_it_reads_as_two():
    from memo._grouping import LINKAGE_SLACK, SAME_POINT, judged_closeness

    closeness = np.array([0.55, 0.9, 0.3])
    same = np.array([0.8, 0.1, 0.99])
    judged = judged_closeness(closeness, same, floor=0.5, threshold=0.6)
    assert judged[0] >= SAME_POINT  # far apart in words, one point: groups
    assert judged[1] < SAME_POINT - LINKAGE_SLACK  # alike in words, two points: cannot group
    assert judged[2] == 0.3  # below the floor, not asked: as it was


def test_a_paraphrase_the_embeddings_miss_is_grouped_when_the_judge_reads_one_point():
    parts = _parts(EXPECTATIONS)
    alone = group_points(*parts)
    assert all(len(g.sources) == 1 for g in alone)  # the premise: closeness alone does not group them
    judge = JudgeByPairs("Geneva")
    grouped = group_points(*parts, judge=judge)
    assert grouped[0].sources == ("a", "b") and grouped[0].label == "consensus"
    assert all("Geneva" in c.quote for c in grouped[0].point.citations)
    assert judge.asked and all(len(pair) == 2 for pair in judge.asked)


def test_alike_sentences_the_judge_reads_as_two_points_are_not_grouped():
    parts = _parts({key: RATES[key] for key in ("a", "b")})
    assert group_points(*parts)[0].sources == ("a", "b")  # the premise: closeness alone groups them
    assert all(len(g.sources) == 1 for g in group_points(*parts, judge=JudgeByPairs()))


def test_a_pair_is_led_by_its_shorter_wording_whichever_source_comes_first():
    # In a group of two both wordings are equally close to the other (1 + their cosine): a tie
    # that float rounding must not break, or runtimes and CPUs would lead with different ones.
    shorter = RATES["b"]
    for texts in ({"a": RATES["a"], "b": shorter}, {"a": shorter, "b": RATES["a"]}):
        top = _groups(texts)[0]
        assert len(top.sources) == 2 and top.point.text == shorter
