"""The class's runs of one kind on one plot: every run's loss curve, and each run's scores side by side.

Tidy data in (``core.classroom.overview.comparison`` items), ``go.Figure`` out.
Labels are people's names and run names as typed: they are HTML-escaped, since
plotly renders tags such as ``<a href>`` in trace names and tick labels.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go

from core.plots.training import PALETTE, downsample, legend_below


def _progress(record: dict) -> float | None:
    """How far the run was when it wrote ``record`` (0..1): ``progress``, else ``step / steps``."""
    if record.get("progress") is not None:
        return float(record["progress"])
    if record.get("step") is not None and record.get("steps"):
        return float(record["step"]) / float(record["steps"])
    return None


def label(item: dict, owners: dict[str, str] | None = None) -> str:
    """``"owner · run name"`` (the owner's display name when known), escaped for plotly."""
    owner = (owners or {}).get(item["owner"], item["owner"]) or "teacher"
    return html.escape(f"{owner} · {item['name'] or item['id']}")


def loss_figure(items: list[dict], *, metric: str = "loss", owners: dict[str, str] | None = None,
                title: str = "", x_title: str = "share of the run done", y_title: str = "loss") -> go.Figure:
    """One line per run: ``metric`` of its step records against how far the run was (0..1)."""
    fig = go.Figure()
    for i, item in enumerate(items):
        points = [(_progress(r), r[metric]) for r in item["records"]
                  if r.get("type") == "step" and r.get(metric) is not None and _progress(r) is not None]
        keep = downsample(len(points))
        xs, ys = [points[k][0] for k in keep], [points[k][1] for k in keep]
        name = label(item, owners)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=name, line={"color": PALETTE[i % len(PALETTE)]},
                                 hovertemplate=f"{name}<br>%{{y:.4g}}<extra></extra>"))
    fig.update_xaxes(title=x_title, range=[0, 1], tickformat=".0%")
    fig.update_yaxes(title=y_title)
    fig.update_layout(title=title or None, height=360, margin={"t": 50, "b": 40, "l": 60, "r": 20})
    return legend_below(fig, len(items))


def scores_figure(items: list[dict], *, owners: dict[str, str] | None = None, title: str = "",
                  y_title: str = "score", metrics: list[str] | None = None) -> go.Figure:
    """Grouped bars: for each score (WordSim353, SimLex-999, accuracy...) one bar per run."""
    metrics = metrics or sorted({m for item in items for m in item["scores"]})
    fig = go.Figure()
    for i, item in enumerate(items):
        fig.add_trace(go.Bar(x=metrics, y=[item["scores"].get(m) for m in metrics], name=label(item, owners),
                             marker_color=PALETTE[i % len(PALETTE)]))
    fig.update_layout(barmode="group", title=title or None, height=360, margin={"t": 50, "b": 40, "l": 60, "r": 20})
    fig.update_yaxes(title=y_title)
    return legend_below(fig, len(items))
