"""Pictures that say true things: readable log ticks, a chance line on the shoot-out, no sliver axes,
one colour per entity type. Each test checks the figure's own data (what plotly draws)."""
from __future__ import annotations

import numpy as np
import pytest

from core.plots import finetune as ft_plots
from core.plots import positional as pos_plots
from core.plots import pretrain as pre_plots
from core.plots.ticks import log_axis, log_ticks, number_label

WNUT16_TYPES = ["company", "facility", "geo-loc", "movie", "musicartist", "other", "person", "product", "sportsteam",
                "tvshow"]


def _labels_match_values(axis) -> None:
    for value, text in zip(axis.tickvals, axis.ticktext):
        assert float(text.replace(",", "")) == pytest.approx(value, rel=1e-9), (value, text)


def test_alibi_slope_bars_have_whole_tick_labels():
    # The issue: ticks read "5, 2, 0.1, 5, 2, 0.01" (plotly labels minor log steps with one digit).
    slopes = np.array([2.0 ** -(i + 1) for i in range(8)])  # ALiBi, 8 heads: 0.5 ... 0.0039
    fig = pos_plots.bar_plot(range(1, 9), slopes, title="t", x_title="head", y_title="slope", log_y=True)
    axis = fig.layout.yaxis
    assert axis.type == "log" and axis.tickvals
    _labels_match_values(axis)
    assert len(set(axis.ticktext)) == len(axis.ticktext)
    assert 10 ** axis.range[0] <= slopes.min() and 10 ** axis.range[1] >= slopes.max()


def test_wavelength_curve_log_axis_labels_are_numbers_it_shows():
    from core.positional.base import Curve

    x = np.arange(32)
    curves = [Curve("wavelength", {}, 2 * np.pi * 10000 ** (x / 32))]
    fig = pos_plots.curve_plot(x, curves, {"wavelength": "λ"}, title="", x_title="pair", y_title="λ", log_y=True,
                               hline=128, hline_text="seq len")
    _labels_match_values(fig.layout.yaxis)
    assert all(np.log10(v) == pytest.approx(round(np.log10(v))) for v in fig.layout.yaxis.tickvals)  # 5 decades


@pytest.mark.parametrize("low,high", [(0.0039, 0.5), (1e-5, 1.0), (3.0, 7.0), (120.0, 9e4)])
def test_log_ticks_cover_the_range_and_never_repeat(low, high):
    ticks = log_ticks(low, high)
    assert len(ticks) >= 2 and len(set(number_label(v) for v in ticks)) == len(ticks)
    assert min(ticks) <= low * 10 and max(ticks) >= high / 10


def test_one_point_shootout_chart_gets_round_ticks_and_a_chance_line():
    # The issue: one evaluation at 153,600 tokens drew ticks 153.599k ... 153.6005k; no chance line.
    series = {"rope": [{"type": "eval", "split": "valid", "tokens": 153600, "accuracy": 0.08}]}
    fig = pre_plots.eval_overlay_figure(series, "accuracy", chance=0.04, chance_text="always 的")
    low, high = fig.layout.xaxis.range
    assert low == 0 and high > 153600 and fig.layout.xaxis.tickformat == "~s"
    line = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(line) == 1 and line[0].y0 == line[0].y1 == pytest.approx(0.04)
    assert any("always 的" in a.text for a in fig.layout.annotations)


def test_extrapolation_bars_draw_the_unigram_chance_line():
    rows = {"learned": [{"factor": f, "seq_len": 64 * f, "accuracy": a} for f, a in ((1, .05), (2, .06), (4, .07))]}
    fig = pre_plots.extrapolation_figure(rows, chance=0.048, chance_text="chance")
    assert [s.y0 for s in fig.layout.shapes] == [pytest.approx(0.048)]
    assert pre_plots.extrapolation_figure(rows).layout.shapes == ()  # no baseline known: no line made up


def test_every_wnut16_entity_type_has_its_own_colour():
    # The issue: different entity types shared a colour (a hash into six colours).
    colours = ft_plots.entity_colours(WNUT16_TYPES)
    assert len(set(colours.values())) == len(WNUT16_TYPES)
    many = ft_plots.entity_colours([f"T{i}" for i in range(40)])
    assert len(set(many.values())) == 40
    assert ft_plots.entity_colours(["PER", "LOC"]) == {"PER": "#fdd49e", "LOC": "#b2df8a"}


def test_spans_and_legend_use_the_same_colours():
    colours = ft_plots.entity_colours(WNUT16_TYPES)
    legend = ft_plots.legend_html(WNUT16_TYPES, colours)
    spans = ft_plots.tagged_words_html(["Obama", "visited", "Seattle"], ["B-person", "O", "B-geo-loc"], colours)
    for kind in ("person", "geo-loc"):
        assert colours[kind] in legend and colours[kind] in spans
