"""The shared verbs of every positional encoding, and the size checks.

Each encoding (one short module each: ``sinusoidal``, ``learned``, ``rope``,
``alibi``, ``t5``) subclasses :class:`PositionalEncoding` and overrides only
what differs. The verbs all take explicit position indices, so a caller can
ask for a few hundred sampled positions out of 16,384 without building the
whole matrix (that is how the page stays responsive at large settings).

Families:
- ``"absolute"``: a vector per position is added to the token embedding
  (sinusoidal, learned). ``vectors`` is the encoding itself.
- ``"rotary"``: query and key are rotated by a position-dependent angle
  (RoPE). ``vectors`` is the rotation applied to a fixed unit query.
- ``"bias"``: a number per (query, key) pair is added to the attention score
  (ALiBi, T5). There are no vectors; ``scores`` is the encoding itself.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

# Largest tensor one call may build: 2**27 numbers = 512 MiB of float32.
# seq_len 4096 x dim 1024 is 4,194,304 numbers; ALiBi's (8, 4096, 4096) is
# exactly at the cap. Anything bigger is almost surely a typo in a UI or CLI.
MAX_ELEMENTS = 2**27


def check_positive(name: str, value: int) -> int:
    """``value`` as an int, or a ValueError naming ``name`` if it is not >= 1."""
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def check_even(name: str, value: int) -> int:
    """A positive even ``value``: encodings that work on (sin, cos) pairs need one."""
    value = check_positive(name, value)
    if value % 2:
        raise ValueError(
            f"{name} must be even because dimensions come in (sin, cos) pairs, got {value}"
        )
    return value


def check_base(base: float) -> float:
    """The frequency base (10000 in Vaswani et al.); must be > 1 for the waves to slow down."""
    base = float(base)
    if not math.isfinite(base) or base <= 1.0:
        raise ValueError(f"base must be a finite number greater than 1, got {base!r}")
    return base


def check_size(*sizes: int, what: str = "this encoding") -> None:
    """Refuse to build a tensor of more than :data:`MAX_ELEMENTS` numbers."""
    total = math.prod(int(s) for s in sizes)
    if total > MAX_ELEMENTS:
        shape = " x ".join(str(int(s)) for s in sizes)
        raise ValueError(
            f"{what} would hold {total:,} numbers ({shape}); the limit is {MAX_ELEMENTS:,} "
            f"(512 MiB of float32). Use a shorter sequence or fewer dimensions/heads."
        )


def as_positions(positions, name: str = "positions") -> torch.Tensor:
    """Position indices as a 1-D int64 CPU tensor of non-negative values (angles are built on CPU)."""
    pos = torch.as_tensor(positions).cpu()
    if pos.dim() != 1:
        raise ValueError(f"{name} must be a 1-D list of indices, got shape {tuple(pos.shape)}")
    if pos.is_floating_point():
        if not torch.equal(pos, pos.round()):
            raise ValueError(f"{name} must be whole numbers")
    pos = pos.to(torch.long)
    if pos.numel() and int(pos.min()) < 0:
        raise ValueError(f"{name} must be >= 0, got {int(pos.min())}")
    return pos


@dataclass(frozen=True)
class Curve:
    """One line of a score-vs-distance plot.

    ``label`` is a message key suffix (``"anchor"``, ``"head"``, ``"after"``,
    ``"before"``, ``"bound"``) and ``fields`` fill its template, so the page can
    translate the legend; ``values`` has one entry per distance (NaN where the
    encoding is undefined, e.g. past the learned table's last row).
    """

    label: str
    fields: dict
    values: torch.Tensor


class PositionalEncoding:
    """Base class: the verbs every encoding answers.

    Subclasses set ``kind``, ``family``, ``dim``, ``max_positions`` and
    implement :meth:`vectors` (vector families) or :meth:`scores` (bias family).
    """

    kind: str = "base"
    family: str = "absolute"  # "absolute" | "rotary" | "bias"
    dim: int | None = None  # width of one position vector; None for bias encodings
    max_positions: int | None = None  # rows a table has (learned: 512); None = any position
    n_heads: int = 1  # score maps per (query, key) pair; ALiBi has one per head

    @property
    def has_vectors(self) -> bool:
        return self.family != "bias"

    def vectors(self, positions) -> torch.Tensor:
        """The vector of each position, ``(n, dim)`` float32.

        Rows for positions past ``max_positions`` are NaN (the encoding has no
        value there), so plots show a gap instead of an error.
        """
        raise NotImplementedError(f"{self.kind} adds a bias to attention scores; it has no vectors")

    def scores(self, q_positions, k_positions) -> torch.Tensor:
        """What position alone contributes between query i and key j, ``(heads, n_q, n_k)``.

        For vector encodings: the cosine similarity of the two position vectors
        (for sinusoidal and RoPE this is the mean of cos(offset x frequency)).
        """
        q = self.vectors(q_positions)
        k = self.vectors(k_positions)
        q = q / q.norm(dim=-1, keepdim=True)
        k = k / k.norm(dim=-1, keepdim=True)
        return (q @ k.T).unsqueeze(0)

    def wavelengths(self) -> torch.Tensor | None:
        """Wavelength in positions of each (sin, cos) pair ``(dim // 2,)``; None if not a wave."""
        return None

    def distance_curves(self, distances, anchors=(0,)) -> list[Curve]:
        """Score between a query at each anchor and a key ``distance`` positions later.

        One curve per anchor: if the curves lie on top of each other the score
        depends only on the offset (translation invariance).
        """
        d = as_positions(distances, "distances")
        curves = []
        for anchor in anchors:
            keys = anchor + d
            values = self.scores(torch.tensor([anchor]), keys)[0, 0]
            if self.max_positions is not None:
                values = torch.where(keys < self.max_positions, values, torch.nan)
            curves.append(Curve("anchor", {"p": int(anchor)}, values))
        return curves

    def describe(self) -> dict:
        """Plain facts for a caption: kind, family, dim, max_positions, heads."""
        return {
            "kind": self.kind,
            "family": self.family,
            "dim": self.dim,
            "max_positions": self.max_positions,
            "heads": self.n_heads,
        }
