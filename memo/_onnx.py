"""memo's two BERT models (the sentence embedder and the stance cross-encoder) on ONNX Runtime,
so that a build runs them without importing torch: float32 by default (torch's numbers), or
with int8 weights (``--runtime int8``: quicker, slightly less accurate; benchmarks/runtimes.py).

The ONNX graph is built here with ``onnx.helper`` from the same safetensors weights the
torch encoder (``memo._bert``) reads, for int8 quantised by ONNX Runtime's own
``quantize_dynamic``, and cached on disk, keyed by a hash of the weights, the config and
this builder's version. Building the graph by hand, not with
``torch.onnx.export``, is measured: the export would import torch (2-4 s on the 2-core
machines memo targets, most of a cold build) and needs onnxscript, while this builder takes
about 1 s without torch, so a first run that finds no cached graph pays little. Tests check
the graph against the torch encoder (which tests check against transformers' BertModel).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ._errors import ModelError

BUILDER_VERSION = 2  # part of the cache key: a change to the graph below must bump it
OPSET = 20  # Gelu is an operator from opset 20
MASKED = -1e9  # added to the attention scores of padding, as SDPA's boolean mask does with -inf

RUNTIMES = ("int8", "onnx", "torch")  # ONNX Runtime with int8 weights, ONNX Runtime float32, torch
DEFAULT_RUNTIME = "onnx"


def available() -> bool:
    """Is ONNX Runtime installed (with the onnx package, which builds the graph)?"""
    from importlib.util import find_spec

    return find_spec("onnxruntime") is not None and find_spec("onnx") is not None


def choose(runtime: str | None) -> str:
    """The runtime a BERT model runs on: ``runtime``, else ``MEMO_RUNTIME``, else the default
    where ONNX Runtime is installed, else torch."""
    chosen = (runtime or os.environ.get("MEMO_RUNTIME") or "").strip().lower()
    if not chosen:
        return DEFAULT_RUNTIME if available() else "torch"
    if chosen not in RUNTIMES:
        raise ModelError(f"unknown model runtime {chosen!r}: use one of {', '.join(RUNTIMES)}")
    if chosen != "torch" and not available():
        raise ModelError("the onnx runtime needs onnxruntime and onnx: pip install onnxruntime onnx")
    return chosen


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(os.environ.get("MEMO_MODEL_CACHE") or os.path.join(base, "memo", "onnx"))


class _Shape:
    def __init__(self, shape):
        self.shape = tuple(shape)


def head_size(files: Sequence[Path], config: dict[str, Any], *, head: Sequence[str], where: Path) -> int:
    """Checks that ``files`` hold a whole BERT classifier for ``config`` (as
    ``memo._bert.check_weights`` does, from the files' headers alone) and returns its number
    of outputs."""
    from safetensors import safe_open

    from ._bert import check_weights, unreadable

    shapes: dict[str, _Shape] = {}
    for file in files:
        try:
            with safe_open(str(file), "numpy") as tensors:
                for name in tensors.keys():
                    shapes[name.removeprefix("bert.")] = _Shape(tensors.get_slice(name).get_shape())
        except Exception as exc:  # noqa: BLE001 - safetensors raises its own types
            raise unreadable(file, exc) from None
    check_weights(shapes, config, where, head=head)
    return int(shapes["classifier.weight"].shape[0])


def build_graph(weights: dict[str, np.ndarray], config: dict[str, Any], *, classifier: bool):
    """The ONNX model of ``memo._bert.hidden_states`` (output ``hidden``: the last layer's
    states) or, with ``classifier``, of ``memo._bert.classify`` (output ``logits``).
    Inputs: ``ids``, ``mask`` and ``types``, int64 [batch, length].

    Plain ONNX operators, not ONNX Runtime's fused ones (com.microsoft Attention,
    SkipLayerNormalization, BiasGelu), measured on 3,000 sentences of 1,000 generated
    articles, one thread, 2-core AMD EPYC with AVX-512 VNNI: fused float32 105 sentences/s
    against 116 for this graph (the MatMuls, near the core's peak, are the time); fused int8
    with the down-projections kept float (``_kept_float``) 166 against 156, cosine 0.9960;
    fused int8 with every MatMul and the attention quantised 226, but cosine 0.9925 (1st
    percentile 0.986). Too little gained at the accuracy memo keeps to be worth a second graph."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, initializers = [], []
    counter = iter(range(10**9))

    def const(array, name=None) -> str:
        name = name or f"c{next(counter)}"
        initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(kind, *inputs, name=None, **attributes) -> str:
        out = f"t{next(counter)}"
        nodes.append(helper.make_node(kind, list(inputs), [out], name=name or out, **attributes))
        return out

    eps = float(config.get("layer_norm_eps", 1e-12))
    heads = int(config["num_attention_heads"])
    hidden = int(config["hidden_size"])
    head_size = hidden // heads

    def linear(x, name):  # torch's Linear stores [out, in]; MatMul wants [in, out]
        return op("Add", op("MatMul", x, const(weights[name + ".weight"].T.copy(), name + ".weight"), name=name),
                  const(weights[name + ".bias"], name + ".bias"))

    def norm(x, name):
        return op("LayerNormalization", x, const(weights[name + ".weight"]), const(weights[name + ".bias"]),
                  axis=-1, epsilon=eps)

    length = op("Slice", op("Shape", "ids"), const(np.array([1])), const(np.array([2])))
    positions = op("Slice", const(weights["embeddings.position_embeddings.weight"]),
                   const(np.array([0])), length, const(np.array([0])))
    x = op("Add", op("Add", op("Gather", const(weights["embeddings.word_embeddings.weight"]), "ids"), positions),
           op("Gather", const(weights["embeddings.token_type_embeddings.weight"]), "types"))
    x = norm(x, "embeddings.LayerNorm")
    # [batch, 1, 1, length]: 0 where attended, MASKED on padding
    padding = op("Sub", const(np.float32(1.0)), op("Cast", "mask", to=TensorProto.FLOAT))
    bias = op("Unsqueeze", op("Mul", padding, const(np.float32(MASKED))), const(np.array([1, 2])))
    split_shape = const(np.array([0, 0, heads, head_size]))
    merge_shape = const(np.array([0, 0, hidden]))
    scale = const(np.float32(1.0 / np.sqrt(head_size)))
    for layer in range(int(config["num_hidden_layers"])):
        prefix = f"encoder.layer.{layer}."

        def project(name, perm):
            return op("Transpose", op("Reshape", linear(x, prefix + "attention.self." + name), split_shape), perm=perm)

        q, k, v = project("query", [0, 2, 1, 3]), project("key", [0, 2, 3, 1]), project("value", [0, 2, 1, 3])
        scores = op("Add", op("Mul", op("MatMul", q, k), scale), bias)
        context = op("MatMul", op("Softmax", scores, axis=-1), v)
        context = op("Reshape", op("Transpose", context, perm=[0, 2, 1, 3]), merge_shape)
        x = norm(op("Add", linear(context, prefix + "attention.output.dense"), x),
                 prefix + "attention.output.LayerNorm")
        inner = op("Gelu", linear(x, prefix + "intermediate.dense"))
        x = norm(op("Add", linear(inner, prefix + "output.dense"), x), prefix + "output.LayerNorm")
    if classifier:
        first = op("Gather", x, const(np.array(0)), axis=1)
        x = linear(op("Tanh", linear(first, "pooler.dense")), "classifier")
        output = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "labels"])
    else:
        output = helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "length", hidden])
    nodes.append(helper.make_node("Identity", [x], [output.name]))
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "length"])
              for name in ("ids", "mask", "types")]
    graph = helper.make_graph(nodes, "memo_bert", inputs, [output], initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="memo")


def _kept_float(config: dict[str, Any]) -> list[str]:
    """The MatMuls left in float32: each layer's feed-forward down-projection, whose inputs (after
    GELU) quantise worst. Measured on Multi-News sentences (benchmarks/runtimes.py): embedding
    cosine with float32 0.9915 with every MatMul int8, 0.9951 with these kept, for about a
    sixth of the int8 speed-up."""
    return [f"encoder.layer.{n}.output.dense" for n in range(int(config["num_hidden_layers"]))]


def _digest(files: Sequence[Path], config: dict[str, Any], classifier: bool, quantize: bool) -> str:
    digest = hashlib.sha256(json.dumps([BUILDER_VERSION, OPSET, classifier, quantize, config], sort_keys=True).encode())
    for file in files:
        try:
            state = os.stat(file)
        except OSError as exc:
            raise ModelError(f"cannot read {file}: {exc.strerror or exc}") from None
        digest.update(_file_hash(str(file), state.st_size, state.st_mtime_ns))
    return digest.hexdigest()[:32]


@lru_cache(maxsize=8)
def _file_hash(path: str, size: int, mtime_ns: int) -> bytes:
    """sha256 of a weights file, once per process for each state of it (the embedder and the
    stance model share MiniLM's 90 MB), and remembered across runs in the model cache by
    path, size and modification time: hashing MiniLM took 0.16 s of every cold build."""
    key = f"{path}|{size}|{mtime_ns}"
    known = _known_hashes()
    if key in known:
        try:
            return bytes.fromhex(known[key])
        except ValueError:
            pass
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 22):
                digest.update(block)
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror or exc}") from None
    _remember_hash(path, key, digest.hexdigest())
    return digest.digest()


HASHES_FILE = "weights-sha256.json"


def _known_hashes() -> dict[str, str]:
    try:
        known = json.loads((cache_folder() / HASHES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def _remember_hash(path: str, key: str, value: str) -> None:
    """Best effort (an unwritable cache only costs the hash next time); written to a temporary
    name, then renamed, so a concurrent run never reads half a file. One record per path: the
    file's earlier states are dropped."""
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        known = {k: v for k, v in _known_hashes().items() if k.rsplit("|", 2)[0] != path}
        known[key] = value
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".hashes-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(known, out)
            os.replace(temporary, folder / HASHES_FILE)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError:
        pass


def model_file(files: Sequence[Path], config: dict[str, Any], *, classifier: bool, quantize: bool = False) -> Path:
    """The cached ONNX file for these weights, built (and, with ``quantize``, quantised) the first time."""
    folder = cache_folder()
    target = folder / f"bert-{_digest(files, config, classifier, quantize)}.onnx"
    if target.is_file():
        return target
    import onnx

    from ._bert import load_weights

    model = build_graph(load_weights(*files, numpy=True), config, classifier=classifier)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # written to a temporary name, then renamed: a concurrent run never reads half a file
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".building-", suffix=".onnx")
        os.close(handle)
        try:
            if quantize:
                from onnxruntime.quantization import QuantType, quantize_dynamic

                quantize_dynamic(model, temporary, op_types_to_quantize=["MatMul"], per_channel=True,
                                 weight_type=QuantType.QInt8, nodes_to_exclude=_kept_float(config))
            else:
                onnx.save(model, temporary)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError as exc:
        raise ModelError(f"cannot write the ONNX model cache {folder}: {exc.strerror or exc} "
                         "(set MEMO_MODEL_CACHE to a writable folder)") from None
    return target


class Session:
    """One BERT graph on ONNX Runtime: ``run(ids, mask, types)`` gives its one output."""

    def __init__(self, files: Sequence[Path], config: dict[str, Any], *, classifier: bool, quantize: bool = False,
                 threads: int | None = None):
        import onnxruntime

        self.file = model_file(files, config, classifier=classifier, quantize=quantize)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 8)
        options.inter_op_num_threads = 1
        # The attribution parse shares the cores: idle threads that spin would take its time
        # (one cold seeds profile: 10.6 s without spinning, 11.3 s with).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = onnxruntime.InferenceSession(str(self.file), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - ONNX Runtime raises its own types
            raise ModelError(f"cannot load {self.file} (delete it to rebuild it): {str(exc).splitlines()[0]}") from None

    def run(self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray | None = None) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        feed = {"ids": ids, "mask": np.asarray(mask, dtype=np.int64),
                "types": np.zeros_like(ids) if types is None else np.asarray(types, dtype=np.int64)}
        return self._session.run(None, feed)[0]


def describe_runtime(runtime: str) -> str:
    return {"int8": "ONNX Runtime (int8 weights)", "onnx": "ONNX Runtime (float32)", "torch": "torch"}[runtime]
