"""Prompt templates: files, not code. One per abstractive task, shipped in ``prompts/``
(installed as the package ``memo.prompts``) and overridable per run by a folder of copies.

``{{name}}`` is replaced by a variable's value in a single pass: inserted text (article text
included) is data and is never read as template syntax. Leading ``#`` lines document the
template and are not sent to the model. Unknown variables and unclosed ``{{`` fail fast
with the file, the line and the variables allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ._errors import PromptError

# The variables the code supplies to each task's template.
TASKS: dict[str, frozenset[str]] = {
    "article_summary": frozenset({"title", "outlet", "date", "words", "text"}),
    "corpus_synthesis": frozenset({"subject", "sources", "words", "summaries"}),
    "bottom_line": frozenset({"subject", "sentences", "summaries"}),
    "disagreement_side": frozenset({"question", "claim", "stance", "statements"}),
    "stance_judge": frozenset({"claim", "statement"}),
}

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Template:
    name: str
    origin: str  # the file it was read from
    text: str  # the whole file
    body: str  # what is sent to the model, before substitution
    variables: frozenset[str]

    def render(self, **values) -> str:
        missing = self.variables - values.keys()
        if missing:  # a bug in memo, not in the template: the code must supply every variable
            raise PromptError(f"{self.origin}: no value given for {', '.join(sorted(missing))}")
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.body)


def parse(name: str, text: str, origin: str) -> Template:
    """Check a template against what its task supplies; ``PromptError`` names file and line."""
    allowed = TASKS.get(name)
    if allowed is None:
        raise PromptError(f"{origin}: no task is called {name!r}; the tasks are {', '.join(sorted(TASKS))}")
    lines = text.splitlines(keepends=True)
    skip = 0
    while skip < len(lines) and lines[skip].startswith("#"):
        skip += 1
    body = "".join(lines[skip:])
    used: set[str] = set()
    for number, line in enumerate(lines[skip:], start=skip + 1):
        for match in _PLACEHOLDER.finditer(line):
            variable = match.group(1)
            if not _NAME.match(variable):
                raise PromptError(f"{origin}:{number}: {{{{{variable}}}}} is not a variable name; "
                                  f"{name} may use {_listed(allowed)}")
            if variable not in allowed:
                raise PromptError(f"{origin}:{number}: unknown variable {{{{{variable}}}}}; "
                                  f"{name} may use {_listed(allowed)}")
            used.add(variable)
        rest = _PLACEHOLDER.sub("", line)
        if "{{" in rest or "}}" in rest:
            raise PromptError(f"{origin}:{number}: unbalanced {{{{ or }}}} (write variables as {{{{name}}}}); "
                              f"{name} may use {_listed(allowed)}")
    if not body.strip():
        raise PromptError(f"{origin}: the template is empty")
    return Template(name, origin, text, body, frozenset(used))


def _listed(names) -> str:
    return ", ".join(f"{{{{{n}}}}}" for n in sorted(names))


class Prompts:
    """The templates in force: a user folder's files first, the shipped ones otherwise."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder is not None else None
        if self.folder is not None and not self.folder.is_dir():
            raise PromptError(f"{self.folder}: prompts folder not found")
        self._cache: dict[str, Template] = {}

    def source(self, name: str) -> tuple[str, str]:
        """(text, origin) of a task's template."""
        if name not in TASKS:
            raise PromptError(f"no prompt called {name!r}; the prompts are {', '.join(sorted(TASKS))}")
        if self.folder is not None and (self.folder / f"{name}.txt").is_file():
            path = self.folder / f"{name}.txt"
            try:
                return path.read_text(encoding="utf-8"), str(path)
            except (OSError, UnicodeDecodeError) as exc:
                raise PromptError(f"{path}: cannot read ({exc})") from None
        shipped = resources.files("memo.prompts").joinpath(f"{name}.txt")
        return shipped.read_text(encoding="utf-8"), f"prompts/{name}.txt (shipped)"

    def get(self, name: str) -> Template:
        if name not in self._cache:
            self._cache[name] = parse(name, *self.source(name))
        return self._cache[name]

    def check(self) -> None:
        """Parse every template now, so a broken one fails before any slow work."""
        for name in TASKS:
            self.get(name)
        if self.folder is not None:
            for path in sorted(self.folder.glob("*.txt")):
                if path.stem not in TASKS:
                    raise PromptError(f"{path}: no task is called {path.stem!r}; the prompt files are "
                                      + ", ".join(f"{n}.txt" for n in sorted(TASKS)))

    def listing(self) -> list[tuple[str, str, frozenset[str]]]:
        """(name, origin, variables used) for every task."""
        return [(name, self.get(name).origin, self.get(name).variables) for name in TASKS]
