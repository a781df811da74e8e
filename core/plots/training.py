"""Training figures: Zipf plot, live curves, per-epoch evaluation, overlays of runs.

Builders take tidy data (metrics records as written to metrics.jsonl, word
counts) and return a ``go.Figure``; they never show it and do no I/O. Axis
titles and trace names come in as arguments (the page translates them);
English defaults keep the CLI and tests simple.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.plots.text import plain, plain_figure

MAX_POINTS = 1500  # a curve never needs more points than a plot is pixels wide
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")


def downsample(n: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread items of ``n`` (first and last kept)."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def _log_indices(n: int, max_points: int) -> np.ndarray:
    """Indices evenly spread on a log scale (for rank axes): dense at the head, sparse in the tail."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.geomspace(1, n, max_points).round().astype(int) - 1)


def zipf_figure(
    counts: list[tuple[str, int]] | list[int],
    *,
    title: str = "Word frequency by rank (Zipf's law)",
    x_title: str = "rank (log scale)",
    y_title: str = "count (log scale)",
    observed: str = "your corpus",
    reference: str = "Zipf: count ∝ 1 / rank",
    min_count: int | None = None,
    min_count_label: str = "min_count",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """Log-log plot of word counts against rank, with the 1/rank line through the top word.

    ``counts``: ``[(word, count), ...]`` or bare counts, most frequent first.
    ``min_count`` draws the cut: words below the line are dropped from training.
    """
    words = [c[0] for c in counts] if counts and isinstance(counts[0], (tuple, list)) else None
    values = np.array([c[1] for c in counts] if words is not None else list(counts), dtype=float)
    fig = go.Figure()
    if len(values):
        idx = _log_indices(len(values), max_points)
        ranks = idx + 1
        hover = [f"#{r}: {plain(words[i])} ({int(values[i])})" for r, i in zip(ranks, idx)] if words else None
        fig.add_trace(go.Scatter(x=ranks, y=values[idx], mode="lines+markers", name=observed,
                                 marker={"size": 4, "color": PALETTE[0]}, line={"color": PALETTE[0]},
                                 hovertext=hover, hoverinfo="text" if hover else None))
        ref_ranks = np.geomspace(1, len(values), 50)
        fig.add_trace(go.Scatter(x=ref_ranks, y=values[0] / ref_ranks, mode="lines", name=reference,
                                 line={"dash": "dash", "color": "#7f7f7f"}))
    if min_count is not None:
        fig.add_hline(y=min_count, line={"dash": "dot", "color": PALETTE[1]})
        # annotations on a log axis take log10 positions (shapes take data values)
        fig.add_annotation(x=1, xref="paper", xanchor="right", y=math.log10(max(min_count, 1)), yanchor="bottom",
                           text=f"{min_count_label} = {min_count}", showarrow=False, font={"color": PALETTE[1]})
    fig.update_xaxes(type="log", title=x_title, dtick=1)  # ticks at powers of ten only
    fig.update_yaxes(type="log", title=y_title, dtick=1)
    fig.update_layout(title=title, height=380, margin={"t": 50, "b": 40, "l": 60, "r": 20},
                      legend={"orientation": "h", "y": -0.2})
    return plain_figure(fig)


def _x_of(record: dict, x: str) -> float | None:
    """The x value of a step record: ``"epoch"`` (fractional epochs done) or a field such as ``"time"``."""
    if x == "epoch":
        progress, epochs = record.get("progress"), record.get("epochs")
        return None if progress is None or not epochs else progress * epochs
    return record.get(x)


def _series(records: list[dict], y: str, x: str, max_points: int) -> tuple[list, list]:
    pairs = [(_x_of(r, x), r.get(y)) for r in records]
    pairs = [(a, b) for a, b in pairs if a is not None and b is not None and not (isinstance(b, float) and math.isnan(b))]
    idx = downsample(len(pairs), max_points)
    return [pairs[i][0] for i in idx], [pairs[i][1] for i in idx]


def live_figure(
    steps: list[dict],
    *,
    panels: tuple[tuple[str, str], ...] = (("loss", "loss"), ("words_per_s", "words / s"), ("lr", "learning rate")),
    x: str = "epoch",
    x_title: str = "epochs done",
    title: str = "",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """Side-by-side curves of step records: one panel per ``(field, label)`` in ``panels``.

    ``steps``: metrics records of type "step"; ``x`` = ``"epoch"`` plots
    against fractional epochs (progress x epochs), or any record field.
    """
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[label for _, label in panels],
                        horizontal_spacing=0.12)
    for col, (key, label) in enumerate(panels, start=1):
        xs, ys = _series(steps, key, x, max_points)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers" if len(xs) < 30 else "lines", name=label,
                                 line={"color": PALETTE[col - 1]}, marker={"size": 5},
                                 hovertemplate=f"{label}: %{{y:.4g}}<br>{x_title}: %{{x:.2f}}<extra></extra>"),
                      row=1, col=col)
        fig.update_xaxes(title_text=x_title, row=1, col=col)
        fig.update_yaxes(title_text=label, row=1, col=col, rangemode="tozero" if key != "loss" else "normal")
    fig.update_layout(title=title or None, height=320, showlegend=False, margin={"t": 50, "b": 40, "l": 60, "r": 20})
    return plain_figure(fig)


def eval_figure(
    evals: list[dict],
    *,
    metrics: tuple[tuple[str, str], ...] = (("wordsim353", "WordSim353 (Spearman)"),
                                            ("simlex999", "SimLex-999 (Spearman)"),
                                            ("analogies", "analogies (accuracy)")),
    title: str = "Evaluation after each epoch",
    x_title: str = "epoch",
    y_title: str = "score",
) -> go.Figure:
    """Per-epoch evaluation scores (metrics records of type "eval"), one line per metric."""
    fig = go.Figure()
    records = sorted((r for r in evals if r.get("epoch")), key=lambda r: r["epoch"])
    for i, (key, label) in enumerate(metrics):
        pts = [(r["epoch"], r.get(key)) for r in records if r.get(key) is not None]
        fig.add_trace(go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines+markers", name=label,
                                 line={"color": PALETTE[i % len(PALETTE)]},
                                 hovertemplate=f"{label}: %{{y:.3f}}<br>{x_title} %{{x}}<extra></extra>"))
    fig.update_xaxes(title=x_title, dtick=1 if len(records) <= 15 else None)
    fig.update_yaxes(title=y_title)
    fig.update_layout(title=title, height=320, margin={"t": 50, "b": 40, "l": 60, "r": 20},
                      legend={"orientation": "h", "y": -0.25}, showlegend=True)  # the legend names the coverage
    return plain_figure(fig)


def overlay_figure(
    series: dict[str, list[dict]],
    metric: str,
    *,
    record_type: str = "step",
    x: str = "epoch",
    title: str = "",
    x_title: str = "epochs done",
    y_title: str = "",
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """One line per run: ``series`` maps a run label to its metrics records.

    Only records of ``record_type`` are used; ``metric`` is the field on y.
    For "eval" records use ``x="epoch"`` (the record's own epoch number).
    """
    fig = go.Figure()
    for i, (label, records) in enumerate(series.items()):
        chosen = [r for r in records if r.get("type") == record_type]
        if record_type == "eval":
            chosen = sorted((r for r in chosen if r.get("epoch")), key=lambda r: r["epoch"])
            xs = [r["epoch"] for r in chosen if r.get(metric) is not None]
            ys = [r[metric] for r in chosen if r.get(metric) is not None]
        else:
            xs, ys = _series(chosen, metric, x, max_points)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers" if len(xs) < 30 else "lines", name=label,
                                 line={"color": PALETTE[i % len(PALETTE)]},
                                 hovertemplate=f"{label}<br>{y_title or metric}: %{{y:.4g}}<extra></extra>"))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title or metric)
    fig.update_layout(title=title or None, height=340, margin={"t": 50, "b": 40, "l": 60, "r": 20})
    return plain_figure(legend_below(fig, len(series)))


def legend_below(fig: go.Figure, entries: int, *, height: int | None = None) -> go.Figure:
    """Put the legend under the x-axis title, growing the figure so the plot keeps its size.

    In a half-width column a horizontal legend wraps to about one entry per line, so each
    entry adds ``LEGEND_LINE_PX`` of height; the axis title is never covered.
    """
    extra = LEGEND_LINE_PX * max(1, entries)
    base = height if height is not None else (fig.layout.height or 340)
    bottom = (fig.layout.margin.b or 40) + extra
    plot_px = base - (fig.layout.margin.t or 50) - (fig.layout.margin.b or 40)
    fig.update_layout(height=base + extra, margin={"b": bottom},
                      legend={"orientation": "h", "yanchor": "top", "y": -60 / max(1, plot_px), "x": 0})
    return fig


LEGEND_LINE_PX = 22  # height of one legend line (plotly's default font)

