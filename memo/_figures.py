"""The figures a sentence gives (counts, amounts, shares, days and dates), and whether two
sentences that make one point give different ones.

A consensus point is only agreed when its figures agree: "153 people were sickened" and "150
people were sickened" can be one rounding of the other, "two deaths" and "four deaths" cannot.
Figures are compared only within one measure, named by the word the figure counts ("153
people" and "56 people" are both counts of people; "56 cases" is another measure and is left
alone), so a sentence's other numbers never make a difference. Precision over recall: a figure
memo cannot read ("dozens", "a handful") is not a figure.

Plain patterns over the sentence's characters: each figure keeps the exact span it was read
from, so the memo quotes it verbatim, and no parser is needed (spaCy is optional at run time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

_UNITS_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                "fifteen sixteen seventeen eighteen nineteen twenty").split()
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBER_WORDS = {**{w: n for n, w in enumerate(_UNITS_WORDS)}, **_TENS, "hundred": 100, "dozen": 12}
_ORDINALS = {w: n for n, w in enumerate(("first second third fourth fifth sixth seventh eighth ninth tenth "
                                         "eleventh twelfth").split(), start=1)}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9}
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_MONTHS = "January February March April May June July August September October November December".split()
# Words before a figure that make it approximate or a bound: it agrees with any figure within a quarter.
_APPROXIMATE = re.compile(r"(?:about|around|nearly|almost|roughly|approximately|some|over|more than|less than|"
                          r"fewer than|at least|up to|under|upwards of|as many as|as much as|close to|an estimated|"
                          r"estimated)\s+$", re.I)
APPROXIMATE_SHARE = 0.25

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORDS = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_NUMBER = rf"(?:{_DIGITS}|(?:{_WORDS})\b)"
_FIGURE = re.compile(
    rf"(?<![\w.,$€£-])(?P<currency>[$€£])?(?P<low>{_NUMBER})"
    rf"(?:\s*(?:-|–|to|or)\s*(?P<high>{_NUMBER}))?"  # a range: "2.3 to 2.7 kg", "14-15"
    rf"(?:\s+(?P<scale>thousand|million|billion|trillion|bn)\b)?"
    rf"(?:(?P<percent>\s*%|\s+per\s?cent\b|\s+percent\b)"
    rf"|(?:\s+|-)(?P<of>of\s+(?:the\s+)?)?(?P<unit>[A-Za-z][A-Za-z’']*(?:-old)?(?-i:\s+[A-Z][A-Za-z’']*)*))?",
    re.I)
_ORDINAL = re.compile(rf"(?<![\w-])(?P<ordinal>{'|'.join(_ORDINALS)}|\d+(?:st|nd|rd|th))\s+"
                      r"(?P<unit>[A-Za-z][A-Za-z’']*)", re.I)
_WEEKDAY = re.compile(rf"\b(?P<day>{'|'.join(_WEEKDAYS)})\b")
_DATE = re.compile(rf"\b(?P<month>{'|'.join(_MONTHS)})(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b)?")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True)
class Quantity:
    """One figure of a sentence: what it measures, its value (a range for "14-15"; a name for a
    day or a month), how precisely it is stated, and the characters it was read from."""

    measure: str  # "person", "kg", "$", "percent", "year ago", "day of the week", "month", "date", ...
    low: float | str
    high: float | str
    precision: float  # half a unit of the last stated digit (150: 5; 65.4: 0.05), or a share if approximate
    start: int
    end: int

    def agrees(self, other: "Quantity") -> bool:
        """Could both be true of one thing: equal names, or ranges that meet once each is widened
        by its own rounding ("150" holds 145-155, so it agrees with "153")."""
        if isinstance(self.low, str) or isinstance(other.low, str):
            return self.low == other.low
        return self.low - self._slack() <= other.high + other._slack() and \
            other.low - other._slack() <= self.high + self._slack()

    def _slack(self) -> float:
        return self.precision if self.precision >= 0 else -self.precision * abs(float(self.high))


def figures(text: str) -> list[Quantity]:
    """The figures ``text`` states, in order."""
    found: list[Quantity] = []
    for match in _FIGURE.finditer(text):
        figure = _numeric(match, text)
        if figure is not None:
            found.append(figure)
    for match in _ORDINAL.finditer(text):
        unit = _measure(match.group("unit"))
        if unit is not None:
            word = match.group("ordinal").lower()
            value = float(_ORDINALS[word] if word in _ORDINALS else int(word[:-2]))
            found.append(Quantity(f"{unit} (rank)", value, value, 0.5, match.start(), match.end("ordinal")))
    for match in _WEEKDAY.finditer(text):
        found.append(Quantity("day of the week", match.group("day"), match.group("day"), 0, match.start(), match.end()))
    for match in _DATE.finditer(text):
        month = match.group("month")
        if month == "May" and not match.group("day"):
            continue  # the modal verb as often as the month
        found.append(Quantity("month", month, month, 0, match.start(), match.end("month")))
        if match.group("day"):
            date = f"{month} {int(match.group('day'))}"
            found.append(Quantity("date", date, date, 0, match.start(), match.end()))
    return sorted(found, key=lambda f: (f.start, f.measure))


def _numeric(match: re.Match, text: str) -> Quantity | None:
    low_text, high_text = match.group("low"), match.group("high")
    if low_text.lower() in _NUMBER_WORDS and match.group("currency") is None and not (
            match.group("unit") or match.group("percent")):
        return None  # "one", "two": a bare number word measures nothing
    if match.group("of") and low_text.lower() in _NUMBER_WORDS:
        return None  # "one of the men", "two of them": a part of a whole, not a count
    if _YEAR.match(low_text) and not high_text and not match.group("currency") and not match.group("percent"):
        return None  # a year dates a figure; it is not one (years are compared as context nowhere)
    scale = _SCALES.get((match.group("scale") or "").lower(), 1.0)
    low, low_step = _value(low_text)
    high, high_step = _value(high_text) if high_text else (low, low_step)
    start = match.start()
    if high < low:  # "at the age of 16 to 13 years in prison": two figures, the second one measured
        low, low_step, start = high, high_step, match.start("high")
    if match.group("currency"):
        measure = match.group("currency")
        end = match.end("scale") if match.group("scale") else match.end("high") if high_text else match.end("low")
    elif match.group("percent"):
        measure, end = "percent", match.end("percent")
    else:
        unit = match.group("unit") or ""
        if unit[:1].islower():  # only a name runs on ("11 Great Pyramids"), not "153 people Monday"
            unit = unit.split()[0]
        measure = _measure(unit)
        if measure is None:
            return None
        end = match.start("unit") + len(unit)
        ago = re.match(r"\s+ago\b", text[end:])
        if ago:  # "10 years ago" dates something; "27 years" lasts
            measure, end = measure + " ago", end + ago.end()
    precision = max(low_step, high_step) * scale / 2
    if _APPROXIMATE.search(text[:match.start()]):
        precision = -APPROXIMATE_SHARE  # a share of the value (see Quantity._slack)
    return Quantity(measure, low * scale, high * scale, precision, start, end)


def _value(number: str) -> tuple[float, float]:
    """The number and the step of its last stated digit ("150" -> 10, "65.4" -> 0.1, "7" -> 1)."""
    word = number.lower()
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word]), 1.0
    digits = number.replace(",", "")
    if "." in digits:
        return float(digits), 10.0 ** -len(digits.split(".")[1])
    stripped = digits.rstrip("0")
    return float(digits), 10.0 ** (len(digits) - len(stripped)) if stripped else 1.0


def _stopwords() -> frozenset[str]:
    text = resources.files("memo.data").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


# Words after a number that are not what it counts ("2 of", "5 in", "9:30 p.m.").
# memo's stopwords, less the units of time they hold ("two days" measures a time).
_NOT_MEASURES = (_stopwords() - frozenset("week year years day days".split())) | frozenset(
    "percent per cent am pm p.m a.m".split()) | {w.lower() for w in _MONTHS + _WEEKDAYS}


def _measure(word: str) -> str | None:
    """What a number counts, from the word after it, in one form ("deaths" -> "death",
    "people" -> "person"); None when the word is not a measure."""
    # a name counted ("11 Great Pyramids") is measured by all of it: "great pyramid"
    word = " ".join(word.split()).lower().replace("’", "'").removesuffix("'s")
    if word.endswith("-old") or word in ("old", "years-old"):
        # Ages are left alone: one sentence gives several people's ("an 18-year-old woman ... of
        # 14- and 15-year-old girls"), and which person each belongs to takes a parse.
        return None
    if not word or word in _NOT_MEASURES or len(word) < 2 and word not in ("m", "g"):
        return None
    irregular = {"people": "person", "persons": "person", "feet": "foot", "men": "man", "women": "woman",
                 "children": "child", "teeth": "tooth", "mice": "mouse"}
    if word in irregular:
        return irregular[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


@dataclass(frozen=True)
class Difference:
    """Two sentences of one point that give different figures of one measure."""

    measure: str
    left: tuple[Quantity, ...]
    right: tuple[Quantity, ...]


def differences(left: str, right: str) -> list[Difference]:
    """The measures both sentences give figures of where no figure of one agrees with any of
    the other's ("two deaths" / "four deaths"); a measure either gives a matching figure of
    ("14 and 15" against "15") is agreed."""
    mine, theirs = _by_measure(figures(left)), _by_measure(figures(right))
    out = []
    for measure in mine.keys() & theirs.keys():
        if not any(a.agrees(b) for a in mine[measure] for b in theirs[measure]):
            out.append(Difference(measure, tuple(mine[measure]), tuple(theirs[measure])))
    return sorted(out, key=lambda d: d.left[0].start)


def _by_measure(found: list[Quantity]) -> dict[str, list[Quantity]]:
    out: dict[str, list[Quantity]] = {}
    for figure in found:
        out.setdefault(figure.measure, []).append(figure)
    return out
