"""Disagreements memo reports without being asked: are they real?

A memo marks a point "contested" when a sentence of another source contradicts it. This
benchmark measures the rule that decides it (``memo._grouping.contradicts``: contested read
both ways, and about the same thing) against today's rule (the baseline, the rule before it:
a contest read either way, on the same matter, cosine >= 0.6), in one run, on three sets:

  1. FNC-1 held-out bodies (``--data DIR/fnc1``; the bodies memo's stance model was not trained
     on, the same seeded split as tools/train_stance.py): real news. Each related headline is
     a point, each sentence of its body on the same matter a statement of another outlet. A
     body is "found contesting" when one of its sentences is. Printed: the share of disagree
     bodies found (recall) and of agree and discuss bodies found (false), and the precision.
  2. Plain contradictions: sentences of those bodies against themselves turned to say the
     contrary (one word swapped for its opposite, or an auxiliary negated:
     tools/stance_data.py, as in ``news_contradiction_dev``), the kind of disagreement a
     memo must never miss; and each sentence against itself reported ("..., officials
     said."), which must never be a contest.
  3. Multi-News stories (``--data DIR/multinews_dev100.csv``, ``--stories N``, default all
     with two or more documents): memo.build on each story, as shipped and with today's
     rule; the disagreements found are counted, and with ``--verbose`` printed to be read.
     For the stories of the consensus gold (benchmarks/gold/consensus.jsonl) a found
     disagreement is judged: right when its two sides cite two sides of a disputed point,
     wrong when they cite evidence of one point the outlets agree on.

    .venv/bin/python benchmarks/found_disagreements.py [--data ../shared/eval] [--stories N]
        [--skip-stories] [--verbose]

Targets (a wrong disagreement shown with confidence is worse than none): on FNC-1 at least
today's precision, no repeat called a contest, some plain contradictions still found, and no
more disagreements found on the stories than today's rule finds (read them: ``--verbose``).
Exit status 0 when met, 1 when not, 2 when the data is missing.
"""

from __future__ import annotations

import argparse
import random
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from memo import _grouping as grouping  # noqa: E402
from memo._embed import get_embedder  # noqa: E402
from memo._stance import CONTESTS, UNCLEAR, ClaimStance, Stance  # noqa: E402
from tools import stance_data as sd  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "eval"
TODAY_SAME_TOPIC = 0.6  # the rule before: any sentence on the same matter could contest a point
TODAY_REREAD_FLOOR = 0.3  # ... and a pair leaning to a contest was read the other way


def today_contests(forward: Stance, backward: Stance | None, cosine: float, point: str = "",
                   statement: str = "") -> bool:
    """The rule before ``contradicts``: a contest read either way (the second reading only
    where the first called no side but leaned to a contest)."""
    if cosine < TODAY_SAME_TOPIC:
        return False
    if forward.label == CONTESTS:
        return True
    return today_reads_again(forward, cosine) and backward is not None and backward.label == CONTESTS


def _leaning(call: Stance) -> float:
    """P(contests) of a call, from its support share and its confidence (the larger side's P)."""
    return call.confidence if call.support < 0.5 else call.confidence * (1 - call.support) / max(call.support, 1e-9)


TODAY, OURS = "today (either reading)", "memo (both readings, same claim)"
RULES = {TODAY: today_contests, OURS: grouping.contradicts}


def judged(model: ClaimStance, embedder, pairs: list[tuple[str, str]]) -> list[dict[str, bool]]:
    """For each (point, statement), whether each rule calls it a contradiction."""
    if not pairs:
        return []
    forward = model.stance_pairs(pairs)
    backward = model.stance_pairs([(b, a) for a, b in pairs])
    texts = sorted({t for pair in pairs for t in pair})
    vectors = dict(zip(texts, embedder.embed(texts)))
    out = []
    for (a, b), f, r in zip(pairs, forward, backward):
        cosine = float(vectors[a] @ vectors[b])
        out.append({name: bool(rule(f, r, cosine, a, b)) for name, rule in RULES.items()})
    return out


def fnc_bodies(split: dict, bodies: dict[str, str], model, embedder) -> dict[str, float]:
    from memo._segment import split_text

    rows = sorted({(h, b, label) for h, b, label in split["dev"] if label != sd.UNRELATED})
    sentences = {b: [s for s in split_text(bodies[b]) if len(s.split()) >= 4] for b in {b for _, b, _ in rows}}
    heads = sorted({h for h, _, _ in rows})
    head_vectors = dict(zip(heads, embedder.embed(heads)))
    body_vectors = {b: embedder.embed(texts) if texts else np.zeros((0, 1)) for b, texts in sentences.items()}
    pairs, owner = [], []
    for n, (headline, body, _) in enumerate(rows):
        sims = body_vectors[body] @ head_vectors[headline] if len(sentences[body]) else []
        for text, sim in zip(sentences[body], sims):
            if sim >= TODAY_SAME_TOPIC:  # on the point's matter: what memo weighs against a point
                pairs.append((headline, text))
                owner.append(n)
    calls = judged(model, embedder, pairs)
    print(f"1. FNC-1 held-out bodies: {len(rows)} related (headline, body) pairs, {len(pairs)} sentences on the "
          f"headline's matter")
    print(f"   {'rule':<36} {'disagree found':>15} {'agree found':>12} {'discuss found':>14} {'precision':>9}")
    precisions = {}
    for name in RULES:
        found = {owner[k] for k, call in enumerate(calls) if call[name]}
        by = {label: [n for n, row in enumerate(rows) if row[2] == label]
              for label in (sd.CONTESTS, sd.SUPPORTS, sd.DISCUSSES)}
        hits = {label: sum(n in found for n in members) for label, members in by.items()}
        precision = precisions[name] = hits[sd.CONTESTS] / max(1, len(found))
        print(f"   {name:<36} {hits[sd.CONTESTS]:>6}/{len(by[sd.CONTESTS]):<8} "
              f"{hits[sd.SUPPORTS]:>5}/{len(by[sd.SUPPORTS]):<6} {hits[sd.DISCUSSES]:>6}/{len(by[sd.DISCUSSES]):<7} "
              f"{precision:9.3f}")
    return precisions


def plain_contradictions(split: dict, bodies: dict[str, str], model, embedder) -> dict[str, tuple[int, int]]:
    sentences = sd.news_sentences(bodies, {b for _, b, _ in split["dev"]}, random.Random(3), 300)
    built = sd.contradiction_pairs(sentences, random.Random(4), "news-contradiction")
    contrary = [(p.claim, p.text) for p in built if p.label == sd.CONTESTS][::2]  # one reading per pair
    repeats = [(p.claim, p.text) for p in built if p.label == sd.SUPPORTS and p.claim != p.text]
    calls, false = judged(model, embedder, contrary), judged(model, embedder, repeats)
    print(f"2. Plain contradictions from the held-out bodies: {len(contrary)} sentences against their contrary, "
          f"{len(repeats)} against themselves reported")
    print(f"   {'rule':<36} {'contraries found':>16} {'repeats called contests':>24}")
    found = {}
    for name in RULES:
        found[name] = sum(c[name] for c in calls), sum(c[name] for c in false)
        print(f"   {name:<36} {found[name][0]:>7}/{len(contrary):<8} {found[name][1]:>13}/{len(repeats)}")
    return found


def today_reads_again(forward: Stance, cosine: float) -> bool:
    return forward.label == UNCLEAR and _leaning(forward) >= TODAY_REREAD_FLOOR


@contextmanager
def todays_rule():
    """memo's grouping with the rule before ``contradicts``."""
    saved = grouping.contradicts, grouping.read_again, grouping.SAME_CLAIM
    # SAME_CLAIM is then only the floor of what is weighed against a point: today's
    grouping.contradicts, grouping.read_again, grouping.SAME_CLAIM = today_contests, today_reads_again, TODAY_SAME_TOPIC
    try:
        yield
    finally:
        grouping.contradicts, grouping.read_again, grouping.SAME_CLAIM = saved


def stories(data: Path, count: int | None, verbose: bool, embedder) -> dict[str, int]:
    from benchmarks.consensus import DEFAULT_GOLD, load_gold
    from benchmarks.gold.multinews import clusters, document_of, locate, memo_of

    documents = clusters(data / "multinews_dev100.csv")
    every = [c for c, docs in enumerate(documents) if len(docs) >= 2]
    picked = every[:count] if count else every
    gold = load_gold(DEFAULT_GOLD)
    totals = {}
    print(f"3. Multi-News stories: {len(picked)} built, once per rule")
    for name in RULES:
        found = right = wrong = 0
        for cluster in picked:
            docs = documents[cluster]
            # the run's embedder, loaded once, passed to every build
            if name == OURS:
                built = memo_of(docs, embedder=embedder)
            else:
                with todays_rule():
                    built = memo_of(docs, embedder=embedder)
            disagreements = [d for d in list(built.disagreements) + [d for s in built.stories for d in s.disagreements]
                             if not d.asked]
            for d in disagreements:
                found += 1
                spans = [[(document_of(s.citation), locate(docs[document_of(s.citation)], s.citation.quote,
                                                            s.citation.start)) for s in side.statements]
                         for side in d.sides]
                verdict = _verdict(gold.get(cluster), spans)
                right += verdict == "right"
                wrong += verdict == "wrong"
                if verbose:
                    print(f"   [{name}] story {cluster} ({verdict}): {d.claim[:110]}")
                    for s in d.sides[1].statements:
                        print(f"      disputed by {s.speaker} ({s.confidence:.2f}): {s.citation.quote[:110]}")
        totals[name] = found
        print(f"   {name:<36} disagreements found {found:>3} ({found / max(1, len(picked)):.2f} per story); "
              f"judged by the consensus gold: {right} right, {wrong} wrong")
    return totals


def _verdict(cluster, spans) -> str:
    """"right" when the sides cite two sides of one disputed gold point, "wrong" when both cite
    one agreed gold point, else "unjudged"."""
    if cluster is None:
        return "unjudged"

    def evidence(point, cited):
        """The point's evidence items that the cited (document, span) pairs overlap."""
        return [e for d, span in cited for e in point.evidence
                if span is not None and e["document"] == d and e["start"] < span[1] and span[0] < e["end"]]

    holds, disputes = spans[0], spans[1]
    for point in cluster.points:
        one, other = evidence(point, holds), evidence(point, disputes)
        if point.kind == "disputed":
            if one and other and {e["side"] for e in one} != {e["side"] for e in other}:
                return "right"
        elif point.kind in ("core", "secondary") and one and other:
            return "wrong"
    return "unjudged"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared eval folder")
    parser.add_argument("--stories", type=int, help="build only the first N Multi-News stories")
    parser.add_argument("--skip-stories", action="store_true", help="sets 1 and 2 only")
    parser.add_argument("--verbose", action="store_true", help="print every disagreement found")
    args = parser.parse_args(argv)
    needed = [args.data / "fnc1" / "stances.csv", args.data / "fnc1" / "bodies.csv"]
    if not args.skip_stories:
        needed.append(args.data / "multinews_dev100.csv")
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        print(f"benchmark data not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    model, embedder = ClaimStance(), get_embedder()
    split, bodies = sd.fnc1_split(args.data / "fnc1"), sd.fnc1_bodies(args.data / "fnc1")
    precision = fnc_bodies(split, bodies, model, embedder)
    contraries = plain_contradictions(split, bodies, model, embedder)
    ours, today = OURS, TODAY
    ok = precision[ours] >= precision[today] and contraries[ours][0] > 0 and contraries[ours][1] == 0
    print(f"memo: FNC-1 precision {precision[ours]:.3f} (today's rule {precision[today]:.3f}); plain "
          f"contradictions found {contraries[ours][0]} (today's rule {contraries[today][0]}), repeats called "
          f"contests {contraries[ours][1]} (today's rule {contraries[today][1]})")
    if not args.skip_stories:
        found = stories(args.data, args.stories, args.verbose, embedder)
        ok = ok and found[ours] <= found[today]
        print(f"memo: {found[ours]} disagreements found on the stories (today's rule {found[today]})")
    print("memo meets the target" if ok else "memo misses the target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
