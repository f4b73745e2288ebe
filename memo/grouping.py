"""Points made by more than one source: group paraphrases across articles and count
how many *independent* sources stand behind each group.

Two sentences from different articles are linked when each is the other's closest
sentence in that article and their embeddings are close (mutual best match above a
threshold). Groups grow along the strongest links only while every pair of members
stays close and each article gives at most one sentence, so loosely related sentences
do not chain into one group.
Sources that carry the same wire copy (near-identical wording) or quote the same
speaker are one origin, not independent confirmation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .attribution import NARRATION, Attribution
from .model import Article, Citation, Group, Point, Sentence

SAME_POINT = 0.7  # cosine between all-MiniLM-L6-v2 embeddings of two wordings of one point
LINKAGE_SLACK = 0.1  # every pair in a group must be within this of SAME_POINT
SAME_WORDING = 0.6  # share of word trigrams two sentences must share to count as one wire copy


@dataclass(frozen=True)
class Member:
    sentence: Sentence
    attribution: Attribution


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 3]) for i in range(max(1, len(words) - 2))}


def _origins(members: list[Member], outlets: dict[str, str]) -> int:
    """Distinct origins: a quoted speaker, or an outlet's own reporting; wire copies merge."""
    keys: list[str] = []
    for member in members:
        speaker = member.attribution.speaker
        if member.attribution.kind == NARRATION or speaker in outlets.values():
            keys.append("outlet:" + member.sentence.article_id)
        else:
            keys.append("speaker:" + speaker.lower())
    parent = list(range(len(members)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    grams = [_trigrams(m.sentence.text) for m in members]
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            overlap = len(grams[i] & grams[j]) / max(1, min(len(grams[i]), len(grams[j])))
            if keys[i] == keys[j] or overlap >= SAME_WORDING:
                parent[find(i)] = find(j)
    return len({find(i) for i in range(len(members))})


def group_points(articles: list[Article], sentences: list[list[Sentence]], vectors: list[np.ndarray],
                 attributions: list[list[Attribution]], candidates: list[list[int]],
                 *, threshold: float = SAME_POINT) -> list[Group]:
    """Groups over the candidate sentences (indices per article), largest and most independent first."""
    flat: list[tuple[int, int]] = [(a, i) for a, rows in enumerate(candidates) for i in rows]
    if not flat:
        return []
    # Candidate links: mutual best matches between two articles, strongest first.
    links: list[tuple[float, tuple[int, int], tuple[int, int]]] = []
    for a in range(len(articles)):
        for b in range(a + 1, len(articles)):
            if not candidates[a] or not candidates[b]:
                continue
            sims = vectors[a][candidates[a]] @ vectors[b][candidates[b]].T
            best_in_b, best_in_a = sims.argmax(axis=1), sims.argmax(axis=0)
            for i, j in enumerate(best_in_b):
                if best_in_a[j] == i and sims[i, j] >= threshold:
                    links.append((float(sims[i, j]), (a, candidates[a][i]), (b, candidates[b][j])))
    links.sort(key=lambda link: -link[0])
    # Merge along links only while every pair in the merged group stays close (complete
    # linkage) and each article contributes one sentence: no chains of drifting topics.
    cluster_of = {key: n for n, key in enumerate(flat)}
    clusters: dict[int, list[tuple[int, int]]] = {n: [key] for n, key in enumerate(flat)}
    for _, left, right in links:
        cl, cr = cluster_of[left], cluster_of[right]
        if cl == cr:
            continue
        if {a for a, _ in clusters[cl]} & {a for a, _ in clusters[cr]}:
            continue
        closest = min(float(vectors[a][i] @ vectors[b][j]) for a, i in clusters[cl] for b, j in clusters[cr])
        if closest < threshold - LINKAGE_SLACK:
            continue
        for key in clusters[cr]:
            cluster_of[key] = cl
        clusters[cl].extend(clusters.pop(cr))
    outlets = {a.id: a.outlet for a in articles if a.outlet}
    order = {a.id: n for n, a in enumerate(articles)}
    groups = []
    for keys in clusters.values():
        keys = sorted(keys)
        members = [Member(sentences[a][i], attributions[a][i]) for a, i in keys]
        sources = tuple(dict.fromkeys(articles[a].id for a, _ in keys))
        independent = _origins(members, outlets) if len(sources) > 1 else 1
        rows = np.stack([vectors[a][i] for a, i in keys])
        # The wording closest to all the others stands for the group.
        lead = members[int((rows @ rows.T).sum(axis=1).argmax())].sentence
        point = Point(lead.text, tuple(Citation(m.sentence.article_id, m.sentence.start, m.sentence.end,
                                                m.sentence.text) for m in members))
        groups.append(Group(point, tuple(m.attribution.speaker for m in members), sources, independent,
                            "consensus" if independent >= 2 else "single-source"))
    groups.sort(key=lambda g: (-g.independent, -len(g.sources), order[g.point.citations[0].article_id],
                               g.point.citations[0].start))
    return groups


def cluster_statements(vectors: np.ndarray, threshold: float) -> list[int]:
    """Cluster labels for a set of statements: complete-linkage agglomeration, merging the
    closest pair of clusters while every cross pair stays at or above ``threshold``."""
    n = len(vectors)
    if n == 0:
        return []
    sims = vectors @ vectors.T
    clusters: list[list[int]] = [[i] for i in range(n)]
    # linkage[a][b]: the smallest similarity between members of clusters a and b
    linkage = sims.copy()
    np.fill_diagonal(linkage, -np.inf)
    alive = list(range(n))
    while len(alive) > 1:
        sub = linkage[np.ix_(alive, alive)]
        flat = int(np.argmax(sub))
        i, j = divmod(flat, len(alive))
        if sub[i, j] < threshold:
            break
        a, b = alive[i], alive[j]
        clusters[a].extend(clusters[b])
        linkage[a, :] = np.minimum(linkage[a, :], linkage[b, :])
        linkage[:, a] = linkage[a, :]
        linkage[a, a] = -np.inf
        alive.remove(b)
    labels = [0] * n
    for label, root in enumerate(alive):
        for member in clusters[root]:
            labels[member] = label
    return labels
