"""Points made by more than one source: group paraphrases across articles and count
how many *independent* sources stand behind each group.

Two sentences from different articles are linked when each is the other's closest
sentence in that article and their embeddings are close (mutual best match above a
threshold). Groups grow along the strongest links only while every pair of members
stays close and each article gives at most one sentence, so loosely related sentences
do not chain into one group.
Each outlet's report is an origin; articles that copy one report, and the outlet's own words
repeated word for word (a syndicated paragraph), count once: not independent confirmation.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from ._attribution import Attribution
from ._extractive import background_score, best_matches, centroid, neighbour_sources
from ._figures import differences, figures as quantities
from ._model import Article, Citation, Discrepancy, Figure, Group, Point, Sentence, Statement
from ._same_point import SamePointJudge, settings
from ._stance import CONTESTS, Stance, StanceBackend
from ._syntax import quote_spans

SAME_POINT = 0.7  # closeness of two wordings of one point: cosine of all-MiniLM-L6-v2 embeddings ...
SHARED_WORDS = 0.25  # ... plus this times the share of content words (names, numbers, terms) they share
LINKAGE_SLACK = 0.05  # a group's weakest pair may be this far below SAME_POINT (benchmarks/perspectrum_grouping.py)
SAME_WORDING = 0.6  # share of word trigrams two sentences must share to count as one wire copy
# Two articles copy one report when this share of the longer one's sentences of COPY_WORDS
# words or more are in the other near word for word (copied_reports). On the consensus gold
# (benchmarks/consensus.py): the one pair of copies there shares 33%; a story quoting a whole
# press release 26%, stories sharing a statement or a few paragraphs 12-17%.
COPIED_SHARE = 0.3
COPY_WORDS = 8
# A sentence must contest a group's point at least this surely to mark it contested (the
# offline stance backend is right about 4 times in 5 at this level on Perspectrum train); a
# weaker call is not enough to claim the sources disagree.
CONTEST_CONFIDENCE = 0.4
# Two sentences contradict each other (a disagreement the memo reports without being asked)
# only when each, read as the claim, is contested by the other, and they are about one thing:
# contradiction is symmetric, and a flat contradiction restates what it denies. Read either
# way, the stance model called contests between two outlets' sentences far too often
# (benchmarks/found_disagreements.py): on 99 Multi-News stories the 13 it found were all
# false (paraphrases with a negation, a sentence and its verbatim repeat, two writers judging
# different things), and on FNC-1 held-out bodies its precision was 0.43 (16 of 70 disagreeing
# bodies found). Both readings and cosine >= 0.7: precision 0.86 there (6 of 70), none of the 13.
SAME_CLAIM = 0.7  # cosine of two sentences, one denying what the other states
# Story detection (story_clusters): the mean story similarity an article needs to join a
# story. On 1,000 articles recombined from 100 Multi-News stories (benchmarks/make_corpus.py):
# 0.40 purity 0.97 / inverse purity 0.97 (fewest misplaced articles); 0.45: 0.99 / 0.94; 0.50: 0.99 / 0.89.
SAME_STORY = 0.4
LONG_LEAD = 35  # words; a group is led by a shorter member where it has one


def judged_closeness(closeness: np.ndarray, same: np.ndarray, *, floor: float, threshold: float) -> np.ndarray:
    """Closeness as the same-point model corrects it (``memo._same_point``): a pair at or above
    ``floor`` that the model reads as one point (probability ``threshold`` or more) counts as
    close enough to group; one it reads as two points cannot be grouped, however alike its
    words (two outlets' sentences on one event, giving different facts); a pair below ``floor``
    (not asked) keeps its closeness. ``same`` has the model's probabilities where asked."""
    asked = closeness >= floor
    judged = np.where(same >= threshold, np.maximum(closeness, SAME_POINT + 0.1 * (same - threshold)),
                      np.minimum(closeness, SAME_POINT - LINKAGE_SLACK - 0.01))
    return np.where(asked, judged, closeness)


@dataclass(frozen=True)
class Member:
    sentence: Sentence
    attribution: Attribution


class _SparseCloseness:
    """How close each pair of statements is to making the same point: embedding cosine plus
    the share of content words they have in common, each word weighted by its rarity among
    the corpus's sentences (words every sentence of a story uses, "Xi", "Moscow", say little;
    rare shared terms, names and numbers, "bilateral trade", "2022", say a lot). For a whole
    corpus without its square: only pairs of sentences
    from different articles that could reach ``floor`` are kept (``pairs``), found by
    multiplying blocks of embeddings; any other pair is computed when asked for. Memory
    grows with the corpus and the number of close pairs, not with its square."""

    BLOCK = 2048

    def __init__(self, vectors: list[np.ndarray], sentences: list[Sentence], articles: list[int], *, floor: float):
        self.vectors = np.stack(vectors).astype(np.float32)
        self.article = np.array(articles)
        self.texts = [s.text for s in sentences]
        self.words = [_content_words(s.text) for s in sentences]
        self.rarity = _rarity(self.words)
        self.weight = [sum(self.rarity[w] for w in bag) for bag in self.words]
        # Background (dated only years before the story) and current news are not one point,
        # however alike: "Xi's first trip to Moscow in 2013" is not "Xi landed in Moscow on Monday".
        self.background = background_score(sentences).astype(bool)
        self.floor = floor
        cosine_floor = floor - SHARED_WORDS  # shared words add at most SHARED_WORDS
        self.pairs: list[tuple[int, int, float]] = []
        n = len(sentences)
        for begin in range(0, n, self.BLOCK):
            sims = self.vectors[begin:begin + self.BLOCK] @ self.vectors.T
            rows, cols = np.nonzero(sims >= cosine_floor)
            lefts = rows + begin
            keep = (cols > lefts) & (self.article[cols] != self.article[lefts]) & \
                (self.background[cols] == self.background[lefts])
            for row, left, col in zip(rows[keep].tolist(), lefts[keep].tolist(), cols[keep].tolist()):
                if self.words[left] == self.words[col]:  # the same wording (wire copy): no need to intersect
                    shared = 1.0 if self.weight[left] > 0 else 0.0
                else:
                    common = self.words[left] & self.words[col]
                    least = min(self.weight[left], self.weight[col])
                    shared = sum(self.rarity[w] for w in common) / least if common and least > 0 else 0.0
                value = float(sims[row, col]) + SHARED_WORDS * shared
                if value >= floor:
                    self.pairs.append((left, col, value))
        self._known = {(left, right): value for left, right, value in self.pairs}

    def judge(self, pairs: list[tuple[int, int, float]], judge: SamePointJudge, *, floor: float,
              threshold: float) -> list[tuple[int, int, float]]:
        """``pairs`` with the closeness the same-point model gives those at or above its floor
        (``judged_closeness``); remembered, so that the linkage check sees the same values."""
        asked = [(left, right, value) for left, right, value in pairs if value >= floor]
        same = judge.same([(self.texts[left], self.texts[right]) for left, right, _ in asked])
        values = judged_closeness(np.array([value for _, _, value in asked]), same, floor=floor,
                                  threshold=threshold) if asked else []
        self._known.update({(left, right): float(v) for (left, right, _), v in zip(asked, values)})
        return [(left, right, self._known[(left, right)]) for left, right, _ in pairs]

    def __call__(self, left: int, right: int) -> float:
        key = (min(left, right), max(left, right))
        if key in self._known:
            return self._known[key]
        if self.background[left] != self.background[right]:
            return -1.0
        return float(self.vectors[left] @ self.vectors[right]) + SHARED_WORDS * _overlap(
            self.words[left], self.words[right], self.rarity)


def _rarity(bags: list[frozenset[str]]) -> dict[str, float]:
    """Inverse document frequency of each word over the sentences' word sets."""
    frequency: dict[str, int] = {}
    for bag in bags:
        for word in bag:
            frequency[word] = frequency.get(word, 0) + 1
    return {word: math.log(len(bags) / count) for word, count in frequency.items()}


def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[\w’'-]+", text.lower()) if w not in _STOPWORDS and len(w) > 2
                     or w.isdigit())


def _overlap(left: frozenset[str], right: frozenset[str], rarity: dict[str, float]) -> float:
    """Share of the shorter sentence's content words, weighted by rarity, that the other uses too."""
    if not left or not right:
        return 0.0
    weight = min(sum(rarity[w] for w in left), sum(rarity[w] for w in right))
    return sum(rarity[w] for w in left & right) / weight if weight > 0 else 0.0


def _stopwords() -> frozenset[str]:
    text = resources.files("memo.data").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


_STOPWORDS = _stopwords()


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + 3]) for i in range(max(1, len(words) - 2))}


def _origins(members: list[Member], copies: dict[str, str]) -> int:
    """Distinct origins: each outlet's report, where copied reporting merges: articles that
    copy one report (``copied_reports``), and the outlet's own words (what is outside
    quotation marks) repeated near word for word in two outlets: a wire copy or a syndicated
    paragraph. Two outlets quoting one speaker are two reports of what was said, as two
    outlets telling one event are (``memo._render.common.whose_view`` names the speaker and
    both outlets)."""
    roots = [copies.get(m.sentence.article_id, m.sentence.article_id) for m in members]
    origin = _Sets(len(members))
    own = [_own_words(m.sentence.text) for m in members]
    grams = [_trigrams(text) if len(text.split()) >= COPY_WORDS else set() for text in own]
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            overlap = len(grams[i] & grams[j]) / max(1, min(len(grams[i]), len(grams[j])))
            if roots[i] == roots[j] or overlap >= SAME_WORDING:
                origin.join(j, i)
    return len({origin.find(i) for i in range(len(members))})


class _Sets:
    """Disjoint sets of 0..n-1 (union-find), each named by its smallest member."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, left: int, right: int) -> None:
        low, high = sorted((self.find(left), self.find(right)))
        self.parent[high] = low


def _own_words(text: str) -> str:
    """A sentence without what it quotes: the words its outlet wrote."""
    for start, end in reversed(quote_spans(text)):
        text = text[:start] + " " + text[end:]
    return text


def copied_reports(sentences: list[list[Sentence]]) -> dict[str, str]:
    """Articles that copy one report, each mapped to the first article of its set (an article
    that copies none is left out). Two articles copy one report when at least ``COPIED_SHARE``
    of the longer one's sentences (of ``COPY_WORDS`` words or more) are in the other near word
    for word (``SAME_WORDING``), and two or more are: a wire story and its reprint, one
    newspaper's report rewritten lightly. A story quoting a press release or a speech, or
    sharing a syndicated paragraph, tells more of its own and stays an origin of its own."""
    long = [[s for s in rows if s.words >= COPY_WORDS] for rows in sentences]
    grams = [[_trigrams(s.text) for s in rows] for rows in long]
    # Candidate pairs share a word 5-gram (an index, so a large corpus is not compared all
    # against all); a 5-gram in very many sentences ("according to the ...") is left out.
    index: dict[str, list[tuple[int, int]]] = {}
    for a, rows in enumerate(long):
        for k, s in enumerate(rows):
            words = re.findall(r"\w+", s.text.lower())
            for gram in {" ".join(words[i:i + 5]) for i in range(len(words) - 4)}:
                index.setdefault(gram, []).append((a, k))
    shared: dict[tuple[int, int], set[int]] = {}  # (article, later article) -> the first one's sentences
    for postings in index.values():
        if len(postings) > 64:
            continue
        for n, (a, k) in enumerate(postings):
            for b, m in postings[n + 1:]:
                if a == b or k in shared.get((a, b), ()):
                    continue
                left, right = grams[a][k], grams[b][m]
                if len(left & right) / max(1, min(len(left), len(right))) >= SAME_WORDING:
                    shared.setdefault((a, b), set()).add(k)
    copies = _Sets(len(sentences))
    for (a, b), found in sorted(shared.items()):
        if len(found) >= 2 and len(found) >= COPIED_SHARE * max(len(long[a]), len(long[b])):
            copies.join(a, b)
    roots = [copies.find(a) for a in range(len(sentences))]
    copied = {root for root, count in Counter(roots).items() if count > 1}
    return {rows[0].article_id: sentences[root][0].article_id for rows, root in zip(sentences, roots)
            if root in copied}


def story_clusters(rows: list[np.ndarray], threshold: float | None = None) -> list[int]:
    """A story label per article (labels in order of first appearance), from its candidate
    sentences' embeddings ``rows``. How much article A tells B's story is the mean, over A's
    sentences, of the closest sentence in B; two articles' story similarity is the mean of
    that both ways. Unlike the cosine of mean embeddings it does not depend on length (a
    three-sentence report and a long feature on one event still match). Each article joins
    the story it is most similar to on average, if that is at least ``SAME_STORY``, else it
    starts one. In a large corpus an article is compared only with its neighbour articles
    (``neighbour_sources``), and a story's average is over its members among them."""
    threshold = SAME_STORY if threshold is None else threshold
    n = len(rows)
    if n == 0:
        return []
    width = next((r.shape[1] for r in rows if r.ndim == 2 and len(r)), 1)
    sizes = np.array([len(r) for r in rows])
    flat = np.concatenate([r for r in rows if len(r)]).astype(np.float32) if sizes.sum() else np.zeros((0, width))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    centroids = np.stack([centroid(r) if len(r) else np.zeros(width) for r in rows])
    # cover[a][b]: the mean over a's sentences of the closest sentence in b
    cover: list[dict[int, float]] = [{} for _ in range(n)]
    for a, others, best in best_matches(flat, starts, sizes, neighbour_sources(centroids)):
        if sizes[a]:
            cover[a] = dict(zip(others.tolist(), (best.sum(axis=0, dtype=float) / sizes[a]).tolist()))
    labels = np.full(n, -1)
    count = 0
    for a in range(n):
        earlier = [b for b in cover[a] if b < a]
        if earlier and count:
            similarity = np.array([(cover[a][b] + cover[b][a]) / 2 for b in earlier])
            seen = labels[earlier]
            totals = np.bincount(seen, weights=similarity, minlength=count)
            members = np.bincount(seen, minlength=count)
            means = np.where(members > 0, totals / np.maximum(members, 1), -1.0)
            if means.max() >= threshold:
                labels[a] = int(np.argmax(means))
                continue
        labels[a] = count
        count += 1
    return labels.tolist()


def group_points(articles: list[Article], sentences: list[list[Sentence]], vectors: list[np.ndarray],
                 attributions: list[list[Attribution]], candidates: list[list[int]],
                 *, threshold: float = SAME_POINT, judge: SamePointJudge | None = None,
                 copies: dict[str, str] | None = None) -> list[Group]:
    """Groups over the candidate sentences (indices per article), largest and most independent
    first. With ``judge`` (``memo._same_point``), each candidate link at or above its ``floor``
    is read by the model, which decides whether the two sentences make one point
    (``judged_closeness``): wordings too far apart for the embeddings alone are grouped, and
    alike sentences giving different facts are kept apart. ``copies``: ``copied_reports`` of
    the corpus (found among ``sentences`` when not given)."""
    flat: list[tuple[int, int]] = [(a, i) for a, rows in enumerate(candidates) for i in rows]
    if not flat:
        return []
    asked_from, same_from = settings(judge) if judge is not None else (threshold, 1.0)
    floor = min(threshold - LINKAGE_SLACK, asked_from)
    close = _SparseCloseness([vectors[a][i] for a, i in flat], [sentences[a][i] for a, i in flat],
                             [a for a, _ in flat], floor=floor)
    # Candidate links: mutual best matches between two articles, strongest first.
    best: dict[tuple[int, int], tuple[float, int]] = {}  # (sentence, other article) -> (closeness, sentence)
    for left, right, value in close.pairs:
        for here, there in ((left, right), (right, left)):
            key = (here, close.article[there])
            if key not in best or value > best[key][0]:
                best[key] = (value, there)
    mutual = [(left, right, value) for left, right, value in close.pairs
              if best[(left, close.article[right])][1] == right and best[(right, close.article[left])][1] == left]
    if judge is not None:
        mutual = close.judge(mutual, judge, floor=asked_from, threshold=same_from)
    links = sorted(((value, flat[left], flat[right]) for left, right, value in mutual if value >= threshold),
                   key=lambda link: -link[0])
    index = {key: n for n, key in enumerate(flat)}
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
        if any(close(index[x], index[y]) < threshold - LINKAGE_SLACK for x in clusters[cl] for y in clusters[cr]):
            continue
        for key in clusters[cr]:
            cluster_of[key] = cl
        clusters[cl].extend(clusters.pop(cr))
    copies = copied_reports(sentences) if copies is None else copies
    order = {a.id: n for n, a in enumerate(articles)}
    groups = []
    for keys in clusters.values():
        keys = sorted(keys)
        members = [Member(sentences[a][i], attributions[a][i]) for a, i in keys]
        sources = tuple(dict.fromkeys(articles[a].id for a, _ in keys))
        independent = _origins(members, copies) if len(sources) > 1 else 1
        rows = np.stack([vectors[a][i] for a, i in keys])
        # The wording closest to all the others stands for the group. Rounded: in a group of two
        # both sums are 1 + their cosine, a tie that float rounding (which differs between
        # runtimes and CPUs) would otherwise break; the shorter wording breaks it instead.
        closeness = np.round((rows @ rows.T).sum(axis=1), 5)
        # Prefer a wording of readable length: long sentences are central because they say everything.
        closeness = closeness - np.array([m.sentence.words > LONG_LEAD for m in members]) * len(members)
        centre = min(range(len(members)), key=lambda k: (-closeness[k], members[k].sentence.words, k))
        members.insert(0, members.pop(centre))  # the lead statement comes first
        lead = members[0].sentence
        statements = tuple(statement(m.sentence, m.attribution) for m in members)
        point = Point(lead.text, tuple(s.citation for s in statements))
        groups.append(Group(point, statements, sources, independent,
                            "consensus" if independent >= 2 else "single-source"))
    groups.sort(key=lambda g: (-g.independent, -len(g.sources), order[g.point.citations[0].article_id],
                               g.point.citations[0].start))
    return groups


def discrepancy(group: Group) -> Discrepancy | None:
    """The first measure two of the group's sources give different figures of ("two deaths" /
    "four deaths", "Friday" / "Saturday"), with each source's figure of it, or None when every
    figure agrees (``memo._figures``): such a group is not consensus."""
    statements = group.statements
    for i, left in enumerate(statements):
        for right in statements[i + 1:]:
            if left.citation.article_id == right.citation.article_id:
                continue
            for difference in differences(left.citation.quote, right.citation.quote):
                figures = []
                for item in statements:
                    text = item.citation.quote
                    found = [text[q.start:q.end] for q in quantities(text) if q.measure == difference.measure]
                    figures += [Figure(words, item) for words in dict.fromkeys(found)]
                return Discrepancy(group.point, difference.measure, tuple(figures))
    return None


def statement(sentence: Sentence, attribution: Attribution, stance: str = "", confidence: float = 0.0) -> Statement:
    citation = Citation(sentence.article_id, sentence.start, sentence.end, sentence.text)
    return Statement(citation, attribution.speaker, attribution.role, attribution.kind, stance, confidence)


@dataclass(frozen=True)
class Pool:
    """Every candidate sentence of the corpus as a statement, with its embedding row, and the
    articles that copy one report (``copied_reports``)."""

    statements: list[Statement]
    vectors: np.ndarray
    copies: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, sentences: list[list[Sentence]], vectors: list[np.ndarray],
              attributions: list[list[Attribution]], candidates: list[list[int]], *,
              copies: dict[str, str] | None = None) -> "Pool":
        rows = [(statement(sentences[a][i], attributions[a][i]), vectors[a][i])
                for a, picks in enumerate(candidates) for i in picks]
        width = vectors[0].shape[1] if vectors and vectors[0].ndim == 2 else 1
        return cls([r[0] for r in rows], np.stack([r[1] for r in rows]) if rows else np.zeros((0, width)),
                   copied_reports(sentences) if copies is None else copies)


def weigh_groups(groups: list[Group], pool: Pool, stance: StanceBackend) -> list[Group]:
    """Check every group against the rest of the corpus with the stance backend.

    A member that contests the group's point, either way it is read, leaves it: a group never
    carries a statement read as denying it. Sentences from other speakers that are about the
    same matter and contradict the point (``contradicts``) are attached as ``contested_by``.
    Groups are then relabelled: "contested" where anyone contradicts, "consensus" where two
    or more independent origins agree and nobody contradicts, else "single-source". Pass
    only the groups a memo may show: each costs a stance call per related sentence.
    """
    weighed = []
    if callable(getattr(stance, "prepare", None)):
        stance.prepare([g.point.text for g in groups])
    position = {s.citation: k for k, s in enumerate(pool.statements)}
    plans = [_weighing_plan(group, pool, position) for group in groups]
    calls = _judge_both_ways([(group.point.text, [s.citation.quote for s in items])
                              for group, (_, items, _) in zip(groups, plans)], stance,
                             [near for _, _, near in plans])
    for group, (members, items, near), checked in zip(groups, plans, calls):
        weighed_members = list(group.statements[:1])
        contested = []
        for item, (forward, backward), cosine in zip(items, checked, near):
            if contradicts(forward, backward, cosine, group.point.text, item.citation.quote):
                call = min((c for c in (forward, backward) if _contests(c)), key=lambda c: c.confidence)  # weaker
                contested.append(Statement(item.citation, item.speaker, item.role, item.kind, CONTESTS,
                                           call.confidence))
            elif item.citation in members and not _contests(forward) and not _contests(backward):
                weighed_members.append(Statement(item.citation, item.speaker, item.role, item.kind, forward.label,
                                                 forward.confidence))
        group = _regroup(group, weighed_members, pool.copies)
        label = "contested" if contested else "consensus" if group.independent >= 2 else "single-source"
        weighed.append(Group(group.point, group.statements, group.sources, group.independent, label,
                             tuple(contested)))
    rank = {"consensus": 0, "contested": 1, "single-source": 2}
    return sorted(weighed, key=lambda g: (rank[g.label], -g.independent, -len(g.sources)))


def contradicts(forward: Stance, backward: Stance | None, cosine: float, point: str, statement: str) -> bool:
    """Does a statement contradict a point? Read as contesting it both ways (the point as the
    claim, then the statement as the claim), about the same thing (``SAME_CLAIM``), and in
    other words: the same words cannot deny each other (the model has read a sentence and
    its verbatim repeat as a contest)."""
    return (cosine >= SAME_CLAIM and _contests(forward) and backward is not None and _contests(backward)
            and _words(point) != _words(statement))


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def read_again(forward: Stance, cosine: float) -> bool:
    """Whether ``contradicts`` needs the backward reading of a pair."""
    return _contests(forward) and cosine >= SAME_CLAIM


def _contests(call: Stance | None) -> bool:
    return call is not None and call.label == CONTESTS and call.confidence >= CONTEST_CONFIDENCE


def _weighing_plan(group: Group, pool: Pool, position: dict[Citation, int]):
    """The group's members after its lead, then the closest sentence of each other speaker
    in each article, if it is close enough to contradict the point (``SAME_CLAIM``; a farther
    one could not change the memo): what the stance backend is asked about, with each one's
    cosine to the lead. ``position``: each statement's row in the pool."""
    lead = pool.vectors[position[group.point.citations[0]]]
    members = {s.citation for s in group.statements}
    speakers = {s.speaker.lower() for s in group.statements}
    closest: dict[tuple[str, str], tuple[float, int]] = {}
    sims = pool.vectors @ lead if len(pool.statements) else np.zeros(0)
    for k, item in enumerate(pool.statements):
        key = (item.citation.article_id, item.speaker.lower())
        if item.citation in members or item.speaker.lower() in speakers or sims[k] < SAME_CLAIM:
            continue
        if key not in closest or sims[k] > closest[key][0]:
            closest[key] = (float(sims[k]), k)
    others = sorted(closest.values(), key=lambda v: -v[0])
    items = list(group.statements[1:]) + [pool.statements[k] for _, k in others]
    near = [float(sims[position[s.citation]]) for s in group.statements[1:]] + [value for value, _ in others]
    return members, items, near


def _judge_both_ways(questions: list[tuple[str, list[str]]], stance: StanceBackend,
                     closeness: list[list[float]]) -> list[list[tuple[Stance, Stance | None]]]:
    """Each (claim, statement) read forward, and backward (the statement as the claim) where
    the forward reading contests: (forward, backward or None) per statement. Only a pair
    close enough to be a contradiction is read again (``SAME_CLAIM``); a member read as
    contesting leaves its group whatever the other reading says. Batched when the backend
    takes pairs."""
    pairs = [(claim, text) for claim, texts in questions for text in texts]
    near = [value for row in closeness for value in row]
    if callable(getattr(stance, "stance_pairs", None)):
        forward = stance.stance_pairs(pairs)
        again = [n for n, call in enumerate(forward) if read_again(call, near[n])]
        backward: list[Stance | None] = [None] * len(pairs)
        for n, call in zip(again, stance.stance_pairs([(pairs[n][1], pairs[n][0]) for n in again])):
            backward[n] = call
    else:
        forward = [call for claim, texts in questions for call in stance.stance(claim, texts)]
        backward = [stance.stance(pairs[n][1], [pairs[n][0]])[0] if read_again(call, near[n]) else None
                    for n, call in enumerate(forward)]
    calls = iter(zip(forward, backward))
    return [[next(calls) for _ in texts] for _, texts in questions]


def _regroup(group: Group, members: list[Statement], copies: dict[str, str]) -> Group:
    """The group with only ``members`` left, its independence counted again."""
    rows = [Member(Sentence(s.citation.article_id, 0, s.citation.start, s.citation.end, s.citation.quote),
                   Attribution(s.speaker, s.role, s.kind)) for s in members]
    sources = tuple(dict.fromkeys(s.citation.article_id for s in members))
    independent = _origins(rows, copies) if len(sources) > 1 else 1
    point = Point(group.point.text, tuple(s.citation for s in members))
    return Group(point, tuple(members), sources, independent, group.label)
