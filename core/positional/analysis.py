"""What the lab shows about an encoding, computed on screen-sized samples.

A screen shows about 1,000 pixels per axis, so every view here is built from
at most that many positions/dimensions: heatmaps of the table average blocks
of neighbouring cells (so fast waves fade to grey instead of aliasing into
fake slow patterns); position x position matrices and curves use exact
values at evenly spaced positions. Everything returns numpy arrays, ready
for plotting and cheap to cache.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from core.positional.base import Curve, PositionalEncoding
from core.positional.spec import MAX_SEQ_LEN, EncodingSpec, make

MAX_ROWS = 512  # heatmap rows (positions) drawn; a plot's area is about 400 px tall, so 512 rows lose nothing
MAX_COLS = 512  # heatmap columns (dimensions) drawn
MAX_PAIR_POINTS = 480  # positions per axis of a position x position matrix
MAX_LINE_POINTS = 4096  # points per curve; the page's longest sequence fits unsampled
MAX_REFERENCE = 1024  # trained positions compared against in the extrapolation view
ROW_SAMPLES = 8  # positions averaged into one heatmap row at most (anti-aliasing at bounded cost)


def sample_positions(n: int, max_points: int) -> np.ndarray:
    """Evenly spaced whole positions in 0..n-1, at most ``max_points``, always including 0."""
    if n <= max_points:
        return np.arange(n)
    step = -(-n // max_points)  # ceil: a constant stride keeps the spacing honest
    return np.arange(0, n, step)


def block_mean(x: torch.Tensor, max_rows: int, max_cols: int) -> tuple[np.ndarray, int, int]:
    """Average ``x (n, d)`` over blocks so it has at most ``max_rows x max_cols`` cells.

    NaN cells (positions a table does not have) are ignored, so a block is NaN
    only when all of it is. Returns ``(values, row_step, col_step)``.
    """
    n, d = x.shape
    rs, cs = -(-n // max_rows), -(-d // max_cols)
    if rs == 1 and cs == 1:
        return x.numpy(), 1, 1
    rows, cols = -(-n // rs), -(-d // cs)
    if not torch.isnan(x).any():  # fast path: zero padding, then divide by each block's true size
        padded = torch.nn.functional.pad(x, (0, cols * cs - d, 0, rows * rs - n))
        sums = padded.reshape(rows, cols, cs).sum(dim=2) if rs == 1 else \
            padded.reshape(rows, rs, cols, cs).sum(dim=(1, 3))
        row_n = torch.full((rows,), float(rs))
        row_n[-1] = n - (rows - 1) * rs
        col_n = torch.full((cols,), float(cs))
        col_n[-1] = d - (cols - 1) * cs
        return (sums / (row_n[:, None] * col_n[None, :])).numpy(), rs, cs
    padded = torch.full((rows * rs, cols * cs), float("nan"))
    padded[:n, :d] = x
    blocks = padded.reshape(rows, rs, cols, cs).permute(0, 2, 1, 3).reshape(rows, cols, rs * cs)
    all_nan = torch.isnan(blocks).all(dim=-1)
    means = torch.nanmean(torch.where(all_nan[..., None], 0.0, blocks), dim=-1)
    return torch.where(all_nan, float("nan"), means).numpy(), rs, cs


@dataclass
class TableView:
    """The (position, dimension) table, block-averaged: ``values (rows, cols)``."""

    values: np.ndarray
    positions: np.ndarray  # first position of each row block (rows,)
    columns: np.ndarray  # the dimension each column shows (cols,)
    row_step: int  # neighbouring positions one row stands for
    col_step: int  # 1, or k when only one (sin, cos) pair in every k is drawn
    used_per_row: int = 1  # how many of those positions were averaged (= row_step unless very long)


@dataclass
class PairView:
    """Scores between sampled positions: ``values (heads, n, n)``, exact at those positions."""

    values: np.ndarray
    positions: np.ndarray  # (n,)
    step: int  # spacing of the sampled positions


@dataclass
class CurveView:
    """Lines over an x axis (positions or distances)."""

    x: np.ndarray  # (n,)
    curves: list[Curve]  # values are numpy (n,)


@dataclass
class ExtrapolationView:
    """How an encoding behaves from 0 to ``horizon``, past the length it was trained/defined for."""

    trained_len: int  # positions seen in training (learned: the table's rows; otherwise seq_len)
    horizon: int  # how far the view looks (4 x trained_len, at most MAX_SEQ_LEN)
    table: TableView | None  # (position, dim) over 0..horizon, rows sampled; None for bias encodings
    distance: CurveView  # score from position 0 to position d, d in 0..horizon
    nearest: CurveView | None  # best cosine similarity of each position to any trained position (formula encodings)


@dataclass
class LabView:
    """Everything the page draws for one encoding and its settings.

    A view the kind does not offer (``info["views"]``), or that was not asked
    for, is None.
    """

    spec: EncodingSpec
    info: dict  # enc.describe(): kind, family, where, dim, heads, formula, source, views, ...
    table: TableView | None  # None for kinds without vectors (ALiBi, T5, none)
    pairs: PairView | None
    dims: CurveView | None  # chosen dimensions over position; None for kinds without vectors
    wavelengths: CurveView | None  # x = pair index (sinusoidal, RoPE) or column (learned, estimated)
    distance: CurveView | None
    extrapolation: ExtrapolationView | None
    heads: list = field(default_factory=list)  # fields naming each head: [{"h": 1, ...}, ...]
    details: dict = field(default_factory=dict)  # the kind's own extras (ALiBi "slopes", T5 "buckets")

    @property
    def slopes(self) -> np.ndarray | None:
        """ALiBi's per-head slopes (None for other kinds)."""
        return self.details.get("slopes")

    @property
    def buckets(self) -> list | None:
        """T5: [(bucket, first distance, last or None), ...] (None for other kinds)."""
        return self.details.get("buckets")


def _numpy_curves(curves: list[Curve]) -> list[Curve]:
    return [Curve(c.label, c.fields, c.values.numpy()) for c in curves]


def pair_columns(dim: int, max_cols: int) -> np.ndarray:
    """Columns to draw: all of them, or both columns of every k-th (sin, cos) pair.

    Averaging neighbouring columns would mix a sin with its cos (a meaningless
    number); neighbouring pairs have nearly the same frequency, so skipping
    some loses little.
    """
    if dim <= max_cols:
        return np.arange(dim)
    pairs = sample_positions(dim // 2, max(max_cols // 2, 1))
    return np.stack([2 * pairs, 2 * pairs + 1], axis=1).ravel()


def table_view(enc: PositionalEncoding, seq_len: int, max_rows: int = MAX_ROWS,
               max_cols: int = MAX_COLS, per_row: int = ROW_SAMPLES) -> TableView:
    """The (seq_len, dim) table: rows averaged over blocks of positions, columns by whole pairs.

    At most ``per_row`` evenly spaced positions are averaged into a row, so a
    16,384-position view costs the same as a 6,400-position one; up to
    ``max_rows * per_row`` positions every position is used.
    """
    cols = pair_columns(enc.dim, max_cols)
    pos = sample_positions(seq_len, max_rows * per_row)
    values, rs, _ = block_mean(enc.columns(torch.from_numpy(pos), torch.from_numpy(cols)), max_rows, len(cols))
    col_step = int(cols[2] - cols[0]) // 2 if len(cols) < enc.dim else 1
    stride = int(pos[1] - pos[0]) if len(pos) > 1 else 1
    return TableView(values, pos[::rs], cols, rs * stride, col_step, used_per_row=rs)


def pair_view(enc: PositionalEncoding, seq_len: int, max_points: int = MAX_PAIR_POINTS) -> PairView:
    """Position x position scores (cosine similarity, bias or bucket) at sampled positions."""
    pos = sample_positions(seq_len, max_points)
    positions = torch.from_numpy(pos)
    values = enc.scores(positions, positions).numpy()
    return PairView(values, pos, int(pos[1] - pos[0]) if len(pos) > 1 else 1)


def dimension_view(enc: PositionalEncoding, seq_len: int, dims, max_points: int = MAX_LINE_POINTS) -> CurveView:
    """The value of each chosen dimension over positions 0..seq_len-1."""
    dims = [int(d) for d in dims]
    bad = [d for d in dims if not 0 <= d < enc.dim]
    if bad:
        raise ValueError(f"dimensions must be between 0 and {enc.dim - 1}, got {bad}")
    pos = sample_positions(seq_len, max_points)
    vec = enc.columns(torch.from_numpy(pos), dims) if dims else torch.empty(len(pos), 0)
    return CurveView(pos, [Curve("dim", {"i": d}, vec[:, k].numpy()) for k, d in enumerate(dims)])


def distance_view(enc: PositionalEncoding, seq_len: int, anchors=None,
                  max_points: int = MAX_LINE_POINTS) -> CurveView:
    """Score between a query at each anchor and a key d later, d in 0..seq_len-1."""
    if anchors is None:
        anchors = sorted({0, seq_len // 4, seq_len // 2})
    d = sample_positions(seq_len, max_points)
    return CurveView(d, _numpy_curves(enc.distance_curves(torch.from_numpy(d), anchors)))


def extrapolation_view(enc: PositionalEncoding, seq_len: int) -> ExtrapolationView:
    """Look 4x past the trained length: the table, the score from position 0, and novelty."""
    trained = enc.max_positions or seq_len
    horizon = max(min(4 * trained, MAX_SEQ_LEN), trained + 1)
    distance = distance_view(enc, horizon, anchors=(0,))
    if not enc.has_vectors:
        return ExtrapolationView(trained, horizon, None, distance, None)
    table = table_view(enc, horizon)
    if enc.max_positions is not None:
        # A table: inside it every position is its own best match, past it there is nothing.
        return ExtrapolationView(trained, horizon, table, distance, None)
    probe = torch.from_numpy(sample_positions(horizon, MAX_PAIR_POINTS))
    # Probes inside the trained range are trained positions themselves (their best match is 1).
    reference = torch.from_numpy(np.union1d(sample_positions(trained, MAX_REFERENCE),
                                            probe.numpy()[probe.numpy() < trained]))
    best = enc.scores(probe, reference)[0].max(dim=1).values  # NaN rows stay NaN
    nearest = CurveView(probe.numpy(), [Curve("nearest", {}, best.numpy())])
    return ExtrapolationView(trained, horizon, table, distance, nearest)


def wavelength_view(enc: PositionalEncoding) -> CurveView | None:
    """Wavelength in positions of each pair (or estimated, of each learned column); None for bias kinds."""
    waves = enc.wavelengths()
    if waves is None:
        return None
    return CurveView(np.arange(len(waves)), [Curve("wavelength", {}, waves.numpy())])


def default_dims(dim: int) -> list[int]:
    """A few dimensions from fast to slow: 0, 1 (a sin/cos pair), then even ones spread out."""
    picks = [0, 1, 2 * (dim // 8), 2 * (dim // 4), 2 * (dim // 2) - 2]
    return sorted({d for d in picks if 0 <= d < dim})


def lab_view(spec: EncodingSpec, dims=None, views=None) -> LabView:
    """Compute every view of ``spec`` the page shows (``dims``: dimensions to draw as curves).

    ``views``: only these (names from ``PositionalEncoding.views``, e.g. the
    compare tab asks for ``("matrix", "distance")``); default: all the kind offers.
    """
    enc = make(spec)
    wanted = set(enc.views if views is None else views) & set(enc.views)
    vectors = enc.has_vectors
    seq_len = spec.seq_len
    needs_pairs = "similarity" in wanted or ("matrix" in wanted and not vectors)
    return LabView(
        spec=spec,
        info=enc.describe(),
        table=table_view(enc, seq_len) if vectors and "matrix" in wanted else None,
        pairs=pair_view(enc, seq_len) if needs_pairs else None,
        dims=dimension_view(enc, seq_len, default_dims(enc.dim) if dims is None else dims)
        if vectors and "dimensions" in wanted else None,
        wavelengths=wavelength_view(enc) if "dimensions" in wanted else None,
        distance=distance_view(enc, seq_len) if "distance" in wanted else None,
        extrapolation=extrapolation_view(enc, seq_len) if "beyond" in wanted else None,
        heads=enc.head_fields(),
        details=enc.details(),
    )
