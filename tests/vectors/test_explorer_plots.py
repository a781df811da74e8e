"""The explorer's figure builders: trace types, point counts, hover text, frames (core/plots/explorer.py)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core.plots import explorer as plots


def _words(n):
    return [f"w{i}" for i in range(n)]


def test_2d_projection_is_webgl_with_word_and_count_in_hover():
    coords = np.random.default_rng(0).normal(size=(500, 2))
    fig = plots.projection_figure(coords, _words(500), counts=np.arange(500, 0, -1), highlight=["w3"],
                                  neighbours=["w4", "w5"], labels=["w9", "missing"], count_label="count")
    main = fig.data[0]
    assert isinstance(main, go.Scattergl) and len(main.x) == 500
    assert "w0" in main.text[0] and "count: 500" in main.text[0]
    by_name = {trace.name: trace for trace in fig.data[1:]}
    assert list(by_name["highlight"].text) == ["w3"]
    assert list(by_name["neighbours"].text) == ["w4", "w5"]
    assert list(by_name["labels"].text) == ["w9"]  # unknown label words are ignored
    assert by_name["highlight"].x[0] == pytest.approx(coords[3, 0])
    assert fig.layout.xaxis.title.text == "x"


def test_3d_projection_is_thinned_to_the_most_frequent_points():
    n = plots.MAX_3D_POINTS + 100
    fig = plots.projection_figure(np.zeros((n, 3)), _words(n))
    assert isinstance(fig.data[0], go.Scatter3d)
    assert len(fig.data[0].x) == plots.MAX_3D_POINTS
    assert fig.data[0].text[0].startswith("<b>w0</b>")


def test_cluster_colours_are_categorical():
    fig = plots.projection_figure(np.zeros((4, 2)), _words(4), clusters=np.array([0, 1, 0, 2]))
    colours = list(fig.data[0].marker.color)
    assert colours[0] == colours[2] != colours[1] != colours[3]


def test_mismatched_words_and_coords_is_an_error():
    with pytest.raises(ValueError, match="3 coordinates for 2 words"):
        plots.projection_figure(np.zeros((3, 2)), ["a", "b"])


def test_drift_figure_has_one_frame_per_epoch_and_fixed_axes():
    coords = np.stack([np.full((5, 2), e, dtype=float) + np.arange(5)[:, None] for e in range(3)])
    fig = plots.drift_figure([1, 2, 3], _words(5), coords, highlight=["w2"])
    assert [frame.name for frame in fig.frames] == ["1", "2", "3"]
    assert len(fig.layout.sliders[0].steps) == 3
    lo, hi = fig.layout.xaxis.range
    assert lo < coords[..., 0].min() and hi > coords[..., 0].max()
    assert fig.frames[2].data[0].marker.color[2] == plots.HIGHLIGHT


def test_benchmark_charts():
    sections = [{"section": "capital-common-countries", "correct": 3, "total": 4, "accuracy": 0.75},
                {"section": "gram1-adjective-to-adverb", "correct": 0, "total": 0, "accuracy": None}]
    bars = plots.sections_figure(sections)
    assert list(bars.data[0].y) == [0.75, 0.0] and list(bars.data[0].text) == ["3/4", "0/0"]
    scatter = plots.similarity_scatter([["a", "b", 7.5, 0.6], ["c", "d", 1.0, None]], x_title="human")
    assert list(scatter.data[0].x) == [7.5] and scatter.layout.xaxis.title.text == "human"


def test_neighbours_and_compare_figures():
    bars = plots.neighbours_figure([("queen", 0.9), ("prince", 0.5)])
    assert list(bars.data[0].y) == ["prince", "queen"]  # best on top
    fig = plots.compare_figure(["a", "b", "c"], np.zeros((3, 2)), np.ones((3, 2)), name_a="A", name_b="B",
                               highlight=["b"])
    assert len(fig.data) == 2 and fig.data[1].marker.color[1] == plots.HIGHLIGHT
