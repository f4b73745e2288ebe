"""Where the per-article stages run: in this process, or as Ray tasks on a cluster.

The per-article work (cleaning, sentence splitting, attribution, embedding, generated
summaries) is a pure function of one input, so it can run anywhere; the corpus-level stages
(duplicates, ranking, grouping, stance, rendering) stay with the caller. Executors take the
same inputs in the same order and return the results in that order, so a run gives the
same memo whichever executor ran it.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, Sequence

from ._errors import ArgumentError, ExecutorError, MemoError

Done = Callable[[int], None]  # told how many items have finished, as they finish


class Executor(Protocol):
    def map(self, function: Callable[[Any], Any], items: Sequence[Any], *, done: Done | None = None) -> list:
        """``[function(item) for item in items]``, wherever it runs; ``function`` must be
        importable by name (a module-level function) for executors that run elsewhere."""


class LocalExecutor:
    """In this process, one item after another."""

    def map(self, function, items, *, done: Done | None = None) -> list:
        results = []
        for item in items:
            results.append(function(item))
            if done:
                done(len(results))
        return results

    def close(self) -> None:
        pass


class RayExecutor:
    """Ray tasks on an existing cluster (``address``: "ray://host:10001", "host:6379" or
    "auto") or, with no address, on a Ray instance started here with ``workers`` CPUs.
    Items go in contiguous chunks, a few per CPU, so each task amortises its start-up;
    a worker process keeps loaded models between tasks. memo must be installed on the
    cluster's nodes (the same version as here)."""

    def __init__(self, address: str | None = None, *, workers: int | None = None, chunks_per_cpu: int = 4):
        if not _installed("ray"):  # fail before any work, not when the first task is sent
            raise ExecutorError("the Ray executor needs Ray: pip install 'memo[ray]'")
        self.address = address
        self.workers = workers
        self.chunks_per_cpu = chunks_per_cpu
        self._started = False
        self._task = None

    def _ray(self):
        try:
            import ray
        except ImportError:
            raise ExecutorError("the Ray executor needs Ray: pip install 'memo[ray]'") from None
        if not ray.is_initialized():
            options = dict(address=self.address, include_dashboard=False, log_to_driver=False,
                           configure_logging=False)
            if self.address is None:
                options.update(num_cpus=self.workers)
            try:
                ray.init(**options)
            except Exception as exc:  # noqa: BLE001 - Ray raises ConnectionError, RuntimeError, ValueError...
                where = f"at {self.address}" if self.address else "locally"
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise ExecutorError(f"cannot start or reach Ray {where}: {first}") from None
            self._started = True
        if self._task is None:
            self._task = ray.remote(_run_chunk)
        return ray

    def map(self, function, items, *, done: Done | None = None) -> list:
        if not items:
            return []
        ray = self._ray()
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        count = min(len(items), cpus * self.chunks_per_cpu)
        size = -(-len(items) // count)
        chunks = [list(items[i:i + size]) for i in range(0, len(items), size)]
        try:
            pending = {self._task.remote(function, chunk): k for k, chunk in enumerate(chunks)}
        except Exception as exc:  # noqa: BLE001 - e.g. an embedder object that cannot be pickled
            raise ExecutorError(f"cannot send work to Ray: {type(exc).__name__}: {exc}") from None
        results: list = [None] * len(chunks)
        finished = 0
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                k = pending.pop(ref)
                try:
                    results[k] = ray.get(ref)
                except Exception as exc:  # noqa: BLE001
                    raise _unwrapped(exc) from None
                finished += len(chunks[k])
                if done:
                    done(finished)
        return [result for chunk in results for result in chunk]

    def close(self) -> None:
        if self._started:
            import ray

            ray.shutdown()
            self._started = False


def _installed(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: a module set to None in sys.modules
        return False


def _run_chunk(function, chunk: list) -> list:
    return [function(item) for item in chunk]


def _unwrapped(exc: Exception) -> Exception:
    """A task's own MemoError as raised; anything else as one ExecutorError line."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, MemoError):
        return type(cause)(*cause.args)
    cause = cause or exc
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return ExecutorError(f"a Ray task failed: {type(cause).__name__}: {first}")


EXECUTORS = {"local": LocalExecutor, "ray": RayExecutor}


def get_executor(choice: str | Executor | None = None, *, address: str | None = None) -> Executor:
    """``"local"`` (default), ``"ray"`` (``address`` of a cluster, or a local instance), or
    an object with ``map(function, items)``."""
    if choice is None:
        choice = "ray" if address else "local"
    if isinstance(choice, str):
        if choice not in EXECUTORS:
            raise ArgumentError(f"unknown executor {choice!r}; choose one of: {', '.join(EXECUTORS)}")
        if choice == "ray":
            return RayExecutor(address)
        if address:
            raise ArgumentError("a Ray address was given with executor 'local'")
        return LocalExecutor()
    if not callable(getattr(choice, "map", None)):
        raise ArgumentError(f"{type(choice).__name__} has no map(function, items) method")
    return choice
