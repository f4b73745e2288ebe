"""A BERT encoder in plain torch, for memo's two default models (the sentence embedder and
the stance cross-encoder, both all-MiniLM-L6-v2 underneath).

Hand-written on purpose, and only for the configurations it implements (``plain_bert``):
importing transformers' BERT costs about 3.5 s on top of torch's 1.9 s on the 2-core
machines memo targets (measured: ``import transformers.models.bert.modeling_bert`` 5.4 s,
``import torch`` 1.9 s), most of a cold run. Tests check that it gives the same numbers as
transformers' ``BertModel`` / ``BertForSequenceClassification``. Anything else (another
architecture, activation, position scheme) goes through transformers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from ._errors import ModelError


def read_config(path: Path) -> dict[str, Any]:
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path / 'config.json'}: {exc}") from None
    if not isinstance(config, dict):
        raise ModelError(f"{path / 'config.json'}: not a JSON object")
    return config


def plain_bert(config: dict[str, Any]) -> bool:
    """Is this a model the encoder below computes exactly?"""
    return (config.get("model_type") == "bert"
            and config.get("hidden_act", "gelu") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and not config.get("is_decoder", False)
            and not config.get("add_cross_attention", False))


def load_weights(*files: Path, numpy: bool = False) -> dict:
    """The tensors of one or more safetensors files as float32 (torch tensors, or numpy arrays
    with ``numpy``), later files overriding earlier ones (a fine-tuned delta over its base),
    with the ``bert.`` prefix dropped."""
    if numpy:
        from safetensors.numpy import load_file
    else:
        from safetensors.torch import load_file

    weights = {}
    for file in files:
        try:
            tensors = load_file(str(file))
        except Exception as exc:  # noqa: BLE001 - safetensors raises its own types
            raise unreadable(file, exc) from None
        tensors = {name.removeprefix("bert."): tensor.astype("float32") if numpy else tensor.float()
                   for name, tensor in tensors.items()}
        for name, tensor in tensors.items():
            if name in weights and weights[name].shape != tensor.shape:
                raise ModelError(f"{file} does not fit {files[0]}: {name} is {list(tensor.shape)}, "
                                 f"not {list(weights[name].shape)}")
        weights.update(tensors)
    return weights


def unreadable(file: Path, exc: Exception) -> ModelError:
    return ModelError(f"cannot read {file}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def load_tokenizer(path: Path, max_length: int, pad_id: int = 0):
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    except Exception as exc:  # noqa: BLE001 - tokenizers raises its own types
        raise ModelError(f"cannot read {path / 'tokenizer.json'}: {str(exc).splitlines()[0]}") from None
    # transformers' truncation="longest_first" and padding=True, which the models were trained with
    tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    tokenizer.enable_padding(pad_id=pad_id)
    return tokenizer


def segment_ids(path: Path) -> bool:
    """Does transformers feed this tokenizer's segment ids (token_type_ids) to the model? BERT's
    own tokenizers do; a generic one does only if its config lists them. The model saw what
    transformers fed it in training, so memo feeds the same."""
    try:
        config = json.loads((path / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    names = config.get("model_input_names")
    if names is not None:
        return "token_type_ids" in names
    return str(config.get("tokenizer_class", "Bert")).startswith("Bert")


def check_weights(weights: dict, config: dict[str, Any], where: Path, *, head: Sequence[str] = ()) -> None:
    needed = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
              "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", *head]
    needed += [f"encoder.layer.{n}.output.LayerNorm.weight" for n in range(config["num_hidden_layers"])]
    missing = [name for name in needed if name not in weights]
    if missing:
        raise ModelError(f"{where}: weights lack {', '.join(missing[:3])}")
    hidden = config["hidden_size"]
    odd = [name for name in ("embeddings.word_embeddings.weight", "encoder.layer.0.attention.self.query.weight",
                             *head) if weights[name].shape[-1] != hidden]
    if odd:
        raise ModelError(f"{where}: {odd[0]} is {list(weights[odd[0]].shape)}, but config.json has hidden_size {hidden}")


def hidden_states(weights: dict, config: dict[str, Any], ids, mask, types=None):
    """The last layer's hidden states, as transformers' BertModel computes them (eval mode)."""
    x = embedded(weights, config, ids, types)
    return encoder_layers(weights, config, x, mask, range(config["num_hidden_layers"]))


def embedded(weights: dict, config: dict[str, Any], ids, types=None):
    """The embedding layer's output (word, position and token type embeddings, normalised)."""
    import torch.nn.functional as F

    length = ids.shape[1]
    token_types = weights["embeddings.token_type_embeddings.weight"]
    x = (weights["embeddings.word_embeddings.weight"][ids]
         + weights["embeddings.position_embeddings.weight"][:length]
         + (token_types[0] if types is None else token_types[types]))
    return F.layer_norm(x, x.shape[-1:], weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"],
                        config.get("layer_norm_eps", 1e-12))


def encoder_layers(weights: dict, config: dict[str, Any], x, mask, layers):
    """Hidden states ``x`` through the given encoder layers (tools/train_paraphrase.py trains
    the upper ones on the lower ones' output)."""
    import torch.nn.functional as F

    eps = config.get("layer_norm_eps", 1e-12)
    heads = config["num_attention_heads"]

    def linear(x, name):
        return F.linear(x, weights[name + ".weight"], weights[name + ".bias"])

    def norm(x, name):
        return F.layer_norm(x, x.shape[-1:], weights[name + ".weight"], weights[name + ".bias"], eps)

    batch, length = x.shape[:2]
    attend = mask.bool()[:, None, None, :]

    def split(t):
        return t.view(batch, length, heads, -1).transpose(1, 2)

    for layer in layers:
        prefix = f"encoder.layer.{layer}."
        q, k, v = (split(linear(x, prefix + "attention.self." + n)) for n in ("query", "key", "value"))
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
        context = context.transpose(1, 2).reshape(batch, length, -1)
        x = norm(linear(context, prefix + "attention.output.dense") + x, prefix + "attention.output.LayerNorm")
        hidden = F.gelu(linear(x, prefix + "intermediate.dense"))
        x = norm(linear(hidden, prefix + "output.dense") + x, prefix + "output.LayerNorm")
    return x


def classify(weights: dict, config: dict[str, Any], ids, mask, types):
    """Logits of BertForSequenceClassification: the pooler (tanh over [CLS]) and the head."""
    import torch
    import torch.nn.functional as F

    x = hidden_states(weights, config, ids, mask, types)
    pooled = torch.tanh(F.linear(x[:, 0], weights["pooler.dense.weight"], weights["pooler.dense.bias"]))
    return F.linear(pooled, weights["classifier.weight"], weights["classifier.bias"])
