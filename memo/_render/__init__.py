"""Stage 6: write a ``Memo`` as DOCX, Markdown or JSON, atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .._errors import ArgumentError, OutputError
from .._model import WRITERS

if TYPE_CHECKING:
    from .common import Layout

FORMATS = {".docx": "docx", ".md": "md", ".markdown": "md", ".json": "json", ".html": "html", ".htm": "html"}


def format_for(path: Path, format: str | None) -> str:
    if format:
        if format not in _RENDERERS:
            raise OutputError(f"{path}: unknown format {format!r} (use {', '.join(_RENDERERS)})")
        return format
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise OutputError(f"{path}: cannot tell the format from the suffix; use .docx, .md, .json or .html") from None


def layout_of(layout) -> "Layout":
    """A ``Layout`` from None (the defaults), a ``Layout`` or a dict of its fields."""
    from .common import Layout

    if layout is None or isinstance(layout, Layout):
        return layout or Layout()
    if isinstance(layout, dict):
        try:
            return Layout(**layout)
        except (TypeError, ValueError) as exc:
            raise ArgumentError(f"layout: {exc}") from None
    raise ArgumentError(f"layout: expected a dict of lengths, not {type(layout).__name__}")


def render_bytes(memo, format: str, layout=None) -> bytes:
    """The memo as ``format``; ``layout`` says how much evidence the body shows before the appendix."""
    return _RENDERERS[format](memo, layout_of(layout))


def check_destination(path: Path, format: str | None = None) -> str:
    """The output format, or an ``OutputError`` if ``path`` cannot receive a memo."""
    kind = format_for(path, format)
    directory = path.parent
    if not directory.is_dir():
        raise OutputError(f"{path}: directory {directory} does not exist")
    if path.is_dir():
        raise OutputError(f"{path}: is a directory")
    if not os.access(directory, os.W_OK):
        raise OutputError(f"{path}: directory {directory} is not writable")
    return kind


def save_memo(memo, path: Path, *, format: str | None = None, layout=None) -> Path:
    """Render fully in memory, write a temp file beside the target, then rename over it,
    so an existing memo is only ever replaced by a complete new one."""
    kind = check_destination(path, format)
    directory = path.parent
    data = render_bytes(memo, kind, layout)
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {directory} ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException as exc:  # includes KeyboardInterrupt: never leave the temp file behind
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        raise
    return path


def _docx(memo, layout=None) -> bytes:
    from .docx import render_docx

    return render_docx(memo, layout_of(layout))


def _markdown(memo, layout=None) -> str:
    from .markdown import render_markdown

    return render_markdown(memo, layout_of(layout))


def _html(memo, layout=None) -> bytes:
    from .html import render_html

    return render_html(memo, layout_of(layout)).encode("utf-8")


def _json(memo, layout=None) -> str:
    """The memo's data, and its footnotes as the DOCX and Markdown of the same layout number them."""
    import json
    from dataclasses import asdict

    from .outline import outline

    data = memo.to_dict()
    data["footnotes"] = [{"number": note.number, **asdict(note.citation)}
                         for note in outline(memo, layout_of(layout)).footnotes()]
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _citations(memo) -> list:
    from .outline import citations

    return citations(memo)


# The formats: each writer translates the outline (memo/_render/outline.py) into bytes; a new
# format is its module, a line here and its suffix in FORMATS.
_RENDERERS = {
    "docx": _docx,
    "md": lambda memo, layout: _markdown(memo, layout).encode("utf-8"),
    "json": lambda memo, layout: _json(memo, layout).encode("utf-8"),
    "html": _html,
}

WRITERS.update(save=save_memo, markdown=_markdown, json=_json, citations=_citations)
