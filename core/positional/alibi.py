"""ALiBi, attention with linear biases (Press, Smith & Lewis 2022, "Train Short, Test Long").

No vectors at all: head h adds -m_h * |i - j| to the score of query i and
key j, so far-away keys are penalised linearly, each head with its own slope.
For n heads a power of 2 the slopes are the geometric sequence starting at
2^(-8/n) with that same ratio (8 heads: 1/2, 1/4, ..., 1/256). For other n,
the paper takes the slopes of the closest power of 2 below n, then every
other slope of the next power of 2 up.
"""
from __future__ import annotations

import math

import torch

from core.positional.base import Curve, Param, PositionalEncoding, as_positions, check_positive, check_size
from core.positional.registry import register

MAX_HEADS = 1024  # far beyond any real model; keeps the slope list sane


def _power_of_two_slopes(n: int) -> list[float]:
    # 2^(-8/n), 2^(-16/n), ..., 2^(-8)
    return [2.0 ** (-8.0 * (i + 1) / n) for i in range(n)]


def alibi_slopes(n_heads: int) -> torch.Tensor:
    """The slope m_h of each head, ``(n_heads,)`` float32, as in Press et al. 2022."""
    n_heads = check_positive("n_heads", n_heads)
    if n_heads > MAX_HEADS:
        raise ValueError(f"n_heads must be at most {MAX_HEADS}, got {n_heads}")
    closest = 2 ** math.floor(math.log2(n_heads))
    slopes = _power_of_two_slopes(closest)
    if closest < n_heads:
        # Interleave: every other slope of the next power of two fills the remaining heads.
        slopes += _power_of_two_slopes(2 * closest)[0::2][: n_heads - closest]
    return torch.tensor(slopes, dtype=torch.float32)


def alibi_bias(seq_len: int, n_heads: int, *, causal: bool = False) -> torch.Tensor:
    """The bias added to attention scores, ``(n_heads, seq, seq)`` float32: -m_h * |i - j|.

    ``causal=True`` gives the language-model form of the paper: keys after
    the query get -inf (masked), keys before get -m_h * (i - j).
    """
    seq_len = check_positive("seq_len", seq_len)
    n_heads = check_positive("n_heads", n_heads)
    check_size(n_heads, seq_len, seq_len, what="the ALiBi bias")
    pos = torch.arange(seq_len)
    return bias_at(alibi_slopes(n_heads), pos, pos, causal=causal)


def bias_at(slopes: torch.Tensor, q_positions, k_positions, causal: bool = False) -> torch.Tensor:
    """-m_h * |q - k| for the given positions, ``(heads, n_q, n_k)``."""
    q = as_positions(q_positions, "query positions")
    k = as_positions(k_positions, "key positions")
    check_size(slopes.numel(), q.numel(), k.numel(), what="the ALiBi bias")
    offset = (k[None, :] - q[:, None]).to(torch.float32)  # (n_q, n_k), key minus query
    bias = -slopes[:, None, None] * offset.abs()[None]
    if causal:
        bias = bias.masked_fill((offset > 0)[None], -math.inf)
    return bias


@register
class Alibi(PositionalEncoding):
    kind = "alibi"
    order = 40
    family = "bias"
    where = "attention"
    params = (Param("heads", 8, "attention heads, each with its own slope (8: the paper's 1/2 ... 1/256)", int,
                    minimum=1, maximum=MAX_HEADS, widget=(1, 32, 1)),)
    formula = r"\text{score}_h(i, j) = q_i \cdot k_j - m_h\,\lvert i - j \rvert"
    distance_formula = r"\text{bias}_h(\Delta) = -m_h\,\lvert \Delta \rvert"
    source = "Press, Smith & Lewis 2022, Train Short, Test Long: Attention with Linear Biases"
    views = ("matrix", "slopes", "distance", "beyond", "compare")
    score_axis = "bias"
    output = "the bias -m_h |i - j|, (heads, seq_len, seq_len)"

    def __init__(self, heads: int = 8, *, n_heads: int | None = None):
        heads = heads if n_heads is None else n_heads  # n_heads: the name before the registry, still accepted
        self.slopes = alibi_slopes(heads)
        self.n_heads = int(heads)

    def scores(self, q_positions, k_positions) -> torch.Tensor:
        return bias_at(self.slopes, q_positions, k_positions)

    def head_fields(self) -> list[dict]:
        return [{"h": h + 1, "m": f"{float(m):.4g}"} for h, m in enumerate(self.slopes)]

    def details(self) -> dict:
        return {"slopes": self.slopes.numpy()}

    def distance_curves(self, distances, anchors=(0,)) -> list[Curve]:
        """One line per head: the bias is -m_h * d wherever the query is (no anchors needed)."""
        d = as_positions(distances, "distances").to(torch.float32)
        return [
            Curve("head", {"h": h + 1, "m": f"{float(m):.4g}"}, -float(m) * d)
            for h, m in enumerate(self.slopes)
        ]
