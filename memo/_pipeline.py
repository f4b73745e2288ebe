"""``build``: sources in, ``Memo`` out. A short driver: the options checked once, then the
stages of ``memo/_stages/`` in the order the data flows through them."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from . import _ingest as ingest
from ._abstractive import Generator
from ._embed import Embedder
from ._executor import Executor, get_executor
from ._model import Memo
from ._options import Options
from ._render import check_destination, layout_of
from ._same_point import SamePointJudge, get_judge
from ._stance import StanceBackend, get_stance
from ._stages.assemble import assemble
from ._stages.compare import compare
from ._stages.embed import embed
from ._stages.generate import generate, llm_judge, start_generator
from ._stages.rank import rank
from ._stages.read import read
from ._stages.run import Progress, Run


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
    grouping: str | SamePointJudge | None = None,
    consensus_points: int = 8,
    found_disagreements: int = 2,
    max_stories: int = 10,
    story_points: int = 3,
    abstractive: str | Path | Generator | None = None,
    prompts: str | Path | None = None,
    generation: dict | None = None,
    api_base: str | None = None,
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
    heuristic), "llm" (the ``abstractive`` model as judge, from the template stance_judge),
    "nli:MODEL", a folder written by tools/train_stance.py, or an object with ``stance()``.
    A statement goes on a side only when the backend calls it with confidence.
    ``grouping``: how sentences of different sources are found to make one point: "closeness"
    (default: embedding closeness), a folder written by tools/train_same_point.py, or an object
    with ``same(pairs)`` that reads the pairs the embeddings find close (``SamePointJudge``).
    A corpus of several stories gets one section per story, largest first (``max_stories``
    of them, ``story_points`` key points each), each with its own consensus and disputes.
    ``abstractive``: a transformers model (hub name or local path), ``"openai:MODEL"`` (a
    model on an OpenAI-compatible server at ``api_base``, e.g. "http://localhost:11434/v1";
    default $OPENAI_BASE_URL) or an object with ``generate(prompts)``, for generated summaries
    next to the extracted ones; ``prompts``:
    a folder of templates overriding the shipped ones; ``generation``: model options
    (device, dtype, batch_size, max_new_tokens, num_beams, ...; for a server: api_key_env,
    concurrency, context_window, timeout, retries); ``fallback``: if the model
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
    memo is built from the rest. ``limits``: a dict of the safety limits to change (the README
    lists them; e.g. ``{"file_bytes": 100_000_000}``); the rest keep their defaults.
    """
    # Every keyword argument but the two that are not options, as given: checked once, here.
    options = Options.of(**{name: value for name, value in locals().items() if name not in ("sources", "progress")})
    if out is not None:  # fail before the slow work, not after it
        check_destination(Path(out), format)
        layout_of(layout)
    runner = get_executor(executor, address=ray_address)
    run = Run(options, runner, progress or (lambda stage, done, total: None))
    try:
        return _build(sources, run)
    finally:
        for store in run.opened:
            store.close()
        if runner is not executor and hasattr(runner, "close"):
            runner.close()  # a Ray instance memo started itself; a passed-in executor stays the caller's


def _build(sources, run: Run) -> Memo:
    """The stages in the order the data flows through them."""
    options = run.options
    # A bad stance choice fails now, before the slow work (the model itself loads when first
    # used); the embedding heuristic needs the embedder, so it is made when that is ready.
    stance = options.comparison.stance
    if stance == "llm" and options.generation.abstractive is None:
        get_stance(stance, None)  # raises: the judge is the generation model, and there is none
    early_stance = get_stance(stance, None) if stance not in ("embedding", "llm") else None
    judge = get_judge(options.comparison.grouping)  # a bad choice fails now too
    # Every input is checked before a model is loaded: a bad path fails at once.
    plan = ingest.plan_sources(sources, strict=options.runtime.strict, limits=options.runtime.limits)
    loading = start_generator(run)  # in a thread where a failure is only a fallback
    if stance == "llm":
        early_stance = llm_judge(loading.result(), run)
    corpus = read(plan, run)
    embedded = embed(corpus, run)
    ranked = rank(corpus, embedded, run)
    compared = compare(corpus, embedded, early_stance or get_stance(stance, embedded.model), judge, run)
    summarizer = loading.result()
    generated = generate(summarizer, corpus, embedded, ranked, compared, run) if summarizer is not None else None
    memo = assemble(corpus, embedded, ranked, compared, generated, summarizer, run)
    if options.output.out is not None:
        run.report("writing", 0, 1)
        memo.save(options.output.out, format=options.output.format, layout=options.output.layout)
        run.report("writing", 1, 1)
    return memo
