"""The stance data memo's model is trained and scored on, read from a folder laid out like
``../shared/eval`` (see its README). One place for the training script and the benchmarks,
so that both build (claim, text) pairs, labels and splits the same way.

Labels are memo's four: supports, contests, discusses (related, no side) and unrelated;
memo treats the last two as "neither". Each dataset's own test or dev part never reaches
``training_pairs``.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

LABELS = ("unrelated", "discusses", "supports", "contests")
UNRELATED, DISCUSSES, SUPPORTS, CONTESTS = range(4)

# FNC-1's own four classes map one to one onto memo's.
FNC_LABELS = {"unrelated": UNRELATED, "discuss": DISCUSSES, "agree": SUPPORTS, "disagree": CONTESTS}
FNC_DEV_SHARE = 0.2  # bodies held out of training for scoring
PASSAGE_SENTENCES = 3  # a body is judged from its sentences most related to the headline


@dataclass(frozen=True)
class Pair:
    claim: str
    text: str
    label: int
    source: str


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- Perspectrum -------------------------------------------------------------------------

def perspectrum(folder: Path) -> dict[str, list[tuple[str, list[str], list[int]]]]:
    """Per split ("train", "dev"): (claim, perspectives, labels SUPPORTS/CONTESTS), from the
    Perspectrum folder (claims_train_dev.json, perspectives_train_dev.json, split_train_dev.json)."""
    claims = json.loads((folder / "claims_train_dev.json").read_text(encoding="utf-8"))
    texts = {p["pId"]: p["text"] for p in json.loads((folder / "perspectives_train_dev.json").read_text("utf-8"))}
    split = json.loads((folder / "split_train_dev.json").read_text(encoding="utf-8"))
    out: dict[str, list] = {"train": [], "dev": []}
    for claim in claims:
        rows, labels = [], []
        for cluster in claim["perspectives"]:
            for pid in cluster["pids"]:
                if pid in texts:
                    rows.append(texts[pid])
                    labels.append(SUPPORTS if cluster["stance_label_3"] == "SUPPORT" else CONTESTS)
        if rows and split.get(str(claim["cId"])) in out:
            out[split[str(claim["cId"])]].append((claim["text"], rows, labels))
    return out


def perspectrum_pairs(claims: list[tuple[str, list[str], list[int]]], rng: random.Random, *,
                      unrelated_share: float = 0.25) -> list[Pair]:
    """Every labelled perspective, plus "unrelated" pairs: a claim with a perspective
    written for another claim drawn at random. (Drawing it from the claims closest in words
    made pairs that often do bear on the claim: label noise.)"""
    pairs = [Pair(claim, text, label, "perspectrum") for claim, texts, labels in claims
             for text, label in zip(texts, labels)]
    for n, (claim, texts, _) in enumerate(claims):
        for _ in range(max(1, round(len(texts) * unrelated_share))):
            other = rng.randrange(len(claims))
            if other != n:
                other_texts = claims[other][1]
                pairs.append(Pair(claim, other_texts[rng.randrange(len(other_texts))], UNRELATED,
                                  "perspectrum-unrelated"))
    return pairs


_STOP = set("the a an of to in on and or for is are be should would it that this with as by not".split())


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 2}


# --- IBM claim stance, IBM ArgKP, UKP ARC (stance_train/) ----------------------------------

def _rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _plain_topic(topic: str) -> str:
    """IBM debate motions as plain claims: "This house believes that X" -> "X"; "This house
    would X" -> "We should X"."""
    topic = re.sub(r"^This house believes that\s+", "", topic.strip(), flags=re.I)
    topic = re.sub(r"^This house would\s+", "We should ", topic, flags=re.I)
    return topic[:1].upper() + topic[1:]


def stance_train(data: Path, split: str) -> list[Pair]:
    """The ``split`` part of each stance_train/ file ("train", or "dev"/"test" to score)."""
    folder = data / "stance_train"
    pairs = []
    polar = {"PRO": SUPPORTS, "CON": CONTESTS}
    for row in _rows(folder / "ibm_claim_stance.csv"):
        if row["split"] == split:
            pairs.append(Pair(_plain_topic(row["topic_or_premise"]), row["text_or_hypothesis"],
                              polar[row["label"]], "ibm_claim_stance"))
    for row in _rows(folder / "ibm_argkp_2021_stance.csv"):
        if row["split"] == split:
            pairs.append(Pair(row["topic_or_premise"], row["text_or_hypothesis"].lstrip("`"),
                              polar[row["label"]], "ibm_argkp"))
    for row in _rows(folder / "ukp_arc_stance.csv.gz"):
        if row["split"] == split:
            pairs.append(Pair(row["topic_or_premise"], row["text_or_hypothesis"], FNC_LABELS[row["label"]], "ukp_arc"))
    return pairs


# --- FNC-1 ---------------------------------------------------------------------------------

def fnc1_split(folder: Path, seed: int = 0) -> dict[str, list[tuple[str, str, int]]]:
    """(headline, body id, label) for "train" and "dev", split by body: a seeded share of the
    bodies is held out, so that no body is seen in both. ``folder`` has FNC-1's
    ``stances.csv`` and ``bodies.csv``."""
    rows = _rows(folder / "stances.csv")
    bodies = sorted({row["Body ID"] for row in rows}, key=int)
    random.Random(seed).shuffle(bodies)
    held_out = set(bodies[:round(len(bodies) * FNC_DEV_SHARE)])
    out: dict[str, list] = {"train": [], "dev": []}
    for row in rows:
        part = "dev" if row["Body ID"] in held_out else "train"
        out[part].append((row["Headline"], row["Body ID"], FNC_LABELS[row["Stance"]]))
    return out


def fnc1_bodies(folder: Path) -> dict[str, str]:
    return {row["Body ID"]: row["articleBody"] for row in _rows(folder / "bodies.csv")}


BACKGROUND_FLOOR = 0.3  # cosine to the headline: on its matter, not a stray line


class Passages:
    """A body judged from its sentences closest to the headline (cosine of the embedder),
    kept in body order: the same choice in training and in the benchmark, and close to what
    memo itself weighs (sentences, not whole articles)."""

    def __init__(self, bodies: dict[str, str], embedder, sentences: int = PASSAGE_SENTENCES):
        from memo._segment import split_text

        self.embedder, self.count, self.bodies = embedder, sentences, bodies
        self.sentences = {body: [s for s in split_text(text) if len(s.split()) >= 4] or [text[:500]]
                          for body, text in bodies.items()}
        flat = [s for body in sorted(self.sentences, key=int) for s in self.sentences[body]]
        vectors = embedder.embed(flat)
        self.vectors, start = {}, 0
        for body in sorted(self.sentences, key=int):
            end = start + len(self.sentences[body])
            self.vectors[body] = vectors[start:end]
            start = end
        self._headlines: dict[str, object] = {}

    def prepare(self, headlines: list[str]) -> None:
        todo = sorted(set(headlines) - set(self._headlines))
        if todo:
            self._headlines.update(zip(todo, self.embedder.embed(todo)))

    def similarities(self, headline: str, body: str):
        """Cosine of the headline with each of the body's sentences."""
        self.prepare([headline])
        return self.vectors[body] @ self._headlines[headline]

    def passage(self, headline: str, body: str) -> str:
        sims = self.similarities(headline, body)
        best = sorted(sorted(range(len(sims)), key=lambda k: -float(sims[k]))[:self.count])
        return " ".join(self.sentences[body][k] for k in best)

    def background(self, headline: str, body: str, rng, *, floor: float = BACKGROUND_FLOOR) -> str | None:
        """One sentence of the body on the headline's matter (cosine at least ``floor``) but
        outside the passage: in a news story these are mostly facts and background that take
        no side, which is what memo meets sentence by sentence. ``None`` if there is none."""
        sims = self.similarities(headline, body)
        ranked = sorted(range(len(sims)), key=lambda k: -float(sims[k]))
        rest = [k for k in ranked[self.count:] if sims[k] >= floor and len(self.sentences[body][k].split()) >= 6]
        return self.sentences[body][rest[rng.randrange(len(rest))]] if rest else None


# --- Scores --------------------------------------------------------------------------------

def forced_sides(probs, labels):
    """Supports vs contests on the pairs whose gold label is one of them, whatever the doubt:
    (gold, forced call) arrays. ``probs`` columns in LABELS order."""
    import numpy as np

    sided = np.isin(labels, (SUPPORTS, CONTESTS))
    calls = np.where(probs[:, SUPPORTS] >= probs[:, CONTESTS], SUPPORTS, CONTESTS)
    return labels[sided], calls[sided]


def macro_f1(gold, predicted, classes=(SUPPORTS, CONTESTS)) -> float:
    scores = []
    for label in classes:
        tp = float(((predicted == label) & (gold == label)).sum())
        p = tp / max(1, int((predicted == label).sum()))
        r = tp / max(1, int((gold == label).sum()))
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(scores) / len(scores)


def fnc_score(predicted, labels) -> float:
    """The FNC-1 weighted score as a share of the best possible: 0.25 for related vs
    unrelated right, 0.75 more for the right related class."""
    def score(guess) -> float:
        total = 0.0
        for g, t in zip(guess, labels):
            if (g == UNRELATED) == (t == UNRELATED):
                total += 0.25
            if t != UNRELATED and g == t:
                total += 0.75
        return total
    return score(predicted) / score(labels)


# --- Contradiction pairs -----------------------------------------------------------------
# The published stance sets teach topic and argument, not plain factual contradiction: a
# model trained on them read "the bridge will stay closed" as supporting "the bridge will
# reopen" (same matter, same words). These pairs are built from news sentences of the FNC-1
# training bodies: a sentence against itself turned to say the contrary (one word swapped
# for its opposite from ``tools/data/opposites.tsv``, or its verb negated) contests it, both
# ways; a sentence against itself, or reported ("..., officials said."), supports it, so that
# near-verbatim repeats across outlets keep reading as agreement.

OPPOSITES_FILE = Path(__file__).resolve().parent / "data" / "opposites.tsv"
_REPORTED = ("{s}, officials said.", "According to reports, {s}.", "{s}, a spokesperson said.", "{s}.")


def opposites(path: Path = OPPOSITES_FILE) -> dict[str, str]:
    """Word -> its opposite, read both ways (the first line naming a word wins)."""
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        word, opposite = (part.strip() for part in line.split("\t", 1))
        table.setdefault(word, opposite)
        if " " not in opposite:
            table.setdefault(opposite, word)
    return table


def turned(sentence: str, table: dict[str, str], rng: random.Random) -> str | None:
    """``sentence`` made to say the contrary: one word (picked at random among those in
    ``table``) swapped for its opposite, or else its first auxiliary negated; None if neither."""
    from memo._stance import negate

    words = [m for m in re.finditer(r"[A-Za-z]+", sentence) if m.group().lower() in table]
    if words:
        m = words[rng.randrange(len(words))]
        opposite = table[m.group().lower()]
        if m.group()[0].isupper():
            opposite = opposite[0].upper() + opposite[1:]
        return sentence[:m.start()] + opposite + sentence[m.end():]
    negated = negate(sentence)
    if negated.startswith("It is not true that"):
        return None
    return negated + sentence.rstrip()[-1:] if sentence.rstrip()[-1:] in ".!?" else negated


def _reported(sentence: str, rng: random.Random) -> str:
    from memo._stance import _lower_first

    body = sentence.strip().rstrip(".!?")
    form = _REPORTED[rng.randrange(len(_REPORTED))]
    return form.format(s=_lower_first(body) if form.startswith("According") else body)


# How news reports a view: the same statement quoted with its speaker, or reported. The names
# and roles are generic (no story's people); the stance is the statement's own, whoever says it.
_FIRST_NAMES = ("James", "Maria", "David", "Sarah", "Ahmed", "Elena", "John", "Priya", "Tomas", "Grace",
                "Kenji", "Fatima", "Peter", "Ana", "Michael", "Olga")
_SURNAMES = ("Smith", "Garcia", "Brown", "Kumar", "Nowak", "Chen", "Okafor", "Rossi", "Miller", "Haddad",
             "Novak", "Jensen", "Walker", "Silva", "Cohen", "Ito")
_ROLES = ("a senior fellow at a research institute", "a professor of politics", "a spokesperson for the ministry",
          "the opposition leader", "a former government official", "a lawyer for the family",
          "an analyst at a consultancy", "a member of parliament", "the group's director", "a retired judge")
_FRAMES = ("\u201c{s},\u201d {who} said.", "\u201c{s},\u201d said {who}, {role}.", "{who}, {role}, said {l}.",
           "{who} argued that {l}.", "According to {who}, {l}.", "{who} told reporters: \u201c{s}.\u201d",
           "In a statement, {who} said {l}.", "\u201c{s}.\u201d", "{who} said in an interview that {l}.",
           "Speaking on Tuesday, {who} said: \"{s}.\"")


_CLOSED_CLASS = set("""the a an this that these those it its there they them their we our you your he she his her
some many most all any no every each one such if when while because although though since as in on at for by
with without from to of under over after before during more less most few several both either neither not
is are was were be been being do does did can could should would will may might must shall""".split())


def attributed(statement: str, rng: random.Random) -> str:
    """``statement`` as a news story reports it: quoted or reported, with a speaker."""
    body = statement.strip().rstrip(".!? ")
    opening = body.split(" ", 1)[0]
    # Reported speech lowercases the first word; only a closed-class word is surely not a name
    # ("It would ..." -> "said it would ..."), else the statement is quoted as it is.
    lower = body[0].lower() + body[1:] if opening.lower() in _CLOSED_CLASS else None
    first, last = _FIRST_NAMES[rng.randrange(len(_FIRST_NAMES))], _SURNAMES[rng.randrange(len(_SURNAMES))]
    who = (f"{first} {last}", f"Mr {last}" if rng.random() < 0.5 else f"Ms {last}", "a spokesperson",
           "one official")[rng.randrange(4)]
    frames = _FRAMES if lower is not None else [f for f in _FRAMES if "{l}" not in f]
    frame = frames[rng.randrange(len(frames))]
    if frame.startswith("{who}"):
        who = who[0].upper() + who[1:]
    return frame.format(s=body, l=lower, who=who, role=_ROLES[rng.randrange(len(_ROLES))])


def news_framed(pairs: list[Pair], rng: random.Random, share: float, sources: tuple[str, ...]) -> list[Pair]:
    """``pairs`` with a seeded ``share`` of the sided statements from ``sources`` (debate
    perspectives and arguments, written bare) replaced by the same statement as news reports
    it (``attributed``); the label is unchanged. Replaced, not added: the training time stays."""
    out = []
    for pair in pairs:
        if pair.label in (SUPPORTS, CONTESTS) and pair.source.split("-")[0] in sources and rng.random() < share:
            pair = Pair(pair.claim, attributed(pair.text, rng), pair.label, pair.source + "-framed")
        out.append(pair)
    return out


def news_sentences(bodies: dict[str, str], body_ids, rng: random.Random, count: int) -> list[str]:
    """``count`` distinct sentences of 8 to 40 words from the given bodies, drawn at random."""
    from memo._segment import split_text

    pool = sorted({s.strip() for b in sorted(set(body_ids), key=int) for s in split_text(bodies[b])
                   if 8 <= len(s.split()) <= 40 and '"' not in s})
    rng.shuffle(pool)
    return pool[:count]


def contradiction_pairs(sentences: list[str], rng: random.Random, source: str,
                        table: dict[str, str] | None = None) -> list[Pair]:
    """Per sentence that can be turned: (s, turned s) and (turned s, s) contest; (s, s) and
    (turned s, turned s reported) support. Balanced, so that a small change of wording is not
    itself read as a contest."""
    table = opposites() if table is None else table
    pairs = []
    for sentence in sentences:
        contrary = turned(sentence, table, rng)
        if contrary is None or contrary == sentence:
            continue
        pairs += [Pair(sentence, contrary, CONTESTS, source), Pair(contrary, sentence, CONTESTS, source),
                  Pair(sentence, sentence, SUPPORTS, source),
                  Pair(contrary, _reported(contrary, rng), SUPPORTS, source)]
    return pairs


def statement_negated(pairs: list[Pair], rng: random.Random, share: float) -> list[Pair]:
    """A seeded ``share`` of the sided pairs with the *statement* negated and the side flipped
    ("Phones distract pupils" -> "Phones do not ..." only where an auxiliary is there to
    negate): a negation word in a statement then no longer reads as a contest by itself."""
    from memo._stance import negate

    flipped = {SUPPORTS: CONTESTS, CONTESTS: SUPPORTS}
    out = []
    for pair in pairs:
        if pair.label not in flipped or rng.random() >= share:
            continue
        negated = negate(pair.text)
        if negated.startswith("It is not true that"):
            continue
        end = pair.text.rstrip()[-1:] if pair.text.rstrip()[-1:] in ".!?" else ""
        out.append(Pair(pair.claim, negated + end, flipped[pair.label], pair.source + "-statement-negated"))
    return out


def perspectrum_paraphrases(folder: Path, split: str, rng: random.Random, cap: int) -> list[Pair]:
    """Two perspectives of one Perspectrum cluster (equivalent statements) support each
    other: agreement between statements in different words, as memo checks its groups."""
    claims = json.loads((folder / "claims_train_dev.json").read_text(encoding="utf-8"))
    texts = {p["pId"]: p["text"] for p in json.loads((folder / "perspectives_train_dev.json").read_text("utf-8"))}
    splits = json.loads((folder / "split_train_dev.json").read_text(encoding="utf-8"))
    pairs = []
    for claim in claims:
        if splits.get(str(claim["cId"])) != split:
            continue
        for cluster in claim["perspectives"]:
            members = [texts[p] for p in cluster["pids"] if p in texts]
            for a, b in zip(members, members[1:]):
                pairs.append(Pair(a, b, SUPPORTS, "perspectrum-paraphrase"))
    rng.shuffle(pairs)
    return sorted(pairs[:cap], key=lambda p: (p.claim, p.text))
