"""Stage 5, generate (only with a model): summaries per article, across the corpus, for the
bottom line and for each side of a disagreement, each sentence through the faithfulness gate."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import _clean as clean, _faithfulness as faithfulness
from .._abstractive import GenerationOptions, Generator, Summarizer, Trace, get_generator
from .._embed import embed_unique
from .._errors import ModelError
from .._executor import LocalExecutor
from .._extractive import is_candidate
from .._model import Disagreement, Notice, Point, Sentence, Side, SourceSummary
from .._segment import split_text
from .._templating import Prompts
from .run import Compared, Corpus, Embedded, Generated, Ranked, Run, headline


class LoadingGenerator:
    """The generation model (None without one, or, with ``fallback``, when it cannot be
    loaded: the method note says so) being loaded, here or in a thread; ``result()`` waits
    for it and files the fallback notice, if any, where a load here would have filed it."""

    def __init__(self, run: Run, *, beside: bool):
        from concurrent.futures import Future

        generation = run.options.generation
        self._run, self._at, self._filed = run, len(run.notices), False
        self._outcome: Future = Future()
        if generation.abstractive is None:
            if generation.prompts is not None:
                Prompts(generation.prompts).check()  # a bad prompts folder fails at once
            self._outcome.set_result((None, None))
            return
        templates = Prompts(generation.prompts)
        templates.check()
        generator = get_generator(generation.abstractive, generation.settings())
        if not beside:
            self._outcome.set_result(_loaded(generator, templates, fallback=generation.fallback))
            return
        import threading

        def load() -> None:
            try:
                self._outcome.set_result(_loaded(generator, templates, fallback=True))
            except BaseException as exc:  # noqa: BLE001 - raised again by result(), in the build's thread
                self._outcome.set_exception(exc)

        threading.Thread(target=load, name="memo-generator-load", daemon=True).start()

    def result(self) -> Summarizer | None:
        summarizer, notice = self._outcome.result()
        if notice is not None and not self._filed:
            self._run.notices.insert(self._at, notice)
            self._filed = True
        return summarizer


def start_generator(run: Run, *, beside: bool = True) -> LoadingGenerator:
    """The generation model's load, begun. In a thread (``beside``) only where its failure
    is a fallback, not an error: a model the user asked for (``fallback=False``, a server
    they named) must fail before the slow work. The default model's check alone imports
    huggingface_hub (0.3 s of every cold build, measured), which the thread takes off the
    build's path."""
    generation = run.options.generation
    beside = beside and generation.fallback and generation.abstractive is not None \
        and run.options.comparison.stance != "llm"
    return LoadingGenerator(run, beside=beside)


def _loaded(generator: Generator, templates: Prompts, *, fallback: bool) -> tuple[Summarizer | None, Notice | None]:
    try:
        if hasattr(generator, "load"):
            generator.load()
        return Summarizer(generator, templates), None
    except ModelError as exc:
        if not fallback:
            raise
        return None, Notice("abstractive", "fallback", f"{exc}; extractive summaries used instead")


def llm_judge(summarizer: Summarizer | None, run: Run):
    """``--stance llm``: the loaded generation model as stance judge. One that could not be
    loaded stops the build even with ``fallback``: another judge would change the sides."""
    from .._stance import get_stance

    if summarizer is None:
        why = next((n.detail for n in reversed(run.notices) if n.source == "abstractive"), "no generation model")
        raise ModelError(f"--stance llm: {why.split('; extractive summaries used instead')[0]}")
    return get_stance("llm", None, generator=summarizer.generator, prompts=summarizer.prompts)


def generate(summarizer: Summarizer, corpus: Corpus, embedded: Embedded, ranked: Ranked, compared: Compared,
              run: Run) -> Generated:
    """Generated summaries per article, across the corpus, for the bottom line and for each
    side of a disagreement, each sentence through the faithfulness gate."""
    options, articles, sentences, vectors = run.options, corpus.articles, corpus.sentences, embedded.vectors
    model, report, runner = embedded.model, run.report, run.runner
    subject = (clean.clean_field(options.header.subject or options.header.title or "")
               or headline(articles, vectors))
    abstractive = options.generation.abstractive
    # Tasks elsewhere load the model by name: (name, options, templates); here, the loaded one.
    remote = (summarizer if isinstance(runner, LocalExecutor) or not isinstance(abstractive, (str, Path)) else
              (str(abstractive), options.generation.settings(), summarizer.prompts))
    notices: list[Notice] = []
    nli = compared.stance if getattr(compared.stance, "entails", False) else None

    def gated(section: str, text: str, pool: list[Sentence], rows: np.ndarray) -> list[Point]:
        # Model output is untrusted text: no control characters (it goes into XML), one line each.
        sentences_out = [line for line in (clean.clean_field(t) for t in split_text(text)) if line]
        checked = faithfulness.check(sentences_out, pool, rows, model, nli)
        for item in checked:
            if item.problem:
                notices.append(Notice("abstractive", "unsupported", f"{section}: “{item.text}” ({item.problem})"))
        return [item.as_point() for item in checked]

    words = options.lengths.article_budget.words or 60
    new_summaries, abstracts = [], []
    report("generating", 0, len(articles) + 2)
    jobs = [(remote, dict(title=article.title, outlet=article.outlet, date=article.date, words=words,
                          units=[s.text for s in doc if not s.is_heading] or [s.text for s in doc]))
            for article, doc in ((a, sentences[a.id]) for a in articles)]
    results = runner.map(_article_abstract, jobs, done=lambda n: report("generating", n, len(articles) + 2))
    trace = getattr(summarizer.generator, "trace", None)
    for article, summary, (text, elsewhere) in zip(articles, ranked.summaries, results):
        if elsewhere is not None and trace is not None:
            trace.add(elsewhere)
        doc = sentences[article.id]
        keep = [i for i, s in enumerate(doc) if is_candidate(s)] or list(range(len(doc)))
        points = gated(f"summary of {article.label}", text, [doc[i] for i in keep], vectors[article.id][keep])
        new_summaries.append(SourceSummary(summary.article_id, summary.points, tuple(points)))
        abstracts.append(f"{article.label}: {text}")
    everything = [s for a in articles for s in sentences[a.id] if is_candidate(s)]
    rows = (np.stack([vectors[a.id][i] for a in articles for i, s in enumerate(sentences[a.id]) if is_candidate(s)])
            if everything else np.zeros((0, 1)))
    synthesis = gated("synthesis", summarizer.synthesis(subject=subject, words=2 * words, summaries=abstracts),
                      everything, rows)
    report("generating", len(articles) + 1, len(articles) + 2)
    bottom = gated("bottom line", summarizer.bottom_line(subject=subject, sentences=options.lengths.bottom_line_sentences,
                                                         summaries=abstracts), everything, rows)
    if not any(not p.flag for p in bottom):
        notices.append(Notice("abstractive", "unsupported", "bottom line: no generated sentence passed the "
                                                            "faithfulness gate; the extracted bottom line is used"))
        bottom = []
    def positioned(disagreement: Disagreement) -> Disagreement:
        """The disagreement with each side's one-line position generated, where it passes the gate."""
        sides = []
        for side in disagreement.sides:
            if not side.statements:
                sides.append(side)
                continue
            line = summarizer.side(question=disagreement.question, claim=disagreement.claim, stance=side.stance,
                                   statements=[f"{s.speaker}: {s.citation.quote}" for s in side.statements])
            pool = [Sentence(s.citation.article_id, 0, s.citation.start, s.citation.end, s.citation.quote)
                    for s in side.statements]
            checked = gated(f"position ({disagreement.question}, {side.stance})", line, pool,
                            embed_unique(model, [s.text for s in pool]))
            position = " ".join(p.text for p in checked) if checked and not any(p.flag for p in checked) else ""
            sides.append(Side(side.stance, position or side.position, side.statements))
        return replace(disagreement, sides=tuple(sides))

    new_disagreements = [positioned(d) for d in compared.disagreements]
    new_stories = [replace(story, disagreements=tuple(positioned(d) for d in story.disagreements))
                   for story in compared.stories]
    report("generating", len(articles) + 2, len(articles) + 2)
    return Generated(new_summaries, new_disagreements, new_stories, synthesis, bottom, notices)


def _article_abstract(job) -> tuple[str, Trace | None]:
    """One article's generated summary (a per-article stage: it may run as a task elsewhere)."""
    summarizer, values = job
    if not isinstance(summarizer, tuple):
        return summarizer.article(**values), None
    # Elsewhere, (model name, options, templates): the model loaded by name, and what it did
    # sent back with the text for the method note.
    model, options, templates = summarizer
    generator = _worker_generator(model, options)
    generator.trace = Trace()
    return Summarizer(generator, templates).article(**values), generator.trace


@lru_cache(maxsize=1)
def _worker_generator(model: str, options: GenerationOptions) -> Generator:
    """A task's generator, its model loaded once per worker process and kept for later tasks."""
    generator = get_generator(model, options)
    generator.load()
    return generator
