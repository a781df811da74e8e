"""The pretraining configuration: one frozen dataclass, one comment per field.

The comment after each field is its help text: the page shows it next to the
widget and ``python -m core pretrain --help`` prints it (:func:`field_help`).
Costs are for the tiny preset on a 2-core CPU unless said otherwise. Importing
this module is cheap (no torch).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from core import settings

# name -> (layers, hidden, heads, feed-forward width). Parameters without the vocabulary:
# about 12 * layers * hidden^2; the embedding table adds vocab_size * hidden.
PRESETS: dict[str, tuple[int, int, int, int]] = {
    "tiny": (2, 128, 2, 512),  # ~0.4M + 1.0M (8k vocab) parameters; a few thousand tokens/s on a CPU
    "mini": (4, 256, 4, 1024),  # ~3.2M + 2.0M; about 4x slower than tiny
    "small": (6, 512, 8, 2048),  # ~19M + 4.1M; needs a GPU for a useful budget
}
POSITIONS = ("learned", "sinusoidal", "rope", "alibi", "none")
INIT_VECTORS = ("random", "word2vec")
PRECISIONS = ("auto", "no", "bf16", "fp16")
LANGUAGES = ("auto", "en", "zh")


@dataclass(frozen=True)
class PretrainConfig:
    corpus: str = "zh"  # The text to learn from: a sample name (lee, enwiki, zh), a file path, or "dataset:<name>".
    language: str = "auto"  # auto, en or zh: how the corpus reader splits words (Chinese is split into characters by the tokenizer anyway).
    lowercase: bool = True  # Lower-case the text before training the tokenizer (as bert-base-uncased).
    objective: str = "mlm"  # What the model learns to predict: mlm (BERT: masked tokens), mlm_nsp (BERT 2018: masked tokens + whether sentence B follows A) or clm (GPT: the next token, attention masked to the past).
    preset: str = "tiny"  # Model size: tiny (2 layers x 128), mini (4 x 256) or small (6 x 512); each step up costs about 4-6x the time.
    position_encoding: str = "learned"  # learned, sinusoidal, rope, alibi or none; everything else in the model is the same.
    tokenizer_from: str = ""  # Empty: train a WordPiece tokenizer on the corpus. Else a model (a models/ folder name, run id or folder) whose tokenizer to reuse, so two models read text the same way.
    vocab_size: int = 8000  # WordPiece vocabulary trained on the corpus; bigger covers more words but adds vocab_size x hidden parameters.
    min_frequency: int = 2  # A sub-word must occur this often to enter the vocabulary.
    seq_len: int = 128  # Training length in tokens ([CLS] and [SEP] included); attention costs grow with its square.
    batch_size: int = 32  # Sequences per step; tokens per step = batch_size x seq_len.
    steps: int = 2000  # Optimizer steps; the token budget is steps x batch_size x seq_len.
    learning_rate: float = 1e-3  # Peak AdamW learning rate; 1e-3 suits tiny, 5e-4 mini, 3e-4 small. Lower it if the loss becomes NaN.
    warmup_ratio: float = 0.06  # Share of the steps over which the learning rate rises from 0, then decays linearly to 0.
    weight_decay: float = 0.01  # AdamW weight decay on weight matrices and embedding tables, not on biases or LayerNorm (the rule of every EmbedLab trainer).
    max_grad_norm: float = 1.0  # Gradients are clipped to this norm.
    dropout: float = 0.1  # Dropout in attention and feed-forward layers; 0 for very short runs.
    mask_prob: float = 0.15  # Share of tokens the model must predict (BERT: 0.15); of those 80% become [MASK], 10% random, 10% stay.
    init_vectors: str = "random"  # random, or word2vec: start the token-embedding table from word2vec vectors trained (gensim, seconds) on the same tokens.
    valid_fraction: float = 0.02  # Share of the corpus lines held out to measure masked-token accuracy (every 1/fraction-th line).
    eval_every: int = 200  # Evaluate on held-out text every this many steps (0 = only at the end).
    eval_tokens: int = 20000  # Held-out tokens per evaluation (and per length of the extrapolation test); more is steadier but slower.
    log_every: int = 10  # Write a loss/accuracy/speed record every this many steps.
    checkpoint_every: int = 500  # Save a resumable checkpoint every this many steps (0 = only at the end or on cancel).
    seed: int = 0  # Seed of the initial weights, the batches and the masking: the same seed gives the same run.
    device: str = "auto"  # auto, cpu, cuda or mps.
    cpu_threads: int = 1  # Threads torch may use when training on a CPU; 1 is fastest on a busy shared server (measured 2.4x faster than 2 under load), more help on an idle machine (0 = torch's default).
    mixed_precision: str = "auto"  # auto (bf16 on a GPU that has it, else fp16; none on a CPU), no, bf16 or fp16.
    resume_from: str = ""  # A run folder (or run id) whose checkpoint to continue from; empty = fresh start.

    def __post_init__(self) -> None:
        if not str(self.corpus).strip():
            raise ValueError("choose a corpus: a sample (lee, enwiki, zh), a text file, or dataset:<name>.")
        from core.pretrain import objectives

        objectives.get(self.objective)  # ValueError naming the known objectives
        if self.preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(PRESETS)}, not {self.preset!r}.")
        if self.position_encoding not in POSITIONS:
            raise ValueError(f"position_encoding must be one of {', '.join(POSITIONS)}, not {self.position_encoding!r}.")
        if self.init_vectors not in INIT_VECTORS:
            raise ValueError(f"init_vectors must be random or word2vec, not {self.init_vectors!r}.")
        if self.mixed_precision not in PRECISIONS:
            raise ValueError(f"mixed_precision must be one of {', '.join(PRECISIONS)}, not {self.mixed_precision!r}.")
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {self.language!r}.")
        if not 100 <= self.vocab_size <= 200_000:
            raise ValueError(f"vocab_size must be between 100 and 200000, not {self.vocab_size}.")
        if not 8 <= self.seq_len <= 2048:
            raise ValueError(f"seq_len must be between 8 and 2048 tokens, not {self.seq_len}.")
        for name in ("batch_size", "steps", "log_every", "min_frequency", "eval_tokens"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}.")
        if self.steps > 10_000_000:
            raise ValueError(f"steps must be at most 10000000, not {self.steps}.")
        for name in ("eval_every", "checkpoint_every", "seed", "cpu_threads"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, not {getattr(self, name)}.")
        if not 0 < self.learning_rate < 1:
            raise ValueError(f"learning_rate must be between 0 and 1 (typical: 1e-3 for tiny), not {self.learning_rate}.")
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError(f"warmup_ratio must be in [0, 1), not {self.warmup_ratio}.")
        if self.weight_decay < 0 or self.max_grad_norm <= 0:
            raise ValueError("weight_decay must be 0 or more and max_grad_norm above 0.")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), not {self.dropout}.")
        if not 0 < self.mask_prob < 1:
            raise ValueError(f"mask_prob must be between 0 and 1 (BERT: 0.15), not {self.mask_prob}.")
        if not 0 < self.valid_fraction <= 0.5:
            raise ValueError(f"valid_fraction must be above 0 and at most 0.5, not {self.valid_fraction}.")

    # ------------------------------------------------------------------ derived numbers

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """(layers, hidden, heads, feed-forward width) of the preset."""
        return PRESETS[self.preset]

    @property
    def tokens_per_step(self) -> int:
        return self.batch_size * self.seq_len

    @property
    def token_budget(self) -> int:
        """Tokens the model reads in training: steps x batch_size x seq_len."""
        return self.steps * self.tokens_per_step

    def model_config(self, vocab_size: int | None = None) -> dict:
        """Keyword arguments of the model config (``EmbedLabBertConfig`` / ``EmbedLabGPTConfig``) for this preset and encoding.

        ``max_position_embeddings`` is 4 x seq_len so the extrapolation test can
        feed 2x and 4x longer inputs (a learned table's rows past seq_len stay untrained).
        """
        layers, hidden, heads, ff = self.shape
        return {"vocab_size": int(vocab_size or self.vocab_size), "hidden_size": hidden, "num_hidden_layers": layers,
                "num_attention_heads": heads, "intermediate_size": ff, "max_position_embeddings": 4 * self.seq_len,
                "position_encoding": self.position_encoding, "hidden_dropout_prob": self.dropout,
                "attention_probs_dropout_prob": self.dropout}

    # ------------------------------------------------------------------ (de)serialising

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "PretrainConfig":
        """Build from a plain dict (config.json); unknown keys are a user error, not silently dropped."""
        return settings.from_dict(cls, values, "pretraining")


def field_help() -> dict[str, str]:
    """``{field name: the comment after it}``, read from this file's source."""
    return settings.field_help(__file__)
