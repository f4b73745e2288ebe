"""Stage 2: turn raw text into the clean text every citation points into.

Repairs mojibake, normalises whitespace, drops boilerplate lines (captions,
credits, promos, copyright notices, section kickers, "Recent posts"), infers
metadata the text states, and collapses duplicate articles. Everything repaired
or dropped is returned as a ``Notice`` for the method note and the log.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass

from ._ingest import METADATA_FIELDS, RawDocument
from ._model import Article, Notice

# ---- mojibake ---------------------------------------------------------------

# Code pages that UTF-8 bytes get misread as. A byte a code page leaves undefined
# is read by the fallback (cp1252, then Latin-1), as browsers and editors do.
_MISREAD_CODECS = ("cp1252", "latin-1", "cp874", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "mac_roman")


def _reverse_table(codec: str) -> dict[str, int]:
    """Character -> byte for the code page; a byte it leaves undefined is reachable
    through what cp1252 or Latin-1 would have shown for it instead."""
    table: dict[str, int] = {}
    for byte in range(0x80, 0x100):
        try:
            table.setdefault(bytes([byte]).decode(codec), byte)
            continue
        except UnicodeDecodeError:
            pass
        for fill in ("cp1252", "latin-1"):
            try:
                table.setdefault(bytes([byte]).decode(fill), byte)
            except UnicodeDecodeError:
                continue
    return table


_TABLES = {codec: _reverse_table(codec) for codec in _MISREAD_CODECS}
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")


def _undo_misread(run: str, table: dict[str, int]) -> tuple[str, int, int]:
    """Re-decode the UTF-8 sequences hidden in ``run``; leave every other character alone.
    Returns the new text, the sequences repaired and the characters they replaced."""
    out: list[str] = []
    repaired = consumed = 0
    i = 0
    while i < len(run):
        lead = table.get(run[i])
        width = 0 if lead is None else 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 0
        if width and i + width <= len(run):
            tail = [table.get(ch) for ch in run[i + 1:i + width]]
            if all(b is not None and 0x80 <= b <= 0xBF for b in tail):
                try:
                    char = bytes([lead, *tail]).decode("utf-8")
                except UnicodeDecodeError:
                    char = ""
                if char and unicodedata.category(char[0]) not in ("Cc", "Co", "Cs"):
                    out.append(char)
                    repaired += 1
                    consumed += width
                    i += width
                    continue
        if lead == 0xE2 and i + 1 < len(run) and table.get(run[i + 1]) == 0x80 and (
                i + 2 >= len(run) or not 0x80 <= table.get(run[i + 2], 0) <= 0xBF):
            # E2 80 9D is '”'; 0x9D is undefined in cp1252, so misreaders drop it and
            # leave 'â€' / 'โ€' alone. Like ftfy, read the orphaned pair as the closing quote.
            out.append("\u201d")
            repaired += 1
            consumed += 2
            i += 2
            continue
        out.append(run[i])
        i += 1
    return "".join(out), repaired, consumed


def repair_mojibake(text: str) -> tuple[str, int, str]:
    """Undo UTF-8 text that was decoded with a single-byte code page.

    Tries each code page (with cp1252/Latin-1 filling its undefined bytes) and keeps the
    one that recovers the most UTF-8 sequences. Returns (text, sequences repaired, codec).
    Repeats while it still finds some, to undo double encoding. Real text in another
    script (Thai, Cyrillic) can hold a few byte patterns that look like UTF-8, so a code
    page is used only when its sequences account for most of the non-ASCII characters.
    """
    total, used = 0, ""
    for _ in range(3):
        non_ascii = sum(ord(ch) > 127 for ch in text)
        best_text, best_count, best_codec = text, 0, ""
        for codec, table in _TABLES.items():
            count = consumed = 0

            def fix(match: re.Match, table: dict[str, int] = table) -> str:
                nonlocal count, consumed
                fixed, n, chars = _undo_misread(match.group(0), table)
                count += n
                consumed += chars
                return fixed

            candidate = _NON_ASCII_RUN.sub(fix, text)
            if count > best_count and consumed >= 0.5 * non_ascii:
                best_text, best_count, best_codec = candidate, count, codec
        if not best_count:
            break
        text, total = best_text, total + best_count
        used = used or best_codec
    return text, total, used


# ---- whitespace and characters ------------------------------------------------

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# 'end.”Next' / 'end.“Next': a quote glued between two sentences opens the second one.
_GLUED_QUOTE = re.compile(r"(?<=[.!?])(?=[\"“”][A-Z])")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVALID_XML.sub("", _ZERO_WIDTH.sub("", text))
    text = re.sub(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ", text)
    text = _GLUED_QUOTE.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ---- boilerplate ---------------------------------------------------------------

_CREDIT = re.compile(
    r"^(?:(?:photo|image|illustration|graphic|picture|video|file photo|cover photo|credit)s?\b\s*(?::|by\b|credit\b)"
    r"|(?:photo|image|illustration)s? courtesy\b)", re.I)
_CAPTION_POSITION = re.compile(r"\((?:L|R|C|left|right|cent(?:er|re)|top|bottom|front|back|2nd [LR])\)")
_AGENCY_CREDIT = re.compile(
    r"(?:/|\|)\s*(?:[A-Z][\w.&-]*\s?){1,4}(?:/\s*[\w.-]+)*\s*$"
    r"|\b(?:Getty Images|AFP|Reuters|AP Photo|Associated Press|Shutterstock|EPA|Xinhua|TASS|Sputnik|Bloomberg)\s*$")
_PROMO = re.compile(
    r"^(?:videos? by\b|subscribe\b|sign up\b|click here\b|read (?:more|also|next)\b|also read\b|related\s*:|"
    r"follow (?:us|@)|download (?:the|our)\b|get (?:the|our) (?:app|newsletter)\b|listen to\b|watch\s*:|"
    r"advertisement\b|sponsored\b|share (?:this|on)\b|support (?:our|independent)\b|donate\b|"
    r"(?:recent|related|popular|more|latest|top|trending)\s+(?:posts?|stories|articles|news|reads)\b|most read\b|"
    r"this (?:article|story) (?:was|has been) (?:updated|corrected)\b|we use cookies\b|accept (?:all )?cookies\b|"
    r"skip to (?:main )?content\b|you (?:might|may) also like\b|join our\b|enjoy unlimited\b)", re.I)
_COPYRIGHT = re.compile(r"^(?:copyright\b|©|\(c\)\s*\d{4})|all rights reserved|reprinted with (?:the )?permission", re.I)
_SECTIONS = {"politics", "world", "news", "business", "opinion", "analysis", "europe", "asia", "china",
             "russia", "ukraine", "economy", "markets", "tech", "technology", "science", "health",
             "sport", "sports", "culture", "current affairs", "international", "diplomacy", "security",
             "middle east", "americas", "africa", "features", "commentary", "breaking news", "live", "us",
             "u.s.", "uk", "defense", "defence", "global", "foreign affairs", "asia pacific", "asia-pacific"}
_ONLY_SYMBOLS = re.compile(r"^[\W_]+$")
_BYLINE = re.compile(r"^by\s*:?\s+([^\W\d_][\w.'’ &-]{1,80})$", re.I)
_NAME_CONNECTORS = {"de", "da", "van", "von", "der", "la", "le", "and", "&", "bin", "al"}


def _is_name(words: list[str]) -> bool:
    return bool(words) and words[0][0].isupper() and all(
        w[0].isupper() or w.lower() in _NAME_CONNECTORS for w in words)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_VALUE = rf"(\d{{4}}-\d{{2}}-\d{{2}}|(?:{_MONTHS})\.? \d{{1,2}},? \d{{4}}|\d{{1,2}} (?:{_MONTHS}) \d{{4}})"
_DATE_LINE = re.compile(rf"^(?:date|published|updated|posted|dated)?\s*(?:on)?\s*:?\s*{_DATE_VALUE}\s*", re.I)


def _is_terminal(line: str) -> bool:
    return bool(re.search(r"[.!?:;…][\"'”’)\]]*$", line))


def _is_kicker(line: str) -> bool:
    """A section label like 'Politics & Current Affairs' or 'WORLD | ASIA'."""
    if _is_terminal(line) or len(line.split()) > 6:
        return False
    parts = [p.strip().lower() for p in re.split(r"\s*(?:&|\||/|>|›|»|,|\band\b)\s*", line) if p.strip()]
    return bool(parts) and all(p in _SECTIONS for p in parts)


def _is_signature(line: str) -> bool:
    """A bare name on the last line, as some outlets sign off ('Nadya Yeh')."""
    words = line.split()
    return 2 <= len(words) <= 3 and _is_name(words) and not _is_terminal(line) and not re.search(r"\d", line)


@dataclass(frozen=True)
class _Cleaned:
    text: str
    metadata: dict
    notices: tuple[Notice, ...]


def strip_boilerplate(text: str, source: str) -> _Cleaned:
    """Drop boilerplate lines, harvesting the metadata some of them state."""
    meta: dict[str, str] = {}
    notices: list[Notice] = []
    lines = text.split("\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    kept: list[str] = []
    body_started = False

    def drop(reason: str, line: str) -> None:
        notices.append(Notice(source, "dropped-line", f"{reason}: {line[:90]}"))

    for i, line in enumerate(lines):
        if not line:
            kept.append(line)
            continue
        date = _DATE_LINE.match(line) if not body_started else None
        if date and (re.match(r"(?i)(date|published|updated|posted|dated)\b", line) or date.end() == len(line)):
            meta.setdefault("date", _iso_date(date.group(1)))
            rest = line[date.end():].strip()
            drop("date line", line[:date.end()].strip())
            if not rest:
                continue
            line = rest
        byline = _BYLINE.match(line)
        if byline and len(line.split()) <= 8 and _is_name(byline.group(1).split()):
            meta.setdefault("author", byline.group(1).strip())
            drop("byline", line)
            continue
        if _COPYRIGHT.search(line) and len(line.split()) <= 40:
            outlet = _copyright_holder(line)
            if outlet:
                meta.setdefault("copyright_outlet", outlet)
            drop("copyright notice", line)
            continue
        if _PROMO.match(line) and (len(line.split()) <= 25):
            drop("promo", line)
            continue
        if _CREDIT.match(line) or (_CAPTION_POSITION.search(line) and _AGENCY_CREDIT.search(line)):
            drop("caption or credit", line)
            continue
        if _ONLY_SYMBOLS.match(line):
            drop("symbols only", line)
            continue
        if not body_started and _is_kicker(line):
            drop("section kicker", line)
            continue
        if i == last and i > 3 and _is_signature(line):
            drop("sign-off", line)
            continue
        if len(line.split()) > 12 and _is_terminal(line):
            body_started = True
        kept.append(line)
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return _Cleaned(cleaned, meta, tuple(notices))


def _copyright_holder(line: str) -> str:
    match = re.search(r"(?:copyright|©|\(c\))\s*(?:\(c\)|©)?\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?[.,]?\s*)?(.+)", line, re.I)
    if not match:
        return ""
    holder = re.split(r",?\s+(?:Inc\b|Ltd\b|LLC\b|All rights|Reprinted)|\.\s", match.group(1))[0]
    holder = holder.strip(" .,")
    return holder if 0 < len(holder.split()) <= 6 else ""


def _iso_date(value: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    from datetime import datetime

    cleaned = value.replace(".", "").replace(",", "")
    for fmt in ("%B %d %Y", "%d %B %Y"):
        try:
            return datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


# ---- metadata the text states ------------------------------------------------------

_OUTLET_WORD = r"[A-Z][\w&/'-]*(?:\.[A-Z][\w&/'-]*)*"
_TOLD_OUTLET = re.compile(
    rf"\btold (?!reporters|journalists|the media|the press)((?:The )?{_OUTLET_WORD}(?: (?:{_OUTLET_WORD}|of|for|and)){{0,5}})")


def infer_metadata(text: str, stated: dict) -> dict[str, str]:
    """Title, outlet, author and date as the text states them; never invented."""
    meta = {k: v for k, v in stated.items() if k in METADATA_FIELDS and v}
    lines = [line for line in text.split("\n") if line.strip()]
    if "title" not in meta and len(lines) > 1:
        first = lines[0]
        if not _is_terminal(first) and 3 <= len(first.split()) <= 25:
            meta["title"] = first
    if "outlet" not in meta:
        if stated.get("copyright_outlet"):
            meta["outlet"] = stated["copyright_outlet"]
        else:
            told = Counter(m.group(1).rstrip(" .,'") for m in _TOLD_OUTLET.finditer(text))
            told = Counter({k: v for k, v in told.items() if not re.search(r"\b(?:of|for|and)$", k)})
            if told:
                meta["outlet"] = told.most_common(1)[0][0]
    return meta


# ---- language ----------------------------------------------------------------------

_ENGLISH_FUNCTION_WORDS = frozenset("""the of and to a in that is was he for it with as his on be at by i this had
not are but from or have an they which one you were her all she there would their we him been has when who will
more no if out so said what up its about into than them can only other new some could time these two may then do
first any my now such like our over man me even most made after also did many before must through back years where
much your way well down should because each just those people how too little state good very make world still own
see men work long get here between both life being under never day same another know while last might us great old
year off come since against go came right used take three""".split())


def looks_english(text: str) -> bool:
    """True unless the text is long enough to tell and reads as another language: the
    English splitter and embedding model would garble it."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 60 and sum(ch.isascii() for ch in letters) < 0.6 * len(letters):
        return False  # mostly another script
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 25:
        return True
    return sum(w in _ENGLISH_FUNCTION_WORDS for w in words) >= 0.15 * len(words)


# ---- the stage -------------------------------------------------------------------

def clean_field(value: str) -> str:
    """Metadata goes into XML and single lines: no control characters, one line."""
    return " ".join(_INVALID_XML.sub("", _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", value))).split())


def clean_document(doc: RawDocument) -> tuple[Article, list[Notice]]:
    notices: list[Notice] = []
    text, repaired, codec = repair_mojibake(doc.text)
    if repaired:
        notices.append(Notice(doc.source, "repaired",
                              f"{repaired} mojibake sequences (UTF-8 read as {codec}) re-decoded"))
    if doc.encoding not in ("utf-8", "utf-8-sig", "ascii"):
        notices.append(Notice(doc.source, "repaired", f"decoded as {doc.encoding}"))
    stripped = strip_boilerplate(normalise(text), doc.source)
    notices.extend(stripped.notices)
    meta = infer_metadata(stripped.text, {**stripped.metadata, **doc.metadata})
    for key in METADATA_FIELDS:
        if meta.get(key) and not doc.metadata.get(key):
            notices.append(Notice(doc.source, "metadata", f"{key} inferred from the text: {meta[key]}"))
    article = Article(
        id=doc.id, text=stripped.text, source=doc.source, sha256=doc.sha256,
        **{k: clean_field(meta.get(k, "")) for k in METADATA_FIELDS},
        pages=page_starts(doc.text, doc.pages, stripped.text),
    )
    return article, notices


def page_starts(raw: str, starts: tuple[int, ...], cleaned: str) -> tuple[int, ...]:
    """Where each page of ``raw`` (starting at ``starts``) starts in its ``cleaned`` text.

    Cleaning drops and rewrites lines, so offsets are found again rather than shifted: a
    page starts at its first line that survived cleaning (found at a line start, after the
    previous page's). A page with nothing left starts where the next one does."""
    if not starts:
        return ()
    bounds = [*starts, len(raw)]
    found: list[int | None] = []
    cursor = 0
    for begin, end in zip(bounds, bounds[1:]):
        start = None
        for line in normalise(repair_mojibake(raw[begin:end])[0]).split("\n"):
            at = _line_start(cleaned, line, cursor) if line else -1
            if at >= 0:
                start, cursor = at, at + len(line)
                break
        found.append(start)
    following = len(cleaned)
    out = []
    for start in reversed(found):
        following = following if start is None else start
        out.append(following)
    return tuple(reversed(out))


def _line_start(text: str, line: str, cursor: int) -> int:
    at = text.find(line, cursor)
    while at > 0 and text[at - 1] != "\n":
        at = text.find(line, at + 1)
    return at


def _shingles(text: str, size: int = 5) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    # crc32, not hash(): the same on every run, so which shingles are sampled never varies
    return {zlib.crc32(" ".join(words[i:i + size]).encode("utf-8", "surrogatepass"))
            for i in range(max(1, len(words) - size + 1))}


def collapse_duplicates(articles: list[Article], *, threshold: float = 0.6) -> tuple[list[Article], list[Notice]]:
    """One of each set of exact or near-duplicate articles (word 5-grams shared by both: at
    least ``threshold`` of the longer text's), the fuller text where they differ, in the place
    of the first. A text that merely contains another (a story quoting a whole press release,
    a wire story with an outlet's own reporting added) is no duplicate: it says more, and the
    grouping counts the sentences they share as one origin."""
    kept: list[tuple[Article, set[int]]] = []
    notices: list[Notice] = []
    # Candidates come from an index of the shingles (of a quarter of them for texts with 64 or
    # more): two texts sharing 60% of their 5-grams share indexed ones too (missing all of
    # 38 or more shared ones has odds below 1 in 50,000), and the others are never compared,
    # so a day of news is not compared all against all.
    index: dict[int, list[int]] = {}
    for article in articles:
        shingles = _shingles(article.text)
        sampled = [h for h in shingles if h % 4 == 0] if len(shingles) >= 64 else list(shingles)
        candidates = sorted({k for h in sampled for k in index.get(h, ())})
        if not shingles:  # empty texts: compare with the other empty ones
            candidates = [k for k, (_, other) in enumerate(kept) if not other]
        for k in candidates:
            other, other_shingles = kept[k]
            overlap = len(shingles & other_shingles) / max(1, len(shingles), len(other_shingles))
            if overlap >= threshold:
                kind = "exact duplicate" if article.text == other.text else f"near duplicate ({overlap:.0%} shared 5-grams)"
                if len(shingles) > len(other_shingles):  # the fuller text stays
                    notices.append(Notice(other.source, "duplicate", f"{kind} of {article.source}; kept {article.id}"))
                    kept[k] = (article, shingles)
                    for h in sampled:
                        index.setdefault(h, []).append(k)
                else:
                    notices.append(Notice(article.source, "duplicate", f"{kind} of {other.source}; kept {other.id}"))
                break
        else:
            for h in sampled:
                index.setdefault(h, []).append(len(kept))
            kept.append((article, shingles))
    return [a for a, _ in kept], notices
