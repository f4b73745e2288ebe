"""What the stages of one build share and hand each other: the run's options, progress and
notices, and each stage's result, as named data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .._attribution import Attribution
from .._embed import RememberingEmbedder
from .._executor import Executor
from .._model import Article, Citation, Disagreement, Notice, Point, Sentence, SourceSummary, Story
from .._options import Options
from .._prepare import ArticleCache, Attributing, Prepared
from .._stance import StanceBackend


Progress = Callable[[str, int, int], None]


@dataclass
class Run:
    """What every stage of one build shares: its options, where per-article work runs, the
    progress callback, the notices for the method note and the stores to close at the end."""

    options: Options
    runner: Executor
    report: Progress
    notices: list[Notice] = field(default_factory=list)
    opened: list = field(default_factory=list)


@dataclass(frozen=True)
class Corpus:
    """The articles as read and prepared: sentences and (where already parsed) attributions."""

    articles: list[Article]
    sentences: dict[str, list[Sentence]]
    attributions: dict[str, list[Attribution]]
    unattributed: dict[str, tuple[bytes, Prepared]]  # article id -> (cache key, record) to parse
    documents: int  # documents read, before duplicates and empty ones were dropped
    store: ArticleCache | None


@dataclass(frozen=True)
class Embedded:
    model: RememberingEmbedder  # remembers every vector it gave, for later stages
    vectors: dict[str, np.ndarray]  # article id -> one row per sentence (candidates only)
    attributing: Attributing  # the parse, running meanwhile


@dataclass(frozen=True)
class Ranked:
    bottom_line: list[Sentence]
    key_points: list[Point]
    summaries: list[SourceSummary]


@dataclass(frozen=True)
class Findings:
    """What comparing a set of articles finds."""

    consensus: list
    disagreements: list[Disagreement]
    matrix: list
    discrepancies: list = field(default_factory=list)  # points made with different figures


@dataclass(frozen=True)
class Compared:
    stance: StanceBackend
    findings: Findings  # of the whole corpus, or empty when it splits into stories
    stories: list[Story]
    disagreements: list[Disagreement]  # the questions asked, then the contested points found
    positions: list
    judge: Any = None  # the same-point model that grouped the points (None: embedding closeness alone)


@dataclass(frozen=True)
class Generated:
    """What the generation model wrote that passed the faithfulness gate."""

    summaries: list[SourceSummary]  # each source's, with its generated summary beside the extracted one
    disagreements: list[Disagreement]  # each side with its generated one-line position
    stories: list[Story]
    synthesis: list[Point]
    bottom_line: list[Point]  # empty: none passed, the extracted one stands
    notices: list[Notice]


def point(sentence: Sentence) -> Point:
    return Point(sentence.text, (Citation(sentence.article_id, sentence.start, sentence.end, sentence.text),))


def headline(articles: Sequence[Article], vectors: dict[str, np.ndarray]) -> str:
    """The headline of the source closest to the corpus as a whole."""
    titled = [a for a in articles if a.title]
    if not titled:
        return f"Briefing on {len(articles)} source{'s' if len(articles) != 1 else ''}"
    centre = np.mean([vectors[a.id].mean(axis=0) for a in articles], axis=0)

    def closeness(article: Article) -> float:
        mean = vectors[article.id].mean(axis=0)
        return float(mean @ centre / (np.linalg.norm(mean) * np.linalg.norm(centre) + 1e-9))

    return max(titled, key=closeness).title
