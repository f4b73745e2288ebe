"""Where a model comes from: a local directory, the Hugging Face cache, or the hub. Decided
in well under a second, so an unreachable hub gives one clear error at once instead of the
hub client's minute of retries. Used by every backend that loads transformers weights."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from .errors import ModelError


def hub_reachable(timeout: float = 3.0) -> bool:
    try:
        socket.create_connection(("huggingface.co", 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def cached(name: str) -> bool:
    home = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    root = Path(os.environ.get("HF_HUB_CACHE") or home / "hub")
    return (root / ("models--" + name.replace("/", "--"))).is_dir()


def local_files_only(name: str, what: str) -> bool:
    """True when only local files may be read (a directory, or HF_HUB_OFFLINE=1); False when
    the hub may be asked. ``ModelError`` at once when the model can come from nowhere."""
    if Path(name).exists() or os.environ.get("HF_HUB_OFFLINE") == "1":
        return True
    if hub_reachable():
        return False
    if cached(name):
        return True  # downloaded before: use that copy without asking the unreachable hub
    raise ModelError(cannot_load(name, what, "it is not a local directory, not in the Hugging Face cache, "
                                             "and huggingface.co cannot be reached"))


def cannot_load(name: str, what: str, why: str) -> str:
    return (f"cannot load {what} {name!r}: {why}. Get it on a connected machine (`huggingface-cli download "
            f"{name}` or `git clone https://huggingface.co/{name}`) and pass its directory")
