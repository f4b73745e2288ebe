"""Sides on an asked yes/no question: are the sources' voices placed on the side they take?

Gold: ``benchmarks/gold/question_sides.jsonl`` (format in ``benchmarks/gold/README.md``):
Multi-News dev clusters with a two-sided dispute among named voices, one yes/no question each,
every voice's side and the sentences where it states it (offsets, never text), and trap
sentences no side should get (the outlet's framing, background facts, a quote about another
target). For each gold cluster the documents are written to a temporary folder as .txt files and
each method answers the question; what it places is mapped back to (document, start, end) in the
original document string, and scored:

  - a placed statement overlapping a trap sentence counts as that trap placed (and nothing else);
  - otherwise it goes to the gold voice whose evidence it overlaps (when several, the one its
    speaker names), else to the voice its speaker names (full name or alias, else a surname
    that only one voice of the cluster has), else it is "other" (no gold voice);
  - a gold voice takes the majority side of its statements (a tie is "mixed"): right, wrong,
    mixed, or unplaced when none of its statements is placed.

Printed per cluster and in total for each method, in the same run: voices right / wrong /
mixed / unplaced (of gold voices), wrong as a share of placed voices, trap sentences placed.
Targets (issue 23): right >= 60% of the voices, wrong <= 10% of the voices placed, at most one
trap placed per cluster. Methods: "memo" (memo.build as it is now, offline defaults: today's
rules) and "memo stance=embedding" (the same build with the older embedding heuristic as stance
backend). Another method is one function ``(documents, question) -> [Placed]`` added to METHODS.

    .venv/bin/python benchmarks/question_sides.py [--data ../shared/eval/multinews_dev100.csv]
        [--gold benchmarks/gold/question_sides.jsonl] [--method NAME ...] [--verbose] [--stance FOLDER]
        [--evidence] [--record]

``--evidence`` also scores the stance backend alone on the gold voices' evidence sentences
(each against memo's claim for the question), with the embedding backend beside it;
``--record`` also writes memo's figures into the stance model's calibration.json
(``news_questions``), from which the memo's Method note says how often its placements on news
questions were right.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks" / "gold"))

import multinews  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "eval" / "multinews_dev100.csv"
DEFAULT_GOLD = REPO / "benchmarks" / "gold" / "question_sides.jsonl"
TARGET_RIGHT = 0.60  # of gold voices
TARGET_WRONG = 0.10  # of gold voices placed
TARGET_TRAPS = 1  # per cluster
TRAP_KINDS = ("framing", "background", "other_target")
MIN_OVERLAP = 0.5  # of the shorter span, for a placed span to count as a gold sentence


class Placed(NamedTuple):
    """One statement a method put on a side: its span in the original document string."""

    document: int
    start: int
    end: int
    speaker: str
    side: str  # "yes" | "no"


@dataclass
class Voice:
    name: str
    side: str
    evidence: list[tuple[int, int, int]]
    aliases: list[str] = field(default_factory=list)


@dataclass
class Cluster:
    cluster: int
    question: str = ""
    voices: list[Voice] = field(default_factory=list)
    traps: list[tuple[str, int, int, int]] = field(default_factory=list)  # kind, document, start, end


def load_gold(path: Path) -> list[Cluster]:
    clusters: dict[int, Cluster] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            entry = clusters.setdefault(row["cluster"], Cluster(row["cluster"]))
            if "question" in row:
                entry.question = row["question"]
            elif "voice" in row:
                if row["side"] not in ("yes", "no"):
                    raise SystemExit(f"{path}:{number}: side must be yes or no")
                entry.voices.append(Voice(row["voice"], row["side"],
                                          [(e["document"], e["start"], e["end"]) for e in row["evidence"]],
                                          list(row.get("aliases", []))))
            elif "trap" in row:
                if row["trap"] not in TRAP_KINDS:
                    raise SystemExit(f"{path}:{number}: trap must be one of {', '.join(TRAP_KINDS)}")
                entry.traps.append((row["trap"], row["document"], row["start"], row["end"]))
            else:
                raise SystemExit(f"{path}:{number}: neither a question, a voice nor a trap")
    missing = [c for c in clusters.values() if not c.question]
    if missing:
        raise SystemExit(f"{path}: cluster {missing[0].cluster} has no question")
    return [clusters[c] for c in sorted(clusters)]


# ---------------------------------------------------------------- methods

def memo_method(stance: str | None = None) -> Callable[[list[str], str], list[Placed]]:
    """memo.build on the documents as .txt files, the question asked; its placed statements."""
    def run(documents: list[str], question: str) -> list[Placed]:
        built = multinews.memo_of(documents, questions=[question], stance=stance)
        asked = [d for d in built.disagreements if d.asked]
        if not asked:
            return []
        placed = []
        for side in asked[0].sides:
            for statement in side.statements:
                cite = statement.citation
                index = multinews.document_of(cite)
                span = multinews.locate(documents[index], cite.quote, cite.start)
                if span is None:
                    continue
                placed.append(Placed(index, span[0], span[1], statement.speaker,
                                     "yes" if side.stance == "supports" else "no"))
        return placed
    return run


def cosine_cut_method() -> Callable[[list[str], str], list[Placed]]:
    """memo as it chose statements before issue 23: only those within cosine 0.4 of the
    claim, 30 at most, narration included, no check against the claim's predicate (the
    baseline of the wider net)."""
    from memo import _disagreement as disagreement

    inner = memo_method(None)

    def run(documents: list[str], question: str) -> list[Placed]:
        names = ("VOICE_FLOOR", "MAX_VOICES", "MAX_NARRATION", "PREDICATE_FLOOR")
        saved = [getattr(disagreement, name) for name in names]
        for name, value in zip(names, (0.4, 30, 30, 0.0)):
            setattr(disagreement, name, value)
        try:
            return inner(documents, question)
        finally:
            for name, value in zip(names, saved):
                setattr(disagreement, name, value)
    return run


METHODS: dict[str, Callable[[list[str], str], list[Placed]]] = {
    "memo": memo_method(None),
    "memo cosine-cut": cosine_cut_method(),
    "memo stance=embedding": memo_method("embedding"),
}
LABELS = {
    "memo": "memo.build as it is now (memo's own stance model; attributed statements on the claim and its predicate)",
    "memo cosine-cut": "the same, weighing only statements within cosine 0.4 of the claim, 30 at most (before)",
    "memo stance=embedding": "memo.build with stance=\"embedding\" (the older heuristic backend)",
}


# ---------------------------------------------------------------- scoring

TITLES = {"mr", "mrs", "ms", "miss", "dr", "sen", "senator", "rep", "lord", "sir", "dame", "president",
          "minister", "judge", "justice", "rev", "reverend", "the", "gov", "governor", "prof", "professor"}


def _tokens(name: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+(?:['’-][a-z0-9]+)*", name.lower().replace("’", "'"))
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    return [w for w in words if w not in TITLES]


def _overlaps(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    if a[0] != b[0]:
        return False
    shared = min(a[2], b[2]) - max(a[1], b[1])
    return shared > 0 and shared >= MIN_OVERLAP * min(a[2] - a[1], b[2] - b[1])


def _named(speaker: str, voices: list[Voice]) -> list[Voice]:
    """The voices ``speaker`` names: a full name or alias, else a surname only one voice has."""
    said = _tokens(speaker)
    if not said:
        return []
    full = [v for v in voices if any(_tokens(n) == said for n in [v.name, *v.aliases])]
    if full:
        return full
    last = [v for v in voices if any(_tokens(n)[-1:] == said[-1:] for n in [v.name, *v.aliases] if _tokens(n))]
    if len(last) == 1:
        return last
    if len(last) > 1 and len(said) > 1:  # "Alexander Love" among two Loves: the first name decides
        first = [v for v in last if any(_tokens(n)[:1] == said[:1] for n in [v.name, *v.aliases])]
        return first if len(first) == 1 else []
    return []


@dataclass
class Score:
    voices: int = 0
    right: int = 0
    wrong: int = 0
    mixed: int = 0
    traps: int = 0
    trap_kinds: Counter = field(default_factory=Counter)
    trap_sentences: int = 0
    other: int = 0  # placed statements matched to no gold voice and no trap
    detail: list[str] = field(default_factory=list)

    @property
    def placed(self) -> int:
        return self.right + self.wrong + self.mixed

    @property
    def unplaced(self) -> int:
        return self.voices - self.placed

    def add(self, other: "Score") -> None:
        for name in ("voices", "right", "wrong", "mixed", "traps", "trap_sentences", "other"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.trap_kinds.update(other.trap_kinds)


def score(gold: Cluster, placed: list[Placed]) -> Score:
    result = Score(voices=len(gold.voices), trap_sentences=len(gold.traps))
    sides: dict[str, list[str]] = defaultdict(list)
    trapped: set[int] = set()
    for item in placed:
        span = (item.document, item.start, item.end)
        hit = [k for k, (_, *trap) in enumerate(gold.traps) if _overlaps(span, tuple(trap))]
        if hit:
            trapped.update(hit)
            result.detail.append(f"    trap {gold.traps[hit[0]][0]} placed {item.side}: "
                                 f"{item.speaker or '(narration)'} d{item.document} {item.start}-{item.end}")
            continue
        by_evidence = [v for v in gold.voices if any(_overlaps(span, e) for e in v.evidence)]
        if len(by_evidence) > 1:
            by_evidence = [v for v in by_evidence if v in _named(item.speaker, by_evidence)] or by_evidence[:1]
        match = by_evidence[:1] or _named(item.speaker, gold.voices)[:1]
        if match:
            sides[match[0].name].append(item.side)
        else:
            result.other += 1
            result.detail.append(f"    other placed {item.side}: {item.speaker or '(narration)'} "
                                 f"d{item.document} {item.start}-{item.end}")
    result.traps = len(trapped)
    result.trap_kinds.update(gold.traps[k][0] for k in trapped)
    for voice in gold.voices:
        got = Counter(sides.get(voice.name, []))
        if not got:
            outcome = "unplaced"
        elif got["yes"] == got["no"]:
            outcome, result.mixed = "mixed", result.mixed + 1
        elif (got["yes"] > got["no"]) == (voice.side == "yes"):
            outcome, result.right = "right", result.right + 1
        else:
            outcome, result.wrong = "wrong", result.wrong + 1
        result.detail.append(f"    {outcome:8} {voice.name} (gold {voice.side}; placed yes {got['yes']}, "
                             f"no {got['no']})")
    return result


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def evidence_figures(gold: list[Cluster], data, spec: str | None) -> dict:
    """The stance backend alone, on the gold: each voice's evidence sentences read against
    memo's claim for the question (no candidate choice, no speakers, no aggregation): forced
    accuracy (yes vs no, whatever its doubt), and the share it places on a side with the
    precision of those calls. Where this is low, no choice of candidates can place voices."""
    from memo._disagreement import question_claim
    from memo._embed import get_embedder
    from memo._stance import SUPPORTS, UNCLEAR, get_stance

    backend = get_stance(spec, get_embedder(None) if spec == "embedding" else None)
    forced = placed = right = count = 0
    for entry in gold:
        claim = question_claim(entry.question)
        for voice in entry.voices:
            texts = [data[entry.cluster][d][start:end].strip() for d, start, end in voice.evidence]
            for call in backend.stance(claim, texts):
                yes = voice.side == "yes"
                count += 1
                forced += (call.support >= 0.5) == yes
                if call.label != UNCLEAR:
                    placed += 1
                    right += (call.label == SUPPORTS) == yes
    return {"stories": len(gold), "statements": count, "forced_accuracy": round(forced / count, 3),
            "placed": placed, "right": right}


def evidence_report(figures: dict, spec: str | None) -> str:
    count, placed, right = figures["statements"], figures["placed"], figures["right"]
    return (f"stance {spec or 'memo'} on the gold evidence: {count} sentences, forced accuracy "
            f"{figures['forced_accuracy']:.3f}, placed {placed} ({placed / count:.0%}), right {right} of those "
            f"({_share(right, placed)})")


def record(folder: Path, figures: dict) -> None:
    """The figures into a stance model folder's calibration.json as ``news_questions``: the
    memo's Method note then tells readers how often its placements on news were right."""
    path = folder / "calibration.json"
    calibration = json.loads(path.read_text(encoding="utf-8"))
    calibration["news_questions"] = {**figures, "measured_by": "benchmarks/question_sides.py --evidence"}
    # Through a temporary file and a rename: an interrupted run never leaves the model's
    # calibration half-written (memo would refuse to load it).
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(calibration, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="multinews_dev100.csv")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--method", action="append", choices=sorted(METHODS),
                        help="run only these methods (default: all)")
    parser.add_argument("--verbose", action="store_true", help="each voice's outcome and each trap or other "
                        "statement placed")
    parser.add_argument("--stance", help="the stance backend of the \"memo\" method (a model folder written by "
                                         "tools/train_stance.py; default: the shipped model)")
    parser.add_argument("--evidence", action="store_true", help="also score the stance backend alone on the "
                        "gold voices' evidence sentences, with the embedding backend beside it")
    parser.add_argument("--record", action="store_true", help="--evidence, and write its figures for the stance "
                        "model (--stance, else the shipped one) into its calibration.json, for the memo's Method note")
    args = parser.parse_args(argv)
    if args.stance:
        METHODS["memo"] = memo_method(args.stance)
    logging.basicConfig(level=logging.ERROR)
    if not args.data.exists():
        raise SystemExit(f"{args.data}: no such file (pass --data)")
    gold = load_gold(args.gold)
    data = multinews.clusters(str(args.data))
    for entry in gold:  # offsets that do not fit the documents: another file than the gold's
        spans = [e for v in entry.voices for e in v.evidence] + [tuple(t[1:]) for t in entry.traps]
        if entry.cluster >= len(data) or any(d >= len(data[entry.cluster]) or e > len(data[entry.cluster][d])
                                             for d, _, e in spans):
            raise SystemExit(f"{args.gold}: cluster {entry.cluster} does not fit {args.data}")
    voices = sum(len(c.voices) for c in gold)
    print(f"question sides: {len(gold)} clusters, {voices} gold voices, "
          f"{sum(len(c.traps) for c in gold)} trap sentences ({args.gold.name})")
    summaries = []
    for name in args.method or list(METHODS):
        method = METHODS[name]
        print(f"\n{name}: {LABELS.get(name, name)}")
        print(f"{'cluster':>7} {'voices':>6} {'right':>5} {'wrong':>5} {'mixed':>5} {'unplaced':>8} "
              f"{'wrong/placed':>12} {'traps':>9} {'other':>5} {'secs':>6}  question")
        total, started, over = Score(), time.perf_counter(), 0
        for entry in gold:
            began = time.perf_counter()
            result = score(entry, method(data[entry.cluster], entry.question))
            seconds = time.perf_counter() - began
            total.add(result)
            over += result.traps > TARGET_TRAPS
            print(f"{entry.cluster:>7} {result.voices:>6} {result.right:>5} {result.wrong:>5} {result.mixed:>5} "
                  f"{result.unplaced:>8} {_share(result.wrong, result.placed):>12} "
                  f"{result.traps:>3} of {result.trap_sentences:<3} {result.other:>5} {seconds:>6.1f}  "
                  f"{entry.question}")
            if args.verbose:
                print("\n".join(result.detail))
        elapsed = time.perf_counter() - started
        print(f"{'total':>7} {total.voices:>6} {total.right:>5} {total.wrong:>5} {total.mixed:>5} "
              f"{total.unplaced:>8} {_share(total.wrong, total.placed):>12} "
              f"{total.traps:>3} of {total.trap_sentences:<3} {total.other:>5} {elapsed:>6.1f}")
        met = (total.right >= TARGET_RIGHT * total.voices and total.wrong <= TARGET_WRONG * total.placed
               and over == 0)
        summaries.append(
            f"{name}: voices right {total.right}/{total.voices} ({_share(total.right, total.voices)}), "
            f"wrong {total.wrong}/{total.placed} placed ({_share(total.wrong, total.placed)}), "
            f"mixed {total.mixed}, unplaced {total.unplaced}; traps placed {total.traps} "
            f"({', '.join(f'{k} {total.trap_kinds[k]}' for k in TRAP_KINDS)}; "
            f"{over} of {len(gold)} clusters over {TARGET_TRAPS}); {elapsed:.0f} s "
            f"[targets right >= {TARGET_RIGHT:.0%}, wrong <= {TARGET_WRONG:.0%} of placed, "
            f"<= {TARGET_TRAPS} trap per cluster: {'met' if met else 'not met'}]")
    if args.evidence or args.record:
        figures = evidence_figures(gold, data, args.stance)
        summaries += [evidence_report(figures, args.stance),
                      evidence_report(evidence_figures(gold, data, "embedding"), "embedding")]
        if args.record:
            from memo._stance import shipped_stance_model

            record(Path(args.stance) if args.stance else shipped_stance_model(), figures)
            summaries.append(f"recorded as news_questions in {args.stance or 'the shipped model'}'s calibration.json")
    print()
    print("\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
