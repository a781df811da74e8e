"""Tiny settings for pretraining tests: a few steps of the tiny preset on short sequences."""
from __future__ import annotations

# The shipped Chinese sample (500 short sentences): a 300-word vocabulary, 32-token sequences.
TINY = {
    "corpus": "zh", "vocab_size": 300, "min_frequency": 2, "seq_len": 32, "batch_size": 8, "steps": 12,
    "learning_rate": 2e-3, "warmup_ratio": 0.1, "log_every": 2, "eval_every": 6, "eval_tokens": 1000,
    "checkpoint_every": 0, "valid_fraction": 0.1, "device": "cpu", "seed": 0,
}


def tiny(**overrides) -> dict:
    return {**TINY, **overrides}
