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
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]", model_max_length=64)
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
