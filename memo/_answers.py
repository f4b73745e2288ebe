"""One-word answers from a generation model: a prompt that asks for one of a few words
("yes", "no", "neither") and the probability of each as the model's reply. The generation
backends (``_abstractive``, ``_openai``) give them through ``judge(prompts, answers)``; the
LLM stance judge (``_stance.LLMStance``) reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Judgement:
    """A model's one-word answer to a prompt that asks for one of a few words (``judge``):
    ``answer`` is the word it gave, or None when its reply was none of them; ``probabilities``
    each word's probability as its reply; ``how`` where those come from ("token
    probabilities" of the reply's first token, or the share of "sampled answers")."""

    answer: str | None
    probabilities: dict[str, float]
    how: str


TOKEN_PROBABILITIES, SAMPLED = "token probabilities", "sampled answers"
_WORD = re.compile(r"[^\W\d_]+")


def parse_answer(reply: str, answers: Sequence[str]) -> str | None:
    """The answer word a reply gives, read strictly: its first word must be one of ``answers``
    (any case, markup or punctuation around it: "Yes.", "**No**, because ..."); else None."""
    words = _WORD.findall(reply)
    return words[0].lower() if words and words[0].lower() in answers else None
