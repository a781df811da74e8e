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
    PositionalEncoding, as_positions, check_base, check_even, check_positive, check_size,
)


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


def encode(positions, dim: int, base: float = 10000.0) -> torch.Tensor:
    """PE rows for the given positions, ``(n, dim)`` float32 (sin in even columns, cos in odd)."""
    pos = as_positions(positions)
    check_size(pos.numel(), dim, what="the sinusoidal table")
    angles = pos.to(torch.float64)[:, None] * frequencies(dim, base)[None, :]  # (n, dim/2)
    out = torch.empty(pos.numel(), dim, dtype=torch.float64)
    out[:, 0::2] = torch.sin(angles)
    out[:, 1::2] = torch.cos(angles)
    return out.to(torch.float32)


def sinusoidal(seq_len: int, dim: int, base: float = 10000.0) -> torch.Tensor:
    """The sinusoidal table for positions 0..seq_len-1, ``(seq_len, dim)`` float32."""
    seq_len = check_positive("seq_len", seq_len)
    dim = check_even("dim", dim)
    check_size(seq_len, dim, what="the sinusoidal table")
    return encode(torch.arange(seq_len), dim, base)


class Sinusoidal(PositionalEncoding):
    kind = "sinusoidal"
    family = "absolute"

    def __init__(self, dim: int = 64, base: float = 10000.0):
        self.dim = check_even("dim", dim)
        self.base = check_base(base)

    def vectors(self, positions) -> torch.Tensor:
        return encode(positions, self.dim, self.base)

    def wavelengths(self) -> torch.Tensor:
        return wavelengths(self.dim, self.base).to(torch.float32)
