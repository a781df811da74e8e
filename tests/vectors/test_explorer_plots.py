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
    assert "w0" in main.hovertext[0] and "count: 500" in main.hovertext[0]
    by_name = {trace.name: trace for trace in fig.data[1:]}
    assert [len(by_name[name].x) for name in ("highlight", "neighbours", "labels")] == [1, 2, 1]
    assert by_name["highlight"].x[0] == pytest.approx(coords[3, 0])
    # every label is an annotation pointing at its own point; unknown label words are ignored
    notes = {a.text: a for a in fig.layout.annotations}
    assert set(notes) == {"w3", "w4", "w5", "w9"}
    assert (notes["w4"].x, notes["w4"].y) == pytest.approx(tuple(coords[4]))
    assert fig.layout.xaxis.title.text == "x"


def _label_boxes(fig):
    """Pixel boxes of the figure's label annotations, as place_labels computed them."""
    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    boxes = []
    for a in fig.layout.annotations:
        px = (a.x - x0) / (x1 - x0) * plots.LABEL_WIDTH_PX + a.ax
        py = (a.y - y0) / (y1 - y0) * plots.LABEL_HEIGHT_PX - a.ay
        w, h = plots.text_box(a.text, a.font.size)
        boxes.append((px - w / 2, py - h / 2, px + w / 2, py + h / 2))
    return boxes


@pytest.mark.parametrize("n_labels", [2, 12, 60, 400])
def test_highlighted_labels_never_overlap(n_labels):
    """Crowded words (all within 1% of the plot) get labels that do not overlap; those with no room are listed."""
    rng = np.random.default_rng(n_labels)
    coords = np.vstack([rng.normal(size=(300, 2)), rng.normal(scale=0.01, size=(n_labels, 2))])
    words = _words(300) + [f"词{i}" if i % 3 == 0 else f"label{i}" for i in range(n_labels)]
    crowd = words[300:]
    fig = plots.projection_figure(coords, words, highlight=crowd[:2], neighbours=crowd[2:10], labels=crowd[10:])
    boxes = _label_boxes(fig)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    hidden = fig.layout.meta["hidden_labels"]
    assert len(boxes) + len(hidden) == n_labels
    assert set(crowd[:2]) <= {a.text for a in fig.layout.annotations}  # the searched words always get theirs
    if n_labels <= 12:
        assert not hidden


def test_special_token_labels_are_shown_as_written():
    fig = plots.projection_figure(np.eye(3)[:, :2], ["<pad>", "a", "b"], highlight=["<pad>"],
                                  shared={"<pad>": 3}, shared_label="shared by {n}")
    assert fig.layout.annotations[0].text == "&lt;pad&gt;"
    assert "shared by 3" in fig.data[0].hovertext[0] and "&lt;pad&gt;" in fig.data[0].hovertext[0]


def test_3d_projection_is_thinned_to_the_most_frequent_points():
    n = plots.MAX_3D_POINTS + 100
    fig = plots.projection_figure(np.zeros((n, 3)), _words(n))
    assert isinstance(fig.data[0], go.Scatter3d)
    assert len(fig.data[0].x) == plots.MAX_3D_POINTS
    assert fig.data[0].hovertext[0].startswith("<b>w0</b>")


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
