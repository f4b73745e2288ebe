"""Where a model comes from: a local directory, the Hugging Face cache, or the hub, decided
by ``huggingface_hub`` itself (its offline mode, cache, endpoint, proxy and token settings)
and in well under a second, so an unreachable hub gives one clear error at once instead of
the hub client's retries. Used by every backend that loads transformers weights."""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from ._errors import ModelError

PROBE_SECONDS = 3.0

# transformers 5 resolves its names lazily, and two threads resolving them at once can see a
# half-built namespace ("cannot import name 'AutoModelForSequenceClassification' from
# 'transformers'", seen in CI: the default generation model's check in its thread beside an
# NLI model loading in the build's). Its logging verbosity, which loads set and restore, is
# global too. So memo's transformers loads run one at a time.
_TRANSFORMERS_LOADS = threading.RLock()


def one_load_at_a_time(load):
    """Decorates a function that imports transformers and loads a model with it."""
    @functools.wraps(load)
    def serialised(*args, **kwargs):
        with _TRANSFORMERS_LOADS:
            return load(*args, **kwargs)
    return serialised


def _offline() -> bool:
    import os

    from huggingface_hub import constants

    # constants are read when huggingface_hub is imported; the variable may be set after
    return constants.HF_HUB_OFFLINE or os.environ.get("HF_HUB_OFFLINE", "").upper() in constants.ENV_VARS_TRUE_VALUES


def cached(name: str) -> bool:
    """Is a snapshot of hub model ``name`` in the Hugging Face cache (``HF_HUB_CACHE``)?"""
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except ValueError:  # not a valid repo id
        return False


def local_files_only(name: str, what: str) -> bool:
    """True when only local files are to be read (a directory, offline mode, or a cached
    copy: used as it is, never refreshed behind the user's back); False when the hub is to be
    asked. ``ModelError`` at once when the model can come from nowhere."""
    if Path(name).exists() or _offline() or cached(name):
        return True
    from huggingface_hub import constants, model_info
    from huggingface_hub.errors import HFValidationError, RepositoryNotFoundError

    try:
        model_info(name, timeout=PROBE_SECONDS)
        return False
    except RepositoryNotFoundError:
        raise ModelError(f"cannot load {what} {name!r}: no such local directory, and {constants.ENDPOINT} "
                         "has no model of that name (or it is private: log in with `hf auth login`)") from None
    except HFValidationError:
        raise ModelError(f"cannot load {what} {name!r}: no such local directory, and not a hub model name") from None
    except Exception as exc:  # noqa: BLE001 - connection, proxy and TLS errors come as many types
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(cannot_load(name, what, "it is not a local directory, not in the Hugging Face cache, "
                                                 f"and {constants.ENDPOINT} cannot be reached ({why})")) from None


def cannot_load(name: str, what: str, why: str) -> str:
    return (f"cannot load {what} {name!r}: {why}. Get it on a connected machine (`hf download "
            f"{name}` or `git clone https://huggingface.co/{name}`) and pass its directory")
