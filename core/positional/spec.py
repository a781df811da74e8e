"""One frozen config for "which encoding, with what settings", and the factory.

The page and the CLI both build an :class:`EncodingSpec` from user input; its
``__post_init__`` turns bad input into a ValueError a user can act on.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.positional.alibi import MAX_HEADS, Alibi
from core.positional.base import PositionalEncoding, check_base, check_even, check_positive, check_size
from core.positional.learned import Learned
from core.positional.rope import Rope
from core.positional.sinusoidal import Sinusoidal
from core.positional.t5 import T5Relative

KINDS = ("sinusoidal", "learned", "rope", "alibi", "t5")

# Longest sequence the lab draws. 16,384 positions is 4x the page's slider maximum,
# which is how far the "past the defined length" view looks.
MAX_SEQ_LEN = 16_384
MAX_DIM = 4_096


@dataclass(frozen=True)
class EncodingSpec:
    kind: str = "sinusoidal"  # one of KINDS
    seq_len: int = 128  # positions to look at; 128 shows several full waves of the fast pairs
    dim: int = 64  # width of a position vector (sinusoidal, RoPE); even because dims pair up. Learned: fixed by the model
    base: float = 10000.0  # frequency base of sinusoidal/RoPE; Vaswani's 10000, Llama 3 uses 500000 for longer waves
    heads: int = 8  # ALiBi heads; 8 gives the paper's slopes 1/2 ... 1/256
    num_buckets: int = 32  # T5 buckets (both directions together); T5's default
    max_distance: int = 128  # T5: offsets at least this far share the last bucket; T5's default
    model_dir: str | None = None  # learned: a local BERT-family checkpoint; None = the shipped MiniLM

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        seq_len = check_positive("seq_len", self.seq_len)
        if seq_len > MAX_SEQ_LEN:
            raise ValueError(f"seq_len must be at most {MAX_SEQ_LEN:,}, got {seq_len:,}")
        dim = check_even("dim", self.dim)
        if dim > MAX_DIM:
            raise ValueError(f"dim must be at most {MAX_DIM:,}, got {dim:,}")
        check_size(seq_len, dim, what=f"a {seq_len} x {dim} table")
        check_base(self.base)
        heads = check_positive("heads", self.heads)
        if heads > MAX_HEADS:
            raise ValueError(f"heads must be at most {MAX_HEADS}, got {heads}")
        check_positive("num_buckets", self.num_buckets)
        check_positive("max_distance", self.max_distance)


def make(spec: EncodingSpec) -> PositionalEncoding:
    """The encoding object a spec describes."""
    if spec.kind == "sinusoidal":
        return Sinusoidal(spec.dim, spec.base)
    if spec.kind == "rope":
        return Rope(spec.dim, spec.base)
    if spec.kind == "learned":
        return Learned(spec.model_dir or None)
    if spec.kind == "alibi":
        return Alibi(spec.heads)
    return T5Relative(spec.num_buckets, spec.max_distance)
