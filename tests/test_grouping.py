import numpy as np

from memo.attribution import attribute
from memo.extractive import is_candidate
from memo.grouping import group_points
from memo.model import Article
from memo.segment import split_sentences

SHARED = "The central bank raised its main interest rate by half a point on Thursday"


def _groups(texts: dict[str, str], outlets: dict[str, str] | None = None, threshold: float = 0.7):
    from memo.embed import get_embedder

    embedder = get_embedder()
    articles = [Article(name, text, outlet=(outlets or {}).get(name, name.upper())) for name, text in texts.items()]
    sentences = [split_sentences(a) for a in articles]
    vectors = [embedder.embed([s.text for s in doc]) for doc in sentences]
    attributions = [attribute(a, doc) for a, doc in zip(articles, sentences)]
    candidates = [[i for i, s in enumerate(doc) if is_candidate(s)] for doc in sentences]
    return group_points(articles, sentences, vectors, attributions, candidates, threshold=threshold)


def test_paraphrases_in_three_sources_form_one_consensus_group_citing_each():
    groups = _groups({
        "a": f"{SHARED}, its sharpest move in a decade. Bakers in the capital sold out of bread by noon.",
        "b": "On Thursday the central bank lifted its key interest rate by 0.5 percentage points. "
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


def test_one_speaker_quoted_by_two_outlets_counts_once():
    groups = _groups({
        "a": "“Inflation is still far too high,” said Maria Lopez, the bank’s governor, on Thursday.",
        "b": "Governor Maria Lopez said on Thursday that inflation remained much too high for comfort.",
    })
    assert groups[0].sources == ("a", "b")
    assert set(groups[0].speakers) == {"Maria Lopez"} and groups[0].independent == 1


def test_unrelated_sentences_stay_apart():
    groups = _groups({"a": "The river flooded three villages after days of heavy rain.",
                      "b": "The chess champion retained her title after a long final game."})
    assert all(len(g.sources) == 1 for g in groups)


def test_complete_linkage_does_not_chain_through_a_middle_statement():
    from memo.grouping import cluster_statements

    angles = np.radians([0, 30, 60, 180, 185])  # 0~30 and 30~60 are close; 0 and 60 are not
    vectors = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    labels = cluster_statements(vectors, threshold=np.cos(np.radians(35)))
    assert labels[3] == labels[4] and labels[3] not in labels[:3]
    assert len(set(labels[:3])) == 2  # a chain of three is not one cluster
    assert cluster_statements(vectors, threshold=-1.0) == [0] * 5
    assert cluster_statements(np.zeros((0, 2)), threshold=0.5) == []
