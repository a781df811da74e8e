"""Figure builders: traces, point counts, labels, and the marks the page's text refers to."""
from __future__ import annotations

import numpy as np

from core import positional as pe
from core.plots import positional as plots

TEMPLATES = {"anchor": "query at p = {p}", "bound": "bound", "head": "head {h} (m = {m})"}


def test_table_heatmap_has_the_cells_labels_and_the_limit_line():
    view = pe.lab_view(pe.EncodingSpec(kind="learned", seq_len=1024))
    fig = plots.table_heatmap(view.table.values, view.table.positions, view.table.columns, title="T",
                              x_title="dimension", y_title="position", colorbar_title="value",
                              limit=512, limit_text="ends at 512")
    heat = fig.data[0]
    assert heat.type == "heatmap" and np.asarray(heat.z).shape == view.table.values.shape
    assert fig.layout.xaxis.title.text == "dimension" and fig.layout.yaxis.title.text == "position"
    assert fig.layout.shapes[0].y0 == 512 and fig.layout.annotations[0].text == "ends at 512"
    assert heat.zmid == 0


def test_curve_plot_names_each_curve_and_shades_past_the_trained_length():
    view = pe.lab_view(pe.EncodingSpec(kind="rope", seq_len=64, dim=16))
    fig = plots.curve_plot(view.distance.x, view.distance.curves, TEMPLATES, title="D", x_title="Δ",
                           y_title="score", shade_from=32, shade_text="past 32")
    assert [tr.name for tr in fig.data] == ["query at p = 0", "query at p = 16", "query at p = 32", "bound"]
    assert all(len(tr.x) == 64 for tr in fig.data)
    assert fig.data[-1].line.dash == "dash"
    assert fig.layout.shapes[0].x0 == 32


def test_wavelength_plot_uses_a_log_axis_that_fits_the_data():
    view = pe.lab_view(pe.EncodingSpec(kind="sinusoidal", seq_len=128, dim=64))
    fig = plots.curve_plot(view.wavelengths.x, view.wavelengths.curves, {"wavelength": "λ"}, title="W",
                           x_title="i", y_title="λ", log_y=True, hline=128, hline_text="seq 128")
    lo, hi = fig.layout.yaxis.range
    assert fig.layout.yaxis.type == "log"
    assert 10 ** lo < 2 * np.pi < 10 ** hi and 10 ** hi < 1e6  # not blown up to 1e128 by the annotation


def test_pair_heatmap_and_bars():
    view = pe.lab_view(pe.EncodingSpec(kind="alibi", seq_len=32, heads=4))
    fig = plots.pair_heatmap(view.pairs.values[1], view.pairs.positions, title="A", x_title="key",
                             y_title="query", colorbar_title="bias")
    assert np.asarray(fig.data[0].z).shape == (32, 32)
    bars = plots.bar_plot([1, 2, 3, 4], view.slopes, title="S", x_title="head", y_title="m", log_y=True)
    assert list(bars.data[0].x) == ["1", "2", "3", "4"] and bars.layout.yaxis.type == "log"
