"""HTML export: the outline's blocks as semantic HTML, its footnotes as a numbered list.

Each footnote reference is a superscript link to its note; the note's text (source, title,
date and the verbatim sentence) is also the link's ``title``, so it shows on hover, and the
link itself works by keyboard and click. ``render_html`` gives a whole page; ``memo_fragment``
the memo alone, for a page that embeds it (``memo serve``). Every piece of source text is
escaped: an article's markup is data, never structure."""

from __future__ import annotations

from html import escape

from .._model import Memo
from . import common
from .outline import Header, Heading, Link, Note, Paragraph, Table, Text, outline

_LISTS = {"bullet": "ul", "bullet2": "ul", "number": "ol"}
# The memo's own rules: the standalone page carries them inline, memo serve's page links them.
MEMO_STYLE = """
.memo { font-family: Georgia, 'DejaVu Serif', serif; line-height: 1.45; color: #1a1a1a; }
.memo-header dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; }
.memo-header dt { font-weight: bold; }
.memo table { border-collapse: collapse; width: 100%; font-size: .85rem; margin: .5rem 0 1rem; }
.memo th, .memo td { border: 1px solid #999; padding: .2rem .4rem; text-align: left; vertical-align: top; }
.memo .note, .memo .small { font-size: .85rem; color: #333; }
.memo .alert { color: #C00000; font-weight: bold; font-style: italic; }
.memo sup a { text-decoration: none; padding: 0 .1rem; }
.memo ul.nested { margin-left: 1.5rem; }
.memo .footnotes { font-size: .85rem; border-top: 1px solid #999; margin-top: 2rem; }
.memo .footnotes li:target { background: #fff3b0; }
""" + "".join(f".memo .{state} {{ background: #{fill}; }}\n" for state, fill in common.CELL_SHADE.items())
_PAGE_STYLE = "body { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }\n"


def render_html(memo: Memo, layout: common.Layout | None = None) -> str:
    """The memo as a standalone HTML page."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{escape(memo.subject or memo.title)}</title>\n<style>{_PAGE_STYLE}{MEMO_STYLE}</style>\n</head>\n<body>\n"
            + memo_fragment(memo, layout) + "</body>\n</html>\n")


def memo_fragment(memo: Memo, layout: common.Layout | None = None, *, prefix: str = "fn") -> str:
    """The memo as an ``<article class="memo">``; footnote anchors are ``{prefix}-{n}``."""
    memo_outline = outline(memo, layout)
    notes = memo_outline.footnotes()
    # A repeated use carries no text of its own: its hover shows what its first use's note says.
    texts = {_key(note): note.text for note in notes}
    parts = ['<article class="memo">']
    open_list: tuple[str, str] | None = None  # (tag, style) of the list being written
    for block in memo_outline.blocks:
        style = block.style if isinstance(block, Paragraph) else ""
        if open_list and style != open_list[1]:
            parts.append(f"</{open_list[0]}>")
            open_list = None
        if style in _LISTS and open_list is None:
            open_list = (_LISTS[style], style)
            parts.append(f'<{open_list[0]} class="nested">' if style == "bullet2" else f"<{open_list[0]}>")
        parts.append(_block(block, prefix, texts))
    if open_list:
        parts.append(f"</{open_list[0]}>")
    if notes:
        parts.append('<section class="footnotes" aria-label="Footnotes"><ol>')
        for note in notes:
            link = f" {_link(note.url)}" if note.url else ""
            parts.append(f'<li id="{prefix}-{note.number}">{escape(note.text)}{link}</li>')
        parts.append("</ol></section>")
    parts.append("</article>")
    return "\n".join(parts) + "\n"


def _key(note: Note) -> tuple:
    return note.citation.article_id, note.citation.start, note.citation.end


def _block(block, prefix: str, texts: dict) -> str:
    if isinstance(block, Header):
        rows = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in block.fields)
        return f'<header class="memo-header"><h1>{escape(block.title)}</h1><dl>{rows}</dl></header>'
    if isinstance(block, Heading):
        level = min(block.level + 1, 6)
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        runs = _runs(block.runs, prefix, texts)
        if block.style in _LISTS:
            return f"<li>{runs}</li>"
        return f'<p class="note">{runs}</p>' if block.style == "note" else f"<p>{runs}</p>"
    if isinstance(block, Table):
        head = "".join(f'<th scope="col">{escape(c)}</th>' for c in block.columns)
        rows = "".join("<tr>" + "".join(_cell(cell, prefix, texts) for cell in row) + "</tr>" for row in block.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    raise TypeError(f"unknown outline block {type(block).__name__}")


def _cell(cell, prefix: str, texts: dict) -> str:
    opening = f'<td class="{escape(cell.state)}">' if cell.state else "<td>"
    return opening + _runs(cell.runs, prefix, texts) + "</td>"


def _runs(runs, prefix: str, texts: dict) -> str:
    out = []
    for run in runs:
        if isinstance(run, Note):
            out.append(f'<sup><a href="#{prefix}-{run.number}" id="{prefix}-ref-{run.number}-{len(out)}" '
                       f'title="{escape(texts.get(_key(run), run.citation.quote))}" '
                       f'aria-label="footnote {run.number}">{run.number}</a></sup>')
        elif isinstance(run, Link):
            out.append(_link(run.url))
        else:
            out.append(_text(run))
    return "".join(out)


def _link(url: str) -> str:
    """A source's address as a link where it is a web address; as text otherwise (a
    ``javascript:`` URL in a source's metadata must never become something to click)."""
    if url.lower().startswith(("http://", "https://")):
        return f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(url)}</a>'
    return escape(url)


def _text(run: Text) -> str:
    text = escape(run.text)
    if run.alert:
        return f'<span class="alert">{text}</span>'
    if run.strong:
        text = f"<strong>{text}</strong>"
    if run.quiet:
        text = f"<em>{text}</em>"
    if run.small:
        text = f'<span class="small">{text}</span>'
    return text
