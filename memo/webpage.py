"""Main text and metadata of a web page, by trafilatura.

memo used to parse HTML by hand; on the Zyte article-extraction benchmark (92 news pages,
word-4-gram F1 of the article body) that scored 0.79 against trafilatura's 0.95, and it
dropped whole articles whose wrapper's class merely contained "sidebar" or "header".
trafilatura is built for this job and maintained, so memo asks it for the body and the
metadata, then cleans the text its own way (``memo.clean``) like any other source.
"""

from __future__ import annotations

import re

# What memo asks of trafilatura. Reader comments are not the article; tables are kept as
# text rows (a budget table is content); links and formatting would only add markup.
# favor_precision: on the benchmark's 92 pages F1 0.970 against 0.958 without it (recall
# 0.983 vs 0.985), and on short pages it keeps menus and captions out and inline tags
# (<b>) inside their paragraph, where the fallback extractor split them onto lines.
# ``extensive_search`` off: a date must be stated as the page's date (meta tags, <time>,
# the URL), not any date found in the text, as memo never invents metadata.
# benchmarks/article_extraction.py measures these settings against trafilatura's defaults.
_OPTIONS = dict(include_comments=False, include_tables=True, include_images=False, include_links=False,
                include_formatting=False, with_metadata=True, favor_precision=True,
                date_extraction_params={"extensive_search": False, "original_date": True})
_PROSE_WORDS, _PROSE_CHARS = 6, 40
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def page_text(markup: str, *, url: str | None = None) -> tuple[str, dict[str, str]]:
    """The article body of ``markup`` (one paragraph per line) and the metadata the page
    states: title, outlet (site name), author, date (YYYY-MM-DD), url (canonical link).
    Raises ``NoBody`` (with the reason) when trafilatura finds no article body: the source
    is then skipped, never read as an empty article."""
    # Imported here: trafilatura pulls in lxml, htmldate, justext and more, which a run on
    # .txt files never needs (``import memo`` stays light).
    from trafilatura import bare_extraction

    if not markup.strip():
        raise NoBody("the page is empty")
    try:
        document = bare_extraction(markup, url=url, **_OPTIONS)
    except (ValueError, TypeError, AttributeError) as exc:
        # lxml refuses some documents outright; such a page is skipped, not a crash.
        raise NoBody(f"the page cannot be parsed as HTML ({exc})") from None
    if document is None or not (document.text or "").strip():
        raise NoBody("no article body found in the page")
    text = _body_text(document.body) if document.body is not None else document.text

    # On a page with no article trafilatura's fallback returns what text there is ("Home",
    # a menu); an article has at least one line of prose, so fragments alone are no body.
    # Length counts too: Chinese or Japanese prose has no spaces between its words.
    if not any(len(line.split()) >= _PROSE_WORDS or len(line.strip()) >= _PROSE_CHARS for line in text.splitlines()):
        raise NoBody(f"no article body found in the page (only fragments: {' / '.join(text.split())[:60]})")
    meta = {
        "title": document.title or "",
        "outlet": document.sitename or "",
        "author": document.author or "",
        "date": document.date[:10] if document.date and _ISO_DAY.match(document.date) else "",
        "url": document.url or "",
    }
    return text, {k: " ".join(v.split()) for k, v in meta.items() if v and v.strip()}


def _body_text(body) -> str:
    """The body as plain text, one paragraph per line, with entities decoded once.

    The parser already decoded the page's entities; trafilatura's own serialiser (xmltotxt)
    unescapes its output again, so a page that writes ``&amp;lt;b&amp;gt;`` to show the
    text "&lt;b&gt;" would come out as "<b>". This is that serialiser without the second pass."""
    try:
        from trafilatura.utils import sanitize
        from trafilatura.xml import process_element
    except ImportError:  # these helpers moved: trafilatura's own serialiser, second pass and all
        from trafilatura.xml import xmltotxt

        return xmltotxt(body, False)
    parts: list[str] = []
    process_element(body, parts, False)
    return sanitize("".join(parts), True) or ""


class NoBody(Exception):
    """A page with no article text to read; the message says why (not a ``MemoError``: the
    source is skipped and the run goes on)."""
