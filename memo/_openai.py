"""Generated summaries from a model server that speaks the OpenAI chat-completions API:
Ollama, llama.cpp's server, LM Studio, vLLM, ``transformers serve``. ``openai:MODEL``.

The same prompts, map-reduce and faithfulness gate as the in-process backend: this one
answers the ``Summarizer``'s questions (``window``, ``count``, ``split_tokens``) without the
model's tokenizer, by a conservative estimate, so that no prompt is sent over the window.
Requests go through httpx (a well-kept client memo already uses for links) with a timeout,
retries with backoff on 429 and 5xx, and at most ``concurrency`` in flight. The API key is
read from the environment when a request is made and never printed, logged or stored."""

from __future__ import annotations

import math
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence
from urllib.parse import urlsplit

from ._answers import SAMPLED, TOKEN_PROBABILITIES, Judgement, parse_answer
from ._errors import ModelError

SAMPLES = 5  # answers sampled per prompt to judge with, when the server gives no token probabilities
TOP_LOGPROBS = 10  # alternatives asked for the reply's first token (OpenAI allows up to 20)
# What an OpenAI-compatible server reports as a model's context length, by server.
_WINDOW_KEYS = ("max_model_len", "context_length", "context_window", "max_context_length", "n_ctx")
CHAT_OVERHEAD = 16  # tokens a chat template adds around one user message (role markers, BOS)
RETRIED = {429, 500, 502, 503, 504}
# A sample of news prose, figures and punctuation, sent once to learn how the model counts.
CALIBRATION_TEXT = ("Officials said on Tuesday that the port, closed since March 3 after a 12-day strike, would "
                    "reopen at 6 a.m.; the union's deal (a 4.5% raise over two years) still needs a vote. "
                    "\"We are not there yet,\" the mayor told reporters in Rotterdam, adding that 1,200 workers "
                    "and about 340 ships were affected - see https://port.example/notice for details.")


_LETTERS = re.compile(r"[A-Za-z]+")


def estimate_tokens(text: str) -> int:
    """More tokens than any common tokenizer gives ``text``: a run of ASCII letters at one
    token per 2.5 letters (BPE and SentencePiece vocabularies run about four), and every other
    character that is not a space as a token of its own (digits, punctuation and symbols, which
    WordPiece and Llama's tokenizer split one by one; CJK; accented letters split into bytes)."""
    letters = _LETTERS.findall(text)
    others = len(_LETTERS.sub("", text)) - sum(1 for ch in _LETTERS.sub("", text) if ch.isspace())
    return sum(math.ceil(len(run) / 2.5) for run in letters) + others


def split_estimated(text: str, size: int) -> list[str]:
    """``text`` in pieces of at most ``size`` estimated tokens, cut between words where it can."""
    pieces, current = [], ""
    for word in text.split(" "):
        trial = f"{current} {word}" if current else word
        if current and estimate_tokens(trial) > size:
            pieces.append(current)
            trial = word
        while estimate_tokens(trial) > size:  # one long "word" (a URL, CJK text): cut by characters
            cut = max(1, size)
            while estimate_tokens(trial[:cut]) > size:
                cut -= 1
            pieces.append(trial[:cut])
            trial = trial[cut:]
        current = trial
    return pieces + ([current] if current else [])


class OpenAIGenerator:
    """A model served over the OpenAI chat-completions API at ``api_base`` (".../v1")."""

    def __init__(self, model: str, options, trace):
        self.name = model
        self.options = options
        base = options.api_base or os.environ.get("OPENAI_BASE_URL")
        if not base:
            raise ModelError(f"openai:{model}: give the server's address (--api-base URL, or OPENAI_BASE_URL)")
        self.api_base = base.rstrip("/")
        self.host = urlsplit(self.api_base).netloc.rsplit("@", 1)[-1]  # never user:password@
        self._window: int | None = None
        self.scale = 1.0  # the estimate's factor for this model's tokenizer (see _calibrate)
        self._client = None
        self._lock = threading.Lock()
        self.token_probabilities: bool | None = None  # whether the server gives logprobs (None: not yet asked)
        self.trace = trace  # what was sent, for the method note (memo._abstractive.Trace)

    # -- the server -----------------------------------------------------------------------
    def _headers(self) -> dict:
        key = os.environ.get(self.options.api_key_env or "OPENAI_API_KEY", "")
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _http(self):
        import httpx

        with self._lock:
            if self._client is None:
                self._client = httpx.Client(timeout=httpx.Timeout(self.options.timeout, connect=min(10.0,
                                                                                                    self.options.timeout)),
                                            limits=httpx.Limits(max_connections=max(1, self.options.concurrency)))
            return self._client

    def _request(self, method: str, path: str, json: dict | None = None, *, refusable: bool = False) -> dict | None:
        """One request, retried with backoff on 429, 5xx and a dropped connection. With
        ``refusable``, a 400 or 422 (a field the server does not take) returns None."""
        import httpx

        delay, attempt = 0.5, 0
        while True:
            attempt += 1
            try:
                reply = self._http().request(method, self.api_base + path, json=json, headers=self._headers())
            except httpx.TimeoutException:
                problem = f"no reply within {self.options.timeout:g} s"
                status = None
            except httpx.TransportError as exc:
                problem = f"cannot reach it ({type(exc).__name__})"
                status = None
            else:
                if reply.status_code < 400:
                    try:
                        return reply.json()
                    except ValueError:
                        raise ModelError(f"{self._where()}: the reply to {path} is not JSON") from None
                status, problem = reply.status_code, f"HTTP {reply.status_code}{_detail(reply)}"
                if refusable and status in (400, 422):
                    return None
                if status not in RETRIED:
                    raise ModelError(f"{self._where()}: {path} answered {problem}")
                wait = reply.headers.get("retry-after", "")
                delay = max(delay, float(wait)) if wait.replace(".", "", 1).isdigit() else delay
            if attempt > self.options.retries:
                raise ModelError(f"{self._where()}: {problem}" + (f" after {attempt} tries" if attempt > 1 else ""))
            time.sleep(min(delay, 30.0))
            delay *= 2

    def _where(self) -> str:
        return f"model server {self.host} (openai:{self.name})"

    def load(self):
        """Ask the server which models it serves, before any slow work: a server that is down,
        or one that does not serve this model, fails the build here in one line."""
        if self._window is not None:
            return self
        listing = self._request("GET", "/models")
        models = {m.get("id"): m for m in listing.get("data", []) if isinstance(m, dict)}
        if self.name not in models:
            served = ", ".join(sorted(str(m) for m in models)[:8]) or "none"
            raise ModelError(f"{self._where()} does not serve {self.name!r} (it serves: {served})")
        reported = [models[self.name].get(key) for key in _WINDOW_KEYS]
        reported = [int(v) for v in reported if isinstance(v, (int, float)) and v > 0]
        window = min(reported) if reported else self.options.context_window
        self._window = window - self.options.max_new_tokens  # the reply shares the window
        if self._window < 64:
            raise ModelError(f"{self._where()}: a window of {window} tokens leaves no room for a prompt after "
                             f"{self.options.max_new_tokens} new tokens")
        self.trace.window = self._window
        self._calibrate()
        return self

    def _calibrate(self) -> None:
        """Scale the estimate to the served model's tokenizer: one reply of a single token to a
        sample of news text, whose ``usage.prompt_tokens`` (every server above reports it) says
        how many tokens the model counts. A tokenizer with a small vocabulary counts more than
        the estimate; then every count is scaled up, with a tenth to spare."""
        body = {"model": self.name, "messages": [{"role": "user", "content": CALIBRATION_TEXT}], "max_tokens": 1,
                "temperature": 0.0, "seed": self.options.seed}
        usage = self._request("POST", "/chat/completions", body).get("usage") or {}
        counted = usage.get("prompt_tokens")
        if isinstance(counted, int) and counted > 0:
            self.scale = max(1.0, 1.1 * counted / (estimate_tokens(CALIBRATION_TEXT) + CHAT_OVERHEAD))

    # -- what the Summarizer asks -----------------------------------------------------------
    @property
    def window(self) -> int:
        return self.load()._window

    def count(self, prompt: str) -> int:
        return math.ceil(self.scale * (estimate_tokens(prompt) + CHAT_OVERHEAD))

    def split_tokens(self, text: str, size: int) -> list[str]:
        # pieces the Summarizer then counts with the chat overhead and the scale: both taken off
        return split_estimated(text, max(1, int(size / self.scale) - CHAT_OVERHEAD))

    def describe(self) -> str:
        return (f"{self.name} on the OpenAI-compatible server at {self.host} (window {self.window} tokens, "
                f"counted by a conservative estimate{self._scaled()})")

    def _scaled(self) -> str:
        return f", scaled by {self.scale:.2f} to the model's tokenizer" if self.scale > 1 else ""

    def generate(self, prompts: Sequence[str]) -> list[str]:
        self.load()
        for prompt in prompts:
            if self.count(prompt) > self.window:  # never sent over the window: the caller splits
                raise ModelError(f"internal: a prompt of about {self.count(prompt)} tokens exceeds the "
                                 f"{self.window}-token window of {self.name}")
        self.trace.calls += 1
        self.trace.prompts += len(prompts)
        self.trace.prompt_tokens.extend(self.count(p) for p in prompts)
        with ThreadPoolExecutor(max_workers=max(1, min(self.options.concurrency, len(prompts) or 1))) as pool:
            return list(pool.map(self._complete, prompts))

    def _complete(self, prompt: str) -> str:
        options = self.options
        body = {"model": self.name, "messages": [{"role": "user", "content": prompt}],
                "max_tokens": options.max_new_tokens, "seed": options.seed,
                "temperature": options.temperature if options.do_sample else 0.0}
        if options.do_sample:
            body["top_p"] = options.top_p
        return _content(self._request("POST", "/chat/completions", body), self._where())

    def judge(self, prompts: Sequence[str], answers: Sequence[str]) -> list[Judgement]:
        """Each answer word's probability as the model's reply: from the token probabilities
        of the reply's first token (``logprobs``, which vLLM, llama.cpp's server and recent
        Ollama give), else from the share of ``SAMPLES`` answers sampled at temperature 1."""
        self.load()
        self.trace.calls += 1
        self.trace.prompts += len(prompts)
        with ThreadPoolExecutor(max_workers=max(1, min(self.options.concurrency, len(prompts) or 1))) as pool:
            return list(pool.map(lambda prompt: self._judge(prompt, tuple(answers)), prompts))

    def _judge(self, prompt: str, answers: tuple[str, ...]) -> Judgement:
        body = {"model": self.name, "messages": [{"role": "user", "content": prompt}], "max_tokens": 4,
                "temperature": 0.0, "seed": self.options.seed}
        if self.token_probabilities is not False:
            reply = self._request("POST", "/chat/completions", {**body, "logprobs": True, "top_logprobs": TOP_LOGPROBS},
                                  refusable=True)
            shares = _first_token_shares(reply, answers) if reply is not None else None
            if shares is not None:
                self.token_probabilities = True
                return Judgement(parse_answer(_content(reply, self._where()), answers), shares, TOKEN_PROBABILITIES)
            if reply is None or not self.token_probabilities:  # refused, or ignored: this server gives none
                self.token_probabilities = False
        votes = [parse_answer(_content(self._request("POST", "/chat/completions",
                                                     {**body, "temperature": 1.0, "seed": self.options.seed + k}),
                                       self._where()), answers) for k in range(SAMPLES)]
        shares = {word: votes.count(word) / SAMPLES for word in answers}
        best = max(answers, key=lambda word: shares[word])
        return Judgement(best if shares[best] > 0 else None, shares, SAMPLED)


def _content(reply: dict, where: str) -> str:
    try:
        return str(reply["choices"][0]["message"]["content"] or "").strip()
    except (KeyError, IndexError, TypeError):
        raise ModelError(f"{where}: a chat completion without choices[0].message.content") from None


_LETTERS_ONLY = re.compile(r"[^a-z]")


def _first_token_shares(reply: dict, answers: tuple[str, ...]) -> dict[str, float] | None:
    """Each answer word's probability as the reply's first token, from ``top_logprobs``: a
    token counts for a word when it is the word (any case, spaces and marks aside) or starts
    only that word ("Ne" for "neither"). None when the reply has no token probabilities."""
    try:
        first = reply["choices"][0]["logprobs"]["content"][0]
        alternatives = first.get("top_logprobs") or [first]
        pairs = [(str(a["token"]), float(a["logprob"])) for a in alternatives]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    shares = dict.fromkeys(answers, 0.0)
    for token, logprob in pairs:  # distinct tokens: "Yes" and " yes" both count for "yes"
        text = _LETTERS_ONLY.sub("", token.lower())
        matches = [w for w in answers if w == text] or [w for w in answers if len(text) >= 2 and w.startswith(text)]
        if len(matches) == 1:
            shares[matches[0]] += math.exp(logprob)
    return shares


def _detail(reply) -> str:
    """A server's error message, short (never the request, which carries no key either)."""
    try:
        error = reply.json().get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = ""
    return f": {str(message)[:160]}" if message else ""
