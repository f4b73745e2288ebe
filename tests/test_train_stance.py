"""tools/train_stance.py end to end on a tiny sample in the shared data's layout, with a
tiny base model: it trains, writes only what differs from the base, calibrates on dev, writes
a model card, and what it writes loads as memo's stance backend."""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

import pytest

from memo._stance import SUPPORTS, CONTESTS, UNCLEAR, ClaimStance, get_stance
from tiny_models import build_bert_base

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools import train_stance  # noqa: E402

CLAIMS = [
    ("Schools should ban phones", ["Phones distract pupils in class.", "Pupils need phones to stay safe."]),
    ("Cities should build more bike lanes", ["Bike lanes cut traffic deaths.", "Bike lanes slow buses down."]),
    ("Nuclear power should be expanded", ["Nuclear plants emit no carbon.", "Nuclear waste lasts for millennia."]),
    ("Voting should be compulsory", ["Compulsory voting raises turnout.", "Forcing people to vote is unfree."]),
]


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_shared_layout(root: Path) -> Path:
    (root / "perspectrum").mkdir(parents=True)
    claims, perspectives, split, pid = [], [], {}, 0
    for n, (claim, (pro, con)) in enumerate(CLAIMS):
        clusters = []
        for text, label in ((pro, "SUPPORT"), (con, "UNDERMINE")):
            perspectives.append({"pId": pid, "text": text, "source": "test"})
            clusters.append({"pids": [pid], "stance_label_3": label})
            pid += 1
        claims.append({"cId": n, "text": claim, "source": "test", "perspectives": clusters})
        split[str(n)] = "train" if n < 2 else "dev"
    for name, value in (("claims_train_dev", claims), ("perspectives_train_dev", perspectives),
                        ("split_train_dev", split)):
        (root / "perspectrum" / f"{name}.json").write_text(json.dumps(value), encoding="utf-8")
    (root / "fnc1").mkdir()
    bodies, stances = [], []
    for body in range(10):
        bodies.append([str(body), f"Officials confirmed the report on day {body}. The mayor said it was true. "
                                  f"Others in town {body} were not so sure about it."])
        for headline, stance in (("Mayor confirms the report", ["agree", "disagree", "discuss"][body % 3]),
                                 ("Whale found on the motorway", "unrelated")):
            stances.append([headline, str(body), stance])
    _csv(root / "fnc1" / "bodies.csv", ["Body ID", "articleBody"], bodies)
    _csv(root / "fnc1" / "stances.csv", ["Headline", "Body ID", "Stance"], stances)
    (root / "stance_train").mkdir()
    header = ["topic_or_premise", "text_or_hypothesis", "label", "source", "split"]
    _csv(root / "stance_train" / "ibm_claim_stance.csv", header, [
        ["This house believes that taxes should rise", "Higher taxes fund schools", "PRO", "ibm_claim_stance_v1", split]
        for split in ("train", "test")] + [["This house would ban smoking", "Smoking bans hurt bars", "CON",
                                              "ibm_claim_stance_v1", "train"]])
    _csv(root / "stance_train" / "ibm_argkp_2021_stance.csv", header, [
        ["Homework should be abolished", "Homework builds discipline", "CON", "ibm_argkp_2021_argument", split]
        for split in ("train", "dev", "test")] + [["Homework should be abolished", "Children need rest", "PRO",
                                                   "ibm_argkp_2021_argument", "dev"]])
    _csv(root / "stance_train" / "ukp_arc_stance.csv.gz", header, [
        ["Zoos should close", "Animals suffer in cages", "agree", "ukp_arc_stance", "train"],
        ["Zoos should close", "Zoos save species", "disagree", "ukp_arc_stance", "train"],
        ["Zoos should close", "The weather was nice", "unrelated", "ukp_arc_stance", "test"]])
    return root


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("stance-train")
    data = write_shared_layout(root / "eval")
    base = build_bert_base(root / "base")
    outs = []
    for run in ("a", "b"):
        out = root / run / "model"
        assert train_stance.main(["--data", str(data), "--out", str(out), "--base", str(base), "--max-steps", "3",
                                  "--batch-size", "4", "--max-length", "48", "--seed", "3"]) == 0
        outs.append(out)
    return data, base, outs


def test_training_writes_the_delta_calibration_and_a_model_card(trained):
    from safetensors import safe_open

    data, base, (out, _) = trained
    with safe_open(str(out / "weights.safetensors"), "pt") as weights:
        keys = list(weights.keys())
    assert keys and not any(".embeddings." in k for k in keys)  # the frozen embeddings come from the base
    assert any(k.startswith("classifier.") for k in keys)
    calibration = json.loads((out / "calibration.json").read_text())
    assert calibration["labels"] == ["unrelated", "discusses", "supports", "contests"]
    assert 0.5 <= calibration["temperature"] <= 5 and 0.4 <= calibration["threshold"] <= 0.99
    assert {"perspectrum_dev", "fnc1_dev", "ibm_argkp_dev"} <= set(calibration["dev"])
    card = (out / "README.md").read_text()
    from tools.stance_data import file_hash

    assert file_hash(data / "fnc1" / "stances.csv")[:16] in card  # the data it was trained on, by hash
    assert "tools/train_stance.py" in card and "seed 3" in card


def test_training_is_deterministic_for_a_seed(trained):
    _, _, (first, second) = trained
    assert_trained_alike(first, second)


def assert_trained_alike(first: Path, second: Path) -> None:
    """Two runs of a training script with one seed wrote the same weights and calibration."""
    assert (first / "weights.safetensors").read_bytes() == (second / "weights.safetensors").read_bytes()
    calibrations = [json.loads((out / "calibration.json").read_text()) for out in (first, second)]
    for calibration in calibrations:
        calibration.pop("training_minutes")  # wall time, the one thing that differs
    assert calibrations[0] == calibrations[1]


def test_what_training_writes_loads_as_a_stance_backend(trained):
    _, base, (out, _) = trained
    backend = ClaimStance(out, base=base)
    calls = backend.stance("Schools should ban phones", ["Phones distract pupils.", "The storm cut power."])
    assert len(calls) == 2 and all(c.label in (SUPPORTS, CONTESTS, UNCLEAR) for c in calls)
    probs = backend.probabilities("Schools should ban phones", ["Phones distract pupils."])
    assert probs.shape == (1, 4) and abs(probs.sum() - 1) < 1e-5


def test_a_delta_on_a_base_it_does_not_fit_is_one_clear_error(trained, tmp_path):
    from memo._errors import ModelError

    _, _, (out, _) = trained
    wider = build_bert_base(tmp_path / "wider", hidden=48)
    for base in (wider, tmp_path / "missing"):
        with pytest.raises(ModelError, match="stance model"):
            ClaimStance(out, base=base).stance("a claim", ["a statement"])


def test_a_trained_folder_is_chosen_by_path(trained):
    _, _, (out, _) = trained
    assert isinstance(get_stance(str(out), None), ClaimStance)


def test_missing_data_is_one_clear_line(tmp_path, capsys):
    assert train_stance.main(["--data", str(tmp_path), "--out", str(tmp_path / "m")]) == 2
    assert "not found" in capsys.readouterr().err


def test_contradiction_pairs_turn_a_sentence_to_its_contrary_both_ways_and_keep_repeats_as_support():
    import random

    from tools import stance_data as sd

    table = sd.opposites()
    assert table["rose"] == "fell" and table["fell"] == "rose"  # read both ways
    sentences = ["Shares rose sharply after the company reported its results on Tuesday.",
                 "The council will approve the new budget for the city next week.",
                 "Residents gathered in the square for the annual spring festival."]  # nothing to turn
    pairs = sd.contradiction_pairs(sentences, random.Random(0), "test", table)
    assert len(pairs) == 8  # four per sentence that can be turned
    first = pairs[:4]
    assert (first[0].claim, first[0].label) == (sentences[0], sd.CONTESTS)
    changed = [(a, b) for a, b in zip(sentences[0].split(), first[0].text.split()) if a != b]
    assert len(changed) == 1 and table[changed[0][0]] == changed[0][1]  # one word, swapped for its opposite
    assert (first[1].claim, first[1].text, first[1].label) == (first[0].text, first[0].claim, sd.CONTESTS)
    assert (first[2].claim, first[2].text, first[2].label) == (sentences[0], sentences[0], sd.SUPPORTS)
    assert first[3].label == sd.SUPPORTS and first[3].claim.rstrip(".") in first[3].text
    turned = pairs[4].text
    assert turned != sentences[1] and ("reject" in turned or "will not approve" in turned)
    assert [p.label for p in pairs].count(sd.CONTESTS) == [p.label for p in pairs].count(sd.SUPPORTS)


def test_statement_negation_flips_only_sided_pairs_with_an_auxiliary():
    import random

    from tools import stance_data as sd

    pairs = [sd.Pair("Schools should ban phones", "Phones can distract pupils in class.", sd.SUPPORTS, "p"),
             sd.Pair("Schools should ban phones", "Phones distract pupils.", sd.SUPPORTS, "p"),  # no auxiliary
             sd.Pair("Schools should ban phones", "The storm cut power.", sd.UNRELATED, "p")]
    out = sd.statement_negated(pairs, random.Random(0), 1.0)
    assert out == [sd.Pair("Schools should ban phones", "Phones can not distract pupils in class.", sd.CONTESTS,
                           "p-statement-negated")]


def test_news_framing_keeps_the_statement_and_its_label_and_frames_only_sided_debate_pairs():
    import random

    from memo._stance import model_text
    from tools import stance_data as sd

    rng = random.Random(3)
    framed = [sd.attributed("It would cost the city too much.", rng) for _ in range(40)]
    assert len(set(framed)) > 10  # quoted and reported forms, with different speakers
    for text in framed:
        assert "cost the city too much" in text and text != "It would cost the city too much."
    # A statement led by a word that may be a name is quoted as it is, never lowercased.
    for _ in range(20):
        assert "Parliament should act now" in sd.attributed("Parliament should act now.", rng)
    pairs = [sd.Pair("Schools should ban phones", "Phones distract pupils.", sd.SUPPORTS, "perspectrum"),
             sd.Pair("Schools should ban phones", "Phones help pupils learn.", sd.CONTESTS, "ibm_argkp-negated"),
             sd.Pair("Schools should ban phones", "The storm cut power.", sd.UNRELATED, "perspectrum"),
             sd.Pair("Phones banned", "A passage of news.", sd.SUPPORTS, "fnc1")]
    out = sd.news_framed(pairs, random.Random(0), 1.0, ("perspectrum", "ibm_argkp"))
    assert [p.label for p in out] == [p.label for p in pairs] and [p.claim for p in out] == [p.claim for p in pairs]
    assert out[0].source == "perspectrum-framed" and "Phones distract pupils" in out[0].text
    assert out[1].source == "ibm_argkp-negated-framed"
    assert out[2:] == pairs[2:]  # unrelated pairs and news passages stay as they are
    # What the model trains on is what it reads at run time.
    assert all(model_text(p.text) == model_text(model_text(p.text)) for p in out)


def test_news_framing_is_an_opt_in_experiment_named_on_the_card(tmp_path):
    data = write_shared_layout(tmp_path / "eval")
    base = build_bert_base(tmp_path / "base")
    cards = {}
    for flags in ((), ("--news-framing",)):
        out = tmp_path / ("framed" if flags else "plain") / "model"
        assert train_stance.main(["--data", str(data), "--out", str(out), "--base", str(base), "--max-steps", "1",
                                  "--batch-size", "4", "--max-length", "48", *flags]) == 0
        cards[bool(flags)] = (out / "README.md").read_text()
    assert "-framed" in cards[True] and "News framing" in cards[True]  # the framed pairs are in the data table
    assert "-framed" not in cards[False] and "News framing" not in cards[False]  # the shipped recipe is unchanged
