"""Stage 3, rank: the bottom line, the key points and each source's own summary, extracted."""

from __future__ import annotations

from .._extractive import Budget, CorpusPool, Weights, summarize_article
from .._model import SourceSummary
from .run import Corpus, Embedded, Ranked, Run, point


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


def rank(corpus: Corpus, embedded: Embedded, run: Run) -> Ranked:
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
        summaries.append(SourceSummary(a.id, tuple(point(s) for s in picked)))
        run.report("summarising", i + 1, len(articles) + 1)
    run.report("summarising", len(articles) + 1, len(articles) + 1)
    return Ranked(bottom_line, [point(s) for s in ranked], summaries)
