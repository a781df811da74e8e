"""Rotary position embedding, RoPE (Su et al. 2021, "RoFormer").

Pair i of a query or key, (x[2i], x[2i+1]), is rotated by the angle
p * theta_i with theta_i = base^(-2i/dim) (the sinusoidal frequencies).
Rotating q by p*theta and k by s*theta leaves q.k depending on (p - s)
only, because a rotation by a followed by one by -b is a rotation by a - b.
This module uses the paper's interleaved pairs (2i, 2i+1); Hugging Face's
Llama code pairs i with i + dim/2 instead, which is the same maths on a
permuted vector.
"""
from __future__ import annotations

import math

import torch

from core.positional.base import Curve, PositionalEncoding, as_positions, check_base, check_even, check_size
from core.positional.registry import register
from core.positional.sinusoidal import BASE, DIM, encode, frequencies, wavelengths


def apply_rope(x: torch.Tensor, positions=None, base: float = 10000.0) -> torch.Tensor:
    """Rotate ``x (..., seq, dim)`` by position: pair i at position p turns by p * base^(-2i/dim).

    ``positions`` (seq,) defaults to 0..seq-1. Returns a tensor of ``x``'s
    shape, dtype and device; norms are preserved (it is a rotation).
    """
    x = torch.as_tensor(x)
    if x.dim() < 2:
        raise ValueError(f"x must have shape (..., seq, dim), got {tuple(x.shape)}")
    seq, dim = x.shape[-2], x.shape[-1]
    check_even("dim (the last axis of x)", dim)
    check_size(x.numel(), what="the input to apply_rope")
    if positions is None:
        pos = torch.arange(seq)
    else:
        pos = as_positions(positions)
        if pos.numel() != seq:
            raise ValueError(f"positions has {pos.numel()} entries but x has {seq} positions")
    # float64 angles keep p * theta exact to ~1e-12 even at large p; then cast to x's precision.
    work = torch.float64 if x.dtype == torch.float64 else torch.float32
    angles = pos.to(torch.float64)[:, None] * frequencies(dim, base)[None, :]  # (seq, dim/2)
    cos = torch.cos(angles).to(work).to(x.device)
    sin = torch.sin(angles).to(work).to(x.device)
    xf = x.to(work)
    even, odd = xf[..., 0::2], xf[..., 1::2]
    out = torch.empty_like(xf)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out.to(x.dtype)


def decay_bound(distances, dim: int, base: float = 10000.0) -> torch.Tensor:
    """Su et al.'s long-range decay curve, ``(n,)``: (2/dim) * sum_j |S_j|, S_j = sum_{k<j} e^{i d theta_k}.

    This bounds |q.k| (up to the size of q and k) and shrinks as the offset d
    grows: RoPE makes far-apart tokens interact less on average.
    """
    d = as_positions(distances, "distances").to(torch.float64)
    theta = frequencies(dim, base)  # (dim/2,)
    phase = torch.remainder(d[:, None] * theta[None, :], 2 * math.pi).to(torch.float32)
    # S_j = sum_{k<j} e^{i d theta_k}: real and imaginary parts as two float32 running sums
    # (the same numbers as a complex cumsum, at a third of its cost)
    real, imag = torch.cumsum(torch.cos(phase), dim=1), torch.cumsum(torch.sin(phase), dim=1)
    return torch.hypot(real, imag).sum(dim=1) / (dim // 2)


@register
class Rope(PositionalEncoding):
    kind = "rope"
    order = 30
    family = "rotary"
    where = "attention"
    params = (DIM, BASE)
    formula = (r"\begin{aligned} \begin{pmatrix} q'_{2i} \\ q'_{2i+1} \end{pmatrix} &= "
               r"\begin{pmatrix} \cos p\theta_i & -\sin p\theta_i \\ \sin p\theta_i & \cos p\theta_i "
               r"\end{pmatrix} \begin{pmatrix} q_{2i} \\ q_{2i+1} \end{pmatrix} \\ "
               r"\theta_i &= b^{-2i/d} \end{aligned}")
    distance_formula = r"(R_p\, q) \cdot (R_{p+\Delta}\, k) = q^{\top} R_{\Delta}\, k"
    source = "Su et al. 2021, RoFormer: Enhanced Transformer with Rotary Position Embedding"
    output = "the unit query (1, 0, 1, 0, ...) rotated to each position, (seq_len, dim)"

    def __init__(self, dim: int = 64, base: float = 10000.0):
        self.dim = check_even("dim", dim)
        self.base = check_base(base)

    def vectors(self, positions) -> torch.Tensor:
        """The unit query (1, 0, 1, 0, ...) rotated to each position: (cos p*theta_i, sin p*theta_i) pairs."""
        # Rotating (1, 0) by an angle a gives (cos a, sin a); written out directly because it is
        # 3x cheaper than apply_rope on a unit tensor (a test checks the two agree).
        check_size(as_positions(positions).numel(), self.dim, what="the RoPE table")
        return encode(positions, self.dim, self.base, even=torch.cos, odd=torch.sin)

    def columns(self, positions, columns) -> torch.Tensor:
        return encode(positions, self.dim, self.base, columns, even=torch.cos, odd=torch.sin)

    def wavelengths(self) -> torch.Tensor:
        return wavelengths(self.dim, self.base).to(torch.float32)

    def distance_curves(self, distances, anchors=(0,)) -> list[Curve]:
        """Anchor curves, plus Su et al.'s decay bound, scaled to lie on or above every anchor curve.

        Su et al. (2021, section 3.4.3) bound |sum_j h_j e^{i d theta_j}| by
        max|h_{j+1} - h_j| * sum_j |S_j|; for the unit query and key drawn here that
        is ``decay_bound`` itself (>= |score| at every offset, but (dim/2 + 1)/2 at
        d = 0, far above a cosine). Only its shape matters, so it is scaled by the
        smallest factor that still bounds |score| at every offset shown: it touches
        the curves at least once and is never below them.
        """
        curves = super().distance_curves(distances, anchors)
        bound = decay_bound(distances, self.dim, self.base)
        ratios = [(c.values.abs().to(torch.float64) / bound.to(torch.float64)).nan_to_num(0.0).max() for c in curves]
        scale = float(max(ratios)) if ratios else 1.0
        return curves + [Curve("bound", {}, (bound.to(torch.float64) * scale).to(bound.dtype))]
