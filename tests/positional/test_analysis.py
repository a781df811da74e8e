"""The lab's views: downsampling is honest, shapes stay screen-sized, the pictures say what the page claims."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from core import positional as pe
from core.positional.analysis import MAX_COLS, MAX_PAIR_POINTS, MAX_ROWS


def test_block_mean_averages_blocks_and_keeps_all_nan_blocks_nan():
    x = torch.arange(24, dtype=torch.float32).reshape(6, 4)
    values, rs, cs = pe.block_mean(x, max_rows=3, max_cols=2)
    assert (rs, cs) == (2, 2)
    assert values[0, 0] == pytest.approx(np.mean([0, 1, 4, 5]))
    # ragged edges: the last row/column blocks are smaller and are averaged over what they hold
    y = torch.arange(35, dtype=torch.float32).reshape(7, 5)
    values, rs, cs = pe.block_mean(y, max_rows=3, max_cols=2)
    assert values.shape == (3, 2) and (rs, cs) == (3, 3)
    assert values[2, 1] == pytest.approx(np.mean([33, 34]))
    assert values[0, 0] == pytest.approx(np.mean([0, 1, 2, 5, 6, 7, 10, 11, 12]))
    x[4:] = float("nan")
    values, _, _ = pe.block_mean(x, max_rows=3, max_cols=2)
    assert np.isnan(values[2]).all() and np.isfinite(values[:2]).all()
    # a block that is only partly NaN is the mean of its real numbers
    x[3, 0] = float("nan")
    values, _, _ = pe.block_mean(x, max_rows=3, max_cols=2)
    assert values[1, 0] == pytest.approx(np.mean([8, 9, 13]))


def test_sample_positions_is_even_and_bounded():
    pos = pe.sample_positions(4096, 480)
    assert pos[0] == 0 and len(pos) <= 480 and len(set(np.diff(pos))) == 1
    assert list(pe.sample_positions(5, 480)) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("kind", pe.names())
def test_large_settings_give_screen_sized_views(kind):
    view = pe.lab_view(pe.EncodingSpec(kind=kind, seq_len=4096, dim=1024, heads=32))
    if view.table is not None:
        rows, cols = view.table.values.shape
        assert rows <= MAX_ROWS and cols <= MAX_COLS
        assert len(view.table.positions) == rows and len(view.table.columns) == cols
        if view.table.col_step > 1:  # more dims than columns: whole (sin, cos) pairs are kept, never mixed
            columns = view.table.columns
            assert (columns[0::2] % 2 == 0).all() and (columns[1::2] == columns[0::2] + 1).all()
    if view.pairs is not None:
        assert view.pairs.values.shape[1] == view.pairs.values.shape[2] <= MAX_PAIR_POINTS
        assert view.pairs.values.shape[0] == len(view.heads)
    assert len(view.distance.x) == 4096
    if view.extrapolation is not None:
        trained = pe.make(view.spec).max_positions or 4096
        assert view.extrapolation.horizon == min(4 * trained, pe.MAX_SEQ_LEN)


def test_wide_wave_tables_keep_whole_pairs():
    for kind in ("sinusoidal", "rope"):
        view = pe.lab_view(pe.EncodingSpec(kind=kind, seq_len=4096, dim=1024))
        assert view.table.col_step == 2 and view.table.values.max() > 0.99


@pytest.mark.parametrize("kind", pe.names())
def test_lab_view_computes_exactly_the_views_the_kind_declares(kind):
    view = pe.lab_view(pe.EncodingSpec(kind=kind, seq_len=64, dim=16))
    declared = set(view.info["views"])
    enc = pe.make(view.spec)
    assert (view.table is not None) == ("matrix" in declared and enc.has_vectors)
    assert (view.pairs is not None) == ("similarity" in declared or not enc.has_vectors)
    assert (view.dims is not None) == ("dimensions" in declared)
    assert (view.distance is not None) == ("distance" in declared)
    assert (view.extrapolation is not None) == ("beyond" in declared)
    assert ("slopes" in declared) == (view.slopes is not None)
    assert ("buckets" in declared) == (view.buckets is not None)
    only = pe.lab_view(view.spec, views=("matrix", "distance"))
    assert only.distance is not None and only.extrapolation is None and only.dims is None


def test_sinusoidal_distance_curves_coincide_but_learned_ones_do_not():
    sin = pe.lab_view(pe.EncodingSpec(kind="sinusoidal", seq_len=256, dim=64))
    anchors = np.stack([c.values for c in sin.distance.curves])
    assert np.nanmax(anchors.max(0) - anchors.min(0)) < 1e-4
    learned = pe.lab_view(pe.EncodingSpec(kind="learned", seq_len=256))
    curves = np.stack([c.values for c in learned.distance.curves])
    assert np.nanmax(curves.max(0) - curves.min(0)) > 0.05


def test_rope_similarity_equals_sinusoidal_and_the_bound_decays():
    spec = dict(seq_len=200, dim=32, base=10000.0)
    rope = pe.lab_view(pe.EncodingSpec(kind="rope", **spec))
    sin = pe.lab_view(pe.EncodingSpec(kind="sinusoidal", **spec))
    assert np.allclose(rope.pairs.values, sin.pairs.values, atol=1e-5)
    bound = [c for c in rope.distance.curves if c.label == "bound"][0].values
    assert bound[-1] < 0.5 * bound[0]


@pytest.mark.parametrize("dim,base,seq_len", [(32, 10000.0, 200), (64, 10000.0, 512), (128, 500.0, 1024), (8, 10.0, 64)])
def test_rope_upper_bound_lies_on_or_above_every_curve_it_bounds(dim, base, seq_len):
    # The issue: the "relative upper bound", scaled to 1 at offset 0, fell below the score curve.
    rope = pe.lab_view(pe.EncodingSpec(kind="rope", seq_len=seq_len, dim=dim, base=base))
    bound = [c for c in rope.distance.curves if c.label == "bound"][0].values
    for curve in (c for c in rope.distance.curves if c.label == "anchor"):
        gap = bound - np.abs(curve.values)
        assert np.nanmin(gap) >= -1e-6
        assert np.nanmin(gap) < 1e-3  # scaled as far as it stays a bound: it touches the curve


def test_learned_view_marks_what_lies_past_512():
    view = pe.lab_view(pe.EncodingSpec(kind="learned", seq_len=1024))
    rows_past = view.table.positions >= 512
    assert np.isnan(view.table.values[rows_past]).all()
    assert np.isfinite(view.table.values[~rows_past]).all()
    ext = view.extrapolation
    assert ext.trained_len == 512 and ext.nearest is None
    stops = ext.distance.curves[0].values
    assert np.isnan(stops[ext.distance.x >= 512]).all() and np.isfinite(stops[ext.distance.x < 512]).all()
    assert np.isnan(ext.table.values[ext.table.positions >= 512]).all()
    assert view.wavelengths is not None and len(view.wavelengths.x) == 384


def test_sinusoidal_positions_past_the_trained_length_are_new():
    ext = pe.lab_view(pe.EncodingSpec(kind="sinusoidal", seq_len=128, dim=64)).extrapolation
    best = ext.nearest.curves[0].values
    inside, outside = best[ext.nearest.x < 128], best[ext.nearest.x >= 256]
    assert inside.min() > 0.999 and outside.max() < 0.95


def test_alibi_view_has_one_curve_per_head_and_t5_saturates():
    alibi = pe.lab_view(pe.EncodingSpec(kind="alibi", seq_len=64, heads=12))
    assert len(alibi.distance.curves) == 12 and alibi.slopes.shape == (12,)
    assert alibi.distance.curves[0].values[10] == pytest.approx(-0.5 * 10)
    t5 = pe.lab_view(pe.EncodingSpec(kind="t5", seq_len=512)).extrapolation.distance
    after = t5.curves[0].values
    assert set(after[t5.x >= 128]) == {31.0}


def test_dimension_curves_follow_the_chosen_dims_and_reject_bad_ones():
    view = pe.lab_view(pe.EncodingSpec(kind="sinusoidal", seq_len=50, dim=16), dims=(0, 15))
    assert [c.fields["i"] for c in view.dims.curves] == [0, 15]
    assert view.dims.curves[0].values[:3] == pytest.approx(np.sin([0, 1, 2]), abs=1e-6)
    with pytest.raises(ValueError, match="between 0 and 15"):
        pe.lab_view(pe.EncodingSpec(kind="sinusoidal", seq_len=50, dim=16), dims=(16,))


def test_wavelengths_are_two_pi_base_to_the_2i_over_d():
    view = pe.lab_view(pe.EncodingSpec(kind="sinusoidal", seq_len=16, dim=8, base=100.0))
    waves = view.wavelengths.curves[0].values
    assert waves == pytest.approx([2 * np.pi * 100.0 ** (2 * i / 8) for i in range(4)], rel=1e-6)
