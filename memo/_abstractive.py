"""Stage 6b: abstractive summaries with a local transformers model and the prompt templates.

Encoder-decoder models (T5/Flan-T5, BART, PEGASUS) and decoder-only instruct models (their
chat template wraps the prompt) are told apart by the model's config and run with
``generate()``. Inputs longer than the model's window are split by the model's own
tokenizer at sentence boundaries and reduced map-reduce style: each part is summarised,
then the parts' summaries are summarised, until one prompt fits. Every prompt is counted in
tokens before it is sent; none overflows the window and no text is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

from ._answers import TOKEN_PROBABILITIES, Judgement, parse_answer
from ._errors import InputError, ModelError
from ._hub import cannot_load, local_files_only, one_load_at_a_time
from ._templating import Prompts

# Defaults the README recommends (download sizes of the weights).
DEFAULT_CPU_MODEL = "google/flan-t5-base"  # 248M parameters, about 1 GB; an encoder-decoder
DEFAULT_GPU_MODEL = "Qwen/Qwen2.5-1.5B-Instruct"  # 1.5B parameters, about 3.1 GB; chat template
MARGIN = 4  # tokens kept free below the window: joining counted pieces can add a token or two
MAX_REDUCE_LEVELS = 12


@dataclass(frozen=True)
class GenerationOptions:
    """How the model runs. ``device``: "cpu", "cuda", "mps" or None (auto); ``dtype``:
    "float32", "float16", "bfloat16" or None (float32 on CPU, bfloat16/float16 on GPU)."""

    device: str | None = None
    dtype: str | None = None
    batch_size: int = 4
    max_new_tokens: int = 96
    num_beams: int = 1
    do_sample: bool = False
    temperature: float = 1.0
    top_p: float = 1.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 3
    seed: int = 0
    # A model server (``openai:MODEL``): its address (".../v1"; default $OPENAI_BASE_URL), the
    # environment variable holding its key (default OPENAI_API_KEY), requests in flight, the
    # window when the server does not report one, seconds per request, and retries.
    api_base: str | None = None
    api_key_env: str | None = None
    concurrency: int = 4
    context_window: int = 4096
    timeout: float = 120.0
    retries: int = 4


@runtime_checkable
class Generator(Protocol):
    def generate(self, prompts: Sequence[str]) -> list[str]:
        """One output text per prompt."""


@dataclass
class Trace:
    """What a run sent to the model, for the method note and for tests."""

    calls: int = 0
    prompts: int = 0
    prompt_tokens: list[int] = field(default_factory=list)
    window: int = 0
    reduce_levels: int = 0
    partials_cut: int = 0  # intermediate (generated) summaries cut to fit a reduce round
    rounds: list[int] = field(default_factory=list)  # prompts per map or reduce round, in order

    def add(self, other: "Trace") -> None:
        """Count in what another copy of the model did (a task run elsewhere)."""
        self.calls += other.calls
        self.prompts += other.prompts
        self.prompt_tokens.extend(other.prompt_tokens)
        self.reduce_levels = max(self.reduce_levels, other.reduce_levels)
        self.partials_cut += other.partials_cut
        self.rounds.extend(other.rounds)


class TransformersGenerator:
    """A transformers model by hub name or local path, loaded once, on first use."""

    def __init__(self, model: str | Path, options: GenerationOptions = GenerationOptions()):
        self.name = str(model)
        self.options = options
        self.trace = Trace()
        self._loaded = None

    def _cannot(self, why: str) -> str:
        return cannot_load(self.name, "abstractive model", why) + \
            ", or run with --no-abstractive for extractive summaries"

    @one_load_at_a_time
    def load(self):
        if self._loaded is not None:
            return self._loaded
        local_only = local_files_only(self.name, "abstractive model")
        try:
            import torch
            from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - core dependencies
            raise ModelError(f"abstractive summaries need transformers and torch: {exc}") from None
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # memo draws its own progress
        try:
            config = AutoConfig.from_pretrained(self.name, local_files_only=local_only)
            tokenizer = AutoTokenizer.from_pretrained(self.name, local_files_only=local_only)
            device = self.options.device or ("cuda" if torch.cuda.is_available() else
                                             "mps" if torch.backends.mps.is_available() else "cpu")
            dtype = self.options.dtype or ("float32" if device == "cpu" else
                                           "bfloat16" if device == "cuda" and torch.cuda.is_bf16_supported()
                                           else "float16")
            loader = AutoModelForSeq2SeqLM if config.is_encoder_decoder else AutoModelForCausalLM
            model = loader.from_pretrained(self.name, local_files_only=local_only, dtype=getattr(torch, dtype))
        except Exception as exc:  # noqa: BLE001 - transformers raises many types here
            raise ModelError(self._cannot(str(exc).strip().splitlines()[0] if str(exc).strip() else
                                          type(exc).__name__)) from None
        model.to(device).eval()
        chat = not config.is_encoder_decoder and bool(getattr(tokenizer, "chat_template", None))
        if not config.is_encoder_decoder:
            tokenizer.padding_side = "left"  # decoder-only: generation continues at the right edge
            if tokenizer.pad_token is None:
                tokenizer.pad_token = tokenizer.eos_token
        self._loaded = (torch, tokenizer, model, device, chat, config.is_encoder_decoder)
        self.trace.window = self.window
        return self._loaded

    @property
    def encoder_decoder(self) -> bool:
        return self.load()[5]

    @property
    def window(self) -> int:
        """The most prompt tokens one call may carry."""
        _, tokenizer, model, _, _, encoder_decoder = self.load()
        config = model.config
        limits = [getattr(config, key) for key in ("max_position_embeddings", "n_positions", "max_seq_len")
                  if isinstance(getattr(config, key, None), int)]
        if 0 < tokenizer.model_max_length < 1_000_000:
            limits.append(tokenizer.model_max_length)
        window = min(limits) if limits else 512  # T5 has relative positions: its tokenizer says 512
        return window if encoder_decoder else window - self.options.max_new_tokens

    def describe(self) -> str:
        kind = "encoder-decoder" if self.encoder_decoder else "decoder-only" + (" (chat template)"
                                                                               if self.load()[4] else "")
        return f"{self.name} ({kind}, window {self.window} tokens, {self.load()[3]})"

    # -- running -------------------------------------------------------------------------
    def as_model_input(self, prompt: str) -> str:
        _, tokenizer, _, _, chat, _ = self.load()
        if chat:
            return tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                                 add_generation_prompt=True)
        return prompt

    def count(self, prompt: str) -> int:
        """Tokens ``prompt`` takes as the model sees it (chat wrapping and special tokens included)."""
        _, tokenizer, _, _, chat, _ = self.load()
        return len(tokenizer(self.as_model_input(prompt), add_special_tokens=not chat, verbose=False)["input_ids"])

    def split_tokens(self, text: str, size: int) -> list[str]:
        """``text`` cut into pieces of at most ``size`` tokens, losing nothing."""
        _, tokenizer, _, _, _, _ = self.load()
        ids = tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
        return [tokenizer.decode(ids[i:i + size], skip_special_tokens=True) for i in range(0, len(ids), size)]

    def generate(self, prompts: Sequence[str]) -> list[str]:
        torch, tokenizer, model, device, chat, encoder_decoder = self.load()
        options = self.options
        outputs: list[str] = []
        for begin in range(0, len(prompts), max(1, options.batch_size)):
            batch = [self.as_model_input(p) for p in prompts[begin:begin + options.batch_size]]
            encoded = tokenizer(batch, return_tensors="pt", padding=True, add_special_tokens=not chat)
            lengths = encoded["attention_mask"].sum(dim=1).tolist()
            if max(lengths) > self.window:  # never truncate: the caller must have split the text
                raise ModelError(f"internal: a prompt of {max(lengths)} tokens exceeds the {self.window}-token "
                                 f"window of {self.name}")
            self.trace.calls += 1
            self.trace.prompts += len(batch)
            self.trace.prompt_tokens.extend(int(n) for n in lengths)
            torch.manual_seed(options.seed)
            settings = dict(max_new_tokens=options.max_new_tokens, num_beams=options.num_beams,
                            do_sample=options.do_sample, repetition_penalty=options.repetition_penalty,
                            no_repeat_ngram_size=options.no_repeat_ngram_size,
                            pad_token_id=tokenizer.pad_token_id)
            if options.do_sample:
                settings.update(temperature=options.temperature, top_p=options.top_p)
            with torch.inference_mode():
                generated = model.generate(**encoded.to(device), **settings)
            if not encoder_decoder:
                generated = generated[:, encoded["input_ids"].shape[1]:]  # only what was generated
            outputs.extend(t.strip() for t in tokenizer.batch_decode(generated, skip_special_tokens=True))
        return outputs

    def judge(self, prompts: Sequence[str], answers: Sequence[str]) -> list[Judgement]:
        """Each answer word's probability as the model's reply, read from its next-token
        distribution (one forward pass, no sampling): the first token of the word as a reply
        would start it ("yes", "Yes", " yes", ...); the reply is the most likely token."""
        torch, tokenizer, model, device, chat, encoder_decoder = self.load()
        firsts: dict[int, str] = {}
        for word in answers:
            for variant in {word, word.capitalize(), word.upper(), " " + word, " " + word.capitalize()}:
                ids = tokenizer(variant, add_special_tokens=False)["input_ids"]
                if ids:
                    firsts[ids[0]] = word if firsts.get(ids[0], word) == word else ""  # "" : shared, not counted
        firsts = {token: word for token, word in firsts.items() if word}
        out: list[Judgement] = []
        for begin in range(0, len(prompts), max(1, self.options.batch_size)):
            batch = [self.as_model_input(p) for p in prompts[begin:begin + self.options.batch_size]]
            encoded = tokenizer(batch, return_tensors="pt", padding=True, add_special_tokens=not chat).to(device)
            self.trace.calls += 1
            self.trace.prompts += len(batch)
            with torch.inference_mode():
                if encoder_decoder:
                    start = torch.full((len(batch), 1), model.config.decoder_start_token_id, device=device)
                    logits = model(**encoded, decoder_input_ids=start).logits[:, -1]
                else:  # left-padded: each row's last position is its prompt's end; positions count from it
                    positions = (encoded["attention_mask"].cumsum(-1) - 1).clamp(min=0)
                    logits = model(**encoded, position_ids=positions).logits[:, -1]
            probs = torch.softmax(logits.float(), dim=-1).cpu().numpy()
            for row in probs:
                best = int(row.argmax())
                answer = firsts.get(best) or parse_answer(tokenizer.decode([best]), answers)
                shares = {word: float(sum(row[t] for t, w in firsts.items() if w == word)) for word in answers}
                out.append(Judgement(answer, shares, TOKEN_PROBABILITIES))
        return out


def get_generator(spec: str | Path | Generator, options: GenerationOptions | None = None) -> Generator:
    if isinstance(spec, str) and spec.startswith("openai:"):
        from ._openai import OpenAIGenerator

        if not spec[len("openai:"):]:
            raise ModelError("openai:MODEL: name the model the server serves")
        return OpenAIGenerator(spec[len("openai:"):], options or GenerationOptions(), Trace())
    if isinstance(spec, (str, Path)):
        if _local_path(spec) and not Path(spec).expanduser().exists():
            # A mistyped folder is the user's error, not a model that failed to load: it is not
            # turned into a fallback note, and the hub is never asked about a path.
            raise InputError(f"abstractive model {spec}: no such file or directory")
        return TransformersGenerator(spec, options or GenerationOptions())
    if callable(getattr(spec, "generate", None)):
        return spec
    raise ModelError(f"{type(spec).__name__} has no generate(prompts) method")


def _local_path(spec: str | Path) -> bool:
    """Whether ``spec`` names a local folder rather than a hub id ("org/name" or "name"):
    a Path, or a string that is absolute, starts with ~ or ., or has more than one slash."""
    if isinstance(spec, Path):
        return True
    text = str(spec)
    return (text.startswith(("/", "~", ".", "\\")) or text.count("/") > 1 or "\\" in text
            or (len(text) > 1 and text[1] == ":"))


class Summarizer:
    """The abstractive tasks, each a prompt template filled and reduced to fit the window."""

    def __init__(self, generator: Generator, prompts: Prompts):
        self.generator = generator
        self.prompts = prompts

    def article(self, *, title: str, outlet: str, date: str, words: int, units: list[str]) -> str:
        values = dict(title=title, outlet=outlet, date=date, words=words)
        return self._fit("article_summary", values, "text", units)

    def synthesis(self, *, subject: str, words: int, summaries: list[str]) -> str:
        values = dict(subject=subject, words=words, sources=len(summaries))
        return self._fit("corpus_synthesis", values, "summaries", summaries)

    def bottom_line(self, *, subject: str, sentences: int, summaries: list[str]) -> str:
        return self._fit("bottom_line", dict(subject=subject, sentences=sentences), "summaries", summaries)

    def side(self, *, question: str, claim: str, stance: str, statements: list[str]) -> str:
        values = dict(question=question, claim=claim, stance=stance)
        return self._fit("disagreement_side", values, "statements", statements)

    # -- map-reduce over the window ----------------------------------------------------------
    def _fit(self, task: str, values: dict, field_name: str, units: list[str]) -> str:
        template = self.prompts.get(task)
        units = [u for u in units if u.strip()]
        if not units:
            return ""
        counter = getattr(self.generator, "count", None)
        if counter is None:  # a plain generate() backend: no window to respect
            return self.generator.generate([template.render(**values, **{field_name: "\n".join(units)})])[0]
        window = self.generator.window
        room = window - counter(template.render(**values, **{field_name: ""})) - MARGIN
        longest_output = getattr(getattr(self.generator, "options", None), "max_new_tokens", 0)
        if room < max(16, 2 * longest_output + 2):
            raise ModelError(f"the {task} prompt leaves {room} of the model's {window} tokens for text; "
                             f"shorten the template or lower max_new_tokens ({longest_output})")
        level = 0
        while True:
            chunks = self._pack(units, room, template, values, field_name)
            prompts = [template.render(**values, **{field_name: chunk}) for chunk in chunks]
            trace = getattr(self.generator, "trace", None)
            if trace is not None:
                trace.rounds.append(len(prompts))
            outputs = self.generator.generate(prompts)
            if len(chunks) == 1:
                trace = getattr(self.generator, "trace", None)
                if trace is not None:
                    trace.reduce_levels = max(trace.reduce_levels, level)
                return outputs[0]
            # Reduce: the parts' summaries become the text of the next round. A part's summary
            # is at most max_new_tokens long as generated, but decoding and encoding again can
            # grow it (broken byte sequences from a weak model); one longer than half the room
            # is cut to that, and counted in the trace, so each round at least halves the parts.
            units = []
            for output in (o for o in outputs if o.strip()):
                if counter(output) > room // 2:
                    output = self.generator.split_tokens(output, room // 2)[0]
                    trace = getattr(self.generator, "trace", None)
                    if trace is not None:
                        trace.partials_cut += 1
                units.append(output)
            units = units or ["(no summary)"]
            level += 1
            if level > MAX_REDUCE_LEVELS:  # each round at least halves the parts; this is a safeguard
                raise ModelError(f"{task}: summaries did not shrink to one prompt after {level} rounds")

    def _pack(self, units: list[str], room: int, template, values: dict, field_name: str) -> list[str]:
        """Consecutive units joined into chunks whose full prompt fits the window."""
        count = self.generator.count
        window = self.generator.window
        pieces: list[str] = []
        for unit in units:  # a unit too long on its own is cut by tokens, keeping every token
            pieces.extend(self.generator.split_tokens(unit, room) if count(unit) > room else [unit])
        chunks: list[list[str]] = [[]]
        for piece in pieces:
            trial = chunks[-1] + [piece]
            if chunks[-1] and count(template.render(**values, **{field_name: "\n".join(trial)})) > window:
                chunks.append([piece])
            else:
                chunks[-1] = trial
        return ["\n".join(chunk) for chunk in chunks]
