import copy
import pickle

import pytest

from memo._model import Article, Memo, Method


class CountingArticles(tuple):
    """The memo's articles, counting how often they are walked."""

    walks = 0

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def _memo(articles) -> Memo:
    return Memo("T", "To", "From", "2024-01-02", "Subject", (), (), (), articles, Method(("step",), ()))


def test_article_lookup_finds_the_right_article_without_walking_the_list_each_time():
    articles = CountingArticles(Article(f"a{n}", f"Text {n}.", outlet=f"Outlet {n}") for n in range(500))
    brief = _memo(articles)
    CountingArticles.walks = 0
    for n in range(500):
        assert brief.article(f"a{n}").outlet == f"Outlet {n}"
    assert CountingArticles.walks <= 1  # the id index is built once, not a scan per lookup
    with pytest.raises(KeyError, match="no-such-id"):
        brief.article("no-such-id")


def test_the_article_index_changes_neither_equality_nor_json_nor_pickling():
    brief = _memo((Article("a", "Alpha text."), Article("b", "Beta text.")))
    fresh = _memo((Article("a", "Alpha text."), Article("b", "Beta text.")))
    json_before = brief.to_json()
    assert brief.article("b").text == "Beta text."
    assert brief == fresh and brief.to_json() == json_before and "index" not in json_before
    restored = pickle.loads(pickle.dumps(brief))
    assert restored == brief and restored.article("a").text == "Alpha text."
    assert copy.deepcopy(brief).article("b") == brief.article("b")
    assert len(pickle.dumps(brief)) == len(pickle.dumps(fresh))  # the index is not pickled
