"""Figures of the pretraining page: held-out accuracy of several runs, and the extrapolation test.

Builders take tidy data (metrics records, extrapolation rows) and return a
``go.Figure``; no I/O, no Streamlit. Labels come in as arguments (the page
translates them). Live and overlaid step curves reuse ``core.plots.training``
(``live_figure`` / ``overlay_figure`` with ``x="step"``).
"""
from __future__ import annotations

import plotly.graph_objects as go

from core.plots.text import plain_figure
from core.plots.ticks import span_axis
from core.plots.training import PALETTE, legend_below

CHANCE_COLOUR = "#7f7f7f"


def _chance_line(fig: go.Figure, chance: float | None, text: str) -> None:
    """A dashed grey line at ``chance`` (what always guessing the most frequent token scores), labelled."""
    if chance is None:
        return
    fig.add_hline(y=chance, line={"color": CHANCE_COLOUR, "dash": "dash", "width": 1.5},
                  annotation={"text": text, "font": {"color": CHANCE_COLOUR}, "bgcolor": "rgba(255,255,255,0.8)"},
                  annotation_position="top left")


def eval_overlay_figure(series: dict[str, list[dict]], metric: str = "accuracy", *, title: str = "",
                        x_title: str = "tokens seen", y_title: str = "", chance: float | None = None,
                        chance_text: str = "chance") -> go.Figure:
    """One line per run: ``metric`` of its held-out ``eval`` records (split "valid") against tokens seen.

    ``chance``: the score of the unigram baseline (always the most frequent token), drawn as a
    dashed line, so a run that has learned nothing yet is seen to sit on it. The x axis starts
    at 0 (one evaluation gets ticks 0, 50k, 100k, not a sliver around its value).
    """
    fig = go.Figure()
    xs = []
    for i, (label, records) in enumerate(series.items()):
        rows = sorted((r for r in records if r.get("type") == "eval" and r.get("split") == "valid"
                       and r.get(metric) is not None), key=lambda r: r.get("tokens") or 0)
        xs += [r.get("tokens") or 0 for r in rows]
        fig.add_trace(go.Scatter(x=[r.get("tokens") for r in rows], y=[r[metric] for r in rows],
                                 mode="lines+markers", name=label, line={"color": PALETTE[i % len(PALETTE)]},
                                 hovertemplate=f"{label}<br>{y_title or metric}: %{{y:.3f}}<extra></extra>"))
    fig.update_xaxes(title=x_title, **span_axis(xs))
    fig.update_yaxes(title=y_title or metric, rangemode="tozero")
    _chance_line(fig, chance, chance_text)
    fig.update_layout(title=title or None, height=340, margin={"t": 50, "b": 40, "l": 60, "r": 20})
    return plain_figure(legend_below(fig, len(series)))


def extrapolation_figure(rows_by_run: dict[str, list[dict]], metric: str = "accuracy", *, title: str = "",
                         x_title: str = "input length", y_title: str = "", factor_label: str = "{factor}x",
                         chance: float | None = None, chance_text: str = "chance") -> go.Figure:
    """Grouped bars: for each length factor (1x, 2x, 4x) one bar per run; ``rows_by_run`` maps a label to
    its extrapolation rows (``{"factor", "seq_len", metric, ...}``). Missing scores are left out.

    ``chance``: the unigram baseline's score, a dashed line across the bars (a bar at or under it
    learned nothing usable at that length)."""
    fig = go.Figure()
    for i, (label, rows) in enumerate(rows_by_run.items()):
        rows = [r for r in sorted(rows, key=lambda r: r["factor"]) if r.get(metric) is not None]
        fig.add_trace(go.Bar(x=[factor_label.format(factor=r["factor"], seq_len=r["seq_len"]) for r in rows],
                             y=[r[metric] for r in rows], name=label, marker={"color": PALETTE[i % len(PALETTE)]},
                             text=[f"{r[metric]:.3f}" for r in rows], textposition="outside",
                             hovertemplate=f"{label}<br>%{{x}}: %{{y:.3f}}<extra></extra>"))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title or metric, rangemode="tozero")
    _chance_line(fig, chance, chance_text)
    fig.update_layout(title=title or None, barmode="group", height=360, margin={"t": 50, "b": 40, "l": 60, "r": 20})
    return plain_figure(legend_below(fig, (len(rows_by_run) + 2) // 3))  # full width: about three entries a line


def predictions_table(predictions: list[list[tuple[str, float]]]) -> dict[str, list[str]]:
    """``{"[MASK] 1": ["天 (0.41)", ...], ...}``: the top guesses for each [MASK], one column per mask."""
    return {f"[MASK] {i + 1}": [f"{token} ({p:.2f})" for token, p in guesses] for i, guesses in enumerate(predictions)}


def objective_scores_figure(rows: list[dict], scores: dict[str, str], *, title: str = "", y_title: str = "") -> go.Figure:
    """Grouped bars: one group per score (``scores`` maps a row key to its label), one bar per run.

    ``rows``: ``{"label": run label, <score key>: value or None, ...}``; a run without a score
    (e.g. NSP accuracy of a causal LM) has no bar there, so only comparable numbers stand side by side.
    """
    fig = go.Figure()
    for i, row in enumerate(rows):
        keys = [k for k in scores if row.get(k) is not None]
        fig.add_trace(go.Bar(x=[scores[k] for k in keys], y=[row[k] for k in keys], name=row["label"],
                             marker={"color": PALETTE[i % len(PALETTE)]}, text=[f"{row[k]:.3f}" for k in keys],
                             textposition="outside",
                             hovertemplate=f"{row['label']}<br>%{{x}}: %{{y:.3f}}<extra></extra>"))
    present = [label for k, label in scores.items() if any(row.get(k) is not None for row in rows)]
    fig.update_xaxes(categoryorder="array", categoryarray=present)  # the scores' order, not the first run's
    fig.update_yaxes(title=y_title, rangemode="tozero")
    fig.update_layout(title=title or None, barmode="group", height=380, margin={"t": 50, "b": 40, "l": 60, "r": 20})
    return legend_below(fig, (len(rows) + 1) // 2)
