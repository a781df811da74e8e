"""Positional encodings: generate them, and the numbers the lab page draws.

Public API (other modules and tests call these names):

- ``sinusoidal(seq_len, dim, base=10000.0) -> (seq_len, dim)`` Vaswani et al.
- ``learned(model_dir=None) -> (max_positions, hidden)`` a checkpoint's trained table
- ``apply_rope(x, positions=None, base=10000.0)`` rotary embedding of ``x (..., seq, dim)``
- ``alibi_slopes(n_heads) -> (n_heads,)``, ``alibi_bias(seq_len, n_heads) -> (n_heads, seq, seq)``
- ``t5_relative_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128)``
- ``EncodingSpec`` / ``make(spec)``: one config and the encoding object it names
  (``Sinusoidal``, ``Learned``, ``Rope``, ``Alibi``, ``T5Relative``, ``NoPE``, all
  ``PositionalEncoding``s with ``vectors``, ``scores``, ``wavelengths``,
  ``distance_curves``, ``matrix``, ``input_part``)
- the registry (``ENCODINGS``, a :class:`core.registry.Registry`): ``names()`` (in
  teaching order), ``get(kind)`` (the class; ValueError listing the known kinds),
  ``register(cls)`` / ``unregister(name)``, ``where(kind)`` ("input" | "attention" |
  "none"). Every module of this package is imported when the registry is first
  asked, so a kind in a new file registers itself. ``KINDS`` is the tuple of the
  built-in kinds at import time (ask ``names()`` for the live list).
- ``lab_view(spec, dims=None, views=None) -> LabView``: the views the page shows (all the
  kind declares, or only ``views``), downsampled;
  ``dimension_view(encoding, seq_len, dims)`` just the chosen dimensions' curves.

All sizes are checked: at most ``MAX_ELEMENTS`` (2**27) numbers per tensor.
"""
from core.positional.alibi import Alibi, alibi_bias, alibi_slopes
from core.positional.analysis import (
    LabView, block_mean, default_dims, dimension_view, lab_view, sample_positions,
)
from core.positional.base import MAX_ELEMENTS, WHERE, Curve, Param, PositionalEncoding
from core.positional.learned import Learned, learned
from core.positional.none import NoPE
from core.positional.registry import ENCODINGS, all_params, get, names, register, unregister, where
from core.positional.rope import Rope, apply_rope, decay_bound
from core.positional.sinusoidal import Sinusoidal, sinusoidal
from core.positional.spec import MAX_SEQ_LEN, EncodingSpec, make
from core.positional.t5 import T5Relative, t5_relative_bucket

KINDS = names()

__all__ = [
    "ENCODINGS", "KINDS", "MAX_ELEMENTS", "MAX_SEQ_LEN", "WHERE", "Alibi", "Curve", "EncodingSpec", "LabView", "Learned", "NoPE",
    "Param", "PositionalEncoding", "Rope", "Sinusoidal", "T5Relative", "alibi_bias", "alibi_slopes", "all_params",
    "apply_rope", "block_mean", "decay_bound", "default_dims", "dimension_view", "get", "lab_view",
    "learned", "make", "names", "register", "sample_positions", "sinusoidal", "t5_relative_bucket", "unregister", "where",
]
