"""memo: turn a set of news articles into a cited briefing memo.

    import memo
    brief = memo.build("seeds/", out="brief.docx")
    brief.key_points[0].citations[0].quote
"""

from .errors import CacheError, ExecutorError, InputError, MemoError, ModelError, OutputError, PromptError
from .model import (AgreementRow, Article, Citation, Disagreement, Group, Memo, Method, Notice, Point, Position,
                    Sentence, Side, SourceSummary, Statement)
from .pipeline import build

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
    "MemoError",
    "InputError",
    "OutputError",
    "ModelError",
    "PromptError",
    "ExecutorError",
    "CacheError",
]
__version__ = "0.1.0"
