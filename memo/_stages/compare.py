"""Stage 4, compare: consensus and contested points (per story when the corpus tells several),
the sides of each question asked, and who said what."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from .._attribution import one_name_per_person
from .._disagreement import agreement_matrix, answer, from_group, who_said_what
from .._extractive import Budget, CorpusPool, is_candidate
from .._grouping import Pool, copied_reports, discrepancy, group_points, story_clusters, weigh_groups
from .._model import Article, Point, Story
from .._same_point import SamePointJudge
from .._stance import StanceBackend
from .rank import KEY_POINT_WEIGHTS
from .run import Compared, Corpus, Embedded, Findings, Run, headline, point


OTHER_REPORTS = "Other reports"


def compare(corpus: Corpus, embedded: Embedded, stance_backend: StanceBackend, judge: SamePointJudge | None,
            run: Run) -> Compared:
    """Consensus and contested points (per story when the corpus tells several), the sides
    of each question asked, and who said what. ``judge``: the same-point model grouping
    sentences into points (None: embedding closeness alone)."""
    run.report("comparing sources", 0, 1)
    articles, sentences, vectors = corpus.articles, corpus.sentences, embedded.vectors
    candidates = {a.id: [i for i, s in enumerate(sentences[a.id]) if is_candidate(s)] for a in articles}
    _load_beside(stance_backend)  # while the attribution parse finishes
    _load_beside(judge)
    attributions = dict(corpus.attributions)
    attributions.update(embedded.attributing.result())
    attributions = one_name_per_person({a.id: attributions[a.id] for a in articles})
    parts = Parts(sentences, vectors, attributions, candidates, copied_reports([sentences[a.id] for a in articles]))
    pool = parts.pool(articles)
    labels = story_clusters([vectors[a.id][candidates[a.id]] for a in articles])
    members = sorted(({label: [a for a, other in zip(articles, labels) if other == label]
                       for label in labels}).values(), key=lambda group: -len(group))
    told_twice = [group for group in members if len(group) > 1]
    lengths = run.options.lengths
    stories: list[Story] = []
    findings = Findings([], [], [])
    if len(told_twice) > 1:  # several stories: a section each, largest first
        for subset in told_twice[:lengths.max_stories]:
            found = findings_of(subset, parts, stance_backend, lengths, judge)
            stories.append(Story(headline(subset, vectors), tuple(a.id for a in subset),
                                 story_points(subset, parts, lengths), tuple(found.consensus),
                                 tuple(found.disagreements), tuple(found.matrix), tuple(found.discrepancies)))
        # Reports no other source tells, and stories past max_stories: one closing section.
        shown = {article_id for story in stories for article_id in story.article_ids}
        rest = [a for a in articles if a.id not in shown]
        if rest:
            stories.append(Story(OTHER_REPORTS, tuple(a.id for a in rest), story_points(rest, parts, lengths)))
    else:
        findings = findings_of(articles, parts, stance_backend, lengths, judge)
    disagreements = [answer(q, pool, stance_backend, embedded.model) for q in run.options.comparison.questions]
    disagreements += findings.disagreements
    outlets = {a.id: a.label for a in articles}
    centre = pool.vectors.mean(axis=0) if len(pool.statements) else np.zeros(pool.vectors.shape[1])
    positions = who_said_what(pool, disagreements + [d for story in stories for d in story.disagreements],
                              outlets, centre)
    run.report("comparing sources", 1, 1)
    return Compared(stance_backend, findings, stories, disagreements, positions, judge)


def _load_beside(stance_backend: StanceBackend | SamePointJudge | None) -> None:
    """Starts loading a model that can load ahead (``load()``: a stance backend, the same-point
    model) in a thread: the
    build waits on the attribution parse next, with a core to spare (measured on the seeds:
    the stance model's 0.17 s of loading came off the cold build). A failure is left for the
    first real use, which raises it in the build's own thread."""
    load = getattr(stance_backend, "load", None)
    if not callable(load):
        return

    def quietly() -> None:
        try:
            load()
        except Exception:  # noqa: BLE001 - raised again, where it is used
            pass

    threading.Thread(target=quietly, name="memo-stance-load", daemon=True).start()


@dataclass(frozen=True)
class Parts:
    """Each article's sentences, vectors, attributions and candidate sentences, by id; and the
    articles that copy one report (``copied_reports``, over the whole corpus)."""

    sentences: dict
    vectors: dict
    attributions: dict
    candidates: dict
    copies: dict

    def of(self, subset: list[Article]) -> tuple[list, list, list, list]:
        return ([self.sentences[a.id] for a in subset], [self.vectors[a.id] for a in subset],
                [self.attributions[a.id] for a in subset], [self.candidates[a.id] for a in subset])

    def pool(self, subset: list[Article]) -> Pool:
        return Pool.build(*self.of(subset), copies=self.copies)


def findings_of(subset: list[Article], parts: Parts, stance_backend: StanceBackend, lengths,
                judge: SamePointJudge | None = None) -> Findings:
    """Consensus, contested points found as disagreements, and the agreement matrix."""
    shown = [g for g in group_points(subset, *parts.of(subset), judge=judge, copies=parts.copies) if len(g.sources) > 1]
    shown = weigh_groups(shown[:max(lengths.consensus_points, lengths.found_disagreements) * 2], parts.pool(subset),
                         stance_backend)
    # A point the sources make with different figures is not agreed: it is listed as a
    # discrepancy (every one of the groups weighed), and leaves its place in the consensus
    # budget empty (no lesser point moves up to fill it).
    consensus = [g for g in shown if g.label == "consensus"]
    found = [discrepancy(g) for g in consensus]
    agreed = [g for g, d in zip(consensus[:lengths.consensus_points], found) if d is None]
    discrepancies = [d for d in found if d is not None][:lengths.consensus_points]
    contested = [g for g in shown if g.label == "contested"][:lengths.found_disagreements]
    return Findings(agreed, [from_group(g) for g in contested],
                     agreement_matrix(agreed + contested, [a.id for a in subset]), discrepancies)


def story_points(subset: list[Article], parts: Parts, lengths) -> tuple[Point, ...]:
    if not lengths.story_points:
        return ()
    ranking = CorpusPool.build([parts.sentences[a.id] for a in subset], [parts.vectors[a.id] for a in subset])
    picked = ranking.select(Budget(sentences=lengths.story_points), KEY_POINT_WEIGHTS) if ranking else []
    return tuple(point(s) for s in picked)
