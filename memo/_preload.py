"""Models loaded in a helper process forked at start-up, so that their imports (torch alone
takes about 2 s) and loading overlap the caller's own start-up, reading and sentence
splitting on the other core. The command line uses it for the sentence embedder and, when
it is memo's own, the stance model: a cold run never imports torch in the main process.

Requests go to the helper over a pipe and answers come back; one helper serves both
models, so torch is imported once and the two MiniLM copies share a process.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from ._errors import MemoError, ModelError
from ._stance import ClaimStance


class ModelHelper:
    """The helper process: loads ``embedder`` (a name for ``get_embedder``) and, if given,
    the stance model folder ``stance`` (``None``: memo's shipped one, ``False``: none)."""

    def __init__(self, embedder: str | None, stance: str | Path | None | bool = False):
        import multiprocessing
        import sys

        # Forked, the helper starts at once without importing memo again; but a process
        # forked after torch ran its thread pool can hang in its first torch call, so a
        # caller that has loaded torch gets a freshly started one.
        context = multiprocessing.get_context("spawn" if "torch" in sys.modules else "fork")
        self._connection, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(embedder, stance, child_end), daemon=True)
        self._process.start()
        child_end.close()
        self._lock = threading.Lock()  # one request in flight: the pipe carries one answer at a time
        self._closed = False

    def request(self, kind: str, payload):
        with self._lock:
            if self._closed:
                raise ModelError("the model helper process was already closed")
            try:
                self._connection.send((kind, payload))
                status, answer, description = self._connection.recv()
            except (EOFError, OSError):
                raise ModelError("the model helper process stopped unexpectedly") from None
        if status == "error":
            raise ModelError(answer)
        return answer, description

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._connection.send(None)
            except OSError:
                pass
            self._connection.close()
        # An idle helper exits at once on the message above; one still loading a model
        # (the run failed early) is not waited for.
        self._process.join(timeout=0.5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


class PreloadedEmbedder:
    """An embedder run in a ``ModelHelper``; vectors come back over the pipe."""

    def __init__(self, name: str, *, helper: ModelHelper | None = None):
        self.description = name  # replaced by the loaded model's own description
        self.cache_key = name  # the name memo.build would be given: the same cached vectors
        self._own_helper = helper is None
        self._helper = helper or ModelHelper(name)

    @property
    def _process(self):
        return self._helper._process

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors, self.description = self._helper.request("embed", list(texts))
        return vectors

    def close(self) -> None:
        if self._own_helper:
            self._helper.close()


class PreloadedStance(ClaimStance):
    """memo's stance model run in a ``ModelHelper``: calibration and side calls here, the
    network there. ``model`` as for ``ClaimStance``."""

    def __init__(self, model: str | Path | None, *, helper: ModelHelper):
        super().__init__(model)  # reads calibration.json: a bad folder fails here, before any work
        self._helper = helper

    def load(self) -> None:
        """Nothing to load here: the helper loads the model from its start."""

    def pair_probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.zeros((0, len(self.labels)))
        probabilities, _ = self._helper.request("stance", [tuple(pair) for pair in pairs])
        return probabilities


def _serve(embedder_name: str | None, stance_model, connection) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and closes the pipe
    # torch's threads share the cores with the build's own work (the attribution parse runs
    # beside the embedding): spinning between operations would take the time that work needs
    # (measured on 2 cores: cold seeds build 8.9 -> 8.2 s). Read when torch loads, below.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    models, failures = {}, {}

    def load(kind, make, warm_up):
        try:
            model = make()
            warm_up(model)
            models[kind] = model
        except MemoError as exc:
            failures[kind] = str(exc)
        except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
            what = "embedding" if kind == "embed" else kind
            failures[kind] = f"the {what} model failed to load: {type(exc).__name__}: {exc}"

    from ._embed import describe, get_embedder

    # The embedder first: the caller needs vectors before it asks for stance.
    if embedder_name is not None:
        load("embed", lambda: get_embedder(embedder_name),
             lambda model: model.embed(["warm up: load the model before the first request"]))
    if stance_model is not False:
        load("stance", lambda: ClaimStance(stance_model),
             lambda model: model.pair_probabilities([("warm up", "load the model before the first request")]))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        kind, payload = message
        try:
            if kind in failures or kind not in models:
                connection.send(("error", failures.get(kind, f"the helper process has no {kind} model"), kind))
            elif kind == "embed":
                connection.send(("ok", models[kind].embed(payload), describe(models[kind])))
            else:
                connection.send(("ok", models[kind].pair_probabilities(payload), kind))
        except MemoError as exc:
            connection.send(("error", str(exc), kind))
        except Exception as exc:  # noqa: BLE001 - one line to the parent
            connection.send(("error", f"{kind} failed: {type(exc).__name__}: {exc}", kind))
