"""A tiny chat model for tests and benchmarks of model servers, built offline: a decoder with
random weights, a small byte-level BPE tokenizer trained on the given texts, and a chat
template, saved as a transformers folder that `transformers serve` (or memo) loads.

    .venv/bin/python tools/tiny_chat_model.py OUT_DIR [TEXT_FILE...]
"""

from __future__ import annotations

import sys
from pathlib import Path


def build(out: Path, corpus: list[str], *, vocab: int = 600, seed: int = 0):
    """Save the model and tokenizer in ``out``; returns the tokenizer."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=vocab, special_tokens=["<unk>", "<s>", "</s>", "<pad>"],
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                        pad_token="<pad>", model_max_length=2048)
    tokenizer.chat_template = ("{% for m in messages %}<s>{{ m['role'] }}\n{{ m['content'] }}</s>\n{% endfor %}"
                               "{% if add_generation_prompt %}<s>assistant\n{% endif %}")
    torch.manual_seed(seed)
    model = LlamaForCausalLM(LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=2, max_position_embeddings=2048, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id))
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return tokenizer


if __name__ == "__main__":
    target = Path(sys.argv[1])
    texts = [Path(f).read_text(encoding="utf-8") for f in sys.argv[2:]] or ["The port reopened on Friday."]
    build(target, texts)
    print(target)
