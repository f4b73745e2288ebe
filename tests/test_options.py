import dataclasses
import inspect

import pytest

import memo
from memo._errors import ArgumentError
from memo._options import Options


def _of(**changes) -> Options:
    """``Options.of`` with ``memo.build``'s defaults, as build calls it."""
    defaults = {name: p.default for name, p in inspect.signature(memo.build).parameters.items()
                if name not in ("sources", "progress")}
    return Options.of(**{**defaults, **changes})


def test_the_defaults_are_builds_defaults_and_the_object_is_frozen():
    assert _of() == Options()  # build's signature and the dataclasses agree on every default
    with pytest.raises(dataclasses.FrozenInstanceError):
        Options().lengths.key_points = 3


def test_values_are_normalised_once():
    options = _of(questions="Is the dam safe?", limits={"pdf_pages": 10}, article_words=50)
    assert options.comparison.questions == ("Is the dam safe?",)
    assert options.runtime.limits.pdf_pages == 10 and options.runtime.limits.html_depth == 256
    assert options.lengths.article_budget.words == 50


@pytest.mark.parametrize("bad, named", [({"max_stories": 0}, "max_stories"), ({"limits": {"pdf_pages": -1}}, "pdf_pages"),
                                        ({"questions": ["ok?", 3]}, "questions")])
def test_bad_values_fail_naming_the_option(bad, named):
    with pytest.raises(ArgumentError, match=named):
        _of(**bad)


def test_builds_docstring_gives_the_layouts_defaults():
    import dataclasses
    import re

    import memo
    from memo._render.common import Layout

    text = " ".join(memo.build.__doc__.split())
    for field in dataclasses.fields(Layout):
        found = re.search(rf"``{field.name}`` \([^)]*?(\w+)\)", text)
        assert found and found.group(1) == str(field.default), field.name
