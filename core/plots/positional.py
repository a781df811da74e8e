"""Figures for the positional-encoding lab: data in, ``go.Figure`` out.

Builders take numpy arrays (already downsampled by ``core.positional.analysis``)
and the strings to show (titles, axis names, legend templates) so the page can
pass them in either language. They never show a figure and do no I/O.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

DIVERGING = "RdBu_r"  # red positive, blue negative, white at 0: the sign of a sin/cos is what matters
SEQUENTIAL = "Viridis"
HEIGHT = 460
LINE_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = HEIGHT) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        xaxis_title=x_title,
        yaxis_title=y_title,
        # legend under the x axis: above the plot it collides with the title in half-width columns
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0.0},
    )
    return fig


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
    fig = go.Figure(go.Heatmap(
        z=values, x=columns, y=positions, colorscale=DIVERGING, zmid=0.0, zmin=-zmax, zmax=zmax,
        colorbar={"title": {"text": colorbar_title}},
        hovertemplate=f"{y_title}: %{{y}}<br>{x_title}: %{{x}}<br>{colorbar_title}: %{{z:.3f}}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    if limit is not None:
        fig.add_hline(y=limit, line={"color": "black", "width": 2, "dash": "dash"},
                      annotation_text=limit_text, annotation_position="bottom right",
                      annotation_bgcolor="rgba(255,255,255,0.85)")
    return _layout(fig, title, x_title, y_title, height=HEIGHT + 60)


def pair_heatmap(values: np.ndarray, positions: np.ndarray, *, title: str, x_title: str, y_title: str,
                 colorbar_title: str, diverging: bool = True) -> go.Figure:
    """A query x key matrix ``(n, n)`` at sampled positions (similarity, bias or bucket id)."""
    if diverging:
        finite = values[np.isfinite(values)]
        zmax = float(np.abs(finite).max()) if finite.size else 1.0
        scale = {"colorscale": DIVERGING, "zmid": 0.0, "zmin": -zmax, "zmax": zmax}
    else:
        scale = {"colorscale": SEQUENTIAL}
    fig = go.Figure(go.Heatmap(
        z=values, x=positions, y=positions, colorbar={"title": {"text": colorbar_title}}, **scale,
        hovertemplate=f"{y_title}: %{{y}}<br>{x_title}: %{{x}}<br>{colorbar_title}: %{{z:.3f}}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    fig.update_xaxes(constrain="domain")
    return _layout(fig, title, x_title, y_title, height=HEIGHT + 60)


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
    fig = go.Figure()
    anchors = [c for c in curves if c.label == "anchor"]
    for k, curve in enumerate(curves):
        name = templates.get(curve.label, curve.label).format(**curve.fields)
        # Anchor curves often coincide exactly (translation invariance): draw the first wide and
        # pale and each later one narrower, so lying on top of each other stays visible.
        width = 2.0
        if curve.label == "anchor" and len(anchors) > 1:
            width = 7.0 - 5.0 * anchors.index(curve) / (len(anchors) - 1)
        fig.add_trace(go.Scatter(
            x=x, y=np.asarray(curve.values), name=name,
            mode="markers" if markers else "lines",
            opacity=0.55 if width > 4 else 1.0,
            line={"color": LINE_COLOURS[k % len(LINE_COLOURS)], "width": width,
                  "dash": "dash" if curve.label in dashed else "solid"},
            marker={"size": 5},
            hovertemplate=f"{name}<br>{x_title}: %{{x}}<br>{y_title}: %{{y:.4g}}<extra></extra>",
        ))
    if shade_from is not None:
        fig.add_vrect(x0=shade_from, x1=float(np.max(x)), fillcolor="grey", opacity=0.15, line_width=0,
                      annotation_text=shade_text, annotation_position="top left")
    if hline is not None:
        # A shape plus a separate annotation: add_hline's own annotation misplaces itself on log axes.
        fig.add_shape(type="line", xref="paper", x0=0, x1=1, y0=hline, y1=hline,
                      line={"color": "black", "dash": "dot"})
        fig.add_annotation(xref="paper", x=0.0, y=np.log10(hline) if log_y else hline, text=hline_text,
                           showarrow=False, xanchor="left", yanchor="bottom",
                           bgcolor="rgba(255,255,255,0.85)")
    if log_y:
        values = np.concatenate([np.asarray(c.values, dtype=float).ravel() for c in curves]
                                + ([np.array([hline])] if hline is not None else []))
        values = values[np.isfinite(values) & (values > 0)]
        if values.size:
            fig.update_yaxes(type="log", range=[np.log10(values.min()) - 0.2, np.log10(values.max()) + 0.2])
        else:
            fig.update_yaxes(type="log")
    if y_range is not None:
        fig.update_yaxes(range=list(y_range))
    legend = len(curves) > 1
    _layout(fig, title, x_title, y_title, height=HEIGHT + (60 if legend else 0))
    fig.update_layout(showlegend=legend)
    if legend:
        fig.update_layout(margin={"b": 110})
    return fig


def bar_plot(labels, values: np.ndarray, *, title: str, x_title: str, y_title: str,
             log_y: bool = False) -> go.Figure:
    """One bar per item (ALiBi's slope per head, T5's bucket widths)."""
    fig = go.Figure(go.Bar(
        x=[str(v) for v in labels], y=values, marker_color=LINE_COLOURS[0],
        hovertemplate=f"{x_title}: %{{x}}<br>{y_title}: %{{y:.4g}}<extra></extra>",
    ))
    if log_y:
        fig.update_yaxes(type="log")
    return _layout(fig, title, x_title, y_title, height=HEIGHT - 80)
