"""Learned absolute position embeddings (BERT, GPT-2): a trained table, one row per position.

There is no formula: row p is whatever gradient descent left there. The
table has a fixed number of rows (512 for BERT), so position 512 simply does
not exist: BERT cannot read a longer input without new, untrained rows.
"""
from __future__ import annotations

import functools
import math
from pathlib import Path

import torch

from core.positional.base import Param, PositionalEncoding, as_positions, check_positive
from core.positional.registry import register

_KEY_SUFFIX = "position_embeddings.weight"


@functools.lru_cache(maxsize=4)
def _load_table(resolved: str) -> torch.Tensor:
    path = Path(resolved)
    if path.is_dir():
        files = sorted(path.glob("*.safetensors"))
        if not files:
            raise ValueError(f"{path} holds no .safetensors file to read position embeddings from")
        from safetensors import safe_open

        for file in files:
            with safe_open(str(file), framework="pt") as handle:
                keys = [k for k in handle.keys() if k.endswith(_KEY_SUFFIX)]
                if keys:
                    return handle.get_tensor(sorted(keys, key=len)[0]).to(torch.float32)
        raise ValueError(
            f"the model in {path} has no learned absolute position embeddings "
            f"(no tensor named *{_KEY_SUFFIX}); it may use RoPE or relative positions"
        )
    # A hub id (works only on an online machine): build the model and find the table.
    from core.models import load_model

    model = load_model(resolved)
    for name, param in model.named_parameters():
        if name.endswith(_KEY_SUFFIX):
            return param.detach().to(torch.float32).cpu()
    raise ValueError(f"the model {resolved} has no learned absolute position embeddings")


def learned(model_dir=None) -> torch.Tensor:
    """The trained position table of a BERT-family checkpoint, ``(max_positions, hidden)`` float32.

    ``model_dir`` None means the shipped all-MiniLM-L6-v2 (512 x 384). Read
    straight from the safetensors file (no model is built) and cached; the
    returned tensor is a copy, so callers may change it freely.
    """
    from core.models import resolve_model

    return _load_table(resolve_model(model_dir)).clone()


@register
class Learned(PositionalEncoding):
    kind = "learned"
    order = 20
    family = "absolute"
    where = "input"
    params = (Param("model_dir", None, "a local BERT-family checkpoint folder (default: the shipped MiniLM)", str),)
    formula = (r"\begin{aligned} PE_p &= W_{\text{pos}}[\,p\,], \quad 0 \le p < 512 \\ "
               r"W_{\text{pos}} &\in \mathbb{R}^{512 \times 384} \end{aligned}")
    distance_formula = r"\text{sim}(p,\, p+\Delta) = f(p,\, \Delta)"
    source = "Devlin et al. 2019, BERT (learned absolute positions; also GPT-2)"
    output = "the checkpoint's first seq_len rows, (seq_len, hidden); dim comes from the model"

    def __init__(self, model_dir=None):
        self.table = learned(model_dir)
        self.max_positions, self.dim = self.table.shape
        rows, width = self.table.shape
        self.formula = type(self).formula.replace("512", str(rows)).replace("384", str(width))

    @classmethod
    def input_part(cls, seq_len: int, dim: int, own_table: torch.Tensor | None = None) -> torch.Tensor:
        """The model's own trained rows 0..seq_len-1 (``own_table``; default: the shipped MiniLM's)."""
        table = learned() if own_table is None else own_table.detach().to(torch.float32)
        if table.shape[1] != dim:
            raise ValueError(f"the learned table is {table.shape[1]} wide, the model needs {dim}")
        if check_positive("seq_len", seq_len) > table.shape[0]:
            raise ValueError(f"The model has {table.shape[0]} positions; the sentence has {seq_len} tokens.")
        return table[:seq_len]

    def matrix(self, seq_len: int) -> torch.Tensor:
        """The first ``seq_len`` rows of the table, ``(seq_len, hidden)``; ValueError past its end."""
        if check_positive("seq_len", seq_len) > self.max_positions:
            raise ValueError(f"the learned table has only {self.max_positions} positions; "
                             f"use a sequence length of {self.max_positions} or less")
        return self.table[:seq_len].clone()

    def vectors(self, positions) -> torch.Tensor:
        pos = as_positions(positions)
        out = torch.full((pos.numel(), self.dim), math.nan)
        inside = pos < self.max_positions
        out[inside] = self.table[pos[inside]]
        return out

    def wavelengths(self) -> torch.Tensor:
        """Estimated wavelength of each column: the period of its strongest Fourier component.

        Learned tables are not built from waves, but many of their columns
        turn out smooth and wave-like; this shows which. ``(dim,)`` positions.
        """
        table = self.table - self.table.mean(dim=0, keepdim=True)
        spectrum = torch.fft.rfft(table, dim=0).abs()  # (n // 2 + 1, dim)
        spectrum[0] = 0  # the mean is not a wave
        peak = spectrum.argmax(dim=0).clamp(min=1)
        return (self.max_positions / peak.to(torch.float32))
