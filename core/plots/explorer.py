"""Figures of the embedding explorer: projections, drift, comparisons, benchmark charts.

Every builder takes plain data (lists, numpy arrays) and strings for the
titles (the page passes translated text), and returns a ``go.Figure``.
2D scatters use WebGL (``Scattergl``) so 50k points stay interactive; 3D
clouds are thinned to ``MAX_3D_POINTS`` (the most frequent kept), which is
about what a 3D view can show before it becomes a solid blob.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

MAX_3D_POINTS = 20_000
# Readable on white, distinct for up to 10 clusters (plotly's default qualitative palette),
# extended with Dark24 for more.
_QUALITATIVE = [
    "#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A", "#19D3F3", "#FF6692", "#B6E880",
    "#FF97FF", "#FECB52", "#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A",
    "#B68100", "#750D86", "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D",
]
HIGHLIGHT = "#d62728"
NEIGHBOUR = "#ff7f0e"


def projection_figure(
    coords: np.ndarray,
    words: list[str],
    *,
    counts: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
    highlight: list[str] = (),
    neighbours: list[str] = (),
    labels: list[str] = (),
    title: str = "",
    axis_titles: tuple[str, ...] = ("x", "y", "z"),
    colour_title: str = "",
    count_label: str = "count",
    rank_label: str = "rank",
) -> go.Figure:
    """Scatter of ``coords`` ``(n, 2|3)`` with one point per word.

    Colour: ``clusters`` (n,) ints if given, else log10 of ``counts``, else
    frequency rank. ``highlight`` words are drawn big and red with a label,
    their ``neighbours`` orange with a label, ``labels`` get a text label.
    Hover shows the word, its rank and (when known) its corpus count.
    """
    coords = np.asarray(coords, dtype=np.float32)
    n, dims = coords.shape
    if n != len(words):
        raise ValueError(f"{n} coordinates for {len(words)} words.")
    ranks = np.arange(n)
    keep = np.arange(n)
    if dims == 3 and n > MAX_3D_POINTS:
        keep = np.arange(MAX_3D_POINTS)  # words come most frequent first
    c = coords[keep]
    w = [words[i] for i in keep]
    cnt = None if counts is None else np.asarray(counts)[keep]
    hover = [
        f"<b>{word}</b><br>{rank_label}: {r + 1}" + ("" if cnt is None else f"<br>{count_label}: {cnt[i]:,}")
        for i, (word, r) in enumerate(zip(w, ranks[keep]))
    ]

    # While words are searched, the rest steps back so the red/orange points stand out.
    opacity = 0.3 if (len(highlight) or len(neighbours)) else 0.75
    if clusters is not None:
        cl = np.asarray(clusters)[keep]
        colours = [_QUALITATIVE[int(k) % len(_QUALITATIVE)] for k in cl]
        marker = dict(color=colours, size=4 if dims == 2 else 2, opacity=opacity)
        hover = [f"{h}<br>{colour_title}: {int(k)}" for h, k in zip(hover, cl)]
    else:
        value = np.log10(np.maximum(cnt, 1)) if cnt is not None else np.log10(ranks[keep] + 1)
        scale = "Viridis" if cnt is not None else "Viridis_r"
        marker = dict(
            color=value, colorscale=scale, size=4 if dims == 2 else 2, opacity=opacity, showscale=True,
            colorbar=dict(title=dict(text=colour_title), thickness=12),
        )
    fig = go.Figure()
    if dims == 2:
        fig.add_trace(go.Scattergl(
            x=c[:, 0], y=c[:, 1], mode="markers", marker=marker, text=hover,
            hovertemplate="%{text}<extra></extra>", name="", showlegend=False,
        ))
    else:
        fig.add_trace(go.Scatter3d(
            x=c[:, 0], y=c[:, 1], z=c[:, 2], mode="markers", marker=marker, text=hover,
            hovertemplate="%{text}<extra></extra>", name="", showlegend=False,
        ))
    index = {word: i for i, word in enumerate(words)}
    layers = [
        (labels, "#333333", 6, "labels"),
        (neighbours, NEIGHBOUR, 9, "neighbours"),
        (highlight, HIGHLIGHT, 13, "highlight"),
    ]
    for group, colour, size, name in layers:
        picked = [word for word in dict.fromkeys(group) if word in index]
        if not picked:
            continue
        rows = coords[[index[word] for word in picked]]
        style = dict(mode="markers+text", text=picked, textposition="top center", name=name,
                     marker=dict(color=colour, size=size if dims == 2 else size / 2,
                                 line=dict(width=1, color="white")),
                     textfont=dict(color=colour if name != "labels" else "#222222", size=13 if name != "labels" else 11),
                     hovertemplate="<b>%{text}</b><extra></extra>", showlegend=False)
        if dims == 2:
            fig.add_trace(go.Scattergl(x=rows[:, 0], y=rows[:, 1], **style))
        else:
            fig.add_trace(go.Scatter3d(x=rows[:, 0], y=rows[:, 1], z=rows[:, 2], **style))
    fig.update_layout(title=title, height=650, margin=dict(l=10, r=10, t=50, b=10),
                      plot_bgcolor="white", dragmode="pan" if dims == 2 else "orbit", uirevision="keep")
    if dims == 2:
        fig.update_xaxes(title=axis_titles[0], showgrid=True, gridcolor="#eeeeee", zeroline=False)
        fig.update_yaxes(title=axis_titles[1], showgrid=True, gridcolor="#eeeeee", zeroline=False)
    else:
        fig.update_layout(scene=dict(xaxis_title=axis_titles[0], yaxis_title=axis_titles[1],
                                     zaxis_title=axis_titles[2]))
    return fig


def axes_figure(coords: np.ndarray, words: list[str], *, x_title: str, y_title: str, title: str = "") -> go.Figure:
    """Words placed on two meaning axes: ``coords`` ``(n, 2)`` cosines, every word labelled."""
    coords = np.asarray(coords, dtype=np.float32)
    fig = go.Figure(go.Scatter(
        x=coords[:, 0], y=coords[:, 1], mode="markers+text", text=words, textposition="top center",
        marker=dict(size=9, color="#1f77b4"),
        hovertemplate="<b>%{text}</b><br>x = %{x:.3f}<br>y = %{y:.3f}<extra></extra>",
    ))
    fig.add_hline(y=0, line=dict(color="#999999", width=1))
    fig.add_vline(x=0, line=dict(color="#999999", width=1))
    fig.update_layout(title=title, height=600, plot_bgcolor="white", margin=dict(l=10, r=10, t=50, b=10))
    fig.update_xaxes(title=x_title, gridcolor="#eeeeee", zeroline=False)
    fig.update_yaxes(title=y_title, gridcolor="#eeeeee", zeroline=False)
    return fig


def drift_figure(epochs: list[int], words: list[str], coords: np.ndarray, *, highlight: list[str] = (),
                 title: str = "", epoch_label: str = "epoch", axis_titles=("PC 1", "PC 2")) -> go.Figure:
    """Animated scatter over epochs: ``coords`` ``(epochs, n, 2)``; a slider and play button step through.

    The axis ranges are fixed over all frames so that motion is real motion.
    Uses SVG ``Scatter`` (animation needs it); callers keep n to a few hundred.
    """
    coords = np.asarray(coords, dtype=np.float32)
    marked = [w for w in highlight if w in words]
    marked_set = set(marked)
    top_labels = set(words[:40])
    label = [w if (w in top_labels or w in marked_set) else "" for w in words]
    colours = [HIGHLIGHT if w in marked_set else "#1f77b4" for w in words]
    sizes = [12 if w in marked_set else 6 for w in words]

    def trace(e):
        return go.Scatter(
            x=coords[e, :, 0], y=coords[e, :, 1], mode="markers+text", text=label,
            textposition="top center", textfont=dict(size=10),
            customdata=words, marker=dict(color=colours, size=sizes, opacity=0.8),
            hovertemplate="<b>%{customdata}</b><extra></extra>", showlegend=False,
        )

    frames = [go.Frame(data=[trace(e)], name=str(epoch)) for e, epoch in enumerate(epochs)]
    fig = go.Figure(data=[trace(len(epochs) - 1)], frames=frames)
    pad_x = (coords[..., 0].max() - coords[..., 0].min()) * 0.05 + 1e-6
    pad_y = (coords[..., 1].max() - coords[..., 1].min()) * 0.05 + 1e-6
    steps = [dict(method="animate", label=str(epoch),
                  args=[[str(epoch)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                           transition=dict(duration=0))])
             for epoch in epochs]
    fig.update_layout(
        title=title, height=650, plot_bgcolor="white", margin=dict(l=10, r=10, t=50, b=10),
        xaxis=dict(range=[coords[..., 0].min() - pad_x, coords[..., 0].max() + pad_x], title=axis_titles[0],
                   gridcolor="#eeeeee"),
        yaxis=dict(range=[coords[..., 1].min() - pad_y, coords[..., 1].max() + pad_y], title=axis_titles[1],
                   gridcolor="#eeeeee"),
        sliders=[dict(active=len(epochs) - 1, steps=steps, currentvalue=dict(prefix=f"{epoch_label}: "),
                      x=0.12, len=0.88, pad=dict(t=50))],
        updatemenus=[dict(type="buttons", showactive=False, direction="left", x=0.0, y=0, xanchor="left",
                          yanchor="top", pad=dict(t=60, r=10),
                          buttons=[dict(label="▶", method="animate",
                                        args=[None, dict(frame=dict(duration=700, redraw=True),
                                                         transition=dict(duration=300), fromcurrent=False)]),
                                   dict(label="⏸", method="animate",
                                        args=[[None], dict(mode="immediate", frame=dict(duration=0))])])],
    )
    return fig


def compare_figure(words: list[str], coords_a: np.ndarray, coords_b: np.ndarray, *, name_a: str, name_b: str,
                   highlight: list[str] = (), title: str = "", label_top: int = 30) -> go.Figure:
    """Two aligned projections ``(n, 2)`` of the shared words side by side, same axes ranges."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(name_a, name_b), horizontal_spacing=0.06)
    marked = set(highlight)
    show = set(words[:label_top]) | marked
    text = [w if w in show else "" for w in words]
    colours = [HIGHLIGHT if w in marked else "#1f77b4" for w in words]
    for col, coords in ((1, coords_a), (2, coords_b)):
        coords = np.asarray(coords)
        fig.add_trace(go.Scattergl(
            x=coords[:, 0], y=coords[:, 1], mode="markers+text", text=text, customdata=words,
            textposition="top center", textfont=dict(size=10),
            marker=dict(size=5, color=colours, opacity=0.75),
            hovertemplate="<b>%{customdata}</b><extra></extra>", showlegend=False,
        ), row=1, col=col)
    fig.update_layout(title=title, height=600, plot_bgcolor="white", margin=dict(l=10, r=10, t=70, b=10))
    # Aligned pictures share one scale, so equal distances mean equal distances in both panels.
    fig.update_xaxes(title="PC 1", gridcolor="#eeeeee", matches="x")
    fig.update_yaxes(matches="y")
    fig.update_yaxes(title="PC 2", gridcolor="#eeeeee")
    return fig


def neighbours_figure(pairs: list[tuple[str, float]], *, title: str = "", x_title: str = "cosine") -> go.Figure:
    """Horizontal bars of neighbour similarity, best on top."""
    words = [w for w, _ in pairs][::-1]
    scores = [s for _, s in pairs][::-1]
    fig = go.Figure(go.Bar(x=scores, y=words, orientation="h", marker_color="#1f77b4",
                           text=[f"{s:.3f}" for s in scores], textposition="auto",
                           hovertemplate="<b>%{y}</b>: %{x:.3f}<extra></extra>"))
    fig.update_layout(title=title, height=max(250, 28 * len(words) + 80), plot_bgcolor="white",
                      margin=dict(l=10, r=10, t=50, b=10))
    fig.update_xaxes(title=x_title, range=[min(0.0, min(scores, default=0)), 1.0], gridcolor="#eeeeee")
    return fig


def sections_figure(sections: list[dict], *, title: str = "", y_title: str = "accuracy") -> go.Figure:
    """Accuracy per analogy section (``{"section", "correct", "total", "accuracy"}`` dicts)."""
    names = [s["section"] for s in sections]
    acc = [float(s.get("accuracy") or 0.0) for s in sections]
    text = [f"{s.get('correct', 0)}/{s.get('total', 0)}" for s in sections]
    colours = ["#2ca02c" if n.startswith("gram") else "#1f77b4" for n in names]
    fig = go.Figure(go.Bar(x=names, y=acc, text=text, textposition="outside", marker_color=colours,
                           hovertemplate="<b>%{x}</b><br>%{y:.1%} (%{text})<extra></extra>"))
    fig.update_layout(title=title, height=420, plot_bgcolor="white", margin=dict(l=10, r=10, t=50, b=10))
    fig.update_yaxes(title=y_title, range=[0, 1.1], tickformat=".0%", gridcolor="#eeeeee")
    fig.update_xaxes(tickangle=-35)
    return fig


def similarity_scatter(pairs: list, *, title: str = "", x_title: str = "human", y_title: str = "model") -> go.Figure:
    """Model cosine vs human rating, one point per ``[w1, w2, human, model]`` pair."""
    rows = [p for p in pairs if p[3] is not None]
    fig = go.Figure(go.Scattergl(
        x=[float(p[2]) for p in rows], y=[float(p[3]) for p in rows], mode="markers",
        text=[f"{p[0]} – {p[1]}" for p in rows], marker=dict(size=6, color="#1f77b4", opacity=0.7),
        hovertemplate="<b>%{text}</b><br>human %{x:.2f}<br>model %{y:.3f}<extra></extra>",
    ))
    fig.update_layout(title=title, height=420, plot_bgcolor="white", margin=dict(l=10, r=10, t=50, b=10))
    fig.update_xaxes(title=x_title, gridcolor="#eeeeee")
    fig.update_yaxes(title=y_title, gridcolor="#eeeeee")
    return fig
