"""Stance on Perspectrum: does memo's offline stance backend tell support from undermine?

Each dev claim's perspectives are labelled SUPPORT or UNDERMINE. Scored in one run:
  - baseline: the majority class of the train claims, for every dev perspective,
  - memo: the default backend (memo.stance.EmbeddingStance), its forced call (support
    probability above or below one half), and its confident calls alone (those it does not
    mark "unclear") with the share of perspectives they cover.
``--fit`` refits the backend's logistic coefficients on the train claims and prints them
(that is how the shipped ones were made); scores below always use the shipped ones.

    .venv/bin/python benchmarks/perspectrum_stance.py [--data ../shared/eval/perspectrum] [--fit]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from memo.embed import get_embedder
from memo.stance import UNCLEAR, EmbeddingStance

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "perspectrum"


def load(data: Path) -> dict[str, list[tuple[str, list[str], list[int]]]]:
    """Per split: (claim, perspectives, labels with 1 = support, 0 = undermine)."""
    claims = json.loads((data / "claims_train_dev.json").read_text(encoding="utf-8"))
    texts = {p["pId"]: p["text"] for p in json.loads((data / "perspectives_train_dev.json").read_text("utf-8"))}
    split = json.loads((data / "split_train_dev.json").read_text(encoding="utf-8"))
    out: dict[str, list] = {"train": [], "dev": []}
    for claim in claims:
        rows, labels = [], []
        for cluster in claim["perspectives"]:
            for pid in cluster["pids"]:
                if pid in texts:
                    rows.append(texts[pid])
                    labels.append(1 if cluster["stance_label_3"] == "SUPPORT" else 0)
        if rows and split.get(str(claim["cId"])) in out:
            out[split[str(claim["cId"])]].append((claim["text"], rows, labels))
    return out


def fit_logistic(features: np.ndarray, labels: np.ndarray, l2: float = 1.0, steps: int = 50) -> np.ndarray:
    """Newton's method for L2-regularised logistic regression without intercept (stance
    is symmetric: a statement with no signal is a coin toss)."""
    weights = np.zeros(features.shape[1])
    for _ in range(steps):
        prob = 1 / (1 + np.exp(-features @ weights))
        gradient = features.T @ (prob - labels) + l2 * weights
        hessian = (features * (prob * (1 - prob))[:, None]).T @ features + l2 * np.eye(len(weights))
        weights -= np.linalg.solve(hessian, gradient)
    return weights


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--fit", action="store_true", help="refit the coefficients on train and print them")
    args = parser.parse_args(argv)
    if not (args.data / "claims_train_dev.json").is_file():
        print(f"benchmark data not found: {args.data}", file=sys.stderr)
        return 2
    data = load(args.data)
    backend = EmbeddingStance(get_embedder())
    if args.fit:
        features = np.concatenate([backend.signals(c, rows) for c, rows, _ in data["train"]])
        labels = np.concatenate([labels for _, _, labels in data["train"]]).astype(float)
        print("fitted coefficients:", np.round(fit_logistic(features, labels), 3).tolist())
    train_labels = [y for _, _, labels in data["train"] for y in labels]
    majority = int(sum(train_labels) * 2 >= len(train_labels))
    gold, forced, confident = [], [], []
    for claim, rows, labels in data["dev"]:
        for stance, label in zip(backend.stance(claim, rows), labels):
            gold.append(label)
            forced.append(int(stance.support > 0.5))
            if stance.label != UNCLEAR:
                confident.append(int(stance.support > 0.5) == label)
    gold_a, forced_a = np.array(gold), np.array(forced)
    baseline = float((gold_a == majority).mean())
    ours = float((gold_a == forced_a).mean())
    print(f"Perspectrum stance, {len(data['dev'])} dev claims, {len(gold)} perspectives")
    print(f"{'method':<40} {'accuracy':>8} {'coverage':>8}")
    print(f"{'baseline (train majority: ' + ('support' if majority else 'undermine') + ')':<40} {baseline:8.3f} {1:8.3f}")
    print(f"{'memo, every call forced':<40} {ours:8.3f} {1:8.3f}")
    print(f"{'memo, confident calls only':<40} {np.mean(confident) if confident else 0:8.3f} "
          f"{len(confident) / len(gold):8.3f}")
    print(f"memo minus baseline: {ours - baseline:+.3f} accuracy: {'better' if ours > baseline else 'not better'}")
    return 0 if ours > baseline else 1


if __name__ == "__main__":
    sys.exit(main())
