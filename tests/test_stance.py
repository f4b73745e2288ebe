import json
import numpy as np
import pytest

from memo._embed import HashingEmbedder, get_embedder
from memo._errors import ArgumentError, ModelError
from memo._stance import CONTESTS, SUPPORTS, UNCLEAR, EmbeddingStance, NLIStance, Stance, get_stance, negate
from tiny_models import build_claim_stance, build_nli


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
    assert isinstance(get_stance("embedding", embedder), EmbeddingStance)
    assert isinstance(get_stance("nli:some/model", embedder), NLIStance)
    assert isinstance(get_stance(str(tmp_path), embedder), NLIStance)  # an existing model directory

    class Always:
        def stance(self, claim, statements):
            return [Stance(SUPPORTS, 1.0, 1.0) for _ in statements]

    custom = Always()
    assert get_stance(custom, embedder) is custom
    with pytest.raises(ArgumentError, match="unknown stance backend"):
        get_stance("sentiment-magic", embedder)
    with pytest.raises(ArgumentError, match="no stance"):
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


# --- memo's own stance model (the default backend) -----------------------------------------

@pytest.fixture(scope="module")
def shipped():
    from memo._stance import ClaimStance

    return ClaimStance()


def test_the_default_backend_is_the_shipped_stance_model():
    from memo._stance import ClaimStance

    assert isinstance(get_stance(None, HashingEmbedder()), ClaimStance)
    assert isinstance(get_stance("memo", HashingEmbedder()), ClaimStance)
    assert isinstance(get_stance("embedding", HashingEmbedder()), EmbeddingStance)


def test_the_shipped_model_is_small_and_ships_only_what_differs_from_minilm(shipped):
    from safetensors import safe_open

    weights = shipped.path / "weights.safetensors"
    assert weights.stat().st_size < 50 * 2**20
    with safe_open(str(weights), "pt") as handle:
        assert not any(".embeddings." in key for key in handle.keys())
    assert (shipped.path / "README.md").read_text(encoding="utf-8").startswith("# memo stance model")


# Known weakness (model card, Limits): a negation word in the statement ("no serious side
# effects") reads as contesting, and harm words without one as supporting. Strict: these
# fail the suite the day a retrained model gets them right, so the card can be updated.
_NEGATION_CUES = pytest.mark.xfail(strict=True, reason="the shipped model misreads negation cues")


@pytest.mark.parametrize("claim, statement, expected", [
    pytest.param("The new vaccine is safe", "Trials found no serious side effects from the new vaccine.", SUPPORTS,
                 marks=_NEGATION_CUES),
    pytest.param("The new vaccine is safe", "Doctors warned that the new vaccine caused dangerous side effects.",
                 CONTESTS, marks=_NEGATION_CUES),
    ("The new vaccine is safe", "The new vaccine is not safe.", CONTESTS),
    ("The city should build a new stadium", "A new stadium would bring jobs and visitors to the city.", SUPPORTS),
    ("The city should build a new stadium", "The stadium would waste public money that schools badly need.",
     CONTESTS),
    ("Sanctions on the regime are working", "The sanctions have failed to change the regime's behaviour.", CONTESTS),
])
def test_the_shipped_model_reads_plain_english_stance(shipped, claim, statement, expected):
    call = shipped.stance(claim, [statement])[0]
    assert call.label == expected, call


@pytest.mark.parametrize("claim, statement", [
    ("The city should build a new stadium", "A new stadium would bring jobs and visitors to the city."),
    ("Staff should be allowed to work from home", "Staff working from home got far more done, a study found."),
    ("The new dam is safe", "Engineers who inspected the new dam found it sound and safe to open."),
    ("The mayor should resign", "The mayor has lost the trust of the council and must go, its leader said."),
])
def test_the_shipped_model_reads_the_claim_not_only_the_statement(shipped, claim, statement):
    """The same statement leans to supporting a claim and to contesting the claim negated: a
    model that judged the statement alone (upbeat reads as support) would lean the same way
    on both (the model before negated claims were trained on scored 0.51 on Perspectrum dev
    negated)."""
    from memo._stance import negate

    assert shipped.stance(claim, [statement])[0].support > 0.5
    assert shipped.stance(negate(claim), [statement])[0].support < 0.5


def test_the_shipped_model_abstains_on_a_statement_about_something_else(shipped):
    claim = "The central bank will raise interest rates"
    statements = ["The football team won its match on Sunday.", "Heavy snow closed the mountain pass."]
    probs = shipped.probabilities(claim, statements)
    for call, row in zip(shipped.stance(claim, statements), probs):
        assert call.label == UNCLEAR
        assert row[shipped.labels.index("unrelated")] > max(row[shipped.labels.index("supports")],
                                                           row[shipped.labels.index("contests")])


def test_a_side_is_called_only_above_the_dev_calibrated_confidence(shipped):
    import json

    calibration = json.loads((shipped.path / "calibration.json").read_text(encoding="utf-8"))
    assert shipped.min_confidence == calibration["threshold"] and shipped.temperature == calibration["temperature"]
    # The precision at that threshold was measured on dev and must be what the issue asks for.
    for name in ("perspectrum_dev", "fnc1_dev", "ibm_argkp_dev"):
        assert calibration["dev"][name]["side_precision"] >= 0.85
    claim = "Remote work makes employees more productive"
    statements = ["Staff working from home got more done, a study found.", "Productivity fell when offices closed.",
                  "Some firms have asked staff to return.", "The weather was mild."]
    for call in shipped.stance(claim, statements):
        assert (call.label == UNCLEAR) == (call.confidence < shipped.min_confidence)
        assert 0 <= call.confidence <= 1 and 0 <= call.support <= 1


def test_the_shipped_model_loads_with_the_hub_unreachable(monkeypatch):
    import subprocess
    import sys

    code = ("import socket\n"
            "def refuse(*a, **k): raise OSError('no network in this test')\n"
            "socket.create_connection = refuse\n"
            "socket.socket.connect = lambda *a, **k: refuse()\n"
            "from memo._stance import ClaimStance\n"
            "print(ClaimStance().stance('Taxes should rise', ['Higher taxes would fund schools.'])[0].label)\n")
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() in (SUPPORTS, CONTESTS, UNCLEAR)


PAIRS = [("The dam is safe", "Engineers warned that the dam is not safe."),
         ("China is a credible mediator in the war", "Critics doubt the plan will work and say talks are unlikely "
          "to succeed, and the storm cut power to thousands of homes on the coast."),
         ("Rates will rise", "The central bank raised interest rates by half a point.")]


@pytest.mark.parametrize("act, runtime", [("gelu", "onnx"), ("gelu", "torch"), ("relu", None)])
def test_a_stance_folder_gives_transformers_numbers_whichever_runner_reads_it(tmp_path, act, runtime):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from memo._stance import ClaimStance, _PlainBertPairs, _TransformersPairs

    folder = build_claim_stance(tmp_path / "stance", act=act)
    backend = ClaimStance(folder, runtime=runtime)
    # memo's plain-torch BERT reads only what it implements; a relu model goes through transformers
    assert isinstance(backend._load(), _PlainBertPairs if act == "gelu" else _TransformersPairs)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    batch = tokenizer([a for a, _ in PAIRS], [b for _, b in PAIRS], padding=True, truncation="longest_first",
                      max_length=24, return_tensors="pt")
    with torch.inference_mode():
        expected = torch.softmax(model(**batch).logits / 1.5, dim=-1).numpy()
    assert np.abs(backend.pair_probabilities(PAIRS) - expected).max() < 1e-5
    assert [c.label for c in backend.stance_pairs(PAIRS)] == [
        UNCLEAR if max(row[2], row[3]) < 0.4 else SUPPORTS if row[2] >= row[3] else CONTESTS for row in expected]


def test_a_stance_model_whose_head_does_not_match_its_labels_is_refused(tmp_path):
    import json

    from memo._stance import ClaimStance

    folder = build_claim_stance(tmp_path / "stance")
    calibration = json.loads((folder / "calibration.json").read_text())
    calibration["labels"] = ["supports", "contests"]
    (folder / "calibration.json").write_text(json.dumps(calibration))
    with pytest.raises(ModelError, match="4 outputs"):
        ClaimStance(folder).stance("x", ["y"])


def test_the_stance_model_runs_in_the_helper_process_with_the_same_numbers(tmp_path):
    from memo._preload import ModelHelper, PreloadedEmbedder, PreloadedStance
    from memo._stance import ClaimStance

    folder = build_claim_stance(tmp_path / "stance")
    helper = ModelHelper("hashing", folder)
    try:
        remote = PreloadedStance(folder, helper=helper)
        assert np.array_equal(remote.pair_probabilities(PAIRS), ClaimStance(folder).pair_probabilities(PAIRS))
        assert remote.stance("The dam is safe", []) == []
        # one helper serves both models
        assert PreloadedEmbedder("hashing", helper=helper).embed(["a b"]).shape == (1, 4096)
    finally:
        helper.close()
    assert not helper._process.is_alive()


def test_a_stance_model_that_cannot_load_in_the_helper_is_one_clear_error(tmp_path):
    from memo._preload import ModelHelper, PreloadedStance

    folder = build_claim_stance(tmp_path / "stance")
    (folder / "model.safetensors").write_bytes(b"not weights")
    helper = ModelHelper(None, folder)
    try:
        with pytest.raises(ModelError, match="model.safetensors"):
            PreloadedStance(folder, helper=helper).stance("x", ["y"])
    finally:
        helper.close()


@pytest.mark.parametrize("text, read", [
    ("\u201cThe plan will fail.\u201d", "The plan will fail."),
    ('"The plan will fail."', "The plan will fail."),
    ("\u2018We won the vote.\u2019", "We won the vote."),
    ("\u201cIt is about ties to [Russia], not peace.\u201d", "It is about ties to Russia, not peace."),
    ("The rules [sic] were clear.", "The rules were clear."),
    # Marks around part of a sentence are the sentence's own and stay.
    ("\u201cMake no mistake,\u201d wrote the analyst.", "\u201cMake no mistake,\u201d wrote the analyst."),
    ("He called it \u201ca farce.\u201d", "He called it \u201ca farce.\u201d"),
    ('"Yes," she said, "we will."', '"Yes," she said, "we will."'),
    ("Results are in table [1].", "Results are in table [1]."),
])
def test_the_stance_model_reads_a_quote_without_its_enclosing_marks(text, read):
    from memo._stance import model_text

    assert model_text(text) == read


def test_quotation_marks_around_a_statement_do_not_change_its_stance(shipped):
    claim = "The city should build a new stadium"
    bare = "The stadium would waste public money that schools badly need."
    rows = shipped.probabilities(claim, [bare, f"\u201c{bare}\u201d", f'"{bare}"'])
    assert abs(rows - rows[0]).max() < 1e-6


def test_the_stance_model_loads_beside_the_parse_and_a_failure_surfaces_where_it_is_used(tmp_path):
    import time

    from memo._stages.compare import _load_beside
    from memo._stance import ClaimStance

    model = ClaimStance(build_claim_stance(tmp_path / "tiny"), runtime="torch")
    _load_beside(model)
    deadline = time.monotonic() + 60
    while model._loaded is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert model._loaded is not None  # loaded by the thread, before any use
    broken_folder = build_claim_stance(tmp_path / "broken")
    (broken_folder / "model.safetensors").write_bytes(b"not weights")
    broken = ClaimStance(broken_folder, runtime="torch")
    _load_beside(broken)  # the thread meets the error and keeps quiet
    time.sleep(0.5)
    with pytest.raises(ModelError, match="stance model"):
        broken.stance("a claim", ["a statement"])
    _load_beside(EmbeddingStance(HashingEmbedder()))  # nothing to load ahead: no error


def test_the_method_note_says_how_often_placements_on_news_were_right(tmp_path):
    import shutil

    from memo._stance import ClaimStance, describe_stance, shipped_stance_model

    shipped = ClaimStance()
    news = shipped.calibration["news_questions"]
    assert 0 <= news["right"] <= news["placed"] <= news["statements"]
    assert f"right {news['right']} of {news['placed']} times in memo's test of {news['stories']} stories" \
        in describe_stance(shipped)
    unmeasured = tmp_path / "model"
    shutil.copytree(shipped_stance_model(), unmeasured)
    calibration = json.loads((unmeasured / "calibration.json").read_text(encoding="utf-8"))
    del calibration["news_questions"]  # a retrained model, not yet measured on news: nothing claimed
    (unmeasured / "calibration.json").write_text(json.dumps(calibration), encoding="utf-8")
    assert "on news" not in describe_stance(ClaimStance(unmeasured))
    # What benchmarks/question_sides.py --record writes is what the note then says.
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from question_sides import record

    record(unmeasured, {**news, "right": 3, "placed": 4})
    assert [p.name for p in unmeasured.iterdir() if p.name.endswith(".tmp")] == []
    assert f"right 3 of 4 times in memo's test of {news['stories']} stories" in describe_stance(ClaimStance(unmeasured))
