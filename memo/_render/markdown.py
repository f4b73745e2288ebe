"""Markdown export: the outline's blocks as Markdown, its footnotes as ``[^n]`` notes.

Each source sentence gets one footnote; a later use repeats its ``[^n]`` reference, which
Markdown's footnote extensions (GitHub, Pandoc, Python-Markdown) link to the same note."""

from __future__ import annotations

from .._model import Memo
from . import common
from .outline import Header, Heading, Link, Note, Paragraph, Table, Text, outline

_ITEMS = {"bullet": "- ", "bullet2": "  - "}


def render_markdown(memo: Memo, layout: common.Layout | None = None) -> str:
    memo_outline = outline(memo, layout)
    chunks: list[str] = []  # blocks, each a line or lines; list items of one list stay together
    listed, number = False, 0
    for block in memo_outline.blocks:
        item = isinstance(block, Paragraph) and block.style in ("bullet", "bullet2", "number")
        number = number + 1 if item and block.style == "number" else 0
        if isinstance(block, Header):
            text = _header(block)
        elif isinstance(block, Heading):
            text = "#" * (block.level + 1) + " " + _escape(block.text)
        elif isinstance(block, Paragraph):
            marker = f"{number}. " if block.style == "number" else _ITEMS.get(block.style, "")
            text = marker + _runs(block.runs)
        else:
            text = _table(block)
        if item and listed:
            chunks[-1] += "\n" + text
        else:
            chunks.append(text)
        listed = item
    notes = [f"[^{n.number}]: {_escape(n.text)}" + (f" <{n.url}>" if n.url else "")
             for n in memo_outline.footnotes()]
    return "\n\n".join(chunks + ["\n".join(notes)] if notes else chunks).rstrip() + "\n"


def _header(block: Header) -> str:
    lines = [f"# {_escape(block.title)}", ""]
    fields = [f"**{label}** {_escape(value)}" for label, value in block.fields]
    return "\n".join(lines + [line + "  " for line in fields[:-1]] + fields[-1:])


def _runs(runs, cell: bool = False) -> str:
    out = []
    for run in runs:
        if isinstance(run, Note):
            out.append(f"[^{run.number}]")
        elif isinstance(run, Link):
            out.append(f"<{run.url}>")
        else:
            out.append(_text(run, cell))
    return "".join(out)


def _text(run: Text, cell: bool) -> str:
    text = _cell(run.text) if cell else _escape(run.text)
    mark = "**" if run.strong or run.alert else "_" if run.quiet else ""
    core = text.strip()
    if not mark or not core:
        return text
    # Emphasis must hug its words: "_ (VICE)_" is not italic, " _(VICE)_" is.
    lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return f"{lead}{mark}{core}{mark}{trail}"


def _table(block: Table) -> str:
    lines = ["| " + " | ".join(_cell(c) for c in block.columns) + " |", "|" + "---|" * len(block.columns)]
    lines += ["| " + " | ".join(_runs(cell.runs, cell=True) for cell in row) + " |" for row in block.rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return _escape(text).replace("|", "\\|").replace("\n", " ")


def _escape(text: str) -> str:
    # Source text is data: keep it from turning into Markdown structure or HTML.
    for char in "\\`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text
