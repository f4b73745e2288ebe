"""The data that flows through memo: Article -> Sentence -> Point -> Group -> Memo.

Everything is a frozen dataclass. Citations travel as article ids and character
spans into the article's cleaned text, and are never re-derived at render time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Article:
    """One source after cleaning. ``text`` is the cleaned text every span points into."""

    id: str
    text: str
    title: str = ""
    outlet: str = ""
    author: str = ""
    date: str = ""
    url: str = ""
    source: str = ""
    sha256: str = ""

    @property
    def label(self) -> str:
        """How the memo names this source in running text."""
        if self.outlet or self.author:
            return self.outlet or self.author
        if self.title:
            return self.title if len(self.title) <= 40 else self.title[:40].rsplit(" ", 1)[0] + "…"
        return self.id


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a heading line) with its span in ``Article.text``."""

    article_id: str
    index: int
    start: int
    end: int
    text: str
    is_heading: bool = False

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Citation:
    """The exact sentence behind a claim: ``quote == article.text[start:end]``."""

    article_id: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Point:
    """One claim in the memo and the sentences that back it."""

    text: str
    citations: tuple[Citation, ...]
    score: float = 0.0


@dataclass(frozen=True)
class Group:
    """One point made by several sentences, possibly in several sources.

    ``point.citations`` holds every supporting sentence; ``speakers[i]`` says who makes
    the point in ``point.citations[i]`` (the outlet itself for its own narration).
    ``independent`` counts distinct origins: sources repeating one wire story or quoting
    one speaker count once. ``label`` is "consensus" (two or more independent sources)
    or "single-source".
    """

    point: Point
    speakers: tuple[str, ...]
    sources: tuple[str, ...]
    independent: int
    label: str


@dataclass(frozen=True)
class SourceSummary:
    article_id: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Notice:
    """Something ingest repaired, dropped or merged, reported in the method note."""

    source: str
    kind: str  # "repaired" | "dropped-line" | "duplicate" | "metadata" | "skipped"
    detail: str


@dataclass(frozen=True)
class Method:
    """What ran, with which versions, over which exact inputs."""

    steps: tuple[str, ...]
    versions: tuple[tuple[str, str], ...]
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class Memo:
    """A finished briefing memo; ``save`` writes it as DOCX, Markdown or JSON."""

    title: str
    to: str
    from_: str
    date: str
    subject: str
    bottom_line: tuple[Point, ...]
    key_points: tuple[Point, ...]
    source_summaries: tuple[SourceSummary, ...]
    articles: tuple[Article, ...]
    method: Method

    def article(self, article_id: str) -> Article:
        for article in self.articles:
            if article.id == article_id:
                return article
        raise KeyError(article_id)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["from"] = data.pop("from_")
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"

    def to_markdown(self) -> str:
        from .render.markdown import render_markdown

        return render_markdown(self)

    def save(self, path: str | Path, *, format: str | None = None) -> Path:
        """Write the memo atomically; the format comes from ``format`` or the suffix."""
        from .render import save_memo

        return save_memo(self, Path(path), format=format)
