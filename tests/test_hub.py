"""Where models come from, decided by huggingface_hub's own settings (run in a fresh
interpreter, since huggingface_hub reads them when imported). Nothing leaves this machine:
the endpoint is a closed port on loopback."""

import os
import subprocess
import sys

import pytest

CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens there


def _ask(name: str, **env) -> subprocess.CompletedProcess:
    code = ("from memo._hub import local_files_only\n"
            "from memo._errors import ModelError\n"
            "try:\n"
            f"    print('local' if local_files_only({name!r}, 'test model') else 'hub')\n"
            "except ModelError as exc:\n"
            "    print('error:', exc)\n")
    base = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**base, "HF_ENDPOINT": CLOSED, **env})


def test_the_hub_is_asked_at_the_endpoint_the_user_set(tmp_path):
    result = _ask("no-org/no-model", HF_HUB_CACHE=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("error: cannot load test model 'no-org/no-model'")
    assert CLOSED in result.stdout and "hf download no-org/no-model" in result.stdout


def test_a_model_in_the_hub_cache_is_used_without_asking_the_hub(tmp_path):
    snapshot = tmp_path / "models--some-org--tiny" / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (tmp_path / "models--some-org--tiny" / "refs").mkdir()
    (tmp_path / "models--some-org--tiny" / "refs" / "main").write_text("0123abcd")
    result = _ask("some-org/tiny", HF_HUB_CACHE=str(tmp_path))
    assert result.stdout.strip() == "local", result.stdout + result.stderr
    assert _ask("some-org/other", HF_HUB_CACHE=str(tmp_path)).stdout.startswith("error:")


@pytest.mark.parametrize("value", ["1", "ON", "yes"])
def test_offline_mode_is_read_as_huggingface_hub_reads_it(tmp_path, value):
    result = _ask("no-org/no-model", HF_HUB_CACHE=str(tmp_path), HF_HUB_OFFLINE=value)
    assert result.stdout.strip() == "local", result.stdout + result.stderr


def test_a_local_directory_is_always_local(tmp_path):
    assert _ask(str(tmp_path)).stdout.strip() == "local"


def test_the_suite_itself_cannot_reach_the_network():
    import socket

    with pytest.raises(OSError, match="never touch the network"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)  # TEST-NET-1: would go off this machine
    server = socket.create_server(("127.0.0.1", 0))
    try:
        socket.create_connection(server.getsockname(), timeout=1).close()  # loopback stays open
    finally:
        server.close()


def test_two_threads_load_transformers_models_at_once(tmp_path):
    """transformers 5 builds its namespace lazily, and a name resolved in one thread while
    another is resolving others could be missing ("cannot import name ..."): memo's own
    threads (the generation model's check beside the build) load one at a time. A fresh
    interpreter, so transformers is imported for the first time by the two threads; a tiny
    switch interval makes them interleave (the old code failed this every time)."""
    from tiny_models import build_causal, build_nli

    causal, nli = build_causal(tmp_path / "causal"), build_nli(tmp_path / "nli")
    code = ("import sys, threading\n"
            "sys.setswitchinterval(1e-6)\n"
            "from memo._abstractive import TransformersGenerator\n"
            "from memo._stance import NLIStance\n"
            "failed = []\n"
            "def generator():\n"
            "    try:\n"
            f"        TransformersGenerator({str(causal)!r}).load()\n"
            "    except Exception as exc:\n"
            "        failed.append(repr(exc))\n"
            "thread = threading.Thread(target=generator)\n"
            "thread.start()\n"
            "try:\n"
            f"    NLIStance({str(nli)!r})._load()\n"
            "except Exception as exc:\n"
            "    failed.append(repr(exc))\n"
            "thread.join()\n"
            "print(failed)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
