"""Who says each sentence: speaker, the role the text gives them, and how it is said.

A sentence is a direct ``quote`` (quotation marks and a speaker), a ``reported``
statement (a speech verb or "according to" without quotation marks), or the outlet's own
``narration``. Handles "X said", "said X, a <role>", "X, a <role>, told <Outlet>",
"according to X", quotes that run over several sentences, and "he said"-style follow-ups
when the speaker is clear. Short names are mapped to the full name used earlier in the
article ("Small" -> "Andrew Small"), and a role stated once carries to later mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import _syntax as syntax
from ._model import Article, Sentence

QUOTE, REPORTED, NARRATION = "quote", "reported", "narration"

_VERBS = (r"said|says|say|told|tells|added|adds|wrote|writes|noted|notes|stressed|stresses|warned|warns|"
          r"argued|argues|claimed|claims|cautioned|stated|states|explained|explains|believes|believe|"
          r"concluded|insisted|insists|urged|urges|announced|declared|acknowledged|suggested|predicted|"
          r"emphasized|emphasised|reiterated|asserted|contended|maintained|observed|pointed out|commented")
_NAME_WORD = r"(?:[A-Z][\w’'.-]*|de|van|von|al|bin)"
_NAME = rf"(?:[Tt]he )?[A-Z][\w’'.-]*(?: {_NAME_WORD}){{0,4}}"
_GROUP = (r"(?:(?:[A-Z][\w.’'-]*|senior|some|many|other|western|European|American|Chinese|Russian|Ukrainian) )?"
          r"(?:officials|experts|analysts|diplomats|observers|scholars|specialists|leaders|critics|sources)")
# "the minister", "a senior official", "the company's spokesperson": a role standing for the speaker
_ROLE_WHO = (r"(?:[Tt]he|[Aa]n?) (?:[\w’'-]+ ){0,2}(?:minister|spokesperson|spokesman|spokeswoman|official|"
             r"president|governor|mayor|ambassador|envoy|analyst|expert|engineer|economist|diplomat|adviser|"
             r"advisor|researcher|professor|lawmaker|senator|general|commander|prosecutor|judge|police)")
_WHO = rf"(?P<who>{_GROUP}|{_ROLE_WHO}|{_NAME})"
_ROLE = r"(?P<role>(?:a|an|the|who|former|senior|chief|[A-Z][\w.]*)\b[^,;:“”\"]{2,200}?)"

_SAID = _VERBS.replace("told|tells|", "")  # "told X": X is the audience, not the speaker
# Order matters: the most specific shapes first.
_PATTERNS = [
    # “...,” said Andrew Small, a senior fellow at the German Marshall Fund. / ..., says Devin Thorne.
    re.compile(rf"[,.!?]?[”\"’]?\s+(?:{_SAID})\s+{_WHO}(?=[,.;]|$)(?:,\s+{_ROLE}(?:[,.]|$))?"),
    # Mortiz Rudolf, a fellow at Yale Law School’s China Center, told VICE World News.
    re.compile(rf"{_WHO},\s+{_ROLE},\s+(?:has |had |also |further |then )?(?:{_VERBS})\b"),
    # U.S. national-security adviser Jake Sullivan told reporters / Xi said
    re.compile(rf"(?:^|[,;:—–]\s+|\b(?:but|and|while|as)\s+|[”\"]\s*)(?P<title>(?:[\w.’'-]+ ){{0,5}}?)"
               rf"{_WHO}\s+(?:has |had |also |further |then |later |previously |once )?(?:{_VERBS})\b"),
    # ... according to Kuhrt of King’s College London / to the Russian orientalist Andrey Vinogradov
    re.compile(rf"\b[Aa]ccording to\s+(?P<desc>(?:[\w’'-]+ ){{0,5}}?){_WHO}"
               rf"(?:\s+(?P<role>of [A-Z][^,.;“”]{{2,80}}|,\s+[^,.;“”]{{2,80}}))?(?=\s*[,.;“]|\s+(?:and|who)\b|$)"),
    # ... according to Chinese customs figures.
    re.compile(r"\b[Aa]ccording to\s+(?P<who>[^,.;“”]{3,60}?)(?=[,.;]|$)"),
]
# Titles that the text glues to a name: "Secretary of State Antony Blinken", "President Putin".
_NAME_TITLES = re.compile(r"^(?:(?:State|Secretary|President|Prime|Minister|Foreign|Deputy|General|Chancellor|"
                          r"Senator|Governor|Mayor|Chairman|Chairwoman|Judge|Admiral|Dr\.?|Mr\.?|Ms\.?|Mrs\.?|"
                          r"Premier|Spokesperson|Ambassador|Vice)\s+)+")
_PRONOUN = re.compile(rf"\b(?:he|she|they)\s+(?:also |further |then |later )?(?:{_VERBS})\b", re.I)
_NOT_SPEAKERS = {"he", "she", "they", "we", "i", "you", "it", "this", "that", "there", "which", "who", "reports", "the report", "the statement",
                 "the plan", "the document", "the proposal", "the visit", "the trip", "the move", "the data"}
_ROLE_NOUNS = re.compile(r"(?i)^(?:adviser|advisor|spokesperson|spokesman|spokeswoman|minister|president|premier|"
                         r"secretary|director|fellow|analyst|official|envoy|chief|leader|chancellor|ambassador|"
                         r"researcher|professor|expert|scholar|specialist|orientalist|general|commander|senator|"
                         r"governor|mayor|lawmaker|economist|editor|correspondent|founder|head|chairman|chair)s?$")
_LEADING = re.compile(r"^(?:But|And|While|As|Yet|So|Still|However|Meanwhile|Also)\s+")


@dataclass(frozen=True)
class Attribution:
    """How one sentence is sourced."""

    speaker: str  # a person or institution, or the outlet itself for narration
    role: str  # as the text states it ("a senior fellow at the Carnegie Endowment"), or ""
    kind: str  # QUOTE, REPORTED or NARRATION
    # What the speaker is: "person", "institution", "document" or "collective" ("officials"),
    # "" for narration or when only the patterns read the sentence.
    source: str = ""


def _has_quote(text: str) -> bool:
    # A quotation of four words or more; shorter quoted words are usually scare quotes
    # ("no-limits", "balanced line") in the outlet's own narration.
    spans = re.findall(r"“([^”]+)”|\"([^\"]+)\"", text)
    return any(len((a or b).split()) >= 4 for a, b in spans) or _opens_with_quote(text)


def _opens_with_quote(text: str) -> bool:
    return text.startswith(("“", '"', "”"))  # some sites open with a closing mark


# Names the text introduces with a title ("President Vladimir Putin", "Chinese leader Xi
# Jinping"): later bare mentions ("Putin thanked ...") can then be resolved to them.
_TITLED_NAME = re.compile(r"\b(?:President|Premier|Prime Minister|Minister|Secretary|Chancellor|leader|Leader|"
                          r"spokesperson|spokesman|spokeswoman|Senator|Governor|General)\s+"
                          r"(?P<name>[A-Z][\w’'-]+(?: [A-Z][\w’'-]+){1,2})")
_NARRATED_SUBJECT = re.compile(r"^(?:(?:Meanwhile|But|And|Still|However|Later|Separately|Then),?\s+)?"
                               r"(?P<who>[A-Z][\w’'-]+(?: [A-Z][\w’'-]+){0,2})\s+(?:has |had |also |then )?"
                               r"[a-z]+(?:ed|s)\b")


def _clean_role(role: str | None) -> str:
    return (role or "").strip(" ,.;—–").strip()


def _find(text: str) -> tuple[str, str] | None:
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            who = _LEADING.sub("", match.group("who").strip())
            if not re.search(r"\b[A-Z]\.$", who):  # keep the point of "U.S." but not a full stop
                who = who.rstrip(".")
            if not who or who.lower() in _NOT_SPEAKERS or who.split()[-1].lower() in ("said", "told"):
                continue
            role = _clean_role(match.groupdict().get("role") or match.groupdict().get("desc"))
            title = (match.groupdict().get("title") or "").split()
            glued = _NAME_TITLES.match(who)
            if glued and glued.end() < len(who):
                title = title + glued.group(0).split()
                who = who[glued.end():]
            if title and not role and (_ROLE_NOUNS.match(title[-1]) or _NAME_TITLES.match(title[-1] + " ")):
                # the role words right before the name: "U.S. national-security adviser"
                start = len(title) - 1
                while start > 0 and not re.match(r"^(?:the|a|an|by|and|but|while|as|with|that|said)$",
                                                 title[start - 1], re.I):
                    start -= 1
                role = " ".join(title[start:])
            return who, role
    return None


def attribute(article: Article, sentences: list[Sentence], *, method: str | None = None,
              parsed: dict[str, syntax.Parsed] | None = None) -> list[Attribution]:
    """One ``Attribution`` per sentence, in order. ``method``: "parse" (spaCy's dependency
    parse, the default when spaCy and its English model are installed) or "patterns".
    ``parsed``: sentences parsed already, by text (``parse_unique``); the rest are parsed here."""
    if method == "parse" or method is None and parses():
        known = parsed or {}
        missing = [s.text for s in sentences if s.text not in known]
        fresh = dict(zip(missing, syntax.parse(missing))) if missing else {}
        return _attribute_parsed(article, sentences,
                                 [known[s.text] if s.text in known else fresh[s.text] for s in sentences])
    return _attribute_by_patterns(article, sentences)


def parses() -> bool:
    """Whether ``attribute`` uses the parse (spaCy and its English model are installed)."""
    return syntax.installed()[0] is not None and syntax.load()[0] is not None


def parse_unique(texts: list[str]) -> dict[str, syntax.Parsed]:
    """Each distinct sentence parsed once (a sentence's parse depends on its text alone): wire
    copies and syndicated paragraphs repeat sentences across a corpus (13% of the sentences of
    benchmarks/make_corpus.py's 1,000 articles)."""
    unique = list(dict.fromkeys(texts))
    return dict(zip(unique, syntax.parse(unique)))


def method() -> tuple[str, str]:
    """("parse", the spaCy model) when the parse is used, else ("patterns", why)."""
    model, why = syntax.installed()
    return ("parse", model) if model is not None else ("patterns", why)


def _quote_groups(sentences: list[Sentence], text: str) -> list[list[int]]:
    """Sentence indices grouped so that a quotation left open runs on until it closes."""
    groups: list[list[int]] = []
    current: list[int] = []
    open_quote = False
    for i, sentence in enumerate(sentences):
        if open_quote and current and "\n" in text[sentences[i - 1].end:sentence.start]:
            # a quotation does not run past its paragraph: a quote over paragraphs reopens in each
            groups.append(current)
            current, open_quote = [], False
        current.append(i)
        marks = syntax.quote_marks(sentence.text)
        opened = sum(1 for _, opens in marks if opens)
        closed = len(marks) - opened
        open_quote = closed <= opened if open_quote else opened > closed
        if not open_quote or sentence.is_heading:
            groups.append(current)
            current, open_quote = [], False
    if current:
        groups.append(current)
    return groups


def _attribute_by_patterns(article: Article, sentences: list[Sentence]) -> list[Attribution]:
    outlet = article.outlet or "the author"
    found: list[tuple[str, str] | None] = [_find(s.text) for s in sentences]
    # A quotation left open runs on until it closes; its speaker speaks all of it.
    groups = _quote_groups(sentences, article.text)
    full_names: dict[str, str] = {}
    for match in _TITLED_NAME.finditer(article.text):
        _full_name(re.sub(r"[’']s$", "", match.group("name")), full_names)
    roles: dict[str, str] = {}
    last_person: str | None = None
    last_quoted: tuple[str, str] | None = None  # speaker of the group just before, if quoted
    result: list[Attribution | None] = [None] * len(sentences)
    for group in groups:
        speaker_role = next((found[i] for i in group if found[i]), None)
        first = sentences[group[0]].text
        if speaker_role is None and last_quoted and _opens_with_quote(first):
            speaker_role = last_quoted  # a new quoted paragraph continues the same speaker
        pronoun = any(_PRONOUN.search(sentences[i].text) for i in group)
        if speaker_role is None and pronoun and last_person:
            speaker_role = (last_person, roles.get(last_person, ""))
        last_quoted = None
        for i in group:
            sentence = sentences[i]
            if sentence.is_heading or speaker_role is None:
                result[i] = Attribution(outlet, "", NARRATION)
                continue
            who, role = speaker_role
            who = _full_name(who, full_names)
            if role:
                roles.setdefault(who, role)
            kind = QUOTE if any(_has_quote(sentences[j].text) for j in group) else REPORTED
            result[i] = Attribution(who, roles.get(who, role), kind)
            if kind == QUOTE:
                last_quoted = (who, roles.get(who, role))
        if speaker_role is not None and speaker_role[0][:1].isupper() and not speaker_role[0].startswith("The "):
            last_person = _full_name(speaker_role[0], full_names)
        elif speaker_role is None:
            # "Putin thanked China ..." makes Putin the "he" of the next sentence.
            subject = _NARRATED_SUBJECT.match(first)
            who = _NAME_TITLES.sub("", subject.group("who")) if subject else ""
            if who and (who in full_names or who in full_names.values()):
                last_person = _full_name(who, full_names)
    return [r for r in result if r is not None]


# How far back (in sentences) "he said" looks for the person it refers to.
_PRONOUN_WINDOW = 8
UNNAMED = "an unnamed speaker"


def _attribute_parsed(article: Article, sentences: list[Sentence], parsed: list[syntax.Parsed]) -> list[Attribution]:
    outlet = article.outlet or "the author"
    full_names: dict[str, str] = {}
    genders: dict[str, str] = {}
    roles: dict[str, str] = {}
    for each in parsed:  # every full name the article gives, so a short form before it resolves too
        for name, _, _ in each.people:
            _full_name(name, full_names)
        if each.found and each.found.mention == syntax.NAMED and each.found.source == syntax.PERSON:
            for part in each.found.speaker.split(" and "):
                _full_name(part, full_names)
    singles = {name for each in parsed for name, _, _ in each.people if " " not in name} | {
        each.found.speaker for each in parsed if each.found and each.found.mention == syntax.NAMED
        and (each.found.source == syntax.PERSON or each.found.speaker.isupper()) and " " not in each.found.speaker}
    _full_names_from_text(article.text, singles, full_names)
    for each in parsed:
        for name, gender, _ in each.people:
            if gender:
                genders.setdefault(_full_name(name, full_names), gender)
    # (sentence index, person, is the subject): the mentions "he" and "she" may point to
    mentions: list[tuple[int, str, bool]] = []
    # (sentence index, speaker): collectives and institutions "they" may point to
    groups_said: list[tuple[int, str, str]] = []
    last_quoted: Attribution | None = None
    last_speaker: tuple[int, str] | None = None  # (sentence, person) of the last attribution
    result: list[Attribution | None] = [None] * len(sentences)
    for group in _quote_groups(sentences, article.text):
        first = group[0]
        found_at = next((i for i in group if parsed[i].found is not None), None)
        found = parsed[found_at].found if found_at is not None else None
        here = found_at if found_at is not None else first
        # The people of the sentences up to the attribution's own are candidates for its pronoun.
        for i in group:
            if i <= here:
                mentions.extend((i, _full_name(n, full_names), subj) for n, _, subj in parsed[i].people)
        speaker, role, source = None, "", ""
        if found is not None:
            speaker, role, source = _resolve(found, here, full_names, genders, roles, mentions, groups_said,
                                             last_speaker)
        if speaker is None and last_quoted is not None and _opens_with_quote(sentences[first].text):
            speaker, role, source = last_quoted.speaker, last_quoted.role, last_quoted.source
        for i in group:
            if i > here:
                mentions.extend((i, _full_name(n, full_names), subj) for n, _, subj in parsed[i].people)
        last_quoted = None
        if speaker is None:
            for i in group:
                result[i] = Attribution(outlet, "", NARRATION)
            continue
        if role and source == syntax.PERSON:
            roles.setdefault(speaker, role)
        kind = QUOTE if any(_has_quote(sentences[j].text) for j in group) else REPORTED
        attribution = Attribution(speaker, roles.get(speaker, role), kind, source)
        for i in group:
            result[i] = Attribution(outlet, "", NARRATION) if sentences[i].is_heading else attribution
        if source == syntax.PERSON and speaker != UNNAMED and " and " not in speaker:
            mentions.append((group[-1], speaker, True))
            last_speaker = (group[-1], speaker)
        elif source in (syntax.COLLECTIVE, syntax.INSTITUTION) or " and " in speaker:
            groups_said.append((group[-1], speaker, source))
        if kind == QUOTE:
            last_quoted = attribution
    # A person the article introduces by title only ("Chinese leader Xi Jinping landed ...")
    # takes that title as role where no sentence gave one.
    titled: dict[str, str] = {}
    for each in parsed:
        for name, title in each.titles:
            titled.setdefault(_full_name(name, full_names), title)
    return [Attribution(r.speaker, titled[r.speaker], r.kind, r.source)
            if not r.role and r.source == syntax.PERSON and r.speaker in titled else r
            for r in result if r is not None]


def _resolve(found, here, full_names, genders, roles, mentions, groups_said, last_speaker):
    """(speaker, role, source) for a sentence's ``Found`` source in its article's context."""
    if found.mention == syntax.NAMED:
        short = found.speaker[:-len(found.role)].strip() if found.role.startswith("of ") \
            and found.speaker.endswith(" " + found.role) else ""
        if short and " " in full_names.get(short, ""):
            # "according to Kuhrt of King's College London", tagged as one organisation: a
            # person the article has named, with an affiliation
            full = full_names[short]
            return full, roles.get(full, found.role), syntax.PERSON
        speaker = " and ".join(_full_name(part, full_names) for part in found.speaker.split(" and "))
        if found.source == syntax.PERSON and found.role:
            roles.setdefault(speaker, found.role)
        return speaker, found.role, found.source
    if found.mention == syntax.PRONOUN and found.pronoun == "they":
        recent = [(i, who, kind) for i, who, kind in groups_said if here - i <= 2]
        return (recent[-1][1], "", recent[-1][2]) if recent else (UNNAMED, "", syntax.COLLECTIVE)
    if found.mention == syntax.PRONOUN:
        who = _antecedent(found.pronoun, here, genders, mentions, last_speaker)
        if who is None:
            return UNNAMED, "", syntax.PERSON
        return who, roles.get(who, ""), syntax.PERSON
    if found.source == syntax.PERSON and found.modifiers != ("?",):
        # "the senator said": the one person the article gave that role ("a spokesman" is new)
        matches = {who for who, role in roles.items()
                   if _role_has(role, found.head) and all(_role_has(role, m) for m in found.modifiers)}
        if len(matches) == 1:
            who = matches.pop()
            return who, roles[who], syntax.PERSON
    return found.speaker, "", found.source


def _antecedent(pronoun: str, here: int, genders: dict[str, str], mentions, last_speaker) -> str | None:
    """The person "he" or "she" at sentence ``here`` refers to, or None when unclear. Among
    the people of the last few sentences whose stated gender does not rule them out: the
    speaker of the attribution before, unless another person has since been the subject of a
    sentence; else the one most recently a subject; else the only one named."""
    window = [(i, who, subj) for i, who, subj in mentions if 0 <= here - i <= _PRONOUN_WINDOW
              and genders.get(who, pronoun) == pronoun]
    if not window:
        return None
    chosen = None
    subjects = [(i, who) for i, who, subj in window if subj]
    if last_speaker is not None and any(who == last_speaker[1] for _, who, _ in window):
        since = {who for i, who in subjects if i > last_speaker[0] and who != last_speaker[1]}
        chosen = last_speaker[1] if not since else None
    if chosen is None and subjects:
        last = max(i for i, _ in subjects)
        latest = {who for i, who in subjects if i == last}
        chosen = latest.pop() if len(latest) == 1 else None
    if chosen is None:
        people = {who for _, who, _ in window}
        chosen = people.pop() if len(people) == 1 else None
    if chosen is not None:
        genders.setdefault(chosen, pronoun)  # "he said" of a person states the gender
    return chosen


def _full_names_from_text(text: str, singles: set[str], known: dict[str, str]) -> None:
    """Full names the parse did not tag ("... a petition to deport Piers Morgan"): for each
    one-word name without a full name yet, the one capitalised first name the text puts
    before it, if there is exactly one."""
    for surname in sorted(singles):
        if not surname[:1].isupper() or " " in known.get(surname, ""):
            continue
        before = {m.group(1) for m in re.finditer(rf"\b([A-Z][a-z’'-]+) {re.escape(surname)}\b", text)
                  if m.group(1).lower() not in syntax.NOT_FIRST_NAMES}
        if len(before) == 1:
            known[surname] = f"{before.pop()} {surname}"
        elif surname.isupper() and 2 <= len(surname) <= 5:  # "BA" for "British Airways"
            runs = {m.group(0) for m in re.finditer(r"\b[A-Z][a-z]+(?: (?:of |for |and )?[A-Z][a-z]+){1,4}", text)
                    if "".join(w[0] for w in m.group(0).split() if w[0].isupper()) == surname}
            if len(runs) == 1:
                known[surname] = runs.pop()


def _role_has(role: str, noun: str) -> bool:
    words = set(re.findall(r"[a-z]+", role.lower()))
    short = {"senator": "sen", "representative": "rep", "governor": "gov", "general": "gen", "professor": "prof"}
    return noun in words or short.get(noun, "\0") in words


def _full_name(who: str, known: dict[str, str]) -> str:
    """'Small' -> 'Andrew Small' once the full name has appeared."""
    words = who.split()
    if len(words) >= 2 and " ".join(words) not in known.values():
        longer = {full for full in known.values() if full.endswith(" " + who)}
        if len(longer) == 1:  # "Gonzales Taylor" -> "Annette Gonzales Taylor"
            return longer.pop()
    if len(words) >= 2 and words[0][:1].isupper():
        known.setdefault(words[-1], who)
        if len(words) == 2 and words[1][:1].isupper() and words[0] not in ("The", "A", "An"):
            known.setdefault(words[0], who)  # family name first: "Xi Jinping" -> "Xi"
        return who
    return known.get(who, who)


def one_name_per_person(attributions: dict[str, list[Attribution]]) -> dict[str, list[Attribution]]:
    """Across the corpus, a speaker named by a short form ("Putin") takes the full name
    another sentence gives the same person ("Vladimir Putin"): a longer name ending in the
    same surname and holding the short form's other names, when exactly one such name
    exists (two "Smith"s stay apart). A role stated anywhere for
    that person is carried to the sentences that state none. The outlet's narration is left
    as it is."""
    names = {a.speaker for rows in attributions.values() for a in rows if a.kind != NARRATION}

    tokens = {name: [t for t in re.findall(r"[\w'’.-]+", name) if t[:1].isupper()] for name in names}
    by_surname: dict[str, list[str]] = {}  # compared within a surname only: linear in the corpus
    for name, own in tokens.items():
        if own:
            by_surname.setdefault(own[-1], []).append(name)
    full: dict[str, str] = {}
    for name, own in tokens.items():
        if not own:
            continue
        longer = {other for other in by_surname[own[-1]] if other != name and len(tokens[other]) > len(own)
                  and set(own[:-1]) <= set(tokens[other])}
        if len(longer) == 1:
            full[name] = next(iter(longer))
    roles: dict[str, str] = {}
    for rows in attributions.values():
        for a in rows:
            if a.kind != NARRATION and a.role:
                roles.setdefault(full.get(a.speaker, a.speaker), a.role)
    out = {}
    for article, rows in attributions.items():
        out[article] = [a if a.kind == NARRATION else
                        Attribution(full.get(a.speaker, a.speaker), a.role or roles.get(full.get(a.speaker, a.speaker), ""),
                                    a.kind, a.source) for a in rows]
    return out


def is_named(speaker: str) -> bool:
    """A named person or institution ("Vladimir Putin", "the Kremlin", "RFE/RL"), not a
    collective ("experts", "officials", "Chinese customs figures"): its head, the last word,
    is a name."""
    words = speaker.split()
    return bool(words) and words[-1][:1].isupper()
