"""memo: turn a set of news articles into a cited briefing memo.

    import memo
    brief = memo.build("seeds/", out="brief.docx")
    brief.key_points[0].citations[0].quote
"""

from ._abstractive import Generator
from ._embed import Embedder
from ._errors import (ArgumentError, CacheError, ExecutorError, InputError, LimitError, MemoError, ModelError,
                      OutputError, PromptError)
from ._executor import Executor
from ._fetch import Links
from ._model import (AgreementRow, Article, Citation, Disagreement, Discrepancy, Figure, Group, Memo, Method, Notice,
                     Point, Position, Sentence, Side, SourceSummary, Statement, Story)
from ._pipeline import build
from . import _render  # noqa: F401 - puts the writers in model.WRITERS
from ._same_point import SamePointJudge
from ._stance import Stance, StanceBackend
from ._templating import Prompts

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
    "Discrepancy",  # a point the sources make with different figures
    "Figure",
    "Position",
    "AgreementRow",
    "Method",
    "Notice",
    "Story",
    "Stance",
    "Prompts",  # the prompt templates in force (a folder of the analyst's over the shipped ones)
    "Links",  # links to fetch as sources, with the fetch's limits and cache
    # the plug-in protocols: pass an object with this one method instead of a name
    "Embedder",
    "StanceBackend",
    "SamePointJudge",
    "Generator",
    "Executor",
    "MemoError",
    "ArgumentError",
    "InputError",
    "LimitError",
    "OutputError",
    "ModelError",
    "PromptError",
    "ExecutorError",
    "CacheError",
]
__version__ = "0.1.0"

# Everything else in the package is private: its modules start with an underscore (as httpx's do),
# and only the names above are supported between releases.
