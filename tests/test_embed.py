import numpy as np
import pytest

from memo._embed import (BertEmbedder, HashingEmbedder, bundled_minilm_path, embed_unique, get_embedder)
from memo._errors import ArgumentError, CacheError, ModelError

TEXTS = ["Chinese leader Xi Jinping landed in Moscow on Monday.",
         "Xi arrived in the Russian capital for talks with Putin.",
         "The football club won the cup final on penalties.",
         "x"]


def test_default_embedder_is_the_bundled_minilm_and_ranks_paraphrases_closer():
    embedder = get_embedder()
    assert isinstance(embedder, BertEmbedder)
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (4, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


@pytest.mark.parametrize("runtime", ["onnx", "torch"])
def test_bert_embedder_matches_transformers_on_the_same_weights(runtime):
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = bundled_minilm_path()
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True).eval()
    batch = tokenizer(TEXTS, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    expected = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    assert np.abs(BertEmbedder(path, runtime=runtime).embed(TEXTS) - expected).max() < 1e-4


def test_each_distinct_text_is_embedded_once(counting_embedder):
    texts = ["same sentence", "other sentence", "same sentence"]
    vectors = embed_unique(counting_embedder, texts)
    assert counting_embedder.texts == ["same sentence", "other sentence"]
    assert np.array_equal(vectors[0], vectors[2])


def test_batches_are_length_sorted_but_rows_keep_input_order():
    embedder = BertEmbedder(bundled_minilm_path(), batch_size=2)
    batched = embedder.embed(TEXTS)
    single = np.stack([embedder.embed([t])[0] for t in TEXTS])
    assert np.abs(batched - single).max() < 1e-4


def test_an_object_with_embed_can_be_plugged_in_and_bad_ones_are_refused():
    custom = HashingEmbedder(64)
    assert get_embedder(custom) is custom
    with pytest.raises(ArgumentError, match="no embed"):
        get_embedder(object())


def test_an_unloadable_model_gives_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="cannot load embedding model 'no-such-org/no-such-model'"):
        get_embedder("no-such-org/no-such-model").embed(["text"])
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    with pytest.raises(ModelError, match=str(broken)):
        get_embedder(str(broken)).embed(["text"])


def test_embedder_returning_the_wrong_shape_is_caught():
    class Broken:
        def embed(self, texts):
            return np.zeros((1, 3))

    with pytest.raises(ModelError, match="shape"):
        embed_unique(Broken(), ["a", "b"])


def test_any_transformers_encoder_path_works_through_the_generic_backend():
    from memo._embed import TransformersEmbedder

    generic = TransformersEmbedder(bundled_minilm_path()).embed(TEXTS)
    assert np.abs(generic - BertEmbedder(bundled_minilm_path()).embed(TEXTS)).max() < 1e-4


def _sentence_transformers_folder(directory, pooling: str, act: str = "gelu"):
    """A tiny BERT saved in sentence-transformers' layout with the given pooling mode."""
    import json

    import torch
    from transformers import BertConfig, BertModel

    from tiny_models import train_wordpiece

    directory.mkdir(parents=True)
    tokenizer = train_wordpiece(directory)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                         intermediate_size=64, max_position_embeddings=64, hidden_act=act)).eval() \
        .save_pretrained(directory)
    (directory / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]))
    (directory / "1_Pooling").mkdir()
    modes = {f"pooling_mode_{m}": m == pooling for m in ("cls_token", "mean_tokens", "max_tokens")}
    (directory / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 32, **modes}))
    return directory


def _transformers_hidden(folder, texts):
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    batch = tokenizer(texts, padding=True, truncation=True, max_length=64, return_tensors="pt")
    with torch.inference_mode():
        return AutoModel.from_pretrained(folder).eval()(**batch).last_hidden_state, batch["attention_mask"]


def test_a_cls_pooling_model_is_pooled_as_its_config_says_not_by_the_bert_encoder(tmp_path):
    from memo._embed import TransformersEmbedder

    folder = _sentence_transformers_folder(tmp_path / "cls", "cls_token")
    embedder = get_embedder(str(folder))
    assert isinstance(embedder, TransformersEmbedder) and embedder.pooling == "cls"
    hidden, _ = _transformers_hidden(folder, TEXTS)
    expected = hidden[:, 0] / hidden[:, 0].norm(dim=-1, keepdim=True)
    assert np.abs(embedder.embed(TEXTS) - expected.numpy()).max() < 1e-5


def test_the_bert_encoder_takes_only_the_models_it_implements(tmp_path):
    from memo._embed import TransformersEmbedder

    mean = get_embedder(str(_sentence_transformers_folder(tmp_path / "mean", "mean_tokens")))
    assert isinstance(mean, BertEmbedder)
    hidden, mask = _transformers_hidden(tmp_path / "mean", TEXTS)
    pooled = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
    assert np.abs(mean.embed(TEXTS) - (pooled / pooled.norm(dim=-1, keepdim=True)).numpy()).max() < 1e-5
    relu = get_embedder(str(_sentence_transformers_folder(tmp_path / "relu", "mean_tokens", act="relu")))
    assert isinstance(relu, TransformersEmbedder) and relu.pooling == "mean"
    hidden, mask = _transformers_hidden(tmp_path / "relu", TEXTS)
    pooled = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
    assert np.abs(relu.embed(TEXTS) - (pooled / pooled.norm(dim=-1, keepdim=True)).numpy()).max() < 1e-5


def test_a_pooling_mode_memo_does_not_implement_is_refused_by_name(tmp_path):
    import json

    folder = _sentence_transformers_folder(tmp_path / "odd", "mean_tokens")
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_lasttoken": True}))
    with pytest.raises(ModelError, match="lasttoken"):
        get_embedder(str(folder))


def test_preloaded_embedder_gives_the_same_vectors_from_a_helper_process():
    from memo._preload import PreloadedEmbedder

    helper = PreloadedEmbedder("hashing")
    try:
        assert np.array_equal(helper.embed(TEXTS), HashingEmbedder().embed(TEXTS))
        assert helper.description.startswith("hashed bag of words")
    finally:
        helper.close()
    assert not helper._process.is_alive()


def test_preloaded_embedder_reports_a_model_that_cannot_load(tmp_path, monkeypatch):
    from memo._preload import PreloadedEmbedder

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    helper = PreloadedEmbedder(str(tmp_path / "no-model"))
    try:
        with pytest.raises(ModelError, match="cannot load embedding model"):
            helper.embed(["text"])
    finally:
        helper.close()


def test_the_disk_cache_embeds_only_what_it_has_not_seen(tmp_path, counting_embedder):
    from memo._embed import CachedEmbedder

    first = CachedEmbedder(counting_embedder, tmp_path / "e.sqlite", model_key="counting")
    vectors = first.embed(["alpha beta", "gamma delta", "alpha beta"])
    first.close()
    again = CachedEmbedder(counting_embedder, tmp_path / "e.sqlite", model_key="counting")
    assert np.array_equal(again.embed(["gamma delta", "alpha beta", "new text"]), np.stack(
        [vectors[1], vectors[0], counting_embedder.inner.embed(["new text"])[0] /
         np.linalg.norm(counting_embedder.inner.embed(["new text"])[0])]))
    assert counting_embedder.texts == ["alpha beta", "gamma delta", "new text"]
    assert (again.hits, again.misses) == (2, 1)
    other_model = CachedEmbedder(counting_embedder, tmp_path / "e.sqlite", model_key="another")
    other_model.embed(["alpha beta"])  # vectors are keyed by model as well as text
    assert counting_embedder.texts[-1] == "alpha beta"


def test_a_damaged_cache_file_is_an_error_naming_it(tmp_path):
    from memo._embed import CachedEmbedder

    broken = tmp_path / "e.sqlite"
    broken.write_bytes(b"not a database" * 100)
    with pytest.raises(CacheError, match="e.sqlite"):
        CachedEmbedder(HashingEmbedder(8), broken).embed(["text"])


def test_the_embedding_leaves_a_core_to_the_parse_beside_it(monkeypatch):
    from memo._stages.embed import leave_a_core

    monkeypatch.setattr("os.cpu_count", lambda: 4)
    embedder = BertEmbedder(bundled_minilm_path(), runtime="onnx")
    leave_a_core(embedder)
    assert embedder.threads == 3
    chosen = BertEmbedder(bundled_minilm_path(), runtime="onnx")
    chosen.threads = 4  # a caller's own choice stands
    leave_a_core(chosen)
    assert chosen.threads == 4
    on_torch = BertEmbedder(bundled_minilm_path(), runtime="torch")
    leave_a_core(on_torch)
    assert on_torch.threads is None
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    alone = BertEmbedder(bundled_minilm_path(), runtime="onnx")
    leave_a_core(alone)
    assert alone.threads is None  # one core: nothing to leave
    leave_a_core(HashingEmbedder())  # not memo's encoder: untouched, no error


class _ThreadNoting(HashingEmbedder):
    """Notes which thread embedded each text, slowly enough for two threads to share blocks."""

    def __init__(self, fail_on: str | None = None):
        super().__init__(16)
        self.threads: dict[str, str] = {}
        self.fail_on = fail_on

    def embed(self, texts):
        import threading
        import time

        if self.fail_on in texts:
            raise ModelError("this block cannot be embedded")
        time.sleep(0.03)
        for text in texts:
            self.threads[text] = threading.current_thread().name
        return super().embed(texts)


def _blocks(embedder, count=12):
    return [(embedder, [f"sentence {n} of block {b}" for n in range(3)]) for b in range(count)]


def test_the_embedding_takes_back_the_core_once_the_parse_is_over():
    import threading

    from memo._stages.embed import embed_here

    embedder = _ThreadNoting()
    parse_over = threading.Event()
    counted = []

    def first_block_done(n):
        counted.append(n)
        parse_over.set()  # the parse ends while the embedding goes on

    vectors = embed_here(_blocks(embedder), parse_over.wait, first_block_done)
    expected = [HashingEmbedder(16).embed(texts) for _, texts in _blocks(embedder)]
    assert all(np.allclose(got, want) for got, want in zip(vectors, expected))
    assert set(embedder.threads.values()) == {threading.current_thread().name, "memo-embedding"}
    assert counted == list(range(1, 13))


def test_the_embedding_does_not_wait_for_a_parse_that_outlasts_it():
    import threading

    from memo._stages.embed import embed_here

    embedder = _ThreadNoting()
    never = threading.Event()
    vectors = embed_here(_blocks(embedder, 3), never.wait, lambda n: None)
    assert len(vectors) == 3 and set(embedder.threads.values()) == {threading.current_thread().name}
    never.set()  # the waiting thread wakes, finds nothing left and ends


def test_a_block_that_fails_in_either_thread_fails_the_embedding():
    from memo._stages.embed import embed_here

    embedder = _ThreadNoting(fail_on="sentence 0 of block 7")
    with pytest.raises(ModelError, match="cannot be embedded"):
        embed_here(_blocks(embedder), lambda: None, lambda n: None)


def test_the_build_embeds_in_two_threads_only_when_it_left_a_core(monkeypatch):
    from memo._stages import embed as stage
    from memo._embed import RememberingEmbedder
    from memo._executor import LocalExecutor
    from memo._model import Sentence

    calls = []
    monkeypatch.setattr(stage, "embed_here", lambda blocks, spare, done: calls.append(len(blocks)) or
                        [stage._embed_block(b) for b in blocks])
    documents = [[Sentence("a", n, 0, 40, f"A candidate sentence long enough, number {n} of many.")
                  for n in range(600)]]
    plain = HashingEmbedder(16)
    stage.embed_candidates(RememberingEmbedder(plain), documents, lambda *a: None, LocalExecutor(), plain, plain,
                           spare_core=lambda: None)
    assert calls == []  # nothing was left to the parse: one thread, as before
    plain.core_left = True
    stage.embed_candidates(RememberingEmbedder(plain), documents, lambda *a: None, LocalExecutor(), plain, plain,
                           spare_core=lambda: None)
    assert calls == [3]


def test_nothing_to_embed_leaves_no_thread_behind():
    import threading

    from memo._stages.embed import embed_here

    before = threading.active_count()
    assert embed_here([], threading.Event().wait, lambda n: None) == []
    assert len(embed_here(_blocks(_ThreadNoting(), 1), threading.Event().wait, lambda n: None)) == 1
    assert threading.active_count() == before
