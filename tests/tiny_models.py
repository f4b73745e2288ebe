"""Tiny transformers models with random weights and a tokenizer trained here, saved to a
directory so tests load them through the same ``from_pretrained(path)`` code users run."""

from __future__ import annotations

from pathlib import Path

CORPUS = [
    "The storm cut power to thousands of homes on the coast.",
    "The central bank raised interest rates by half a point.",
    "China is a credible mediator in the war, officials said.",
    "Critics doubt the plan will work and say talks are unlikely to succeed.",
    "The minister said the new dam is safe and will open in May.",
    "Engineers warned that the dam is not safe.",
] * 20


def train_wordpiece(directory: Path, *, vocab_size: int = 300):
    """A BERT-style WordPiece tokenizer trained on ``CORPUS``, saved in ``directory``."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer.train_from_iterator(CORPUS, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials))
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]", model_max_length=64,
                                   model_input_names=["input_ids", "token_type_ids", "attention_mask"])
    fast.save_pretrained(directory)
    return fast


def build_nli(directory: Path, *, labels=("entailment", "neutral", "contradiction"), seed: int = 0) -> Path:
    """A two-layer BERT sequence classifier with NLI label names, random weights."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = train_wordpiece(directory)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, num_labels=len(labels),
                        id2label=dict(enumerate(labels)), label2id={name: i for i, name in enumerate(labels)})
    BertForSequenceClassification(config).eval().save_pretrained(directory)
    return directory


def _bpe_tokenizer(directory: Path, specials: list[str], *, vocab_size: int = 400, eos_single: bool = False,
                   max_length: int = 64, **names):
    """A byte-level BPE tokenizer trained on ``CORPUS`` (so any text, '{{' included, encodes)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.train_from_iterator(CORPUS, trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    if eos_single:  # T5 style: every input ends with </s>
        eos = names["eos_token"]
        tokenizer.post_processor = processors.TemplateProcessing(
            single=f"$A {eos}", pair=f"$A {eos} $B {eos}", special_tokens=[(eos, tokenizer.token_to_id(eos))])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, model_max_length=max_length, **names)
    fast.save_pretrained(directory)
    return fast


def build_seq2seq(directory: Path, *, max_length: int = 64, seed: int = 0) -> Path:
    """A two-layer T5 with random weights; its tokenizer's model_max_length is the window."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = _bpe_tokenizer(directory, ["<pad>", "</s>", "<unk>"], eos_single=True, max_length=max_length,
                               pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    torch.manual_seed(seed)
    config = T5Config(vocab_size=len(tokenizer), d_model=32, d_ff=64, d_kv=8, num_layers=2, num_decoder_layers=2,
                      num_heads=2, pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                      decoder_start_token_id=tokenizer.pad_token_id)
    T5ForConditionalGeneration(config).eval().save_pretrained(directory)
    return directory


CHAT_TEMPLATE = ("{% for message in messages %}<|user|>\n{{ message['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")


def build_causal(directory: Path, *, positions: int = 96, seed: int = 0) -> Path:
    """A two-layer Llama-style decoder with random weights and a chat template."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = _bpe_tokenizer(directory, ["<pad>", "<s>", "</s>", "<|user|>", "<|assistant|>"],
                               max_length=positions, pad_token="<pad>", bos_token="<s>", eos_token="</s>")
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(directory)
    torch.manual_seed(seed)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=positions,
                         pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id)
    LlamaForCausalLM(config).eval().save_pretrained(directory)
    return directory


def build_bert_base(directory: Path, *, hidden: int = 32, seed: int = 0) -> Path:
    """A two-layer BERT encoder (no head) with its tokenizer: a stand-in for MiniLM as the
    base that a stance model is fine-tuned from."""
    import torch
    from transformers import BertConfig, BertModel

    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = train_wordpiece(directory)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=2 * hidden, max_position_embeddings=128)
    BertModel(config).eval().save_pretrained(directory)
    return directory


def build_claim_stance(directory: Path, *, labels=("unrelated", "discusses", "supports", "contests"),
                       hidden: int = 32, seed: int = 0, act: str = "gelu") -> Path:
    """A folder laid out like one tools/train_stance.py writes with a whole model: a
    two-layer BERT pair classifier (random weights), its tokenizer and calibration.json."""
    import json

    import torch
    from transformers import BertConfig, BertForSequenceClassification

    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = train_wordpiece(directory)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=2 * hidden, max_position_embeddings=64, num_labels=len(labels),
                        hidden_act=act, id2label=dict(enumerate(labels)),
                        label2id={name: i for i, name in enumerate(labels)})
    BertForSequenceClassification(config).eval().save_pretrained(directory)
    (directory / "calibration.json").write_text(json.dumps(
        {"name": "tiny-stance", "labels": list(labels), "temperature": 1.5, "threshold": 0.4, "max_length": 24}))
    return directory
