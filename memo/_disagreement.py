"""Stage 8: disagreements. For each question (a user's, or a contested point memo found),
the statements on each side, who makes them and where, and what stays unclear; then who
said what, and the source-by-point agreement matrix.

A yes/no question becomes the claim both sides argue about ("Is China a credible
mediator?" -> "China is a credible mediator"); the statements most related to it are
weighed by the stance backend; statements whose stance it cannot call with confidence are
kept apart as unclear instead of being forced into a side.
"""

from __future__ import annotations

import re

import numpy as np

from ._embed import Embedder, embed_unique
from ._grouping import Pool
from ._attribution import NARRATION, is_named
from ._model import AgreementRow, Disagreement, Group, Position, Side, Statement
from ._stance import CONTESTS, SUPPORTS, UNCLEAR, StanceBackend, negate

# Which statements a question weighs. Someone's statement (a quote, a report of what they
# said) is weighed when it is on the question's matter and speaks to what the claim says of
# its subject; whether it takes a side is then the stance model's call. The floors are low
# (the opinions that matter seldom repeat the question's words); the predicate's is there
# because the model's relevance is weak: it reads a sentence that only mentions the subject
# ("China and Russia now have the closest relationship") as taking a side. The bound
# keeps a large corpus fast; what it leaves out is counted in the note. The outlets' own
# narration is not a voice: only the closest few are weighed, for the note's count.
# benchmarks/question_sides.py: floors of 0.15-0.4 place 9-11 gold voices right; traps appear
# below 0.3; the predicate floor cut wrong placements from 7 to 5.
VOICE_FLOOR = 0.3  # cosine to the claim
MAX_VOICES = 120  # statements of voices weighed per question, most related first
PREDICATE_FLOOR = 0.2  # cosine to the claim's predicate ("a credible mediator in Ukraine")
RELATED = 0.4  # cosine to the claim for a sentence of narration to be weighed
MAX_NARRATION = 10
MAX_UNCLEAR = 5  # related statements listed for a question that is not yes/no, and for a contested point
# A question asked lists every weighed voice the stance model could not place (the body shows a
# few, the appendix the rest): a voice left off would look as if nobody had said it. The bound
# keeps a large corpus's appendix readable; the note counts what it leaves out.
MAX_UNCLEAR_VOICES = 40
MAX_PER_SIDE = 16  # statements listed per side: each voice's strongest first

_AUXILIARIES = ("is", "are", "was", "were", "will", "would", "can", "could", "should", "shall", "must",
                "may", "might", "does", "do", "did", "has", "have", "had")
_BE = {"is", "are", "was", "were"}
# Verbs that follow the subject in "Will/Can/Does <subject> <verb> ...?" news questions.
_COMMON_VERBS = set("""be have do say make go take come see get give find win lose end stop start raise cut
impose lift send supply provide agree accept reject support oppose back join leave attack invade withdraw sign
meet talk call mediate broker help hurt work succeed fail change become remain stay keep hold allow ban pass
vote approve recognize recognise condemn sanction arm fund pay buy sell use want need seek try plan push open
close survive collapse last continue increase reduce rise fall grow deliver build reach respond return visit
threaten escalate negotiate cooperate benefit matter affect lead""".split())
_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our", "any"}
# Words after which a subject noun phrase cannot go on ("China a credible ...", "the war likely to ...")
_PREDICATE_START = {"a", "an", "the", "to", "in", "on", "at", "for", "with", "by", "from", "of", "not", "now",
                    "still", "really", "truly", "likely", "unlikely", "able", "ready", "going", "about", "more",
                    "less", "any", "being", "been", "willing", "serious", "right", "wrong", "too", "so", "as"}


def question_claim(question: str) -> str:
    """The statement a yes/no question asks about, or the question itself as a statement.

    "Is China a credible mediator in Ukraine?" -> "China is a credible mediator in Ukraine."
    "Will the EU impose sanctions?" -> "The EU will impose sanctions."
    "Isn't the plan doomed?" -> "The plan is doomed." (a negated question asks the same)
    "Is it true that the dam leaked?" -> "The dam leaked."

    The subject is read from spaCy's dependency parse when it is installed, else from the
    words' shape (``_subject_end``).
    """
    text = " ".join(question.split()).rstrip("?").strip()
    inner = _TRUE_THAT.match(text)
    if inner and len(text) > inner.end():
        rest = text[inner.end():].rstrip(".")
        return rest[0].upper() + rest[1:] + "."
    if not is_yes_no(text):
        return text.rstrip(".") + "."
    parsed = _parsed_claim(text)
    if parsed:
        return parsed
    first, *rest = text.split(" ")
    aux = _NEGATED_AUX.get(first.lower(), first.lower())
    if rest and rest[0].lower() == "not":  # "Is not the plan ...", rare but seen
        rest = rest[1:]
    end = _subject_end(rest, aux)
    subject = " ".join(rest[:end])
    subject = subject[0].upper() + subject[1:]
    return f"{subject} {aux} {' '.join(rest[end:])}.".replace("  ", " ")


_TRUE_THAT = re.compile(r"^(?:is|was)\s+it\s+(?:true|the\s+case|a\s+fact)\s+that\s+", re.I)
# "Isn't", "Won't": the auxiliary a negated question asks with (its claim is the affirmative)
_NEGATED_AUX = {"isn't": "is", "aren't": "are", "wasn't": "was", "weren't": "were", "won't": "will",
                "wouldn't": "would", "can't": "can", "couldn't": "could", "shouldn't": "should",
                "mustn't": "must", "doesn't": "does", "don't": "do", "didn't": "did", "hasn't": "has",
                "haven't": "have", "hadn't": "had"}
_NEGATED_AUX.update({k.replace("'", "’"): v for k, v in list(_NEGATED_AUX.items())})
_COPULA_PREDICATES = ("attr", "acomp", "oprd")
_VERB_GROUP = ("aux", "auxpass", "neg")
_SUBJECTS = ("nsubj", "nsubjpass", "expl", "csubj", "csubjpass")
_NOMINAL_TAGS = {"NN", "NNS", "NNP", "NNPS", "PRP", "CD", "EX"}


def _parsed_claim(text: str) -> str | None:
    """The claim from the parse, or None (then ``_subject_end`` reads the words' shape).

    The subject is what stands between the opening auxiliary (and its "n't") and the
    predicate. spaCy's small model often misparses questions ("Is nuclear power safe?" gives
    "power" as the complement) but reads statements well, so each place the subject could
    end is tried as a statement ("Nuclear power is safe.") and kept when that parse has the
    auxiliary in the main clause and a subject spanning exactly those words, ending in a
    noun or pronoun, followed by a verb (after will/should/does...) or by anything but a
    noun (after is/are/was/were). Of the splits kept, the one the question's own parse
    gives wins, else the longest subject ("the allegations against the senator")."""
    from . import _syntax as syntax

    if not syntax.installed()[0]:
        return None
    nlp, _ = syntax.load()
    if nlp is None:
        return None
    doc = nlp(text)
    words = [t for t in doc if not (t.is_punct and t.i == len(doc) - 1)]
    begin = 2 if len(words) > 3 and words[1].lower_ in ("n't", "n’t", "not") else 1
    aux = words[0].lower_
    if begin == 2:
        aux = _NEGATED_AUX.get(aux + words[1].lower_.replace("not", "n't"), aux)
    aux = {"ca": "can", "wo": "will", "sha": "shall"}.get(aux, aux)  # "can't" is "ca" + "n't"
    splits = [k for k in range(begin + 1, len(words)) if _reads_as_statement(nlp, doc, begin, k, aux)]
    if not splits:
        return None
    guess = _question_split(doc, begin)
    end = guess if guess in splits else max(splits)
    return _statement(doc, begin, end, aux, len(words))


def _statement(doc, begin: int, end: int, aux: str, stop: int) -> str:
    subject = doc[begin:end].text
    return f"{subject[0].upper()}{subject[1:]} {aux} {doc[end:stop].text}."


def _reads_as_statement(nlp, doc, begin: int, end: int, aux: str) -> bool:
    subject = doc[begin:end].text
    subject = subject[0].upper() + subject[1:]
    parsed = nlp(f"{subject} {aux} {doc[end:].text.rstrip('?').rstrip()}.")
    verb = next((t for t in parsed if t.idx == len(subject) + 1), None)
    if verb is None or not (verb.dep_ == "ROOT" or (verb.dep_ in ("aux", "auxpass") and verb.head.dep_ == "ROOT")):
        return False
    root = verb if verb.dep_ == "ROOT" else verb.head
    if not any(c.left_edge.idx == 0 and c.right_edge.idx + len(c.right_edge) == len(subject)
               for c in root.children if c.dep_ in _SUBJECTS):
        return False
    last, after = parsed[verb.i - 1], parsed[verb.i + 1] if verb.i + 1 < len(parsed) else None
    if last.tag_ not in _NOMINAL_TAGS or after is None:
        return False
    if aux in _BE:
        if root is verb and not any(c.dep_ in _COPULA_PREDICATES and c.i > verb.i for c in verb.children):
            return False  # "X is again", "X is for a recession": the split left the copula no complement
        return after.tag_ not in ("NN", "NNS", "NNP", "NNPS", "CC", "POS") and not after.is_punct
    if after.tag_ == "RB" and verb.i + 2 < len(parsed):  # "will still", "should never"
        after = parsed[verb.i + 2]
    return after.tag_ == ("VBN" if aux in ("has", "have", "had") else "VB")


def _question_split(doc, begin: int) -> int | None:
    """Where the question's own parse ends the subject: before the copula's complement, or
    before the verb the auxiliary belongs to and that verb's own auxiliaries."""
    first = doc[0]
    if first.dep_ == "ROOT":
        complements = [c.left_edge.i for c in first.children if c.dep_ in _COPULA_PREDICATES and c.i > begin]
        return min(complements) if complements else None
    verb = first.head
    return min([verb.i] + [c.i for c in verb.children if c.dep_ in _VERB_GROUP and c.i > begin])


def _predicate(question: str, claim: str) -> str | None:
    """What the claim says of its subject ("a credible mediator in Ukraine"), or None."""
    first = question.split()[0].lower() if question.split() else ""
    aux = _NEGATED_AUX.get(first, first)
    at = claim.lower().find(f" {aux} ") if aux in _AUXILIARIES else -1
    if at <= 0:  # "Is it true that X?": the claim is X, no auxiliary of the question's
        return None
    return claim[at + len(aux) + 2:].rstrip(".").strip() or None


def is_yes_no(question: str) -> bool:
    words = question.split()
    return len(words) >= 3 and (words[0].lower() in _AUXILIARIES or words[0].lower() in _NEGATED_AUX)


def _subject_end(words: list[str], aux: str) -> int:
    """How many of ``words`` form the subject. Without a part-of-speech tagger (NLTK's is
    not available offline) this reads the shape: a run of names ("China", "Russia and
    China", "the United States"), or a determiner and the words up to where the predicate
    starts: for "be" questions, a word that opens a predicate ("a", "likely", "to") or else
    the last word ("Is the new dam safe?"); for other auxiliaries, a common verb ("Will the
    central bank raise rates?")."""
    if aux not in _BE:
        # "Should British hacker Gary McKinnon be extradited": the subject runs to the verb,
        # whatever its shape (titles, possessives, dates) — found before the shape rules
        verb = next((i for i in range(1, len(words)) if words[i].lower() in _COMMON_VERBS), None)
        if verb is not None:
            return verb
    first = words[0].lower()
    if first not in _DETERMINERS:
        i = 1
        while i < len(words) - 1 and (words[i][:1].isupper() or (
                words[i] == "and" and i + 1 < len(words) - 1 and words[i + 1][:1].isupper())):
            i += 1
        return i
    start = 2
    while start < len(words) - 1 and words[start - 1][:1].isupper() and words[start][:1].isupper():
        start += 1  # "the United States", "the European Union"
    for i in range(start, len(words)):
        word = words[i].lower()
        if word in _PREDICATE_START or (aux not in _BE and word in _COMMON_VERBS):
            return i
    return len(words) - 1 if aux in _BE else start


def answer(question: str, pool: Pool, stance: StanceBackend, embedder: Embedder, *,
           claim: str | None = None, asked: bool = True) -> Disagreement:
    """The sides the corpus takes on ``question``."""
    yes_no = claim is not None or is_yes_no(question)
    claim = claim or question_claim(question)
    if not pool.statements:
        return Disagreement(question, claim, asked, _sides(claim, [], [], asked=asked) if yes_no else (), (),
                            _note([], [], []))
    predicate = _predicate(question, claim) if yes_no and PREDICATE_FLOOR else None
    anchors = embed_unique(embedder, [claim] + ([predicate] if predicate else []))  # one call for both
    sims = pool.vectors @ anchors[0]
    ranked = [int(k) for k in np.argsort(-sims, kind="stable")]
    if not yes_no:  # "Who ...?", "What ...?": nothing to support or contest
        closest = [pool.statements[k] for k in ranked if sims[k] >= RELATED][:MAX_UNCLEAR]
        listed = tuple(Statement(s.citation, s.speaker, s.role, s.kind, UNCLEAR, 0.0) for s in closest)
        return Disagreement(question, claim, asked, (), listed,
                            "Not a yes/no question, so no sides: the most related statements are listed.")
    said = [k for k in ranked if pool.statements[k].kind != NARRATION and sims[k] >= VOICE_FLOOR]
    if predicate:
        # A side speaks to what is asked of the subject, not only about the subject: "China and
        # Russia now have the closest relationship" mentions China but not mediation.
        towards = pool.vectors @ anchors[1]
        said = [k for k in said if towards[k] >= PREDICATE_FLOOR]
    narration = [k for k in ranked if pool.statements[k].kind == NARRATION and sims[k] >= RELATED][:MAX_NARRATION]
    related = [pool.statements[k] for k in sorted(said[:MAX_VOICES] + narration, key=lambda k: -sims[k])]
    calls = stance.stance(claim, [s.citation.quote for s in related])
    weighed = [Statement(s.citation, s.speaker, s.role, s.kind, c.label, c.confidence)
               for s, c in zip(related, calls)]
    weighed, relayed = _own_words(weighed)
    voices, mixed = one_side_per_voice(weighed)
    # An outlet's own narration (facts, background, its framing) is not a voice: it may bear on
    # the answer, but a side lists only what someone is reported to say.
    reporting = [s for s in voices if s.kind == NARRATION and s.stance in (SUPPORTS, CONTESTS)]
    voices = [s for s in voices if s not in reporting]
    supports = [s for s in voices if s.stance == SUPPORTS]
    contests = [s for s in voices if s.stance == CONTESTS]
    # A voice on a side is not also "unclear" for its other, uncalled statements.
    # Nor is a voice listed twice among the unclear: its likeliest statement stands for it.
    sided = {s.speaker.lower() for s in supports + contests}
    unclear = []
    # likeliest first; rounded, so that runtimes whose floats differ in the last places list them alike
    for item in sorted((s for s in voices if s.stance == UNCLEAR), key=lambda s: -round(s.confidence, 5)):
        if item.speaker.lower() not in sided:
            unclear.append(item)
            if item.kind != NARRATION:
                sided.add(item.speaker.lower())
    unlisted = len(unclear) - MAX_UNCLEAR_VOICES
    unclear = unclear[:MAX_UNCLEAR_VOICES]
    left_out = len(said) - MAX_VOICES
    note = " ".join(filter(None, [_note(related, supports, contests), _mixed_note(mixed),
                                  _reporting_note(reporting), _relayed_note(relayed),
                                  f"{unlisted} further unclear statement{'s' if unlisted != 1 else ''}, the least "
                                  f"likely to take a side, {'is' if unlisted == 1 else 'are'} not listed."
                                  if unlisted > 0 else "",
                                  f"{left_out} further attributed statements, the least related to the question, "
                                  f"were not weighed (at most {MAX_VOICES} are)." if left_out > 0 else ""]))
    return Disagreement(question, claim, asked, _sides(claim, supports, contests, asked=True), tuple(unclear),
                        note)


def one_side_per_voice(statements: list[Statement]) -> tuple[list[Statement], list[str]]:
    """A voice takes a side, not a sentence: a speaker whose statements were placed on both
    sides keeps the side that outweighs the other two to one (summed confidence), its
    statements on the other becoming unclear; short of that the speaker is mixed and all
    their placed statements are unclear. An outlet's own narration is not one voice across
    its sentences (they report others as often as they judge), so it is left as called.
    Returns the statements and the mixed speakers."""
    weight: dict[str, dict[str, float]] = {}
    for item in statements:
        if item.stance in (SUPPORTS, CONTESTS) and item.kind != NARRATION:
            sides = weight.setdefault(item.speaker.lower(), {SUPPORTS: 0.0, CONTESTS: 0.0})
            sides[item.stance] += item.confidence
    keep: dict[str, str | None] = {}
    for speaker, sides in weight.items():
        strong, weak = sorted(sides, key=lambda side: -sides[side])
        keep[speaker] = strong if sides[weak] == 0 or sides[strong] >= 2 * sides[weak] else None
    out = []
    for item in statements:
        side = keep.get(item.speaker.lower(), item.stance) if item.kind != NARRATION else item.stance
        if item.stance in (SUPPORTS, CONTESTS) and item.stance != side:
            item = Statement(item.citation, item.speaker, item.role, item.kind, UNCLEAR, item.confidence)
        out.append(item)
    mixed = sorted({s.speaker for s in statements if s.kind != NARRATION and keep.get(s.speaker.lower(), "") is None})
    return out, mixed


def _own_words(statements: list[Statement]) -> tuple[list[Statement], int]:
    """A voice's side comes from what it says, not from what it reports another saying:
    "Putin praised the partnership," an analyst says, is Putin's praise. Such a statement
    placed on a side becomes unclear. Returns the statements and how many changed."""
    placed = [k for k, s in enumerate(statements) if s.stance in (SUPPORTS, CONTESTS) and s.kind != NARRATION]
    if not placed:
        return statements, 0
    from . import _syntax as syntax

    relays = syntax.relays_another([statements[k].citation.quote for k in placed],
                                   [statements[k].speaker for k in placed])
    out = list(statements)
    for k, relayed in zip(placed, relays):
        if relayed:
            s = out[k]
            out[k] = Statement(s.citation, s.speaker, s.role, s.kind, UNCLEAR, s.confidence)
    return out, sum(relays)


def _relayed_note(relayed: int) -> str:
    if not relayed:
        return ""
    return (f"{relayed} {'statement' if relayed == 1 else 'statements'} reporting what someone else said "
            f"{'was' if relayed == 1 else 'were'} not counted as the speaker's own side.")


def _reporting_note(reporting: list[Statement]) -> str:
    if not reporting:
        return ""
    count = len(reporting)
    return (f"{count} sentence{'' if count == 1 else 's'} of the outlets' own reporting the stance model read as "
            f"taking a side {'is' if count == 1 else 'are'} not listed: an outlet's facts and framing are not a "
            "voice.")


def _mixed_note(speakers: list[str]) -> str:
    if not speakers:
        return ""
    return (f"{', '.join(speakers)} {'is' if len(speakers) == 1 else 'are'} on both sides in different statements "
            "(shown as unclear).")


def from_group(group: Group) -> Disagreement:
    """A contested group as a disagreement memo found on its own."""
    claim = group.point.text
    lead, *others = group.statements
    # The lead states the claim itself: it supports it by definition. Other members were
    # grouped as the same point; those the stance model could not call stay unclear.
    supports = [Statement(lead.citation, lead.speaker, lead.role, lead.kind, SUPPORTS, 1.0),
                *(s for s in others if s.stance in (SUPPORTS, ""))]
    unclear = tuple(s for s in others if s.stance not in (SUPPORTS, ""))[:MAX_UNCLEAR]
    contests = list(group.contested_by)
    return Disagreement(f"Contested: {_shorten(claim)}", claim, False,
                        _sides(claim, supports, contests, asked=False), unclear,
                        _note(supports + contests, supports, contests))


def _sides(claim: str, supports: list[Statement], contests: list[Statement], *, asked: bool) -> tuple[Side, Side]:
    def strongest_first(items: list[Statement]) -> tuple[Statement, ...]:
        # each voice's strongest statement first, so that the body's few lines name as many
        # voices as they can; the outlets' narration and unnamed speakers after the named
        ranked = sorted(items, key=lambda s: (not is_named(s.speaker), -s.confidence))
        seen: set[str] = set()
        first = [s for s in ranked if s.speaker.lower() not in seen and not seen.add(s.speaker.lower())]
        return tuple((first + [s for s in ranked if s not in first])[:MAX_PER_SIDE])

    body = claim.rstrip(".")
    if asked:  # a short claim from the user's question: say it both ways
        positions = (f"Yes: {body}.", f"No: {negate(body)}.")
    else:  # a sentence from a source: negating it mechanically would read badly
        positions = (f"Holds: “{_shorten(body)}”", f"Disputes: “{_shorten(body)}”")
    return (Side(SUPPORTS, positions[0], strongest_first(supports)),
            Side(CONTESTS, positions[1], strongest_first(contests)))


def _shorten(text: str, words: int = 18) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]).rstrip(",;:") + " …"


def _note(related: list[Statement], supports: list[Statement], contests: list[Statement]) -> str:
    if not related:
        return "The sources say nothing closely related to this."
    if supports and contests:
        return ""
    if supports or contests:
        side = "supporting" if supports else "contesting"
        return (f"Only the {side} side appears in the sources; no statement on the other side could be "
                "identified with confidence.")
    return "Related statements were found, but none takes a side with enough confidence to be placed."



MAX_POSITIONS = 20  # rows of "who said what"


def who_said_what(pool: Pool, disagreements: list[Disagreement], outlets: dict[str, str],
                  centre: np.ndarray) -> list[Position]:
    """One row per named speaker (not a collective) in each article: their side in a disagreement if the
    stance model placed them on one, else their statement most central to the corpus with
    no position (none was called); a speaker placed on a side has rows only where placed; in
    reading order."""
    sided: dict[tuple[str, str], tuple[Statement, str]] = {}
    for disagreement in disagreements:
        for side in disagreement.sides:
            for item in side.statements:
                key = (item.citation.article_id, item.speaker.lower())
                if item.kind != NARRATION and key not in sided:
                    sided[key] = (item, side.position)
    sided = {key: value for key, value in sided.items() if is_named(value[0].speaker)}
    # A speaker's side is their own whichever outlet quotes them: one placed on a side gets no
    # "No side called" row from another outlet's quotation (it would read as a second position).
    placed = {speaker for _, speaker in sided}
    best: dict[tuple[str, str], tuple[float, Statement]] = {}
    for n, item in enumerate(pool.statements):
        if item.kind == NARRATION or not is_named(item.speaker):
            continue
        key = (item.citation.article_id, item.speaker.lower())
        if key[1] in placed and key not in sided:
            continue
        score = float(pool.vectors[n] @ centre)
        if key not in best or score > best[key][0]:
            best[key] = (score, item)
    keys = sorted(best, key=lambda k: (k not in sided, -best[k][0]))[:MAX_POSITIONS]
    rows = []
    for key in keys:
        item, position = sided.get(key, (best[key][1], ""))
        rows.append(Position(item.speaker, item.role, outlets.get(item.citation.article_id, ""), position, item))
    order = {a: n for n, a in enumerate(outlets)}
    rows.sort(key=lambda r: (order.get(r.statement.citation.article_id, 0), r.statement.citation.start))
    return rows


def agreement_matrix(groups: list[Group], article_ids: list[str]) -> list[AgreementRow]:
    """For each group shown, each source's part: supports, contests or silent."""
    rows = []
    for group in groups:
        cells, evidence = [], []
        for article_id in article_ids:
            against = [s.citation for s in group.contested_by if s.citation.article_id == article_id]
            behind = [s.citation for s in group.statements if s.citation.article_id == article_id]
            if against:
                cells.append(CONTESTS)
                evidence.append(against[0])
            elif behind:
                cells.append(SUPPORTS)
                evidence.append(behind[0])
            else:
                cells.append("silent")
                evidence.append(None)
        rows.append(AgreementRow(group.point, group.label, tuple(cells), tuple(evidence)))
    return rows
