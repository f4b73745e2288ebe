"""memo: turn a set of news articles into a cited briefing memo.

    import memo
    brief = memo.build("seeds/", out="brief.docx")
    brief.key_points[0].citations[0].quote
"""

from .errors import InputError, MemoError, ModelError, OutputError
from .model import Article, Citation, Memo, Method, Notice, Point, Sentence, SourceSummary
from .pipeline import build

__all__ = [
    "build",
    "Memo",
    "Article",
    "Sentence",
    "Citation",
    "Point",
    "SourceSummary",
    "Method",
    "Notice",
    "MemoError",
    "InputError",
    "OutputError",
    "ModelError",
]
__version__ = "0.1.0"
