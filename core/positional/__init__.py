"""Positional encodings: generate them, and the numbers the lab page draws.

Public API (other modules and tests call these names):

- ``sinusoidal(seq_len, dim, base=10000.0) -> (seq_len, dim)`` Vaswani et al.
- ``learned(model_dir=None) -> (max_positions, hidden)`` a checkpoint's trained table
- ``apply_rope(x, positions=None, base=10000.0)`` rotary embedding of ``x (..., seq, dim)``
- ``alibi_slopes(n_heads) -> (n_heads,)``, ``alibi_bias(seq_len, n_heads) -> (n_heads, seq, seq)``
- ``t5_relative_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128)``
- ``EncodingSpec`` / ``make(spec)``: one config and the encoding object it names
  (``Sinusoidal``, ``Learned``, ``Rope``, ``Alibi``, ``T5Relative``, all
  ``PositionalEncoding``s with ``vectors``, ``scores``, ``wavelengths``,
  ``distance_curves``)
- ``lab_view(spec, dims=None) -> LabView``: every view the page shows, downsampled;
  ``dimension_view(encoding, seq_len, dims)`` just the chosen dimensions' curves.

All sizes are checked: at most ``MAX_ELEMENTS`` (2**27) numbers per tensor.
"""
from core.positional.alibi import Alibi, alibi_bias, alibi_slopes
from core.positional.analysis import (
    LabView, block_mean, default_dims, dimension_view, lab_view, sample_positions,
)
from core.positional.base import MAX_ELEMENTS, Curve, PositionalEncoding
from core.positional.learned import Learned, learned
from core.positional.rope import Rope, apply_rope, decay_bound
from core.positional.sinusoidal import Sinusoidal, sinusoidal
from core.positional.spec import KINDS, MAX_SEQ_LEN, EncodingSpec, make
from core.positional.t5 import T5Relative, t5_relative_bucket

__all__ = [
    "KINDS", "MAX_ELEMENTS", "MAX_SEQ_LEN", "Alibi", "Curve", "EncodingSpec", "LabView", "Learned",
    "PositionalEncoding", "Rope", "Sinusoidal", "T5Relative", "alibi_bias", "alibi_slopes", "apply_rope",
    "block_mean", "decay_bound", "default_dims", "dimension_view", "lab_view", "learned", "make", "sample_positions",
    "sinusoidal", "t5_relative_bucket",
]
