"""Figures for the positional-encoding lab: data in, ``go.Figure`` out.

Builders take numpy arrays (already downsampled by ``core.positional.analysis``)
and the strings to show (titles, axis names, legend templates) so the page can
pass them in either language. They never show a figure and do no I/O.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.plots.text import plain_figure
from core.plots.ticks import log_axis

DIVERGING = "RdBu_r"  # red positive, blue negative, white at 0: the sign of a sin/cos is what matters
SEQUENTIAL = "Viridis"
HEIGHT = 460
LINE_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]


def _layout(title: str, x_title: str, y_title: str, height: int = HEIGHT, **extra) -> dict:
    """The layout as one dict, passed to ``go.Figure`` at construction.

    (Building it with ``fig.update_layout``/``update_yaxes``/``add_hline`` calls costs
    ~60 ms a figure in plotly's property machinery; one dict costs ~4 ms. The page
    draws a dozen figures per change, so this is most of the figure-building time.)
    """
    layout = {
        "title": {"text": title, "x": 0.0, "xanchor": "left"},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
        "xaxis": {"title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}},
        # legend under the x axis: above the plot it collides with the title in half-width columns
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0.0},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _robust_max(values: np.ndarray) -> float:
    """Colour-scale limit: the 99.5th percentile of |value|, so a few outliers (BERT's
    position 0) do not wash every other cell out to white. Cells beyond it saturate."""
    finite = np.abs(values[np.isfinite(values)])
    if not finite.size:
        return 1.0
    return float(np.percentile(finite, 99.5)) or float(finite.max()) or 1.0


def table_heatmap(values: np.ndarray, positions: np.ndarray, columns: np.ndarray, *, title: str,
                  x_title: str, y_title: str, colorbar_title: str, limit: int | None = None,
                  limit_text: str = "") -> go.Figure:
    """The (position, dimension) table: position down the y axis (0 at the top), dimension across.

    ``limit`` draws a line at that position (e.g. the learned table's 512 rows).
    """
    zmax = _robust_max(values)
    heat = go.Heatmap(
        z=values, x=columns, y=positions, colorscale=DIVERGING, zmid=0.0, zmin=-zmax, zmax=zmax,
        colorbar={"title": {"text": colorbar_title}},
        hovertemplate=f"{y_title}: %{{y}}<br>{x_title}: %{{x}}<br>{colorbar_title}: %{{z:.3f}}<extra></extra>",
    )
    shapes, notes = [], []
    if limit is not None:
        shapes.append({"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": limit, "y1": limit,
                       "line": {"color": "black", "width": 2, "dash": "dash"}})
        notes.append({"text": limit_text, "xref": "x domain", "x": 1, "xanchor": "right", "yref": "y", "y": limit,
                      "yanchor": "top", "showarrow": False, "bgcolor": "rgba(255,255,255,0.85)"})
    return plain_figure(go.Figure(heat, layout=_layout(title, x_title, y_title, height=HEIGHT + 60,
                                          yaxis={"autorange": "reversed"}, shapes=shapes, annotations=notes)))


def pair_heatmap(values: np.ndarray, positions: np.ndarray, *, title: str, x_title: str, y_title: str,
                 colorbar_title: str, diverging: bool = True) -> go.Figure:
    """A query x key matrix ``(n, n)`` at sampled positions (similarity, bias or bucket id)."""
    if diverging:
        finite = values[np.isfinite(values)]
        zmax = float(np.abs(finite).max()) if finite.size else 1.0
        scale = {"colorscale": DIVERGING, "zmid": 0.0, "zmin": -zmax, "zmax": zmax}
    else:
        scale = {"colorscale": SEQUENTIAL}
    heat = go.Heatmap(
        z=values, x=positions, y=positions, colorbar={"title": {"text": colorbar_title}}, **scale,
        hovertemplate=f"{y_title}: %{{y}}<br>{x_title}: %{{x}}<br>{colorbar_title}: %{{z:.3f}}<extra></extra>",
    )
    return plain_figure(go.Figure(heat, layout=_layout(
        title, x_title, y_title, height=HEIGHT + 60, xaxis={"constrain": "domain"},
        yaxis={"autorange": "reversed", "scaleanchor": "x", "constrain": "domain"})))


def curve_plot(x: np.ndarray, curves, templates: dict[str, str], *, title: str, x_title: str,
               y_title: str, shade_from: float | None = None, shade_text: str = "",
               hline: float | None = None, hline_text: str = "", log_y: bool = False,
               markers: bool = False, dashed: tuple[str, ...] = ("bound", "before"),
               y_range: tuple[float, float] | None = None) -> go.Figure:
    """Lines over ``x``: one per curve, named ``templates[curve.label].format(**curve.fields)``.

    ``shade_from`` greys the x range past that value (beyond the trained length);
    ``hline`` marks a y value (e.g. the sequence length on a wavelength plot).
    NaN values leave a gap, which is how "no value here" shows.
    """
    traces = []
    anchors = [c for c in curves if c.label == "anchor"]
    for k, curve in enumerate(curves):
        name = templates.get(curve.label, curve.label).format(**curve.fields)
        # Anchor curves often coincide exactly (translation invariance): draw the first wide and
        # pale and each later one narrower, so lying on top of each other stays visible.
        width = 2.0
        if curve.label == "anchor" and len(anchors) > 1:
            width = 7.0 - 5.0 * anchors.index(curve) / (len(anchors) - 1)
        traces.append(go.Scatter(
            x=x, y=np.asarray(curve.values), name=name,
            mode="markers" if markers else "lines",
            opacity=0.55 if width > 4 else 1.0,
            line={"color": LINE_COLOURS[k % len(LINE_COLOURS)], "width": width,
                  "dash": "dash" if curve.label in dashed else "solid"},
            marker={"size": 5},
            hovertemplate=f"{name}<br>{x_title}: %{{x}}<br>{y_title}: %{{y:.4g}}<extra></extra>",
        ))
    shapes, notes, yaxis = [], [], {}
    if shade_from is not None:
        shapes.append({"type": "rect", "xref": "x", "x0": shade_from, "x1": float(np.max(x)), "yref": "y domain",
                       "y0": 0, "y1": 1, "fillcolor": "grey", "opacity": 0.15, "line": {"width": 0}})
        notes.append({"text": shade_text, "xref": "x", "x": shade_from, "xanchor": "left", "yref": "y domain",
                      "y": 1, "yanchor": "top", "showarrow": False})
    if hline is not None:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": hline, "y1": hline,
                       "line": {"color": "black", "dash": "dot"}})
        notes.append({"xref": "paper", "x": 0.0, "y": np.log10(hline) if log_y else hline, "text": hline_text,
                      "showarrow": False, "xanchor": "left", "yanchor": "bottom", "bgcolor": "rgba(255,255,255,0.85)"})
    if log_y:  # explicit ticks: plotly's own label minor steps "5, 2, 0.1, 5, 2"
        yaxis.update(log_axis(np.concatenate([np.asarray(c.values, dtype=float).ravel() for c in curves]
                                             + ([np.array([hline])] if hline is not None else []))))
    if y_range is not None:
        yaxis["range"] = list(y_range)
    legend = len(curves) > 1
    layout = _layout(title, x_title, y_title, height=HEIGHT + (60 if legend else 0), yaxis=yaxis,
                     shapes=shapes, annotations=notes, showlegend=legend)
    if legend:
        layout["margin"] = {**layout["margin"], "b": 110}
    return plain_figure(go.Figure(traces, layout=layout))


def bar_plot(labels, values: np.ndarray, *, title: str, x_title: str, y_title: str,
             log_y: bool = False) -> go.Figure:
    """One bar per item (ALiBi's slope per head, T5's bucket widths)."""
    bars = go.Bar(
        x=[str(v) for v in labels], y=values, marker_color=LINE_COLOURS[0],
        hovertemplate=f"{x_title}: %{{x}}<br>{y_title}: %{{y:.4g}}<extra></extra>",
    )
    return plain_figure(go.Figure(bars, layout=_layout(title, x_title, y_title, height=HEIGHT - 80,
                                                       yaxis=log_axis(values) if log_y else {})))
