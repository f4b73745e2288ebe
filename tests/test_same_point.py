"""The same-point judge: choosing it, loading a model folder, and a build that groups with one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from memo._errors import ArgumentError, ModelError
from memo._same_point import SamePointModel, describe_grouping, get_judge, settings
from tiny_models import build_claim_stance


def _tiny_judge(directory, *, labels=("same",)):
    build_claim_stance(directory, labels=labels)
    (directory / "calibration.json").write_text(json.dumps(
        {"name": "tiny-same-point", "temperature": 1.0, "threshold": 0.6, "floor": 0.45, "max_length": 24}))
    return directory


class Always:
    def same(self, pairs):
        return np.ones(len(pairs))


def test_the_grouping_choices():
    assert get_judge(None) is None and get_judge("closeness") is None  # the default: closeness alone
    judge = Always()
    assert get_judge(judge) is judge and settings(judge) == (0.5, 0.5)  # a judge that does not say
    with pytest.raises(ArgumentError, match="unknown grouping 'tea-leaves'"):
        get_judge("tea-leaves")
    with pytest.raises(ArgumentError, match="no same"):
        get_judge(object())


def test_a_model_folder_loads_through_from_pretrained_weights_and_gives_probabilities(tmp_path):
    judge = get_judge(str(_tiny_judge(tmp_path / "judge")))
    assert isinstance(judge, SamePointModel) and settings(judge) == (0.45, 0.6)
    probs = judge.same([("The bank raised rates.", "Rates went up."), ("A storm hit.", "The zoo opened.")])
    assert probs.shape == (2,) and np.all((probs > 0) & (probs < 1))
    assert "probability 0.60" in describe_grouping(judge)


def test_a_folder_that_is_not_a_same_point_model_is_one_clear_error(tmp_path):
    with pytest.raises(ModelError, match="calibration.json"):
        SamePointModel(tmp_path)
    four = _tiny_judge(tmp_path / "four", labels=("a", "b", "c", "d"))
    with pytest.raises(ModelError, match="one output"):
        SamePointModel(four).same([("a", "b")])


class NothingIsOnePoint:
    """A judge that reads every pair it is asked as two points, and counts them."""

    floor, threshold = 0.3, 0.5

    def __init__(self):
        self.asked = 0

    def same(self, pairs):
        self.asked += len(pairs)
        return np.zeros(len(pairs))


def test_a_build_groups_with_the_judge_it_is_given_and_says_so(small_corpus):
    import memo

    closeness = memo.build(small_corpus, embedder="minilm", abstractive=None)
    assert any(len(group.sources) > 1 for group in closeness.consensus)  # the premise: the outlets share points
    judge = NothingIsOnePoint()
    judged = memo.build(small_corpus, embedder="minilm", abstractive=None, grouping=judge)
    assert judge.asked and not judged.consensus  # every pair it read is two points: nothing is agreed
    assert "NothingIsOnePoint" in " ".join(judged.method.steps)
    assert "embedding closeness" in " ".join(closeness.method.steps)
