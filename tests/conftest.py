"""Shared fixtures: the seed corpus, small corpora written on the fly, fast embedders."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

import memo
from memo._embed import HashingEmbedder

# Tests never reach a model hub, wherever they run (a test of the unreachable-hub path
# removes this itself); command-line runs in subprocesses inherit it.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The ONNX graphs memo builds for its models go to a cache of the test run's own (shared by
# its tests and their subprocesses), never the user's; the runtime is the default unless a test sets it.
os.environ["MEMO_MODEL_CACHE"] = tempfile.mkdtemp(prefix="memo-test-models-")
atexit.register(shutil.rmtree, os.environ["MEMO_MODEL_CACHE"], ignore_errors=True)
os.environ.pop("MEMO_RUNTIME", None)


def _refuse_the_network() -> None:
    """Make every connection off this machine fail in the test process, whatever the
    environment (a proxy set, offline mode unset): a test that would reach the network fails
    instead. Loopback (the local servers some tests start) and Unix sockets stay open."""
    import ipaddress
    import socket

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def allowed(sock, address) -> bool:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return True
        host = address[0]
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False  # a host name: resolving it is already a step out

    def connect(sock, address):
        if not allowed(sock, address):
            raise OSError(f"tests never touch the network: a connection to {address} was refused")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        if not allowed(sock, address):
            raise OSError(f"tests never touch the network: a connection to {address} was refused")
        return real_connect_ex(sock, address)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex


_refuse_the_network()

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


class CountingEmbedder:
    """A hashing embedder that records every text it is asked to embed."""

    def __init__(self):
        self.inner = HashingEmbedder(512)
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        return self.inner.embed(texts)

    @property
    def texts(self) -> list[str]:
        return [t for call in self.calls for t in call]


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Command-line runs cache embeddings under $MEMO_CACHE: keep the tests' cache their own."""
    import os

    os.environ["MEMO_CACHE"] = str(tmp_path_factory.mktemp("memo-cache"))


@pytest.fixture
def counting_embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_memo() -> memo.Memo:
    """The seed corpus through the default (offline MiniLM) pipeline, built once per run."""
    return memo.build(SEEDS)


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def write_corpus(directory: Path, articles: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """Three short articles on one story, each from a different outlet."""
    return write_corpus(tmp_path / "corpus", {
        "a.txt": "Storm Hits Coast\n\nBy Jane Roe\n\nA powerful storm struck the northern coast on Tuesday, "
                 "cutting power to 40,000 homes. Officials said repair crews would work through the night. "
                 "The storm is expected to weaken by Thursday, forecasters told The Coastal Herald.\n\n"
                 "Photo: Coastal Herald archive\n",
        "b.txt": "Tens of thousands of homes lost power when a storm battered the northern coast on Tuesday. "
                 "Utility officials said crews were restoring lines but warned that some areas could wait days. "
                 "Schools in three districts closed for the rest of the week, a spokesperson told Valley News.\n",
        "c.txt": "Emergency shelters opened across the northern coast after Tuesday's storm left about 40,000 "
                 "households without electricity. The governor declared a state of emergency on Wednesday. "
                 "Insurers expect claims to run into the millions, an analyst told Metro Daily.\n",
    })


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
