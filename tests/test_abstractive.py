"""Abstractive summaries on tiny random-weight models built here, loaded from disk through
the same ``from_pretrained(path)`` code users run."""

import pytest

import memo
from memo._abstractive import GenerationOptions, Summarizer, TransformersGenerator
from memo._embed import get_embedder
from memo._errors import ModelError
from memo._faithfulness import check, facts
from memo._model import Sentence
from memo._render.common import is_extracted
from memo._segment import split_text
from memo._templating import Prompts
from tiny_models import build_causal, build_seq2seq

LONG = " ".join(f"In district {n}, crews restored power to {n * 100} homes after the storm on Tuesday."
                for n in range(1, 41))


@pytest.fixture(scope="module")
def seq2seq(tmp_path_factory):
    return build_seq2seq(tmp_path_factory.mktemp("t5"), max_length=64)


@pytest.fixture(scope="module")
def causal(tmp_path_factory):
    return build_causal(tmp_path_factory.mktemp("llama"), positions=96)


@pytest.fixture(scope="module")
def wide_models(tmp_path_factory):
    """The same tiny architectures with room for the shipped prompts (the tiny tokenizer
    spends many tokens per word)."""
    return {"seq2seq": build_seq2seq(tmp_path_factory.mktemp("t5w"), max_length=384),
            "causal": build_causal(tmp_path_factory.mktemp("llamaw"), positions=448)}


class Recording(TransformersGenerator):
    """The real backend, keeping every prompt it is given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: list[str] = []

    def generate(self, prompts):
        self.sent.extend(prompts)
        return super().generate(prompts)


def test_the_kind_of_model_is_read_from_its_config(seq2seq, causal):
    encoder_decoder = TransformersGenerator(seq2seq)
    decoder_only = TransformersGenerator(causal, GenerationOptions(max_new_tokens=12))
    assert encoder_decoder.encoder_decoder and encoder_decoder.window == 64
    assert not decoder_only.encoder_decoder and decoder_only.window == 96 - 12  # room left to generate
    assert decoder_only.as_model_input("Summarise.") == "<|user|>\nSummarise.\n<|assistant|>\n"
    assert encoder_decoder.as_model_input("Summarise.") == "Summarise."
    assert "decoder-only (chat template)" in decoder_only.describe()


@pytest.mark.parametrize("model", ["seq2seq", "causal"])
def test_a_long_article_is_split_at_the_real_token_limit_and_reduced(model, request, tmp_path):
    path = request.getfixturevalue(model)
    (tmp_path / "article_summary.txt").write_text("# notes\nBRIEF {{words}} {{title}}/{{outlet}}/{{date}}:\n{{text}}",
                                                  encoding="utf-8")
    generator = Recording(path, GenerationOptions(max_new_tokens=8))
    summarizer = Summarizer(generator, Prompts(tmp_path))
    units = split_text(LONG)
    summary = summarizer.article(title="Storm", outlet="Herald", date="2024-01-02", words=30, units=units)
    assert isinstance(summary, str)
    window = generator.window
    assert generator.trace.prompt_tokens and max(generator.trace.prompt_tokens) <= window
    assert all(generator.count(p) <= window for p in generator.sent)
    rounds = generator.trace.rounds
    assert len(rounds) >= 2 and rounds[-1] == 1 and rounds[0] > 3 and sum(rounds) == len(generator.sent)
    assert all(p.startswith("BRIEF 30 Storm/Herald/2024-01-02:\n") for p in generator.sent)  # the user's template
    # The first round covers every sentence once, in order: nothing is dropped or truncated
    # (a sentence longer than the room is cut between tokens, even inside a word, where a
    # line break then joins the pieces).
    first_round = " ".join(p.split(":\n", 1)[1] for p in generator.sent[:rounds[0]])
    assert "".join(first_round.split()) == "".join("".join(units).split())


def test_a_sentence_longer_than_the_window_is_cut_by_tokens_and_nothing_is_lost(seq2seq):
    generator = TransformersGenerator(seq2seq)
    pieces = generator.split_tokens(LONG, 20)
    assert len(pieces) > 5 and "".join(pieces) == LONG
    assert all(generator.count(p) <= 20 + 1 for p in pieces)  # + the end-of-sequence token


def test_the_gate_cites_supported_sentences_and_flags_invented_facts():
    embedder = get_embedder()
    text = "A storm cut power to 40,000 homes on the northern coast on Tuesday. Crews worked through the night."
    sources = [Sentence("a", 0, 0, 68, text[:68]), Sentence("a", 1, 69, len(text), text[69:])]
    vectors = embedder.embed([s.text for s in sources])
    faithful, invented, unrelated = check(
        ["The storm left 40,000 homes on the northern coast without power on Tuesday.",
         "The storm left 90,000 homes in Boston without power on Tuesday.",
         "The football team won the cup final on penalties."], sources, vectors, embedder)
    assert not faithful.problem and faithful.support[0].quote == sources[0].text
    assert invented.problem == "not in its sources: 90,000, boston" and not invented.support
    assert unrelated.problem == "no source sentence says this"
    assert facts("The Storm hit 40,000 homes on Tuesday.") == {"storm", "40,000", "tuesday"}  # not "the"


def test_the_modal_may_and_the_verb_march_are_not_dates():
    assert facts("Talks may resume after protesters march to the port.") == set()
    assert facts("Talks resumed in May.") == {"may"}
    assert facts("Voting ends may 3 and the count starts march 2024.") == {"may", "3", "march", "2024"}
    embedder = get_embedder()
    text = "Talks between the two unions may resume next week, officials said."
    sources = [Sentence("a", 0, 0, len(text), text)]
    (checked,) = check(["Talks between the unions may resume next week."], sources,
                       embedder.embed([text]), embedder)
    assert checked.problem == "" and checked.support  # "may" is not a date missing from the source
    (dated,) = check(["Talks between the unions may resume in March."], sources, embedder.embed([text]), embedder)
    assert dated.problem.startswith("not in its sources: march")


@pytest.mark.parametrize("model", ["seq2seq", "causal"])
def test_a_memo_with_a_random_model_flags_its_output_and_never_cites_it(model, wide_models, small_corpus, tmp_path):
    path = wide_models[model]
    brief = memo.build(small_corpus, abstractive=str(path), generation={"max_new_tokens": 8},
                       questions=["Did the storm cut power?"])
    generated = [p for s in brief.source_summaries for p in s.generated] + list(brief.synthesis)
    assert generated and all(s.generated for s in brief.source_summaries)
    flagged = [p for p in generated if p.flag]
    assert flagged and all(not p.citations for p in flagged)
    for point in generated:  # whatever passes is backed by verbatim source sentences
        for citation in point.citations:
            assert brief.article(citation.article_id).text[citation.start:citation.end] == citation.quote
    assert all(is_extracted(p) for p in brief.bottom_line)  # nothing generated passed: extracted bottom line
    unsupported = [n for n in brief.method.notices if n.kind == "unsupported"]
    assert len(unsupported) >= len(flagged)
    assert any(step.startswith("Generated summaries with") for step in brief.method.steps)
    markdown = brief.to_markdown()
    assert markdown.count("[unsupported:") == len(flagged)
    brief.save(tmp_path / "brief.docx")  # renders with its markers


def test_a_model_that_cannot_be_loaded_fails_at_once_naming_it(small_corpus, monkeypatch):
    import transformers

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)  # read at import, under conftest's offline
    probes, loads = [], []

    def unreachable(name, timeout=None, **_):
        probes.append(timeout)
        raise OSError("connection refused")

    monkeypatch.setattr("huggingface_hub.model_info", unreachable)
    real = transformers.AutoConfig.from_pretrained
    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained",
                        lambda name, **kw: loads.append((name, kw.get("local_files_only"))) or real(name, **kw))
    with pytest.raises(ModelError, match=r"cannot load abstractive model 'no-org/no-model'.*cannot be reached.*hf download"):
        memo.build(small_corpus, abstractive="no-org/no-model")
    # One short probe of the hub, then the error: the hub client (and its retries) never ran.
    assert len(probes) == 1 and probes[0] <= 5 and loads == []
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    with pytest.raises(ModelError, match="no-org/no-model"):
        memo.build(small_corpus, abstractive="no-org/no-model")
    assert loads and all(local for _, local in loads)  # offline: local files only, never the hub
    brief = memo.build(small_corpus, abstractive="no-org/no-model", fallback=True)
    assert [n.kind for n in brief.method.notices if n.source == "abstractive"] == ["fallback"]
    assert all(not s.generated for s in brief.source_summaries)


def test_unknown_generation_options_are_refused(small_corpus, seq2seq):
    with pytest.raises(memo.MemoError, match="generation options"):
        memo.build(small_corpus, abstractive=str(seq2seq), generation={"beams": 4})


class EchoGenerator:
    """A stand-in model that answers with the last line of its input, minus any "Name: "
    prefix: a perfectly faithful (extractive) summariser, to see what passes the gate."""

    def __init__(self):
        self.prompts: list[str] = []

    def generate(self, prompts):
        self.prompts.extend(prompts)
        return [p.strip().splitlines()[-1].split(": ", 1)[-1] for p in prompts]


class SupportsEverything:
    """A stance backend that puts every statement on the supporting side, so that a question
    has a side whose position is generated."""

    def stance(self, claim, statements):
        from memo._stance import SUPPORTS, Stance

        return [Stance(SUPPORTS, 0.95, 0.9) for _ in statements]


def test_faithful_generated_text_reaches_every_section_with_its_footnotes(small_corpus):
    echo = EchoGenerator()
    # (the outlets' own reporting is never a side's voice; the officials quoted are)
    brief = memo.build(small_corpus, abstractive=echo, questions=["Are crews restoring the power lines?"],
                       stance=SupportsEverything())
    assert {p.splitlines()[0] for p in echo.prompts} >= {
        "Summarize this news article in about 60 words. Use only facts stated in the article.",
        "Question: Are crews restoring the power lines?"}
    for summary in brief.source_summaries:
        assert summary.generated and not any(p.flag for p in summary.generated)
        article = brief.article(summary.article_id)
        assert all(c.article_id == article.id for p in summary.generated for c in p.citations)
    assert brief.synthesis and all(p.citations for p in brief.synthesis)
    asked = next(p for p in echo.prompts if p.startswith("State the most important news"))
    assert [p.text for p in brief.bottom_line] == [asked.strip().splitlines()[-1].split(": ", 1)[-1]]
    assert brief.bottom_line[0].citations and not brief.bottom_line[0].flag
    side = next(s for s in brief.disagreements[0].sides if s.statements)
    assert side.position in [s.citation.quote for s in side.statements]  # the generated line, checked
    assert brief.citations() and all(
        brief.article(c.article_id).text[c.start:c.end] == c.quote for c in brief.citations())


def test_with_an_nli_model_configured_the_gate_also_requires_entailment(tmp_path):
    from memo._stance import CONTESTS, SUPPORTS, NLIStance, Stance

    class Judge(NLIStance):  # the NLI interface with calls the test decides
        def __init__(self, verdict):
            super().__init__("judge")
            self.verdict = verdict

        def stance(self, claim, statements):
            return [Stance(self.verdict, 0.9 if self.verdict == SUPPORTS else 0.1, 0.9) for _ in statements]

    embedder = get_embedder()
    source = Sentence("a", 0, 0, 60, "A storm cut power to 40,000 homes on the coast on Tuesday.")
    vectors = embedder.embed([source.text])
    generated = ["The storm cut power to 40,000 homes on the coast on Tuesday."]
    assert not check(generated, [source], vectors, embedder, Judge(SUPPORTS))[0].problem
    refused = check(generated, [source], vectors, embedder, Judge(CONTESTS))[0]
    assert refused.problem.startswith("not entailed") and not refused.support


def test_sides_of_disagreements_inside_story_sections_get_generated_positions_too(small_corpus, tmp_path):
    from conftest import write_corpus

    corpus = write_corpus(tmp_path / "two", {p.name: p.read_text(encoding="utf-8") for p in small_corpus.iterdir()})
    write_corpus(corpus, {
        "r1.txt": "The central bank will raise interest rates next week, the finance ministry said on Monday.\n",
        "r2.txt": "The central bank will not raise interest rates next week, its governor said on Monday.\n",
    })
    echo = EchoGenerator()
    brief = memo.build(corpus, abstractive=echo)
    sides = [side for story in brief.stories for d in story.disagreements for side in d.sides if side.statements]
    assert sides, "the rates story has a found disagreement"
    for side in sides:  # the echoed (faithful) line replaced the template position
        assert side.position in [s.citation.quote for s in side.statements]


@pytest.mark.parametrize("kind", ["causal", "seq2seq"])
def test_judge_reads_each_answer_words_probability_from_the_models_next_token(kind, causal, seq2seq):
    """One forward pass per batch, left padding and all, gives each prompt the same
    next-token distribution as that prompt run alone; an answer word's share is the sum over
    the tokens a reply would start it with, and the answer is the most likely token's word."""
    import torch

    path = causal if kind == "causal" else seq2seq
    generator = TransformersGenerator(path, GenerationOptions(batch_size=4))
    torch_, tokenizer, model, _, chat, encoder_decoder = generator.load()
    prompts = ["Is the port open?", "Claim: the port reopened on Monday after the long strike. Yes or no?"]
    judged = generator.judge(prompts, ("yes", "no", "neither"))
    for prompt, judgement in zip(prompts, judged):
        encoded = tokenizer([generator.as_model_input(prompt)], return_tensors="pt", add_special_tokens=not chat)
        with torch.inference_mode():
            if encoder_decoder:
                start = torch.full((1, 1), model.config.decoder_start_token_id)
                logits = model(**encoded, decoder_input_ids=start).logits[0, -1]
            else:
                logits = model(**encoded).logits[0, -1]
        probs = torch.softmax(logits.float(), dim=-1)
        firsts = {word: {tokenizer(v, add_special_tokens=False)["input_ids"][0]
                         for v in {word, word.capitalize(), word.upper(), " " + word, " " + word.capitalize()}}
                  for word in ("yes", "no", "neither")}
        for word, ids in firsts.items():  # a first token that could start two words counts for neither
            own = [t for t in ids if not any(t in other for w, other in firsts.items() if w != word)]
            assert judgement.probabilities[word] == pytest.approx(float(probs[own].sum()), abs=1e-5)
        best = tokenizer.decode([int(probs.argmax())]).strip().lower()
        assert judgement.answer == (best if best in ("yes", "no", "neither") else None) or \
            judgement.probabilities[judgement.answer] == pytest.approx(float(probs.max()), abs=1e-5)
        assert judgement.how == "token probabilities"
