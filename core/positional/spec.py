"""One frozen config for "which encoding, with what settings", and the factory.

The page and the CLI both build an :class:`EncodingSpec` from user input; its
``__post_init__`` looks the kind up in the registry (an unknown kind is a
ValueError listing the known ones) and validates the settings that kind takes
(each kind declares them as :class:`~core.positional.base.Param`), so bad
input becomes a message a user can act on.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from core.positional import registry
from core.positional.base import PositionalEncoding, check_positive

# Longest sequence the lab draws. 16,384 positions is 4x the page's slider maximum,
# which is how far the "past the defined length" view looks.
MAX_SEQ_LEN = 16_384
MAX_DIM = 4_096


@dataclass(frozen=True)
class EncodingSpec:
    kind: str = "sinusoidal"  # a registered kind: core.positional.names()
    seq_len: int = 128  # positions to look at; 128 shows several full waves of the fast pairs
    dim: int = 64  # width of a position vector (sinusoidal, RoPE); even because dims pair up. Learned: fixed by the model
    base: float = 10000.0  # frequency base of sinusoidal/RoPE; Vaswani's 10000, Llama 3 uses 500000 for longer waves
    heads: int = 8  # ALiBi heads; 8 gives the paper's slopes 1/2 ... 1/256
    num_buckets: int = 32  # T5 buckets (both directions together); T5's default
    max_distance: int = 128  # T5: offsets at least this far share the last bucket; T5's default
    model_dir: str | None = None  # learned: a local BERT-family checkpoint; None = the shipped MiniLM
    extra: tuple = ()  # settings of kinds without a field above, as sorted (name, value) pairs

    def __post_init__(self):
        cls = registry.get(self.kind)
        seq_len = check_positive("seq_len", self.seq_len)
        if seq_len > MAX_SEQ_LEN:
            raise ValueError(f"seq_len must be at most {MAX_SEQ_LEN:,}, got {seq_len:,}")
        cls.check_values(self.values())

    @classmethod
    def of(cls, kind: str, seq_len: int = 128, **settings) -> "EncodingSpec":
        """A spec from a kind and any settings by name; names without a field go to ``extra``.

        Settings set to None take the default. This is how the page and the CLI build one.
        """
        named = {f.name for f in fields(cls)} - {"kind", "seq_len", "extra"}
        settings = {k: v for k, v in settings.items() if v is not None}
        known = {k: v for k, v in settings.items() if k in named}
        extra = tuple(sorted((k, v) for k, v in settings.items() if k not in named))
        return cls(kind=kind, seq_len=seq_len, extra=extra, **known)

    def values(self) -> dict:
        """Every setting by name (fields and ``extra``), as one dict."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("kind", "extra")}
        out.update(dict(self.extra))
        return out

    def settings(self) -> dict:
        """Only the settings this spec's kind takes, validated, defaults filled in."""
        return registry.get(self.kind).check_values(self.values())


def make(spec: EncodingSpec) -> PositionalEncoding:
    """The encoding object a spec describes (its kind's class, built from the kind's settings)."""
    return registry.get(spec.kind).from_values(spec.values())
