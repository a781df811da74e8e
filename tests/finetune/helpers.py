"""Tiny models and data for fine-tune tests (shared with tests/ui/test_finetune_page.py)."""
from __future__ import annotations

from pathlib import Path

SEPARABLE = [
    ("sunny bright warm happy day", "pos"), ("happy sunny smile joy", "pos"), ("warm joy bright glad", "pos"),
    ("glad happy warm sunny", "pos"), ("joy smile bright happy", "pos"), ("bright glad sunny joy", "pos"),
    ("dark cold sad rain night", "neg"), ("sad rain gloom cold", "neg"), ("cold dark gloom sad", "neg"),
    ("rain night sad dark", "neg"), ("gloom cold rain dark", "neg"), ("night gloom sad cold", "neg"),
]


def make_tiny_model(folder: Path) -> Path:
    """A 2-layer, 32-wide BERT with MiniLM's WordPiece tokenizer, randomly initialised (seed 0), no dropout."""
    import torch
    from transformers import BertConfig, BertModel

    from core.models import load_tokenizer

    tokenizer = load_tokenizer()
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64,
                        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)  # no dropout: deterministic runs
    torch.manual_seed(0)
    BertModel(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return Path(folder)


def write_separable_csv(path: Path, repeat: int = 2) -> Path:
    """A trivially separable two-class CSV (the word sets do not overlap): 12 x ``repeat`` rows."""
    path.write_text("\n".join(["text,label"] + [f"{t},{y}" for t, y in SEPARABLE * repeat]) + "\n", encoding="utf-8")
    return path
