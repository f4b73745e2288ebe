"""Main text and metadata of a web page, by trafilatura.

memo used to parse HTML by hand; on the Zyte article-extraction benchmark (92 news pages,
word-4-gram F1 of the article body) that scored 0.79 against trafilatura's 0.95, and it
dropped whole articles whose wrapper's class merely contained "sidebar" or "header".
trafilatura is built for this job and maintained, so memo asks it for the body and the
metadata, then cleans the text its own way (``memo._clean``) like any other source.
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


# What the nesting count leaves out: elements that never hold others, and those whose end
# tag HTML lets a page omit (an unclosed <p> or <li> ends at the next one, not deeper).
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr basefont bgsound frame "
                  "keygen command image".split())
_OPTIONAL_END = frozenset("p li dt dd tr td th option optgroup thead tbody tfoot colgroup caption rb rt rp rtc "
                          "html head body".split())
_RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "template", "noscript")
_TAG = re.compile(r"<(?:(!--)|(/?)([a-z][a-z0-9:-]*))")


def check_markup(source: str, markup: str, *, max_bytes: int, max_elements: int, max_depth: int) -> None:
    """Refuse a page, before any parser sees it, that is larger, has more elements or nests
    deeper than the limits (``ingest.Limits``): ``LimitError`` naming the source and the limit.

    The count is a single linear scan of the tags (comments and the text of <script> and
    <style> skipped), not a parse: lxml silently drops what lies deeper than 256 levels, so a
    page nested past that would otherwise read as "no article body", and trafilatura's time
    grows fast with the number of elements."""
    from ._errors import LimitError
    from ._documents import size_text

    size = len(markup.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise LimitError(f"{source}: the page is {size_text(size)} of HTML, above the {size_text(max_bytes)} limit")
    lower = markup.lower()
    elements = depth = deepest = 0
    position = 0
    while match := _TAG.search(lower, position):
        position = match.end()
        if match.group(1):  # a comment: to its end, or the rest of the page is comment
            position = lower.find("-->", position)
            if position < 0:
                break
            continue
        closing, name = match.group(2), match.group(3)
        end = lower.find(">", position)
        if end < 0:
            break
        self_closing = lower[end - 1] == "/"
        position = end + 1
        if closing:
            if name not in _VOID and name not in _OPTIONAL_END and depth:
                depth -= 1
            continue
        elements += 1
        if elements > max_elements:
            raise LimitError(f"{source}: the page has more than {max_elements:,} HTML elements, above the limit")
        if name in _RAW_TEXT:  # its text is not markup: on to its end tag
            position = lower.find(f"</{name}", position)
            if position < 0:
                break
            continue
        if name in _VOID or name in _OPTIONAL_END or self_closing:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > max_depth:
                raise LimitError(f"{source}: the page nests its elements more than {max_depth:,} levels deep, "
                                 "above the limit")


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
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        # lxml refuses some documents outright (and trafilatura recurses over the tree); such a
        # page is skipped, not a crash.
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
