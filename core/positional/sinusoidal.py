"""Sinusoidal encoding (Vaswani et al. 2017, "Attention Is All You Need", sec. 3.5).

    PE[p, 2i]   = sin(p / base^(2i / dim))
    PE[p, 2i+1] = cos(p / base^(2i / dim))

Pair i is a wave with wavelength 2*pi*base^(2i/dim) positions: the first
pairs change every token, the last ones over tens of thousands of tokens.
Because sin(a)sin(b) + cos(a)cos(b) = cos(a - b), the dot product of two
positions depends only on their offset.
"""
from __future__ import annotations

import math

import torch

from core.positional.base import (
    Param, PositionalEncoding, as_positions, check_base, check_even, check_positive, check_size,
)
from core.positional.registry import register

# Shared with RoPE (same maths, same settings).
DIM = Param("dim", 64, "width of a position vector; even, because dimensions pair up", int,
            minimum=2, maximum=4096, widget=(8, 1024, 8), check=lambda v: check_even("dim", v))
BASE = Param("base", 10000.0, "frequency base; Vaswani's 10000, Llama 3 uses 500000 for longer waves", float,
             choices=(100.0, 1_000.0, 10_000.0, 100_000.0, 500_000.0, 1_000_000.0), check=check_base)


def frequencies(dim: int, base: float = 10000.0) -> torch.Tensor:
    """Angular frequency of each pair, ``(dim // 2,)`` float64, in radians per position.

    omega_i = base^(-2i/dim); shared with RoPE.
    """
    dim = check_even("dim", dim)
    base = check_base(base)
    return base ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)


def wavelengths(dim: int, base: float = 10000.0) -> torch.Tensor:
    """Wavelength of each pair in positions, ``(dim // 2,)``: 2*pi / omega_i."""
    return 2 * math.pi / frequencies(dim, base)


def angles32(positions, dim: int, base: float = 10000.0, pairs=None) -> torch.Tensor:
    """p * omega_i for each position and pair, ``(n, len(pairs))`` float32, reduced modulo 2*pi.

    The product is formed in float64 (exact to ~1e-12 even at p = 16,384) and
    reduced to [0, 2*pi) before the cast, so float32 sin/cos of it are within
    ~3e-7 of the float64 values, at about half the cost. Shared with RoPE.
    """
    pos = as_positions(positions)
    freq = frequencies(dim, base)
    if pairs is not None:
        freq = freq[pairs]
    return torch.remainder(pos.to(torch.float64)[:, None] * freq[None, :], 2 * math.pi).to(torch.float32)


def encode(positions, dim: int, base: float = 10000.0, columns=None, *, even=torch.sin, odd=torch.cos) -> torch.Tensor:
    """PE rows for the given positions, ``(n, dim)`` float32 (sin in even columns, cos in odd).

    ``columns``: only these columns, ``(n, len(columns))`` (the page draws a
    few hundred of 1,024 and a handful as curves). ``even``/``odd``: the
    functions of the angle in even and odd columns (RoPE swaps them).
    """
    pos = as_positions(positions)
    dim = check_even("dim", dim)
    if columns is None:
        check_size(pos.numel(), dim, what="the sinusoidal table")
        angles = angles32(pos, dim, base)  # (n, dim/2)
        out = torch.empty(pos.numel(), dim, dtype=torch.float32)
        out[:, 0::2] = even(angles)
        out[:, 1::2] = odd(angles)
        return out
    cols = torch.as_tensor(columns, dtype=torch.long).reshape(-1)
    if cols.numel() and (int(cols.min()) < 0 or int(cols.max()) >= dim):
        raise ValueError(f"columns must be between 0 and {dim - 1}")
    check_size(pos.numel(), cols.numel(), what="the sinusoidal table")
    angles = angles32(pos, dim, base, pairs=cols // 2)
    is_odd = (cols % 2 == 1)
    out = torch.empty(pos.numel(), cols.numel(), dtype=torch.float32)
    out[:, ~is_odd] = even(angles[:, ~is_odd])
    out[:, is_odd] = odd(angles[:, is_odd])
    return out


def sinusoidal(seq_len: int, dim: int, base: float = 10000.0) -> torch.Tensor:
    """The sinusoidal table for positions 0..seq_len-1, ``(seq_len, dim)`` float32."""
    seq_len = check_positive("seq_len", seq_len)
    dim = check_even("dim", dim)
    check_size(seq_len, dim, what="the sinusoidal table")
    return encode(torch.arange(seq_len), dim, base)


@register
class Sinusoidal(PositionalEncoding):
    kind = "sinusoidal"
    order = 10
    family = "absolute"
    where = "input"
    params = (DIM, BASE)
    formula = (r"\begin{aligned} PE_{(p,\,2i)} &= \sin\!\left(\frac{p}{b^{2i/d}}\right) \\ "
               r"PE_{(p,\,2i+1)} &= \cos\!\left(\frac{p}{b^{2i/d}}\right) \end{aligned}")
    distance_formula = r"\frac{PE_p \cdot PE_{p+\Delta}}{d/2} = \frac{2}{d}\sum_{i} \cos(\Delta\,\theta_i)"
    source = "Vaswani et al. 2017, Attention Is All You Need, sec. 3.5"
    output = "the table PE, (seq_len, dim)"

    def __init__(self, dim: int = 64, base: float = 10000.0):
        self.dim = check_even("dim", dim)
        self.base = check_base(base)

    def vectors(self, positions) -> torch.Tensor:
        return encode(positions, self.dim, self.base)

    def columns(self, positions, columns) -> torch.Tensor:
        return encode(positions, self.dim, self.base, columns)

    def wavelengths(self) -> torch.Tensor:
        return wavelengths(self.dim, self.base).to(torch.float32)
