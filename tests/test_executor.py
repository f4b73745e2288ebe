"""Executors: the per-article stages in this process or as Ray tasks, with the same memo."""

from __future__ import annotations

import importlib.util
import sys

import pytest

import memo
from memo._stages import embed as embed_stage, read as read_stage
from memo._cli import main
from memo._errors import ExecutorError, InputError, MemoError
from memo._executor import LocalExecutor, RayExecutor, get_executor
from tiny_models import build_seq2seq


def test_local_executor_keeps_order_and_reports_progress():
    seen = []
    assert LocalExecutor().map(str.upper, ["a", "b", "c"], done=seen.append) == ["A", "B", "C"]
    assert seen == [1, 2, 3]


def test_executor_choices():
    assert isinstance(get_executor(None), LocalExecutor)
    if importlib.util.find_spec("ray"):
        assert isinstance(get_executor("ray"), RayExecutor)
        assert isinstance(get_executor(None, address="auto"), RayExecutor)  # an address means Ray
    with pytest.raises(MemoError, match="unknown executor 'spark'.*local, ray"):
        get_executor("spark")
    with pytest.raises(MemoError, match="no map"):
        get_executor(object())
    with pytest.raises(MemoError, match="Ray address"):
        get_executor("local", address="auto")


def test_missing_ray_is_one_clear_error(monkeypatch, small_corpus):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(ExecutorError, match=r"pip install 'memo\[ray\]'"):
        memo.build(small_corpus, executor="ray", embedder="hashing")


class Recording(LocalExecutor):
    """Runs here, but counts as an executor elsewhere: records what it is sent."""

    def __init__(self):
        self.sent = []

    def map(self, function, items, *, done=None):
        self.sent.append((function.__name__, len(items)))
        return super().map(function, items, done=done)


@pytest.fixture
def ship_everything(monkeypatch):
    """Send even the smallest work to the executor (memo keeps small work in-process)."""
    monkeypatch.setattr(read_stage, "SHIP_MIN_DOCUMENTS", 0)
    monkeypatch.setattr(embed_stage, "SHIP_MIN_BLOCKS", 0)


def test_small_work_stays_here_and_shipped_work_gives_the_same_memo(small_corpus, monkeypatch):
    options = dict(embedder="hashing", date="2026-01-01")
    here = memo.build(small_corpus, **options)
    executor = Recording()
    assert memo.build(small_corpus, executor=executor, **options).to_json() == here.to_json()
    assert executor.sent == []  # three articles: not worth a task
    monkeypatch.setattr(read_stage, "SHIP_MIN_DOCUMENTS", 0)
    monkeypatch.setattr(embed_stage, "SHIP_MIN_BLOCKS", 0)
    assert memo.build(small_corpus, executor=executor, **options).to_json() == here.to_json()
    assert executor.sent == [("prepare", 3), ("_embed_block", 1)]


@pytest.fixture(scope="module")
def ray_instance():
    """A local Ray instance with two worker CPUs, shared by this module's tests."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield RayExecutor()
    ray.shutdown()


def test_ray_map_keeps_order_across_chunks(ray_instance):
    seen = []
    items = list(range(37))  # more items than chunks, and not a multiple of them
    assert ray_instance.map(str, items, done=seen.append) == [str(i) for i in items]
    assert seen[-1] == 37 and seen == sorted(seen)


def test_ray_task_errors_come_back_as_one_line(ray_instance):
    with pytest.raises(MemoError, match="unknown executor 'nope'") as raised:
        ray_instance.map(get_executor, ["nope"])  # a MemoError raised inside a task: the same error here
    assert "Traceback" not in str(raised.value)
    with pytest.raises(ExecutorError, match="a Ray task failed: ValueError: invalid literal"):
        ray_instance.map(int, ["x"])


def test_ray_and_local_runs_give_the_same_memo(ray_instance, ship_everything, seeds_dir):
    options = dict(questions=["Is China a credible mediator in Ukraine?"], date="2026-01-01")
    local = memo.build(seeds_dir, **options)
    distributed = memo.build(seeds_dir, executor=ray_instance, **options)
    assert distributed.to_json() == local.to_json()
    assert local.consensus and local.disagreements  # the comparison covers the corpus-level sections


def test_ray_runs_generated_summaries_with_the_model_loaded_by_its_path(ray_instance, ship_everything, small_corpus,
                                                                          tmp_path):
    model = build_seq2seq(tmp_path / "t5", max_length=384)  # room for the shipped prompts
    options = dict(abstractive=str(model), generation={"max_new_tokens": 8}, date="2026-01-01")
    local = memo.build(small_corpus, embedder="hashing", **options)
    distributed = memo.build(small_corpus, embedder="hashing", executor=ray_instance, **options)
    assert all(s.generated for s in local.source_summaries)
    assert distributed.to_json() == local.to_json()


def test_ray_input_errors_name_the_file(ray_instance, ship_everything, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Officials said the bridge would reopen on Monday after repairs. " * 3)
    (corpus / "huge.txt").write_text("The council said it would vote on the budget next week. " * 40_000)
    with pytest.raises(InputError, match="huge.txt: article has .* characters after cleaning"):
        memo.build(corpus, executor=ray_instance, embedder="hashing")


def test_cli_ray_flag_writes_the_memo(ray_instance, ship_everything, seeds_dir, tmp_path, capsys):
    out = tmp_path / "brief.md"
    assert main(["build", str(seeds_dir), "-o", str(out), "--ray", "--no-abstractive", "--no-cache",
                 "--embedder", "hashing", "-q"]) == 0
    assert out.read_text(encoding="utf-8").startswith("# ")
