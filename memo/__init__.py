"""memo: turn a set of news articles into a cited briefing memo.

    import memo
    brief = memo.build("seeds/", out="brief.docx")
    brief.key_points[0].citations[0].quote
"""

from .abstractive import Generator
from .embed import Embedder
from .errors import (ArgumentError, CacheError, ExecutorError, InputError, MemoError, ModelError, OutputError,
                     PromptError)
from .executor import Executor
from .model import (AgreementRow, Article, Citation, Disagreement, Group, Memo, Method, Notice, Point, Position,
                    Sentence, Side, SourceSummary, Statement, Story)
from .pipeline import build
from . import render as _render  # noqa: F401 - puts the writers in model.WRITERS
from .stance import Stance, StanceBackend
from .templating import Prompts

__all__ = [
    "build",
    "Memo",
    "Article",
    "Sentence",
    "Citation",
    "Point",
    "SourceSummary",
    "Statement",
    "Group",
    "Side",
    "Disagreement",
    "Position",
    "AgreementRow",
    "Method",
    "Notice",
    "Story",
    "Stance",
    "Prompts",  # the prompt templates in force (a folder of the analyst's over the shipped ones)
    # the plug-in protocols: pass an object with this one method instead of a name
    "Embedder",
    "StanceBackend",
    "Generator",
    "Executor",
    "MemoError",
    "ArgumentError",
    "InputError",
    "OutputError",
    "ModelError",
    "PromptError",
    "ExecutorError",
    "CacheError",
]
__version__ = "0.1.0"
