"""tools/train_same_point.py end to end on a tiny sample in the shared data's layout, with a tiny
base model: it trains, writes only what differs from the base, calibrates on held-out claims,
writes a model card, and what it writes loads as memo's same-point judge."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from memo._same_point import SamePointModel, get_judge
from test_train_stance import assert_trained_alike, write_shared_layout
from tiny_models import build_bert_base

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools import train_same_point  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("same-point-train")
    data = write_shared_layout(root / "eval")
    base = build_bert_base(root / "base")
    outs = []
    for run in ("a", "b"):
        out = root / run / "model"
        assert train_same_point.main(["--data", str(data), "--out", str(out), "--base", str(base), "--max-steps",
                                      "3", "--batch-size", "4", "--max-length", "48", "--holdout", "1",
                                      "--seed", "3"]) == 0
        outs.append(out)
    return data, base, outs


def test_training_writes_the_delta_calibration_and_a_model_card(trained):
    from safetensors import safe_open

    data, _, (out, _) = trained
    with safe_open(str(out / "weights.safetensors"), "pt") as weights:
        keys = list(weights.keys())
        assert tuple(weights.get_tensor("classifier.weight").shape)[0] == 1  # one logit: same point or not
    assert keys and not any(".embeddings." in k for k in keys)  # the frozen embeddings come from the base
    calibration = json.loads((out / "calibration.json").read_text())
    assert 0.5 <= calibration["temperature"] <= 3
    assert calibration["floor"] in train_same_point.FLOORS and calibration["threshold"] in train_same_point.THRESHOLDS
    assert set(calibration["scores"]) == {"holdout", "dev"}
    card = (out / "README.md").read_text()
    from tools.stance_data import file_hash

    assert file_hash(data / "fnc1" / "stances.csv")[:16] in card  # the data it was trained on, by hash
    assert "tools/train_same_point.py" in card and "seed 3" in card


def test_training_is_deterministic_for_a_seed(trained):
    _, _, (first, second) = trained
    assert_trained_alike(first, second)


def test_what_training_writes_loads_as_a_judge(trained):
    _, base, (out, _) = trained
    judge = SamePointModel(out, base=base)
    pairs = [("Phones distract pupils.", "Pupils are distracted by phones."), ("The storm cut power.", "Zoos close.")]
    probs = judge.same(pairs)
    assert probs.shape == (2,) and np.all((0 <= probs) & (probs <= 1))
    assert np.allclose(judge.same(pairs[1:]), probs[1:], atol=1e-6)  # a pair's answer does not depend on its batch


def test_the_script_refuses_a_folder_without_the_data(tmp_path, capsys):
    assert train_same_point.main(["--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "not found" in capsys.readouterr().err


def test_a_trained_folder_is_a_grouping_choice(trained):
    _, _, (out, _) = trained
    assert isinstance(get_judge(str(out)), SamePointModel)
