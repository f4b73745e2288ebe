"""The data that flows through memo: Article -> Sentence -> Point -> Group -> Memo.

Statements (who says a sentence, and how) and disagreements (sides of a question) hang off
the groups; the memo also carries who-said-what rows and an agreement matrix.

Everything is a frozen dataclass. Citations travel as article ids and character
spans into the article's cleaned text, and are never re-derived at render time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path


# How a Memo is written out: ``memo._render`` puts its writers here when the package loads
# ("save": (memo, path, format=, layout=) -> path; "markdown": (memo, layout) -> text), so
# the data model imports no writer and the writers import the model, never the reverse.
WRITERS: dict = {}


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
    # A PDF's pages: where page n starts in ``text`` is pages[n - 1]; empty for other sources.
    pages: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The page (1-based) holding character ``offset`` of ``text``; None without pages."""
        if not self.pages:
            return None
        from bisect import bisect_right

        # A page with no text left starts where the next one does: the last of equal starts wins.
        return max(1, bisect_right(self.pages, offset))

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
    """One claim in the memo and the sentences that back it.

    Extracted points are verbatim sentences. A generated (abstractive) point carries the
    source sentences that support it; if the faithfulness gate found none, ``flag`` says
    why, ``citations`` is empty, and the memo marks it visibly instead of citing it.
    """

    text: str
    citations: tuple[Citation, ...]
    score: float = 0.0
    flag: str = ""


@dataclass(frozen=True)
class Statement:
    """A sentence as somebody's statement: who makes it, in what capacity, how, and (where
    it is weighed against a claim) which way it leans and how sure memo is of that.

    ``speaker`` is a person or institution, or the outlet itself for its own narration;
    ``kind`` is "quote", "reported" or "narration"; ``stance`` is "supports", "contests",
    "unclear" or "" (not weighed); ``confidence`` is in [0, 1].
    """

    citation: Citation
    speaker: str
    role: str
    kind: str
    stance: str = ""
    confidence: float = 0.0


@dataclass(frozen=True)
class Group:
    """One point made by one or more sentences, possibly in several sources.

    ``statements`` hold every supporting sentence (also in ``point.citations``);
    ``contested_by`` the sentences that take the other side. ``independent`` counts
    distinct origins: each outlet's report, where articles copying one report, or one
    paragraph word for word, count once.
    ``label`` is "consensus" (two or more independent sources, nobody contesting),
    "contested" or "single-source".
    """

    point: Point
    statements: tuple[Statement, ...]
    sources: tuple[str, ...]
    independent: int
    label: str
    contested_by: tuple[Statement, ...] = ()

    @property
    def speakers(self) -> tuple[str, ...]:
        return tuple(s.speaker for s in self.statements)


@dataclass(frozen=True)
class Figure:
    """A figure as one statement gives it: its words, verbatim from the cited sentence ("four
    deaths"), and the statement (a statement giving two figures of a measure gives two)."""

    text: str
    statement: Statement


@dataclass(frozen=True)
class Discrepancy:
    """A point two or more sources make, but with different figures: what they measure
    ("death", "day of the week") and each source's figure, cited. Shown instead of the point
    as consensus: sources that differ on a number, a date or a day have not agreed."""

    point: Point
    measure: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Side:
    """One side of a disagreement: its position in one line and the statements behind it."""

    stance: str  # "supports" or "contests" the disagreement's claim
    position: str
    statements: tuple[Statement, ...]

    @property
    def speakers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.speaker for s in self.statements))

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.citation.article_id for s in self.statements))


@dataclass(frozen=True)
class Disagreement:
    """A question the sources answer differently (or, as ``note`` says, only one way).

    ``claim`` is the statement each side supports or contests; ``asked`` tells a user's
    question from one memo found; ``unclear`` holds relevant statements whose stance memo
    could not call with confidence.
    """

    question: str
    claim: str
    asked: bool
    sides: tuple[Side, ...]
    unclear: tuple[Statement, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Position:
    """A row of "who said what": a speaker's position, in their own (cited) words."""

    speaker: str
    role: str
    outlet: str
    position: str
    statement: Statement


@dataclass(frozen=True)
class AgreementRow:
    """A row of the source-by-point agreement matrix: for each article of the memo, in
    order, "supports", "contests" or "silent", and the sentence that shows it."""

    point: Point
    label: str
    cells: tuple[str, ...]
    evidence: tuple[Citation | None, ...]


@dataclass(frozen=True)
class Story:
    """One story of a corpus that covers several: its sources (largest story first), its own
    key points, what its sources agree on, what they dispute, the figures they give
    differently, and its agreement matrix (columns: ``article_ids``)."""

    title: str
    article_ids: tuple[str, ...]
    key_points: tuple[Point, ...]
    consensus: tuple[Group, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    agreement: tuple[AgreementRow, ...] = ()
    discrepancies: tuple[Discrepancy, ...] = ()


@dataclass(frozen=True)
class SourceSummary:
    """One source in brief: its key sentences, verbatim, and (when a model is configured)
    a generated summary whose sentences carry their support or a flag."""

    article_id: str
    points: tuple[Point, ...]
    generated: tuple[Point, ...] = ()


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
    consensus: tuple[Group, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    who_said_what: tuple[Position, ...] = ()
    agreement: tuple[AgreementRow, ...] = ()
    synthesis: tuple[Point, ...] = ()  # abstractive: what the sources say together
    stories: tuple[Story, ...] = ()  # a corpus of several stories: one section each (then
    # ``consensus``, ``agreement`` and ``discrepancies`` are empty and ``disagreements`` holds
    # the asked questions)
    discrepancies: tuple[Discrepancy, ...] = ()  # points the sources make with different figures

    def article(self, article_id: str) -> Article:
        """The source ``article_id``; ``KeyError`` naming it if the memo has none."""
        try:
            return self._article_index[article_id]
        except KeyError:
            raise KeyError(f"no article {article_id!r} in this memo") from None

    @cached_property
    def _article_index(self) -> dict[str, Article]:
        # Renderers look an article up per citation: built once, then O(1). cached_property
        # writes the instance __dict__, which a frozen dataclass allows; not a field, so
        # equality, asdict/JSON and repr never see it.
        index: dict[str, Article] = {}
        for article in self.articles:
            index.setdefault(article.id, article)  # the first of a repeated id, as a scan would
        return index

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_article_index", None)  # rebuilt on first use; pickles stay as small as before
        return state

    def citations(self) -> list[Citation]:
        """Every citation the memo carries, in reading order; a sentence cited in several places
        appears each time (the rendered memo gives it one footnote and repeats its number).
        The order is the rendered memo's own: it comes from the outline every writer translates."""
        return WRITERS["citations"](self)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["from"] = data.pop("from_")
        for article in data["articles"]:
            if not article["pages"]:  # only PDFs have pages: other memos' JSON stays as it was
                del article["pages"]
        return data

    def to_json(self, layout=None) -> str:
        """The memo's data as JSON, with its ``footnotes`` numbered as the DOCX and Markdown
        of the same ``layout`` number them."""
        return WRITERS["json"](self, layout)

    def to_markdown(self, layout=None) -> str:
        return WRITERS["markdown"](self, layout)

    def save(self, path: str | Path, *, format: str | None = None, layout=None) -> Path:
        """Write the memo atomically; the format comes from ``format`` or the suffix.
        ``layout``: a dict of body lengths (``consensus``, ``supporting``, ``statements``,
        ``who``, ``summary``, ``appendix``, as ``memo.build`` documents them)."""
        return WRITERS["save"](self, Path(path), format=format, layout=layout)
