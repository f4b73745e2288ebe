"""Consensus against a hand-made gold set: does a memo's "Consensus" section hold the points that
two or more independent outlets state, and does it avoid presenting one outlet's claim, or a
point the outlets differ on, as agreed?

    .venv/bin/python benchmarks/consensus.py [--data ../shared/eval/multinews_dev100.csv]
        [--gold benchmarks/gold/consensus.jsonl] [--clusters 5,7] [--verbose]

The gold (benchmarks/gold/consensus.jsonl, format in benchmarks/gold/README.md) marks, for
Multi-News dev clusters, the points two or more documents state (core: what a one-page memo must
carry; secondary: other shared points), with sentence spans as evidence, and traps: single
(one outlet, or one origin) and disputed (outlets give different numbers, dates, judgements;
evidence carries a side). For each gold cluster every method is given the cluster's documents and
returns its consensus points, each a list of citations (document, start, end) into the original
document strings. Measured, per cluster and in total:

  - core recall, all recall (core + secondary): a gold point is recalled when one consensus point
    cites two or more of its outlets (documents of distinct origin, see ``same_origin``) with
    citations overlapping that point's evidence spans in those documents;
  - false consensus per cluster: consensus points that cite a single point's evidence, that cite
    evidence of two different sides of a disputed point, or that cite only one origin.

Methods, in the same run:
  - memo: ``memo.build`` as shipped (offline defaults) on a folder of the cluster's documents as
    .txt files; its consensus groups (of the memo, or of each story when it splits the cluster).
    Citations point into memo's cleaned text, so each is mapped back by finding its quote in the
    original document (exactly, else ignoring whitespace); unmapped ones are counted.
  - baseline: connected components of pairs of candidate sentences (memo's ``is_candidate``) from
    different documents at all-MiniLM-L6-v2 cosine >= 0.7 (memo's SAME_POINT, fixed, not tuned
    here), largest first, the top 8 as its consensus points.
A further method is one function ``f(documents) -> [[(document, start, end), ...], ...]`` added to
METHODS. Targets (issue 21): core recall >= 80% and at most one false consensus per four clusters;
the exit status is 0 when memo meets both, 1 when not, 2 when the data is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.gold.multinews import DEFAULT_CSV, clusters, document_of, locate, memo_of  # noqa: E402

DEFAULT_GOLD = ROOT / "benchmarks" / "gold" / "consensus.jsonl"
BASELINE_THRESHOLD = 0.7
BASELINE_POINTS = 8
TARGET_CORE_RECALL = 0.80
TARGET_FALSE_PER_CLUSTER = 0.25

Citation = tuple[int, int, int]  # (document, start, end) in the original document string


@dataclass
class GoldPoint:
    point: int
    kind: str
    label: str
    evidence: list[dict]

    @property
    def outlets(self) -> set[int]:
        return {e["document"] for e in self.evidence}


@dataclass
class GoldCluster:
    cluster: int
    points: list[GoldPoint] = field(default_factory=list)
    same_origin: list[list[int]] = field(default_factory=list)

    def origin(self, document: int) -> int:
        """Documents that copy one story share an origin: the smallest document of the set."""
        for group in self.same_origin:
            if document in group:
                return min(group)
        return document


def load_gold(path: Path) -> dict[int, GoldCluster]:
    gold: dict[int, GoldCluster] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        cluster = gold.setdefault(record["cluster"], GoldCluster(record["cluster"]))
        if "same_origin" in record:
            cluster.same_origin.append(list(record["same_origin"]))
        else:
            cluster.points.append(GoldPoint(record["point"], record["kind"], record["label"], record["evidence"]))
    return dict(sorted(gold.items()))


# ---- methods: documents -> consensus points, each a list of citations -------------------------

_embedder = None


def embedder():
    global _embedder
    if _embedder is None:
        from memo._embed import get_embedder

        _embedder = get_embedder()
    return _embedder


@dataclass
class Unmapped:
    count: int = 0


UNMAPPED = Unmapped()


KEY_POINTS: list[list[Citation]] = []  # the last memo's bottom line and key points
DISCREPANCIES: list[list[Citation]] = []  # the last memo's figures that differ, each its figures' citations


def key_point_kinds(cluster: GoldCluster) -> list[str]:
    """For each of the last memo's bottom-line and key points, the kind of gold point its
    citations state (core before secondary before disputed before single), or "none"."""
    out = []
    for point in KEY_POINTS:
        kinds = {p.kind for p in cluster.points for c in point for e in p.evidence if overlaps(c, e)}
        out.append(next((k for k in ("core", "secondary", "disputed", "single") if k in kinds), "none"))
    return out


def memo_points(documents: list[str]) -> list[list[Citation]]:
    """memo.build as shipped, on the documents as doc0.txt, doc1.txt, ..."""
    # The default embedder, loaded once for the run instead of once per build: the same model.
    built = memo_of(documents, embedder=embedder())
    groups = list(built.consensus) + [g for story in built.stories for g in story.consensus]
    DISCREPANCIES[:] = [[(document_of(f.statement.citation), *span) for f in item.figures
                         if (span := locate(documents[document_of(f.statement.citation)], f.statement.citation.quote,
                                            f.statement.citation.start))]
                        for item in list(built.discrepancies) + [d for story in built.stories for d in story.discrepancies]]
    KEY_POINTS[:] = [[(document_of(c), *span) for c in point.citations
                      if (span := locate(documents[document_of(c)], c.quote, c.start))]
                     for point in list(built.bottom_line) + list(built.key_points)]
    points = []
    for group in groups:
        cited = []
        for statement in group.statements:
            c = statement.citation
            document = document_of(c)
            span = locate(documents[document], c.quote, c.start)
            if span is None:
                UNMAPPED.count += 1
                continue
            cited.append((document, *span))
        points.append(cited)
    return points


def components(vectors: np.ndarray, owners: list[int], threshold: float) -> list[list[int]]:
    """Connected components of the pairs from different documents at or above ``threshold``."""
    parent = list(range(len(vectors)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sims = vectors @ vectors.T
    for i in range(len(vectors)):
        for j in range(i + 1, len(vectors)):
            if owners[i] != owners[j] and sims[i, j] >= threshold:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(vectors)):
        groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def baseline_points(documents: list[str]) -> list[list[Citation]]:
    """Fixed-threshold grouping of memo's candidate sentences, largest groups first."""
    from memo._embed import embed_unique
    from memo._extractive import is_candidate
    from memo._model import Article
    from memo._segment import split_sentences

    sentences = [(d, s) for d, text in enumerate(documents)
                 for s in split_sentences(Article(id=f"doc{d}", text=text)) if is_candidate(s)]
    if len(sentences) < 2:
        return []
    vectors = embed_unique(embedder(), [s.text for _, s in sentences])
    groups = components(vectors, [d for d, _ in sentences], BASELINE_THRESHOLD)
    groups.sort(key=lambda g: (-len(g), min(g)))
    return [[(sentences[i][0], sentences[i][1].start, sentences[i][1].end) for i in sorted(g)]
            for g in groups[:BASELINE_POINTS]]


METHODS = {"memo": memo_points, "baseline": baseline_points}


# ---- scoring ---------------------------------------------------------------------------------

def overlaps(c: Citation, e: dict) -> bool:
    return c[0] == e["document"] and c[1] < e["end"] and e["start"] < c[2]


def outlets_cited(point: list[Citation], gold: GoldPoint, cluster: GoldCluster) -> set[int]:
    """The origins among the gold point's outlets that the consensus point cites on its evidence."""
    return {cluster.origin(c[0]) for c in point for e in gold.evidence if overlaps(c, e)}


def sides_cited(point: list[Citation], gold: GoldPoint) -> set[str]:
    return {e["side"] for c in point for e in gold.evidence if overlaps(c, e)}


@dataclass
class Score:
    core: int = 0
    core_found: int = 0
    shared: int = 0
    shared_found: int = 0
    shown: int = 0
    false: int = 0
    one_origin: int = 0
    single: int = 0
    disputed: int = 0
    unmatched: int = 0

    def add(self, other: "Score") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def score(points: list[list[Citation]], cluster: GoldCluster, verbose: bool = False) -> Score:
    out = Score(shown=len(points))
    shared = [p for p in cluster.points if p.kind in ("core", "secondary")]
    recalled: set[int] = set()
    for n, point in enumerate(points):
        hits = [g for g in shared if len(outlets_cited(point, g, cluster)) >= 2]
        recalled.update(g.point for g in hits)
        one_origin = len({cluster.origin(c[0]) for c in point}) < 2
        singles = [g for g in cluster.points if g.kind == "single" and outlets_cited(point, g, cluster)]
        disputed = [g for g in cluster.points if g.kind == "disputed" and len(sides_cited(point, g)) >= 2]
        out.one_origin += one_origin
        out.single += bool(singles)
        out.disputed += bool(disputed)
        false = one_origin or bool(singles) or bool(disputed)
        out.false += false
        out.unmatched += not hits and not false
        if verbose:
            what = "; ".join([f"recalls {g.kind} {g.point} ({g.label})" for g in hits]
                             + [f"FALSE: single {g.point} ({g.label})" for g in singles]
                             + [f"FALSE: disputed {g.point} ({g.label})" for g in disputed]
                             + (["FALSE: one origin"] if one_origin else [])) or "no gold point"
            print(f"    point {n + 1}: cites {sorted(point)}: {what}")
    out.core = sum(p.kind == "core" for p in shared)
    out.shared = len(shared)
    out.core_found = sum(p.kind == "core" and p.point in recalled for p in shared)
    out.shared_found = sum(p.point in recalled for p in shared)
    return out


def score_discrepancies(items: list[list[Citation]], cluster: GoldCluster, verbose: bool = False) -> tuple[int, set]:
    """memo's figures that differ against the gold: (how many cite two sides of a disputed
    point, which disputed points they find)."""
    right, found = 0, set()
    for n, cited in enumerate(items):
        hits = [g for g in cluster.points if g.kind == "disputed" and len(sides_cited(cited, g)) >= 2]
        right += bool(hits)
        found.update(g.point for g in hits)
        if verbose:
            what = "; ".join(f"finds disputed {g.point} ({g.label})" for g in hits) or "no gold dispute"
            print(f"    figures that differ {n + 1}: cites {sorted(cited)}: {what}")
    return right, found


def pct(a: int, b: int) -> str:
    return f"{a}/{b} ({a / b:.0%})" if b else f"{a}/0"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--clusters", help="comma-separated gold clusters to run (default: all)")
    parser.add_argument("--verbose", action="store_true", help="what each consensus point matches")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"benchmark data not found: {args.data}", file=sys.stderr)
        return 2
    gold = load_gold(args.gold)
    if args.clusters:
        wanted = {int(c) for c in args.clusters.split(",")}
        gold = {c: g for c, g in gold.items() if c in wanted}
    data = clusters(str(args.data))
    kinds = {k: sum(p.kind == k for g in gold.values() for p in g.points)
             for k in ("core", "secondary", "single", "disputed")}
    print(f"Consensus gold: {len(gold)} Multi-News dev clusters, "
          + ", ".join(f"{n} {k}" for k, n in kinds.items()) + f" points ({args.gold.name})")
    print(f"{'cluster':>7} {'docs':>4} {'core':>4} {'shared':>6}  "
          + "  ".join(f"{name + ': core/all/false/shown':<30}" for name in METHODS))
    totals = {name: Score() for name in METHODS}
    key_kinds: list[str] = []
    figures = {"shown": 0, "right": 0, "found": 0}
    seconds = {name: 0.0 for name in METHODS}
    for c, cluster in gold.items():
        documents = data[c]
        row = []
        for name, method in METHODS.items():
            began = time.perf_counter()
            points = method(documents)
            seconds[name] += time.perf_counter() - began
            if args.verbose:
                print(f"  cluster {c}, {name}:")
            if name == "memo":
                key_kinds += key_point_kinds(cluster)
                right, found = score_discrepancies(DISCREPANCIES, cluster, args.verbose)
                figures["shown"] += len(DISCREPANCIES)
                figures["right"] += right
                figures["found"] += len(found)
            s = score(points, cluster, args.verbose)
            totals[name].add(s)
            row.append(f"{s.core_found}/{s.core} {s.shared_found}/{s.shared} {s.false} {s.shown}")
        core = sum(p.kind == "core" for p in cluster.points)
        shared = sum(p.kind in ("core", "secondary") for p in cluster.points)
        print(f"{c:>7} {len(documents):>4} {core:>4} {shared:>6}  "
              + "  ".join(f"{r:<30}" for r in row))
    n = len(gold)
    for name, t in totals.items():
        note = f", {UNMAPPED.count} citations not found in the original" if name == "memo" else ""
        print(f"{name}: core recall {pct(t.core_found, t.core)}, all recall {pct(t.shared_found, t.shared)}, "
              f"false consensus {t.false} in {n} clusters ({t.false / max(n, 1):.2f} per cluster; by kind, overlapping: "
              f"{t.single} single, {t.disputed} disputed, {t.one_origin} one origin), "
              f"{t.shown} consensus points ({t.unmatched} matching no gold point){note}, {seconds[name]:.0f} s")
    if key_kinds:
        shared = sum(k in ("core", "secondary") for k in key_kinds)
        print(f"memo bottom line and key points: {pct(shared, len(key_kinds))} state a point two or more outlets "
              f"report ({', '.join(f'{key_kinds.count(k)} {k}' for k in ('core', 'secondary', 'disputed', 'single', 'none'))})")
    disputed = sum(p.kind == "disputed" for g in gold.values() for p in g.points)
    print(f"memo figures that differ: {figures['shown']} shown, {figures['right']} citing two sides of a disputed "
          f"point; {pct(figures['found'], disputed)} disputed points found (the baseline reports none)")
    t = totals["memo"]
    core_ok = t.core and t.core_found / t.core >= TARGET_CORE_RECALL
    false_ok = t.false / max(n, 1) <= TARGET_FALSE_PER_CLUSTER
    print(f"targets (core recall >= {TARGET_CORE_RECALL:.0%}, false consensus <= {TARGET_FALSE_PER_CLUSTER} "
          f"per cluster): memo {'meets' if core_ok else 'misses'} recall, "
          f"{'meets' if false_ok else 'misses'} false consensus")
    return 0 if core_ok and false_ok else 1


if __name__ == "__main__":
    sys.exit(main())
