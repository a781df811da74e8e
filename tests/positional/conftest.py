"""A toy kind (a constant encoding) registered for one test and taken out again."""
from __future__ import annotations

import pytest
import torch

from core import positional as pe
from core.positional.base import Param, PositionalEncoding, as_positions


class Constant(PositionalEncoding):
    """Every position gets the same vector: no order information, but a kind like any other."""

    kind = "toyconstant"
    order = 99
    family = "absolute"
    where = "input"
    params = (
        Param("dim", 8, "width", int, minimum=2, maximum=64, widget=(2, 64, 2)),
        Param("level", 0.5, "the value of every entry", float, minimum=0.1, maximum=1.0, widget=(0.1, 1.0, 0.1)),
    )
    formula = r"PE_p = c\,\mathbf{1}"
    distance_formula = r"\text{sim}(p, p + \Delta) = 1"
    source = "a test fixture"
    output = "a constant table, (seq_len, dim)"

    def __init__(self, dim: int = 8, level: float = 0.5):
        self.dim, self.level = int(dim), float(level)

    def vectors(self, positions) -> torch.Tensor:
        return torch.full((as_positions(positions).numel(), self.dim), self.level)


@pytest.fixture
def toy_kind():
    pe.register(Constant)
    try:
        yield Constant
    finally:
        pe.unregister(Constant.kind)
