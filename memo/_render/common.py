"""What every output format says the same way: section names, source labels, notes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._attribution import QUOTE, is_named
from .._model import Article, Citation, Disagreement, Memo, Point, Position, Side, Statement

SECTION_BOTTOM_LINE = "Bottom Line Up Front"
SECTION_KEY_POINTS = "Key Points"
SECTION_SYNTHESIS = "Synthesis"
OWN_WORDS = "In the source's own words:"
SECTION_CONSENSUS = "Consensus"
SECTION_DISAGREEMENTS = "Disagreements"
SECTION_DISCREPANCIES = "Figures That Differ"
ANSWER_LABEL = "In short:"
ANSWER_VOICES = 4  # voices named per side in the short answer; the rest are counted
SECTION_WHO = "Who Said What"
SECTION_MATRIX = "Agreement by Source"
WHO_COLUMNS = ("Speaker", "Role", "Outlet", "Position", "Source")
WHO_COMPACT = ("Speaker", "Outlet", "Position", "Source")  # the body's table; the appendix has every column
CELL_TEXT = {"supports": "supports", "contests": "contests", "silent": "—"}
CELL_SHADE = {"supports": "C6EFCE", "contests": "FFC7CE", "silent": "F2F2F2"}  # green, red, grey
SIDE_HEADINGS = {"supports": "Supporting", "contests": "Contesting"}
SECTION_SOURCES_SUMMARY = "Summaries by Source"
SECTION_SOURCES = "Sources"
SECTION_METHOD = "Method"
SECTION_APPENDIX = "Appendix"
SECTION_CONSENSUS_FULL = "Consensus in Full"
SECTION_DISAGREEMENTS_FULL = "Disagreements in Full"
SECTION_WHO_FULL = "Who Said What in Full"
SECTION_POINTS = "Points of the Matrix"
_DOUBLE_QUOTES = "“\"”„«»"


@dataclass(frozen=True)
class Layout:
    """How much of the evidence the memo's body shows; the rest goes to the appendix.

    The body is what a reader reads in minutes: the header, the bottom line, key points,
    consensus, disagreements and a compact who-said-what. ``consensus``: consensus points in
    the body; ``supporting``: other sources' statements shown under each of them;
    ``statements``: statements per side of a disagreement (and unclear ones) in the body;
    ``who``: rows of who-said-what in the body; ``summary``: sentences of each source's own
    summary in the appendix (of those the build selected). ``appendix``: False leaves out the
    appendix's evidence (full consensus, disagreements, who-said-what, the agreement matrix
    and per-source summaries); the sources and the method note are always kept.
    """

    consensus: int = 4
    supporting: int = 0
    statements: int = 1
    who: int = 8
    summary: int = 2
    appendix: bool = True

    def __post_init__(self):
        if min(self.consensus, self.supporting, self.statements, self.who, self.summary) < 0:
            raise ValueError("layout lengths must be >= 0")


class Notes:
    """One footnote per source sentence per memo, numbered in reading order.

    ``cite`` answers (number, first): the first use of a sentence makes its footnote, every
    later use refers back to that number."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[str, int, int], int] = {}

    def cite(self, citation: Citation) -> tuple[int, bool]:
        key = (citation.article_id, citation.start, citation.end)
        if key in self.numbers:
            return self.numbers[key], False
        self.numbers[key] = len(self.numbers) + 1
        return self.numbers[key], True

NOTICE_HEADINGS = {
    "repaired": "Repaired",
    "dropped-line": "Removed as boilerplate",
    "duplicate": "Collapsed as duplicates",
    "skipped": "Skipped",
    "metadata": "Metadata inferred from the text",
}


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 source", "3 sources"; ``many`` for irregular plurals."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def heading(text: str) -> str:
    """A heading starts with a capital, whatever the source sentence or question began with."""
    return text[:1].upper() + text[1:]


def _titled(article: Article) -> list[str]:
    """The source's label and, when the label is not the title itself, its title."""
    parts = [article.label]
    if article.title and article.title != article.label:
        parts.append(quoted(article.title))
    return parts


def source_heading(article: Article) -> str:
    parts = _titled(article)
    if article.date:
        parts.append(article.date)
    return ", ".join(parts)


def footnote_parts(article: Article, citation: Citation) -> tuple[str, str]:
    """(text, url): the source's label, title, date and the sentence, in quotation marks
    unless it already opens or closes with one; the URL separately. Short by design: the
    author and file are in the Sources list."""
    return source_heading(article) + f". {quoted(citation.quote)}", article.url


def source_entry(article: Article) -> str:
    parts = [article.label]
    if article.title != article.label:
        parts.append(quoted(article.title) if article.title else "untitled")
    if article.author and article.author != article.label:
        parts.append(f"by {article.author}")
    parts.append(article.date or "undated")
    return ", ".join(parts) + "."


def source_label(memo: Memo, citation: Citation) -> str:
    return memo.article(citation.article_id).label


_PATH = re.compile(r"(?<![\w/.])(?:~|[A-Za-z]:)?[/\\](?:[^\s/\\,;()'\"]+[/\\])*([^\s/\\,;()'\"]*)")


def public(text: str) -> str:
    """``text`` with every local path cut to its last part: the method note travels with the
    memo, and the folders (and user name) of the machine that built it are nobody's business."""
    return _PATH.sub(lambda m: m.group(1) or "…", text)


def notices_by_kind(memo: Memo) -> list[tuple[str, list[str]]]:
    """A row a source under each kind of notice: "x.txt: promo: ..., caption or credit: ..."."""
    grouped: dict[str, dict[str, list[str]]] = {}
    for notice in memo.method.notices:
        grouped.setdefault(notice.kind, {}).setdefault(_short(notice.source), []).append(public(notice.detail))
    return [(NOTICE_HEADINGS.get(kind, kind), [f"{source}: {', '.join(details)}" for source, details in by_source.items()])
            for kind, by_source in grouped.items()]


def _short(source: str) -> str:
    return source.rsplit("/", 1)[-1]


def speaker_line(memo: Memo, item: Statement, plain: bool = False) -> str:
    """ "Andrew Small (a senior fellow at ...), VICE World News"; "VICE World News, citing
    experts" for a collective; for the outlet's own narration "VICE World News (own
    reporting)" (``plain``: just the outlet, where the words are not shown as a statement)."""
    outlet = memo.article(item.citation.article_id).label
    if is_narration(item):
        return outlet if plain else f"{outlet} (own reporting)"
    if not is_named(item.speaker) and item.speaker.endswith("s"):
        # a collective ("experts", "reports", "customs figures") is the outlet's source, not a speaker
        return f"{outlet}, citing {item.speaker}"
    role = f" ({item.role})" if item.role else ""
    return f"{item.speaker}{role}, {outlet}"


def is_narration(item: Statement) -> bool:
    return item.kind == "narration"


def statement_text(item: Statement) -> str:
    """What a statement says, as the memo prints it: a quotation in quotation marks; the
    outlet's own words (its narration, and its reports of what someone said: "X said the
    plan ...") as they stand, unquoted, for they are the outlet's words, not the speaker's."""
    return quoted(item.citation.quote) if item.kind == QUOTE else item.citation.quote


def stance_tag(item: Statement) -> str:
    return f"{item.stance}, confidence {item.confidence:.2f}" if item.stance else ""


def side_heading(side: Side) -> str:
    return f"{SIDE_HEADINGS[side.stance]}: {single_quotes(side.position)}"


def single_quotes(text: str) -> str:
    """A line that wraps a sentence already in quotation marks ("Holds: ““The alpha …”")
    with one pair of marks, not two."""
    for double, single in (("““", "“"), ("””", "”"), ("‘‘", "‘"), ("’’", "’"), ('""', '"')):
        while double in text:
            text = text.replace(double, single)
    return text


def disagreement_intro(disagreement: Disagreement) -> str:
    origin = "Asked" if disagreement.asked else "Found in the sources"
    return f"{origin}. Claim weighed: {single_quotes(disagreement.claim)}"


def who_rows(memo: Memo, layout: Layout) -> tuple[Position, ...]:
    """The body's who-said-what: up to ``layout.who`` rows, those with a side called first
    (each group in the memo's order)."""
    rows = memo.who_said_what
    if len(rows) <= layout.who:
        return rows
    sided = [r for r in rows if r.position]
    return tuple(sided + [r for r in rows if not r.position])[:layout.who]


def whose_view(memo: Memo, group) -> list[tuple[str, Citation | None]]:
    """Who makes a consensus point, in memo's own neutral words, as runs of (text, then the
    footnote of that outlet's statement, or None): the outlets reporting it in their own words
    ("Reported by The Moscow Times and The China Project (citing reports)"), each named speaker
    with the outlets that quote them ("Dmitry Peskov says so, quoted by VICE World News"), people
    named only as a group ("experts quoted by VICE World News and RFE/RL say so"), then how many
    independent origins that is."""
    reported: dict[str, Citation] = {}
    citing: dict[str, list[str]] = {}
    speakers: dict[str, dict[str, Citation]] = {}
    quoting: dict[str, bool] = {}
    for item in group.statements:
        outlet = memo.article(item.citation.article_id).label
        if is_narration(item) or item.speaker == outlet or not is_named(item.speaker) and not _people(item.speaker):
            reported.setdefault(outlet, item.citation)
            if not is_narration(item) and item.speaker != outlet:  # "reports", "customs figures"
                citing.setdefault(outlet, []).append(item.speaker)
        else:
            speakers.setdefault(item.speaker, {}).setdefault(outlet, item.citation)
            quoting[item.speaker] = quoting.get(item.speaker, False) or item.kind == QUOTE
    pieces: list[tuple[str, Citation | None]] = []
    if reported:
        pieces.append(("Reported by ", None))
        for n, (outlet, citation) in enumerate(reported.items()):
            pieces += [(_joiner(n, len(reported)) + outlet, citation)]
            if outlet in citing:
                pieces.append((f" (citing {' and '.join(dict.fromkeys(citing[outlet]))})", None))
    for speaker, outlets in speakers.items():
        how = "quoted" if quoting[speaker] else "reported"
        lead = "; " if pieces else ""
        if is_named(speaker):
            pieces.append((f"{lead}{speaker} says so, {how} by ", None))
            pieces += [(_joiner(n, len(outlets)) + outlet, c) for n, (outlet, c) in enumerate(outlets.items())]
        else:  # people named only as a group
            pieces.append((f"{lead}{speaker if lead else heading(speaker)} {how} by ", None))
            pieces += [(_joiner(n, len(outlets)) + outlet, c) for n, (outlet, c) in enumerate(outlets.items())]
            pieces.append((" say so", None))
    independent = plural(group.independent, "independent origin")
    count = independent if group.independent == len(group.sources) else \
        f"{plural(len(group.sources), 'source')}, {independent}"
    pieces.append((f": {count}.", None))
    runs: list[tuple[str, Citation | None]] = []  # text up to each footnote as one run
    text = ""
    for words, citation in pieces:
        text += words
        if citation is not None:
            runs.append((text, citation))
            text = ""
    return runs + ([(text, None)] if text else [])


# Heads of a group of people as a source ("experts", "Western officials"), not of documents or data.
_PEOPLE = frozenset("""
experts analysts officials diplomats observers critics residents witnesses scholars sources leaders
economists investigators prosecutors lawmakers legislators scientists doctors researchers specialists
people authorities activists protesters
""".split())


def _people(speaker: str) -> bool:
    return speaker.split()[-1].lower() in _PEOPLE if speaker.split() else False


def _joiner(n: int, count: int) -> str:
    return "" if n == 0 else " and " if n == count - 1 else ", "


def discrepancy_intro(item) -> str:
    """What a discrepancy's figures are: "The sources give different figures (death):"."""
    return f"The sources give different figures ({item.measure}):"


def figures_by_statement(item) -> list[tuple]:
    """(statement, its figures' words) for each statement of a discrepancy, in order."""
    out: dict = {}
    for figure in item.figures:
        out.setdefault(figure.statement, []).append(figure.text)
    return list(out.items())


def figure_line(memo: Memo, statement, words: list[str]) -> str:
    """A source's figures in its own words, and who gives them: "‘four deaths’ (CNN)"."""
    return f"{', '.join(f'‘{w}’' for w in words)} ({speaker_line(memo, statement, plain=True)})"


def matrix_point(text: str, words: int = 12) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"


def who_position(row: Position, compact: bool = False) -> str:
    """A "who said what" row's side where the stance model called one; else what the
    speaker said, marked as no side (compact: the sentence is left to its footnote, which
    quotes it)."""
    if row.position:
        return single_quotes(row.position)
    return "No side called (see the note)" if compact else f"No side called. Said: {statement_text(row.statement)}"


def quoted(text: str) -> str:
    """The sentence in quotation marks, unless it has double quotation marks of its own:
    wrapping those would print ““ or ””, or a mark closing a quotation that the sentence
    itself closed mid-way ("… level,” Evan Feigenbaum told …”). As it stands it is still
    verbatim, and its own marks show who says what."""
    text = text.strip()
    if not text or any(mark in text for mark in _DOUBLE_QUOTES):
        return text
    return f"“{text}”"


def flag_marker(point: Point) -> str:
    return f" [unsupported: {point.flag}]"


def is_extracted(point: Point) -> bool:
    """A verbatim sentence (one citation quoting exactly its text), not a generated one."""
    return len(point.citations) == 1 and point.citations[0].quote == point.text


def story_heading(story) -> str:
    return f"Story: {heading(story.title)}"


def story_sources(memo: Memo, story) -> str:
    labels = list(dict.fromkeys(memo.article(i).label for i in story.article_ids))
    return plural(len(story.article_ids), "source") + ": " + ", ".join(labels)


UNCLEAR_HEADING = "Unclear (stance not called with confidence)"


def file_name(source: str) -> str:
    """A source file as the memo names it: its name, never the folders above it (a memo is
    circulated; the reader's paths and user names are not the author's)."""
    return _short(source.replace("\\", "/"))


def listed(rows: list[str]) -> str:
    text = "; ".join(rows)
    return text if text[-1:] in ".!?" else text + "."


def file_line(article: Article) -> str:
    """The file a source came from and the start of its SHA-256 (the JSON export has all of it)."""
    return f"File {file_name(article.source)}, SHA-256 {article.sha256[:16]}…"


def cut_consensus(groups, layout: Layout) -> bool:
    """Whether the body leaves out a consensus point or a statement behind one."""
    return len(groups) > layout.consensus or any(len(g.statements) - 1 > layout.supporting
                                                 for g in groups[:layout.consensus])


def more_in_appendix(groups, layout: Layout) -> str:
    hidden = len(groups) - min(len(groups), layout.consensus)
    if hidden:
        return f"{plural(hidden, 'further point')}, and the statements behind each point, are in the appendix."
    return "The statements behind each point are in the appendix."


def body_unclear(disagreement: Disagreement, layout: Layout) -> int:
    """Unclear statements the body shows: for a question asked, who did not take a side is
    part of the answer; for a point found contested, the two sides are the news and the
    unclear go to the appendix."""
    return layout.statements if disagreement.asked else 0


def unclear_part(disagreement: Disagreement, layout: Layout, full: bool) -> tuple:
    """The unclear statements the body (or, ``full``, the appendix) lists."""
    shown = body_unclear(disagreement, layout)
    return disagreement.unclear[shown:] if full else disagreement.unclear[:shown]


def cut_statements(disagreement: Disagreement, layout: Layout) -> bool:
    return any(len(s.statements) > layout.statements for s in disagreement.sides) \
        or len(disagreement.unclear) > body_unclear(disagreement, layout)


def any_cut_statements(disagreements, layout: Layout) -> bool:
    return any(cut_statements(d, layout) for d in disagreements)


def more_statements(disagreement: Disagreement, layout: Layout) -> str:
    hidden = sum(max(0, len(s.statements) - layout.statements) for s in disagreement.sides)
    hidden += max(0, len(disagreement.unclear) - body_unclear(disagreement, layout))
    return f"{plural(hidden, 'further statement')} on this question {'is' if hidden == 1 else 'are'} in the appendix."


def who_cut(memo: Memo, layout: Layout) -> bool:
    """Whether the body's compact table leaves anything out: rows, roles or unsided sentences."""
    rows = memo.who_said_what
    return len(rows) > layout.who or any(p.role for p in rows)


def more_who(memo: Memo, layout: Layout) -> str:
    hidden = len(memo.who_said_what) - min(len(memo.who_said_what), layout.who)
    if hidden:
        return f"{plural(hidden, 'further row')}, and each speaker's role, are in the appendix."
    return "Each speaker's role is in the appendix."


def who_cells(row: Position, full: bool) -> tuple[str, ...]:
    """A who-said-what row's cells before the source column (the footnote)."""
    if full:
        return row.speaker, short_role(row.role), row.outlet, who_position(row, compact=True)
    return row.speaker, row.outlet, who_position(row, compact=True)


ROLE_WORDS = 10  # a role longer than this is cut in the table; the statements give it whole


def short_role(role: str) -> str:
    words = role.split()
    return role if len(words) <= ROLE_WORDS else " ".join(words[:ROLE_WORDS]).rstrip(",;") + " …"


def who_widths(full: bool) -> tuple[float, ...]:
    """Shares of the text width: the position gets the room, the footnote column a number's."""
    return (0.18, 0.26, 0.15, 0.30, 0.11) if full else (0.25, 0.20, 0.44, 0.11)


def point_label(number: int) -> str:
    return f"P{number}"


def matrix_widths(sources: int) -> tuple[float, ...]:
    """The point column holds a short label (P1, P2, ...); the sources share the rest."""
    point = 0.10
    return (point,) + ((1 - point) / max(1, sources),) * sources


def split_width(total: int, shares: tuple[float, ...]) -> list[int]:
    """Whole twips per column, in proportion to ``shares``, summing exactly to ``total``."""
    scale = sum(shares) or 1
    widths = [int(total * share / scale) for share in shares]
    widths[-1] += total - sum(widths)
    return widths


def answer_runs(disagreement) -> list[tuple[str, object]]:
    """The one-paragraph answer at the top of a question asked: how the sources divide, in
    memo's own neutral words, as runs of (text, citation or None); each voice is followed
    by the footnote of its strongest statement. Empty for a question memo found itself or
    one that is not yes/no (it has no sides)."""
    if not disagreement.asked or len(disagreement.sides) != 2:
        return []

    def voices(statements) -> list[tuple[str, object]]:
        # Named voices only: the outlets' own narration and collectives are counted, not named
        first: dict[str, object] = {}
        for item in statements:
            if item.kind != "narration" and is_named(item.speaker):
                first.setdefault(item.speaker, item.citation)
        return list(first.items())

    def listed(pairs, others: int = 0) -> list[tuple[str, object]]:
        shown = pairs[:ANSWER_VOICES]
        more = len(pairs) - len(shown) + others
        runs: list[tuple[str, object]] = []
        for n, (speaker, citation) in enumerate(shown):
            last = n == len(shown) - 1 and not more
            runs.append(("" if n == 0 else " and " if last else ", ", None))
            runs.append((speaker, citation))
        if more:
            runs.append(((" and " if shown else "") + f"{more} other statement{'s' if more != 1 else ''}", None))
        return runs

    def unnamed(statements) -> int:
        return sum(1 for item in statements if item.kind == "narration" or not is_named(item.speaker))

    sides = disagreement.sides
    yes, no = (voices(side.statements) for side in sides)
    extra_yes, extra_no = (unnamed(side.statements) for side in sides)
    unclear = [(s, c) for s, c in voices(disagreement.unclear) if s not in dict(yes) and s not in dict(no)]
    if not sides[0].statements and not sides[1].statements:
        runs = [("The sources do not settle this: none of the statements weighed takes a side with enough "
                 "confidence to be placed.", None)]
    elif sides[0].statements and sides[1].statements:
        runs = [("The sources divide. On the yes side: ", None), *listed(yes, extra_yes),
                ("; on the no side: ", None), *listed(no, extra_no), (".", None)]
    else:
        placed, extra, side, other = (yes, extra_yes, "yes", "no") if sides[0].statements else \
            (no, extra_no, "no", "yes")
        runs = [(f"Only the {side} side is stated, by ", None), *listed(placed, extra),
                (f"; no statement weighed says {other} with enough confidence.", None)]
    if unclear:
        runs += [(" Not placed on a side: ", None), *listed(unclear), (".", None)]
    return [(text, citation) for text, citation in runs if text]
