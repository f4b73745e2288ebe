import numpy as np
import pytest

from memo.embed import HashingEmbedder, get_embedder
from memo.errors import ModelError
from memo.stance import CONTESTS, SUPPORTS, UNCLEAR, EmbeddingStance, NLIStance, Stance, get_stance, negate
from tiny_models import build_nli


@pytest.mark.parametrize("claim, negated", [
    ("China is a credible mediator", "China is not a credible mediator"),
    ("The bank will raise rates.", "The bank will not raise rates"),
    ("The plan is not workable", "The plan is workable"),
    ("Xi visited Moscow", "It is not true that Xi visited Moscow"),  # names keep their capital
    ("The talks failed", "It is not true that the talks failed"),
])
def test_negate(claim, negated):
    assert negate(claim) == negated


@pytest.fixture(scope="module")
def offline():
    return EmbeddingStance(get_embedder())


def test_offline_default_tells_a_paraphrase_from_a_flat_contradiction(offline):
    claim = "The central bank will raise interest rates"
    calls = offline.stance(claim, ["The central bank is expected to raise interest rates next week.",
                                   "The central bank will not raise interest rates, its governor said."])
    assert [c.label for c in calls] == [SUPPORTS, CONTESTS]
    assert calls[0].support > 0.5 > calls[1].support


def test_offline_calls_are_honest_about_confidence(offline):
    statements = ["The storm cut power to thousands of homes.", "Nobody lost power in the storm.",
                  "The football team won on Sunday."]
    calls = offline.stance("The storm cut power to thousands of homes", statements)
    for call in calls:
        assert 0 <= call.confidence <= 1 and call.confidence == pytest.approx(abs(2 * call.support - 1))
        assert (call.label == UNCLEAR) == (call.confidence < offline.min_confidence)
    cautious = EmbeddingStance(get_embedder(), min_confidence=1.0)
    assert {c.label for c in cautious.stance("The storm cut power", statements)} == {UNCLEAR}
    assert offline.stance("anything", []) == []


def test_the_news_lexicon_is_loaded_into_the_sentiment_model(offline):
    assert offline.sentiment.lexicon["credible"] > 0 > offline.sentiment.lexicon["dismissed"]


def test_backends_are_chosen_by_name_or_passed_as_objects(tmp_path):
    embedder = HashingEmbedder(64)
    assert isinstance(get_stance(None, embedder), EmbeddingStance)
    assert isinstance(get_stance("embedding", embedder), EmbeddingStance)
    assert isinstance(get_stance("nli:some/model", embedder), NLIStance)
    assert isinstance(get_stance(str(tmp_path), embedder), NLIStance)  # an existing model directory

    class Always:
        def stance(self, claim, statements):
            return [Stance(SUPPORTS, 1.0, 1.0) for _ in statements]

    custom = Always()
    assert get_stance(custom, embedder) is custom
    with pytest.raises(ModelError, match="unknown stance backend"):
        get_stance("sentiment-magic", embedder)
    with pytest.raises(ModelError, match="no stance"):
        get_stance(object(), embedder)


@pytest.fixture(scope="module")
def tiny_nli(tmp_path_factory):
    return build_nli(tmp_path_factory.mktemp("nli"))


def test_nli_backend_runs_a_local_model_and_reads_its_label_names(tiny_nli):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    statements = ["The minister said the new dam is safe.", "Engineers warned that the dam is not safe.",
                  "The storm cut power."]
    claim = "The new dam is safe"
    calls = get_stance(f"nli:{tiny_nli}", HashingEmbedder(8)).stance(claim, statements)
    # The same model through plain transformers: P(entailment) / (P(entailment) + P(contradiction)).
    tokenizer = AutoTokenizer.from_pretrained(tiny_nli)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_nli).eval()
    with torch.inference_mode():
        probs = torch.softmax(model(**tokenizer(statements, [claim] * 3, padding=True, return_tensors="pt")).logits,
                              -1).numpy()
    expected = probs[:, 0] / (probs[:, 0] + probs[:, 2])
    assert np.allclose([c.support for c in calls], expected, atol=1e-5)
    for call, row in zip(calls, probs):
        assert call.confidence == pytest.approx((row[0] + row[2]) * abs(2 * call.support - 1), abs=1e-5)
        assert call.label == (UNCLEAR if call.confidence < 0.5 else SUPPORTS if call.support > 0.5 else CONTESTS)


def test_nli_backend_refuses_a_model_without_nli_labels(tmp_path):
    path = build_nli(tmp_path / "sentiment", labels=("negative", "positive"))
    with pytest.raises(ModelError, match="entailment"):
        NLIStance(path).stance("claim", ["statement"])


def test_an_nli_model_that_cannot_be_loaded_gives_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="cannot load NLI model 'no-org/no-nli'"):
        NLIStance("no-org/no-nli").stance("claim", ["statement"])
