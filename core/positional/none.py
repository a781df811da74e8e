"""No positional encoding at all, NoPE (Haviv et al. 2022; Kazemnejad et al. 2023).

Nothing is added to the token embeddings and nothing to the attention
scores: every position contributes 0. A bidirectional encoder then cannot
tell word order at all (a sentence is a bag of tokens); a causal decoder
still can, because its mask lets position i see exactly i + 1 tokens, and
Haviv et al. show such models learn positional information from that alone.
Here it is the baseline the other kinds are compared against.
"""
from __future__ import annotations

import torch

from core.positional.base import Curve, PositionalEncoding, as_positions, check_positive, check_size
from core.positional.registry import register


@register
class NoPE(PositionalEncoding):
    kind = "none"
    order = 60
    family = "none"
    where = "none"
    formula = r"x_p = W_E[\mathrm{id}_p], \qquad \text{score}(i, j) = \frac{q_i \cdot k_j}{\sqrt{d_k}}"
    distance_formula = r"\text{score}_{\text{pos}}(\Delta) = 0"
    source = ("Haviv et al. 2022, Transformer Language Models without Positional Encodings Still Learn "
              "Positional Information; Kazemnejad et al. 2023, The Impact of Positional Encoding on "
              "Length Generalization in Transformers")
    views = ("matrix", "distance", "compare")
    score_axis = "score"
    output = "zeros: what position adds to each (query, key) score, (seq_len, seq_len)"

    @classmethod
    def input_part(cls, seq_len: int, dim: int, own_table: torch.Tensor | None = None) -> torch.Tensor:
        """Zeros ``(seq_len, dim)``: the model gets no word-order information from its input."""
        return torch.zeros(check_positive("seq_len", seq_len), check_positive("dim", dim))

    def scores(self, q_positions, k_positions) -> torch.Tensor:
        """What position adds between query i and key j: 0 everywhere, ``(1, n_q, n_k)``."""
        q = as_positions(q_positions, "query positions")
        k = as_positions(k_positions, "key positions")
        check_size(q.numel(), k.numel(), what="the score matrix")
        return torch.zeros(1, q.numel(), k.numel())

    def matrix(self, seq_len: int) -> torch.Tensor:
        """Zeros ``(seq_len, seq_len)``: position adds nothing to any score."""
        return self.scores(torch.arange(check_positive("seq_len", seq_len)), torch.arange(seq_len))[0]

    def distance_curves(self, distances, anchors=(0,)) -> list[Curve]:
        d = as_positions(distances, "distances")
        return [Curve("anchor", {"p": int(a)}, torch.zeros(d.numel())) for a in anchors]
