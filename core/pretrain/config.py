"""The pretraining configuration: one frozen dataclass, each field declaring its settings schema.

Every field is a :func:`core.settings.setting` (bounds, step, choices, "advanced"), its
label and help in ``locales/pretrain.json`` (``pretrain.hp.<field>``, ``pretrain.help.<field>``,
en and zh): the page's form (``ui.form``), ``python -m core pretrain --help`` and the
validation below read that one declaration. Costs are for the tiny preset on a 2-core
CPU unless said otherwise. Importing this module is cheap (no torch).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from core import settings
from core.settings import setting

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


def _objectives():
    """The pretraining-objective registry (imported on first use: cheap, no torch)."""
    from core.pretrain import objectives

    return objectives


@dataclass(frozen=True)
class PretrainConfig:
    STRINGS: ClassVar[str] = "pretrain"

    # -- the data and the model (corpus, encodings and initial vectors are drawn by the page itself)
    corpus: str = setting("zh", form=False)
    language: str = setting("auto", choices=LANGUAGES, advanced=True)
    encoding: str = setting("", form=False)  # "": detect (asked when it cannot be told); else a codec name
    lowercase: bool = setting(True, advanced=True)
    objective: str = setting("mlm", choices=lambda: _objectives().names(), form=False)  # the page draws a multiselect
    preset: str = setting("tiny", choices=tuple(PRESETS))
    position_encoding: str = setting("learned", choices=POSITIONS, flags=("--position",), form=False)
    tokenizer_from: str = setting("", advanced=True)  # "": train a WordPiece tokenizer; else a model whose to reuse
    vocab_size: int = setting(8000, low=100, high=200_000, step=1000)
    min_frequency: int = setting(2, low=1, high=1000, advanced=True)
    seq_len: int = setting(128, low=8, high=2048, step=8, unit="tokens")
    # -- training
    batch_size: int = setting(32, low=1, high=4096)
    steps: int = setting(2000, low=1, high=10_000_000, step=100)
    learning_rate: float = setting(1e-3, low=1e-6, high=1.0, step=1e-4, fmt="%.0e", flags=("--lr",))
    warmup_ratio: float = setting(0.06, low=0.0, high=0.99, step=0.01, advanced=True)
    weight_decay: float = setting(0.01, low=0.0, high=10.0, step=0.01, advanced=True)
    max_grad_norm: float = setting(1.0, low=0.001, high=1000.0, step=0.1, advanced=True)
    dropout: float = setting(0.1, low=0.0, high=0.9, step=0.05, advanced=True)
    mask_prob: float = setting(0.15, low=0.01, high=0.9, step=0.01, advanced=True)
    init_vectors: str = setting("random", choices=INIT_VECTORS, form=False)
    valid_fraction: float = setting(0.02, low=0.001, high=0.5, step=0.01, fmt="%.3f", advanced=True)
    eval_every: int = setting(200, low=0, high=10_000_000, step=50, zero="only at the end", advanced=True)
    eval_tokens: int = setting(20_000, low=1, high=10_000_000, step=1000, advanced=True)
    log_every: int = setting(10, low=1, high=1_000_000, advanced=True)
    checkpoint_every: int = setting(500, low=0, high=10_000_000, step=100, zero="only at the end",
                                    advanced=True)
    seed: int = setting(0, low=0, high=2**32 - 1, advanced=True)
    device: str = setting("auto")  # the page offers core.pretrain.job.device_choices()
    cpu_threads: int = setting(1, low=0, high=256, zero="torch's default", advanced=True)
    mixed_precision: str = setting("auto", choices=PRECISIONS, advanced=True)
    resume_from: str = setting("", flags=("--resume",), form=False)

    def __post_init__(self) -> None:
        if not str(self.corpus).strip():
            raise ValueError("choose a corpus: a sample (lee, enwiki, zh), a text file, or dataset:<name>.")
        settings.validate(self)

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


def field_help(lang: str = "en") -> dict[str, str]:
    """``{field name: its help text}`` in ``lang`` (``pretrain.help.<field>`` in locales/pretrain.json)."""
    return {spec.name: settings.help_text(spec, lang) for spec in settings.schema(PretrainConfig)}
