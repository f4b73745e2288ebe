import json
import re
from pathlib import Path

import pytest

import memo
from memo._errors import InputError


def _points(brief):
    return [*brief.bottom_line, *brief.key_points] + [p for s in brief.source_summaries for p in s.points]


def test_every_citation_is_a_verbatim_span_of_its_article(seed_memo):
    citations = [c for p in _points(seed_memo) for c in p.citations]
    assert citations
    for citation in citations:
        assert seed_memo.article(citation.article_id).text[citation.start:citation.end] == citation.quote


def test_seed_memo_has_every_section_and_source(seed_memo, seeds_dir):
    import inspect

    defaults = {name: p.default for name, p in inspect.signature(memo.build).parameters.items()}
    assert len(seed_memo.articles) == len(list(seeds_dir.glob("*.txt")))  # distinct articles, none lost
    assert len(seed_memo.key_points) == defaults["key_points"] and seed_memo.bottom_line
    assert [s.article_id for s in seed_memo.source_summaries] == [a.id for a in seed_memo.articles]
    assert all(len(s.points) == defaults["article_sentences"] for s in seed_memo.source_summaries)
    sidecar = json.loads((seeds_dir / "metadata.json").read_text(encoding="utf-8"))
    for article in seed_memo.articles:
        stated = sidecar[article.id + ".txt"]
        for field in ("title", "outlet", "author", "date"):
            if stated[field]:
                assert getattr(article, field) == stated[field]


def test_text_decoded_twice_is_repaired_in_the_memo(tmp_path):
    from conftest import write_corpus

    said = "Chinese leader Xí Jìnpíng said the talks were ‘frank and friendly’ on Monday."
    garbled = said.encode("utf-8").decode("cp1252")  # UTF-8 read as Windows-1252: "XÃ­ JÃ¬npÃ­ng"
    assert "Ã" in garbled
    corpus = write_corpus(tmp_path / "c", {
        "a.txt": f"{garbled} Officials in both capitals described the meeting as a success.\n",
        "b.txt": "The two leaders met in Moscow on Monday for talks on trade and energy. Both sides called the "
                 "visit a success and promised more meetings.\n"})
    markdown = memo.build(corpus, embedder="hashing").to_markdown()
    assert "Xí Jìnpíng" in markdown and "‘frank and friendly’" in markdown
    assert not re.search("â€|Ã", markdown)


def test_no_mojibake_and_no_boilerplate_in_the_memo(seed_memo):
    markdown = seed_memo.to_markdown()
    assert not re.search("[\u0e00-\u0e7f]|â€|Ã", markdown)
    dropped = [n.detail.split(": ", 1)[1] for n in seed_memo.method.notices if n.kind == "dropped-line"]
    assert dropped
    for point in _points(seed_memo):
        assert not any(line[:40] in point.text for line in dropped)
        assert not re.search(r"(?i)^(photo|illustration|subscribe|copyright|videos by|recent posts)", point.text)


def test_method_note_lists_repairs_versions_and_hashes(seed_memo):
    kinds = {n.kind for n in seed_memo.method.notices}
    assert {"repaired", "dropped-line"} <= kinds
    assert dict(seed_memo.method.versions)["python-docx"]
    assert all(len(a.sha256) == 64 for a in seed_memo.articles)


def test_in_memory_sources_and_out(tmp_path, small_corpus):
    out = tmp_path / "brief.md"
    brief = memo.build(small_corpus, out=out, embedder="hashing", title="Storm brief", to="Ops desk",
                       date="2024-02-01", key_points=2, article_sentences=1)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Storm brief\n") and "**TO:** Ops desk" in text and "2024-02-01" in text
    assert [a.outlet for a in brief.articles] == ["The Coastal Herald", "Valley News", "Metro Daily"]
    assert brief.articles[0].author == "Jane Roe" and brief.articles[0].title == "Storm Hits Coast"
    assert all(len(s.points) == 1 for s in brief.source_summaries)


def test_rebuilds_with_a_fixed_date_give_identical_json(small_corpus, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = memo.build(small_corpus, embedder="hashing").to_json()
    assert first == memo.build(small_corpus, embedder="hashing").to_json()
    assert json.loads(first)["date"] == "2023-11-14"


def test_duplicates_are_collapsed_and_noted(small_corpus):
    (small_corpus / "a-copy.txt").write_text((small_corpus / "a.txt").read_text())
    brief = memo.build(small_corpus, embedder="hashing")
    assert len(brief.articles) == 3
    assert any(n.kind == "duplicate" and n.source.endswith("a.txt") for n in brief.method.notices)


def test_sentences_are_embedded_once_per_run(small_corpus, counting_embedder):
    memo.build(small_corpus, embedder=counting_embedder)
    assert len(counting_embedder.calls) == 1
    assert len(counting_embedder.texts) == len(set(counting_embedder.texts))


def test_a_corpus_with_nothing_to_summarise_is_an_error(tmp_path):
    (tmp_path / "blank.txt").write_text("   \n\n")
    with pytest.raises(InputError, match="no article has any text"):
        memo.build(tmp_path, embedder="hashing")


def test_public_api_is_small():
    assert memo.__all__ == [
        "build", "Memo", "Article", "Sentence", "Citation", "Point", "SourceSummary", "Statement", "Group", "Side",
        "Disagreement", "Discrepancy", "Figure", "Position", "AgreementRow", "Method", "Notice", "Story", "Stance", "Prompts",
        "Links", "Embedder", "StanceBackend", "SamePointJudge", "Generator", "Executor",
        "MemoError", "ArgumentError", "InputError", "LimitError", "OutputError", "ModelError", "PromptError", "ExecutorError",
        "CacheError"]
    assert len(set(memo.__all__)) == len(memo.__all__) and all(hasattr(memo, name) for name in memo.__all__)
    errors = [getattr(memo, name) for name in memo.__all__ if name.endswith("Error")]
    assert all(issubclass(error, memo.MemoError) for error in errors)


def test_two_builds_of_the_seeds_give_identical_bytes(seeds_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1679356800")
    for run in ("a", "b"):
        brief = memo.build(seeds_dir)
        for fmt in ("docx", "md", "json"):
            brief.save(tmp_path / f"{run}.{fmt}")
    for fmt in ("docx", "md", "json"):
        assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))["date"] == "2023-03-21"


def test_repairs_and_removals_are_logged(small_corpus, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="memo"):
        memo.build(small_corpus, embedder="hashing")
    logged = [r.getMessage() for r in caplog.records if r.name == "memo"]
    assert any(m.endswith("a.txt: dropped-line: caption or credit: Photo: Coastal Herald archive") for m in logged)
    assert any("a.txt: dropped-line: byline: By Jane Roe" in m for m in logged)


def test_a_rebuild_with_a_cache_embeds_only_the_new_article(tmp_path, small_corpus, counting_embedder):
    counting_embedder.cache_key = "counting, hashing 512"  # a user's embedder is cached under the key it names
    first = memo.build(small_corpus, embedder=counting_embedder, cache=tmp_path / "cache")
    old_sentences = {c.quote for c in first.citations()}
    assert len(counting_embedder.texts) > 5 and old_sentences
    added = "Power was back in most homes by Friday, the utility said in a statement."
    (small_corpus / "d.txt").write_text(added + "\n", encoding="utf-8")
    counting_embedder.calls.clear()
    second = memo.build(small_corpus, embedder=counting_embedder, cache=tmp_path / "cache")
    assert added in counting_embedder.texts  # the new article's sentence is embedded ...
    assert not old_sentences & set(counting_embedder.texts)  # ... and nothing embedded before is again
    assert "on-disk cache" in " ".join(second.method.steps)  # that a cache is used, not what it held


def test_a_rebuild_with_a_cache_prepares_only_new_or_changed_documents_and_gives_the_same_memo(
        tmp_path, small_corpus, monkeypatch):
    from memo import _clean as clean

    cleaned = []
    real = clean.clean_document
    monkeypatch.setattr(clean, "clean_document", lambda doc: cleaned.append(doc.source) or real(doc))
    options = dict(embedder="hashing", cache=tmp_path / "cache", date="2026-01-01")
    first = memo.build(small_corpus, **options)
    assert len(cleaned) == 3
    cleaned.clear()
    again = memo.build(small_corpus, **options)
    def content(brief):  # the memo, less the method note's word that a cache was used
        return brief.to_json().replace("; vectors are kept in an on-disk cache, so a rebuild embeds only new "
                                       "sentences.", ".")

    assert cleaned == [] and again.to_json() == first.to_json()
    (small_corpus / "b.txt").write_text("Crews restored power to most homes on the coast by Friday.\n",
                                        encoding="utf-8")
    (small_corpus / "d.txt").write_text("The governor asked for federal disaster aid on Thursday.\n", encoding="utf-8")
    changed = memo.build(small_corpus, **options)
    assert sorted(Path(s).name for s in cleaned) == ["b.txt", "d.txt"]
    assert content(changed) == content(memo.build(small_corpus, embedder="hashing", date="2026-01-01"))


def test_a_corpus_of_two_stories_gets_a_section_for_each(tmp_path, small_corpus):
    from conftest import write_corpus

    corpus = write_corpus(tmp_path / "two", {p.name: p.read_text(encoding="utf-8") for p in small_corpus.iterdir()})
    write_corpus(corpus, {
        "r1.txt": "The central bank raised its main interest rate by half a point on Thursday. Mortgage lenders "
                  "said monthly payments would climb. The governor said inflation was still far too high.\n",
        "r2.txt": "On Thursday the central bank lifted interest rates by half a percentage point. Economists had "
                  "expected the rise. Bond yields rose after the bank's decision on rates.\n",
    })
    brief = memo.build(corpus)
    # c.txt shares only its lead with a and b (shelters, insurers): too little to be told as one story
    assert [sorted(brief.article(i).source.rsplit("/", 1)[-1] for i in s.article_ids) for s in brief.stories] == [
        ["a.txt", "b.txt"], ["r1.txt", "r2.txt"], ["c.txt"]]
    assert brief.stories[-1].title == "Other reports" and not brief.stories[-1].consensus
    assert not brief.consensus and not brief.agreement  # they live in the stories
    storm, rates, _ = brief.stories
    assert storm.key_points and all(p.citations[0].article_id in storm.article_ids for p in storm.key_points)
    assert all(c.article_id in rates.article_ids for g in rates.consensus for c in g.point.citations)
    assert all(len(row.cells) == len(rates.article_ids) for row in rates.agreement)
    one = memo.build(corpus, max_stories=1)
    assert [set(s.article_ids) for s in one.stories] == [
        set(storm.article_ids), set(rates.article_ids + brief.stories[2].article_ids)]
    assert one.stories[1].title == "Other reports"
    docx_path = brief.save(tmp_path / "two.docx")
    import docx as python_docx

    headings = [p.text for p in python_docx.Document(docx_path).paragraphs if p.style.name == "Heading 1"]
    assert [h for h in headings if h.startswith("Story: ")] == [f"Story: {s.title}" for s in brief.stories]
    markdown = brief.to_markdown(layout={"summary": 99})  # every citation the memo carries shown
    sentences = {(c.article_id, c.start, c.end) for c in brief.citations()}
    assert len(re.findall(r"^\[\^\d+\]:", markdown, re.M)) == len(sentences)  # one footnote each, as in the DOCX


def test_a_single_story_corpus_has_no_story_sections(seed_memo):
    assert seed_memo.stories == () and seed_memo.consensus


def test_sources_are_read_and_prepared_a_batch_at_a_time(tmp_path, monkeypatch):
    from conftest import write_corpus
    from memo import _clean as clean, _ingest as ingest
    from memo._stages import read as read_stage

    news = ["Officials said the new bridge would open on Monday after two years of work.",
            "The central bank held its main interest rate steady for a third month.",
            "Heavy rain flooded parts of the valley and closed two schools on Tuesday.",
            "The football club named a new coach after a poor start to the season.",
            "Scientists reported a drop in the number of bees across the region this spring."]
    corpus = write_corpus(tmp_path / "c", {f"{n}.txt": text for n, text in enumerate(news)})
    events = []
    read, prepare = ingest._read_file, clean.clean_document
    monkeypatch.setattr(ingest, "_read_file", lambda path, sidecar, *rest: events.append("read") or read(path, sidecar, *rest))
    monkeypatch.setattr(clean, "clean_document", lambda doc: events.append("clean") or prepare(doc))
    monkeypatch.setattr(read_stage, "PREPARE_BATCH", 2)
    brief = memo.build(corpus, embedder="hashing")
    assert len(brief.articles) == 5
    # never more than a batch of raw documents read ahead of the cleaning
    assert events == ["read", "read", "clean", "clean"] * 2 + ["read", "clean"]


class Configured:
    """A user's own embedder whose vectors depend on how it is configured."""

    def __init__(self, dimensions: int, key: bool = True):
        from memo._embed import HashingEmbedder

        self.inner = HashingEmbedder(dimensions)
        self.texts: list[str] = []
        if key:
            self.cache_key = f"configured, {dimensions} dimensions"

    def embed(self, texts):
        self.texts.extend(texts)
        return self.inner.embed(texts)


def test_the_embedding_cache_is_closed_when_a_build_fails(tmp_path, small_corpus, monkeypatch):
    from memo._embed import CachedEmbedder

    closed = []
    real_close = CachedEmbedder.close
    monkeypatch.setattr(CachedEmbedder, "close", lambda self: closed.append(self.path) or real_close(self))
    class Failing:  # a stance backend that fails when asked, which is after embedding
        def stance(self, claim, statements):
            raise memo.ModelError("the stance backend broke")

    with pytest.raises(memo.MemoError, match="stance backend broke"):
        memo.build(small_corpus, embedder="hashing", cache=tmp_path / "cache", stance=Failing(),
                   questions=["Did a powerful storm strike the northern coast on Tuesday?"])
    assert closed == [tmp_path / "cache" / "embeddings.sqlite"]


def test_custom_embedders_are_cached_under_their_cache_key_or_not_at_all(tmp_path, small_corpus):
    cache = tmp_path / "cache"
    small, wide = Configured(256), Configured(512)
    memo.build(small_corpus, embedder=small, cache=cache)
    memo.build(small_corpus, embedder=wide, cache=cache)
    assert wide.texts and set(wide.texts) == set(small.texts)  # same class, other configuration: not shared
    again = Configured(256)
    memo.build(small_corpus, embedder=again, cache=cache)
    assert again.texts == []  # same configuration: every vector from the cache
    plain = Configured(256, key=False)
    brief = memo.build(small_corpus, embedder=plain, cache=cache)
    assert plain.texts  # nothing names its configuration: not cached, and the memo says so
    (notice,) = [n for n in brief.method.notices if n.source == "embedding cache"]
    assert notice.kind == "fallback" and "cache_key" in notice.detail
    assert not any("on-disk cache" in step for step in brief.method.steps)


def test_a_damaged_article_cache_and_a_damaged_embedding_cache_raise_the_same_error(tmp_path, small_corpus):
    for name in ("articles.sqlite", "embeddings.sqlite"):
        cache = tmp_path / name.split(".")[0]
        cache.mkdir()
        (cache / name).write_bytes(b"not a database" * 100)
        with pytest.raises(memo.CacheError, match=name + r".*delete the file|" + name + ": cannot use"):
            memo.build(small_corpus, embedder="hashing", cache=cache)
    assert issubclass(memo.CacheError, memo.MemoError)


def test_a_missing_source_fails_before_the_generation_model_loads(tmp_path):
    class Recording:
        loads = 0

        def load(self):
            Recording.loads += 1

        def generate(self, prompts):
            return ["" for _ in prompts]

    with pytest.raises(memo.InputError, match="no-such-dir"):
        memo.build(str(tmp_path / "no-such-dir"), abstractive=Recording())
    assert Recording.loads == 0


@pytest.mark.parametrize("cut", [0, 2])
def test_the_method_note_says_when_intermediate_summaries_were_cut(cut):
    from types import SimpleNamespace

    from memo._abstractive import Trace
    from memo._embed import HashingEmbedder
    from memo._stages.assemble import steps as _steps
    from memo._stance import EmbeddingStance
    from memo._templating import Prompts

    generator = SimpleNamespace(trace=Trace(prompts=3, prompt_tokens=[100, 90], reduce_levels=1, partials_cut=cut),
                                describe=lambda: "a test model")
    summarizer = SimpleNamespace(generator=generator, prompts=Prompts(None))
    steps = _steps(1, [], HashingEmbedder(8), EmbeddingStance(HashingEmbedder(8)), summarizer)
    note = next(step for step in steps if step.startswith("Generated summaries"))
    assert ("nothing was truncated" in note) == (cut == 0)
    assert (f"{cut} intermediate summaries cut" in note) == bool(cut)


def test_a_cached_rebuild_is_byte_identical_and_the_method_note_names_no_path(small_corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    cache = tmp_path / "private-cache-of-someone"
    outputs = {}
    for run in ("first", "cached"):
        brief = memo.build(small_corpus, embedder="hashing", cache=cache)
        outputs[run] = {fmt: brief.save(tmp_path / f"{run}.{fmt}").read_bytes() for fmt in ("docx", "md", "json")}
    assert (cache / "embeddings.sqlite").is_file()  # the second build read its vectors from there
    assert outputs["first"] == outputs["cached"]
    method = json.loads(outputs["first"]["json"])["method"]
    steps = " ".join(method["steps"])
    assert "cache" in steps and str(tmp_path) not in steps and "private-cache-of-someone" not in steps
    assert "/" + tmp_path.parts[1] not in outputs["first"]["md"].decode().split("## Method")[-1]


def test_the_readme_python_example_runs_as_printed(tmp_path, monkeypatch):
    import re

    from tests.conftest import REPO, write_corpus

    blocks = re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    assert blocks and "seeds/" in blocks[0]
    monkeypatch.chdir(tmp_path)  # the example's "seeds/" is a small corpus written here
    write_corpus(tmp_path / "seeds", {
        "one.txt": "Port Strike Ends\n\nDock workers in Harlow ended a two-week strike on Friday after a pay deal. "
                   "“This deal is fair,” said Ana Perez, who leads the dockers' union. Ships began unloading at once.\n",
        "two.txt": "The strike at Harlow's docks ended on Friday with a new pay deal for the workers. "
                   "Ana Perez, the union leader, said the deal was fair. Port managers said ships would unload "
                   "within days.\n",
    })
    exec(compile("\n".join(blocks), "README.md", "exec"), {})
    assert (tmp_path / "brief.docx").stat().st_size > 0


def test_attributions_made_beside_the_embedding_are_in_the_memo_and_the_article_cache(tmp_path, small_corpus):
    from memo import _ingest as ingest
    from memo._attribution import attribute
    from memo._prepare import ArticleCache
    from memo._segment import split_sentences

    built = memo.build(small_corpus, embedder="hashing", cache=tmp_path / "cache")
    store = ArticleCache(tmp_path / "cache" / "articles.sqlite")
    try:
        records = store.lookup(list(ingest.iter_documents(ingest.plan_sources([small_corpus]))))
    finally:
        store.close()
    assert records and all(r is not None and r.article is not None for r in records)
    for record in records:  # the cached attributions are those the parse gives
        assert list(record.attributions) == attribute(record.article, split_sentences(record.article))
    sources = {(a.speaker, a.source) for r in records for a in r.attributions}
    assert ("officials", "collective") in sources  # "Officials said repair crews would work ...", parsed
    assert len(built.articles) == len(records)


def test_an_error_in_the_attribution_thread_fails_the_build_with_it(tmp_path, small_corpus, monkeypatch):
    from memo import _prepare as prepare
    from memo._errors import MemoError

    def broken(records):
        raise MemoError("attribution broke")

    monkeypatch.setattr(prepare, "attribute_all", broken)
    with pytest.raises(MemoError, match="attribution broke"):
        memo.build(small_corpus, embedder="hashing")


@pytest.mark.parametrize("options, named", [
    ({"key_points": -1}, "key_points"),
    ({"questions": [""]}, "questions"),
    ({"article_sentences": 0}, "summary length"),
    ({"stance": "crystal-ball"}, "stance backend"),
    ({"executor": "spark"}, "executor"),
    ({"limits": {"file_size": 1}}, "limits"),
    ({"out": "x.docx", "layout": {"who": -1}}, "layout"),
])
def test_a_bad_option_is_an_argument_error_naming_it(options, named, tmp_path):
    (tmp_path / "a.txt").write_text("The council approved the budget on Monday after a long debate in the hall.")
    if "out" in options:
        options = {**options, "out": tmp_path / options["out"]}
    with pytest.raises(memo.ArgumentError, match=named):
        memo.build(tmp_path, embedder="hashing", **options)


def test_a_fallback_generation_model_loads_beside_the_reading_and_its_note_comes_first(small_corpus):
    """The default model's check runs in a thread (it imports huggingface_hub), yet the memo
    is as if it had loaded first: its fallback note ahead of what the reading found."""
    import threading

    from memo._errors import ModelError

    class Unavailable:
        threads: list[str] = []

        def load(self):
            Unavailable.threads.append(threading.current_thread().name)
            raise ModelError("cannot load abstractive model 'test-model': not here")

        def generate(self, prompts):
            raise AssertionError("a model that failed to load was used")

    (small_corpus / "blank.txt").write_text("\n\n", encoding="utf-8")  # skipped by the reading
    brief = memo.build(str(small_corpus), abstractive=Unavailable(), fallback=True, embedder="hashing")
    assert Unavailable.threads and Unavailable.threads != [threading.main_thread().name]
    notices = [(n.source, n.kind) for n in brief.method.notices]
    assert notices[0] == ("abstractive", "fallback")
    assert any(kind == "skipped" for _, kind in notices[1:])
    assert all(not s.generated for s in brief.source_summaries)
    Unavailable.threads.clear()
    with pytest.raises(ModelError, match="test-model"):  # asked for: loaded first, and it stops the build
        memo.build(str(small_corpus), abstractive=Unavailable(), embedder="hashing")
    assert Unavailable.threads == [threading.main_thread().name]


_STORM = {
    "a.txt": "Storm hits Marlow\n\nThe storm killed {a} people in the coastal town of Marlow on Tuesday, the mayor "
             "said.\n\nRoads into the town were closed for most of the day.\n",
    "b.txt": "Deadly storm in Marlow\n\nFour people died when a violent storm hit Marlow late on Tuesday, according "
             "to police.\n\nSchools will stay shut until Friday.\n",
    "c.txt": "Marlow storm\n\n{c} people were killed as the storm swept through Marlow, a small coastal town, on "
             "Tuesday, a fire chief said.\n\nThe harbour wall was badly damaged.\n",
}


def _storm(folder, a: str, c: str):
    from conftest import write_corpus

    return write_corpus(folder, {name: text.format(a=a, c=c) for name, text in _STORM.items()})


def test_a_point_the_sources_make_with_different_figures_is_a_discrepancy_not_consensus(tmp_path):
    brief = memo.build(_storm(tmp_path / "differ", "four", "Six"))
    assert not brief.consensus
    (found,) = brief.discrepancies
    assert found.measure == "person"
    assert [(f.text, f.statement.citation.article_id) for f in found.figures] == [
        ("four people", "a"), ("Four people", "b"), ("Six people", "c")]
    for figure in found.figures:  # each figure is the cited sentence's own words
        citation = figure.statement.citation
        assert figure.text in citation.quote == brief.article(citation.article_id).text[citation.start:citation.end]
    out = tmp_path / "memo.md"
    brief.save(out)
    text = out.read_text(encoding="utf-8")
    section = text[text.index("### Figures That Differ"):text.index("## Disagreements")]
    assert "‘Six people’" in section and "‘four people’" in section and section.count("[^") == 3
    assert json.loads(brief.to_json())["discrepancies"][0]["measure"] == "person"
    from test_render import _footnotes

    notes = _footnotes(brief.save(tmp_path / "memo.docx").read_bytes())
    assert sum(f.statement.citation.quote in note for f in found.figures for note in notes) == 3


def test_the_same_point_with_the_same_figures_stays_consensus(tmp_path):
    brief = memo.build(_storm(tmp_path / "agree", "four", "Four"))
    assert not brief.discrepancies
    assert [len(g.sources) for g in brief.consensus] == [3]
