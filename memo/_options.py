"""The options of one build, grouped as a reader groups them, checked once.

``memo.build`` (and through it the command line) takes its keyword arguments as they are
documented there; ``Options.of`` turns them into this frozen object, and a bad value fails
here, with an ``ArgumentError`` naming the option, before any slow work. The stages then
read the group they need.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _clean as clean
from ._documents import DEFAULT_LIMITS, Limits
from ._errors import ArgumentError
from ._extractive import Budget


@dataclass(frozen=True)
class Header:
    """The memorandum header; an empty title, date or subject is filled in from the corpus."""

    title: str | None = None
    to: str = "Distribution"
    from_: str = "memo (automated briefing)"
    date: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class Lengths:
    """How much of each part the build selects."""

    bottom_line_sentences: int = 2
    key_points: int = 6
    article_budget: Budget = Budget(sentences=3)  # each source's own summary
    consensus_points: int = 8
    found_disagreements: int = 2
    max_stories: int = 10
    story_points: int = 3


@dataclass(frozen=True)
class Comparison:
    """What the sources are compared on: the questions asked and the stance backend."""

    questions: tuple[str, ...] = ()
    stance: Any = None  # a name ("memo", "embedding", "nli:MODEL"), a model folder or a backend
    grouping: Any = None  # "closeness" (default), a same-point model folder or a judge


@dataclass(frozen=True)
class Generation:
    """Generated (abstractive) summaries: the model, its prompts and options, and whether a
    model that cannot be loaded falls back to extractive summaries."""

    abstractive: Any = None  # a model name or folder, or a generator object
    prompts: str | Path | None = None
    options: dict | None = None
    fallback: bool = False
    api_base: str | None = None  # the model server of openai:MODEL

    def settings(self):
        """The generation options (``GenerationOptions``), the server's address among them."""
        from ._abstractive import GenerationOptions

        values = dict(self.options or {})
        if self.api_base is not None:
            values["api_base"] = self.api_base
        try:
            return GenerationOptions(**values)
        except TypeError as exc:
            raise ArgumentError(f"generation options: {exc}") from None


@dataclass(frozen=True)
class Runtime:
    """Where and how the work runs."""

    embedder: Any = None  # a name, a folder or an embedder object
    cache: str | Path | None = None
    executor: Any = None  # "local", "ray" or an executor object
    ray_address: str | None = None
    strict: bool = False
    limits: Limits = DEFAULT_LIMITS


@dataclass(frozen=True)
class Output:
    """Where the memo is saved, if anywhere, and how much its body shows."""

    out: str | Path | None = None
    format: str | None = None
    layout: dict | None = None


@dataclass(frozen=True)
class Options:
    header: Header = Header()
    lengths: Lengths = Lengths()
    comparison: Comparison = Comparison()
    generation: Generation = Generation()
    runtime: Runtime = Runtime()
    output: Output = Output()

    @classmethod
    def of(cls, *, title, to, from_, date, subject, embedder, bottom_line_sentences, key_points, article_sentences,
           article_words, questions, stance, grouping, consensus_points, found_disagreements, max_stories, story_points,
           abstractive, prompts, generation, api_base, fallback, cache, executor, ray_address, out, format, layout,
           strict, limits) -> "Options":
        """The options from ``memo.build``'s keyword arguments (its signature holds the
        defaults, and the dataclasses above the same), each checked."""
        if bottom_line_sentences < 1 or max_stories < 1 \
                or min(key_points, consensus_points, found_disagreements, story_points) < 0:
            raise ArgumentError("bottom_line_sentences and max_stories must be >= 1; key_points, consensus_points, "
                                "found_disagreements and story_points >= 0")
        if isinstance(questions, str):
            questions = [questions]
        questions = tuple(clean.clean_field(q) if isinstance(q, str) else q for q in questions)
        if any(not isinstance(q, str) or not q for q in questions):
            raise ArgumentError("questions must be non-empty strings")
        try:
            article_budget = Budget(sentences=article_sentences, words=article_words)
        except ValueError as exc:
            raise ArgumentError(f"source summary length: {exc}") from None
        return cls(
            Header(title, to, from_, date, subject),
            Lengths(bottom_line_sentences, key_points, article_budget, consensus_points, found_disagreements,
                    max_stories, story_points),
            Comparison(questions, stance, grouping),
            Generation(abstractive, prompts, generation, fallback, api_base),
            Runtime(embedder, cache, executor, ray_address, strict, _limits(limits)),
            Output(out, format, layout))


def _limits(changes: dict | None) -> Limits:
    if not changes:
        return DEFAULT_LIMITS
    known = {f.name: f.type for f in dataclasses.fields(Limits)}
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise ArgumentError(f"unknown limits {', '.join(unknown)}; known: {', '.join(known)}")
    bad = [name for name, value in changes.items()
           if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0]
    if bad:
        raise ArgumentError(f"limits {', '.join(sorted(bad))} must be non-negative numbers")
    return dataclasses.replace(DEFAULT_LIMITS, **changes)
