"""News stance on FNC-1: where does an article stand on a headline's claim?

A folder in FNC-1's layout (``stances.csv``: Headline, Body ID, Stance; ``bodies.csv``:
Body ID, articleBody). By default only the bodies that memo's stance model was not trained
on are scored: the same seeded split by Body ID as tools/train_stance.py (the shared half
is used for training otherwise); ``--all`` scores every pair (for a set memo never saw, such
as the competition test set). Each body is read as its sentences most related to the
headline, as in training. Scored in one run:
  - agree vs disagree macro-F1: on the pairs that agree or disagree, the forced side;
  - the FNC-1 score (weighted, as a share of the best possible; published on the full
    competition test set: official baseline 75.2%, best 2017 teams about 82%), 4 classes;
  - baselines: the majority class of the training part, and the embedding heuristic
    (sides only; for the 4-class score its "unclear" counts as "discuss", and a passage
    with cosine below 0.4 to the headline as "unrelated").

    .venv/bin/python benchmarks/fnc1_stance.py [--data ../shared/eval/fnc1] [--all] [--stance FOLDER]
        [--llm openai:MODEL --api-base URL [--llm-claims N]]

``--llm MODEL`` adds a generation model as stance judge (memo's ``--stance llm``), scored as
the heuristic is (its "neither" and unreadable replies count as "discuss"), on the first
``--llm-claims`` headlines, with memo's model on the same pairs beside it.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from memo._embed import get_embedder  # noqa: E402
from memo._stance import SUPPORTS, UNCLEAR, ClaimStance, EmbeddingStance  # noqa: E402
from tools import stance_data as sd  # noqa: E402

sys.path.insert(0, str(REPO / "benchmarks"))
import llm_judge  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "eval" / "fnc1"
TARGET_F1 = 0.70
RELATED = 0.4  # cosine for the heuristic's related vs unrelated


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--all", action="store_true", help="score every pair, not only the held-out bodies")
    parser.add_argument("--stance", type=Path, help="a stance model folder (default: the one memo ships)")
    parser.add_argument("--seed", type=int, default=0, help="the split seed the model was trained with")
    llm_judge.add_arguments(parser)
    args = parser.parse_args(argv)
    if not (args.data / "stances.csv").is_file() or not (args.data / "bodies.csv").is_file():
        print(f"benchmark data not found: {args.data} (needs stances.csv and bodies.csv)", file=sys.stderr)
        return 2
    split = sd.fnc1_split(args.data, args.seed)
    rows = split["train"] + split["dev"] if args.all else split["dev"]
    train_counts = Counter(label for _, _, label in split["train"]) if not args.all else Counter(
        label for _, _, label in rows)
    bodies = sd.fnc1_bodies(args.data)
    embedder = get_embedder()
    passages = sd.Passages({b: bodies[b] for b in sorted({b for _, b, _ in rows}, key=int)}, embedder)
    texts = [passages.passage(h, b) for h, b, _ in rows]
    gold = np.array([label for _, _, label in rows])

    model = ClaimStance(args.stance)
    probs = np.zeros((len(rows), len(sd.LABELS)))
    columns = [model.labels.index(name) for name in sd.LABELS]
    by_headline: dict[str, list[int]] = {}
    for n, (headline, _, _) in enumerate(rows):
        by_headline.setdefault(headline, []).append(n)
    for headline, members in by_headline.items():
        probs[members] = model.probabilities(headline, [texts[n] for n in members])[:, columns]
    ours_gold, ours_forced = sd.forced_sides(probs, gold)
    ours_f1 = sd.macro_f1(ours_gold, ours_forced)
    ours_fnc = sd.fnc_score(probs.argmax(1), gold)

    anchor = {h: v for h, v in zip(by_headline, embedder.embed(list(by_headline)))}
    closeness = np.array([float(passages.vectors[b].mean(axis=0) @ anchor[h]) for h, b, _ in rows])

    def called(backend, groups: dict[str, list[int]]) -> tuple[float, float]:
        """Sides-only scores of a backend: forced macro-F1, and the FNC score with "unclear" as
        discuss and a passage far from its headline as unrelated."""
        calls = {}
        for headline, members in groups.items():
            for n, call in zip(members, backend.stance(headline, [texts[n] for n in members])):
                calls[n] = call
        picked = sorted(calls)
        support = np.array([[0, 0, calls[n].support, 1 - calls[n].support] for n in picked])
        sided_gold, sided = sd.forced_sides(support, gold[picked])
        four = np.array([sd.UNRELATED if closeness[n] < RELATED else sd.DISCUSSES if calls[n].label == UNCLEAR
                         else sd.SUPPORTS if calls[n].label == SUPPORTS else sd.CONTESTS for n in picked])
        return sd.macro_f1(sided_gold, sided), sd.fnc_score(four, gold[picked])

    h_f1, h_fnc = called(EmbeddingStance(embedder), by_headline)

    majority = max(train_counts, key=train_counts.get)
    sided_majority = sd.SUPPORTS if train_counts[sd.SUPPORTS] >= train_counts[sd.CONTESTS] else sd.CONTESTS
    m_f1 = sd.macro_f1(ours_gold, np.full(len(ours_gold), sided_majority))
    m_fnc = sd.fnc_score(np.full(len(gold), majority), gold)

    counts = Counter(sd.LABELS[label] for label in gold)
    print(f"FNC-1 stance, {'all pairs' if args.all else 'held-out bodies'}: {len(rows)} pairs over "
          f"{len({b for _, b, _ in rows})} bodies ({dict(counts)})")
    print(f"{'method':<48} {'agree/disagree macro-F1':>23} {'FNC score':>9}")
    print(f"{'baseline: majority (' + sd.LABELS[majority] + '; sides: ' + sd.LABELS[sided_majority] + ')':<48} "
          f"{m_f1:23.3f} {m_fnc:9.3f}")
    print(f"{'baseline: embedding heuristic':<48} {h_f1:23.3f} {h_fnc:9.3f}")
    print(f"{'memo (stance model ' + model.name + ')':<48} {ours_f1:23.3f} {ours_fnc:9.3f}")
    judge = llm_judge.judge_from(args)
    if judge is not None:
        groups = dict(list(by_headline.items())[:args.llm_claims] if args.llm_claims else by_headline.items())
        j_f1, j_fnc = called(judge, groups)
        picked = sorted(n for members in groups.values() for n in members)
        same_gold, same_forced = sd.forced_sides(probs[picked], gold[picked])
        print(f"{llm_judge.describe(judge) + f', {len(picked)} pairs':<48} {j_f1:23.3f} {j_fnc:9.3f}")
        print(f"{'memo (stance model) on the same pairs':<48} {sd.macro_f1(same_gold, same_forced):23.3f} "
              f"{sd.fnc_score(probs[picked].argmax(1), gold[picked]):9.3f}")
    print(f"memo: agree/disagree macro-F1 {ours_f1:.3f} (target >= {TARGET_F1}), FNC score {ours_fnc:.1%} "
          "(published, full competition test set: baseline 75.2%, best 2017 teams about 82%)")
    for label in range(len(sd.LABELS)):
        tp = int(((probs.argmax(1) == label) & (gold == label)).sum())
        print(f"  {sd.LABELS[label]:<10} precision {tp / max(1, (probs.argmax(1) == label).sum()):.3f} "
              f"recall {tp / max(1, (gold == label).sum()):.3f}")
    ok = ours_f1 >= TARGET_F1 and ours_f1 > max(m_f1, h_f1)
    print("memo meets the target" if ok else "memo misses the target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
