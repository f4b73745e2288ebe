"""The one exception root and its few subclasses."""


class MemoError(Exception):
    """Root of every error memo raises on purpose; the CLI prints it as one line.

    MemoError
    ├── ArgumentError   an option or argument memo cannot use (names the option)
    ├── InputError      a source cannot be read or holds nothing usable
    │   └── LimitError  a source passes a safety limit (size, ratio, entries, time ...)
    ├── OutputError     the memo cannot be written where it was asked to go
    ├── ModelError      a model cannot be loaded or run
    ├── PromptError     a prompt template cannot be used
    ├── ExecutorError   the executor (Ray) cannot start, connect or run a task
    └── CacheError      an on-disk cache (articles, embeddings) cannot be opened, read or written
    """


class ArgumentError(MemoError):
    """An option or argument has a value memo cannot use; the message names the option."""


class InputError(MemoError):
    """A source cannot be read or holds nothing usable."""


class OutputError(MemoError):
    """The memo cannot be written where it was asked to go."""


class ModelError(MemoError):
    """A model backend cannot be loaded or run."""


class PromptError(MemoError):
    """A prompt template that cannot be used: unknown variable, bad syntax, unreadable file."""


class ExecutorError(MemoError):
    """The executor (Ray) cannot start, connect or run a task."""


class CacheError(MemoError):
    """An on-disk cache (articles or embeddings) cannot be opened, read or written."""


class LimitError(InputError):
    """A source passes one of memo's safety limits (``ingest.Limits``: inflated size, compression
    ratio, entries, XML entities, nesting, pages, time); the message names the source and the limit."""
