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

from .model import Article, Sentence

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


def attribute(article: Article, sentences: list[Sentence]) -> list[Attribution]:
    """One ``Attribution`` per sentence, in order."""
    outlet = article.outlet or "the author"
    found: list[tuple[str, str] | None] = [_find(s.text) for s in sentences]
    # A quotation left open runs on until it closes; its speaker speaks all of it.
    groups: list[list[int]] = []
    current: list[int] = []
    open_quote = False
    for i, sentence in enumerate(sentences):
        current.append(i)
        opened, closed = sentence.text.count("“"), sentence.text.count("”")
        open_quote = closed <= opened if open_quote else opened > closed
        if not open_quote or sentence.is_heading:
            groups.append(current)
            current, open_quote = [], False
    if current:
        groups.append(current)
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


def _full_name(who: str, known: dict[str, str]) -> str:
    """'Small' -> 'Andrew Small' once the full name has appeared."""
    words = who.split()
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

    def tokens(name: str) -> list[str]:
        return [t for t in re.findall(r"[\w'’.-]+", name) if t[:1].isupper()]

    full: dict[str, str] = {}
    for name in names:
        own = tokens(name)
        if not own:
            continue
        longer = {other for other in names if other != name and len(tokens(other)) > len(own)
                  and tokens(other)[-1] == own[-1] and set(own[:-1]) <= set(tokens(other))}
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
                                    a.kind) for a in rows]
    return out


def is_named(speaker: str) -> bool:
    """A named person or institution ("Vladimir Putin", "the Kremlin", "RFE/RL"), not a
    collective ("experts", "officials", "Chinese customs figures"): its head, the last word,
    is a name."""
    words = speaker.split()
    return bool(words) and words[-1][:1].isupper()
