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

from core.plots.text import plain, plain_figure

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
    shared: dict[str, int] | None = None,
    shared_label: str = "one vector shared by {n} words",
) -> go.Figure:
    """Scatter of ``coords`` ``(n, 2|3)`` with one point per word.

    Colour: ``clusters`` (n,) ints if given, else log10 of ``counts``, else
    frequency rank. ``highlight`` words are drawn big and red with a label,
    their ``neighbours`` orange with a label, ``labels`` get a text label.
    Hover shows the word, its rank and (when known) its corpus count;
    ``shared`` (word -> how many words have its vector) adds ``shared_label``.
    In 2D the labels are annotations placed by :func:`place_labels`, so no
    two overlap (at the figure's height and any width of at least
    ``LABEL_WIDTH_PX``; zooming in only moves them apart); a label with no
    free place is left off and listed in ``fig.layout.meta["hidden_labels"]``.
    """
    coords = np.asarray(coords, dtype=np.float32)
    n, dims = coords.shape
    if n != len(words):
        raise ValueError(f"{n} coordinates for {len(words)} words.")
    keep = np.arange(MAX_3D_POINTS if dims == 3 and n > MAX_3D_POINTS else n)  # words come most frequent first
    marker, hover = _cloud_style(keep, words, counts, clusters, bool(len(highlight) or len(neighbours)), dims,
                                 colour_title, count_label, rank_label, shared, shared_label)
    c = coords[keep]
    fig = go.Figure()
    cloud = dict(mode="markers", marker=marker, hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
                 name="", showlegend=False)
    fig.add_trace(go.Scattergl(x=c[:, 0], y=c[:, 1], **cloud) if dims == 2 else
                  go.Scatter3d(x=c[:, 0], y=c[:, 1], z=c[:, 2], **cloud))
    index = {word: i for i, word in enumerate(words)}
    to_label = _marked_points(fig, coords, index, dims, highlight, neighbours, labels, shared, shared_label)
    hidden = _place_annotations(fig, coords, index, to_label) if dims == 2 else []
    fig.layout.meta = {"hidden_labels": hidden}
    fig.update_layout(title=title, height=650, margin=dict(l=10, r=10, t=50, b=10),
                      plot_bgcolor="white", dragmode="pan" if dims == 2 else "orbit", uirevision="keep")
    if dims == 2:
        fig.update_xaxes(title=axis_titles[0], showgrid=True, gridcolor="#eeeeee", zeroline=False)
        fig.update_yaxes(title=axis_titles[1], showgrid=True, gridcolor="#eeeeee", zeroline=False)
    else:
        fig.update_layout(scene=dict(xaxis_title=axis_titles[0], yaxis_title=axis_titles[1],
                                     zaxis_title=axis_titles[2]))
    return plain_figure(fig)


def _cloud_style(keep, words, counts, clusters, searching: bool, dims: int, colour_title: str, count_label: str,
                 rank_label: str, shared, shared_label: str) -> tuple[dict, list[str]]:
    """The marker (colour by cluster, else log10 count, else rank) and hover text of the cloud's points."""
    cnt = None if counts is None else np.asarray(counts)[keep]
    hover = [
        f"<b>{plain(words[r])}</b><br>{rank_label}: {r + 1}" + ("" if cnt is None else f"<br>{count_label}: {cnt[i]:,}")
        + (f"<br>{shared_label.format(n=shared[words[r]])}" if shared and words[r] in shared else "")
        for i, r in enumerate(keep)
    ]
    opacity = 0.3 if searching else 0.75  # while words are searched, the rest steps back
    if clusters is not None:
        cl = np.asarray(clusters)[keep]
        marker = dict(color=[_QUALITATIVE[int(k) % len(_QUALITATIVE)] for k in cl], size=4 if dims == 2 else 2,
                      opacity=opacity)
        return marker, [f"{h}<br>{colour_title}: {int(k)}" for h, k in zip(hover, cl)]
    value = np.log10(np.maximum(cnt, 1)) if cnt is not None else np.log10(keep + 1)
    marker = dict(color=value, colorscale="Viridis" if cnt is not None else "Viridis_r", size=4 if dims == 2 else 2,
                  opacity=opacity, showscale=True, colorbar=dict(title=dict(text=colour_title), thickness=12))
    return marker, hover


def _marked_points(fig, coords, index, dims, highlight, neighbours, labels, shared, shared_label) -> list[tuple]:
    """Searched words (red), their neighbours (orange) and labelled words as their own traces.

    Returns ``(word, colour, font size)`` of the 2D labels still to place, most important first
    (a 3D view turns freely, so there labels sit on their points).
    """
    layers = [(highlight, HIGHLIGHT, 13, "highlight", 13), (neighbours, NEIGHBOUR, 9, "neighbours", 12),
              (labels, "#333333", 6, "labels", 11)]
    placed: set[str] = set()
    to_label = []
    for group, colour, size, name, font in layers:
        picked = [word for word in dict.fromkeys(group) if word in index and word not in placed]
        if not picked:
            continue
        placed.update(picked)
        rows = coords[[index[word] for word in picked]]
        hover_text = [f"<b>{plain(word)}</b>" + (f"<br>{shared_label.format(n=shared[word])}"
                                                 if shared and word in shared else "") for word in picked]
        style = dict(name=name, marker=dict(color=colour, size=size if dims == 2 else size / 2,
                                            line=dict(width=1, color="white")),
                     hovertext=hover_text, hovertemplate="%{hovertext}<extra></extra>", showlegend=False)
        text_colour = colour if name != "labels" else "#222222"
        if dims == 2:
            fig.add_trace(go.Scattergl(x=rows[:, 0], y=rows[:, 1], mode="markers", **style))
            to_label.extend((word, text_colour, font) for word in picked)
        else:
            fig.add_trace(go.Scatter3d(x=rows[:, 0], y=rows[:, 1], z=rows[:, 2], mode="markers+text", text=picked,
                                       textposition="top center", textfont=dict(color=text_colour, size=font),
                                       **style))
    return to_label


def _place_annotations(fig, coords, index, to_label) -> list[str]:
    """2D labels as annotations placed so that none overlaps another (:func:`place_labels`); returns those left off."""
    x_range, y_range = _padded_range(coords[:, 0]), _padded_range(coords[:, 1])
    fig.update_xaxes(range=x_range)
    fig.update_yaxes(range=y_range)
    if not to_label:
        return []
    points = np.array([coords[index[word]] for word, _, _ in to_label])
    offsets = place_labels(_to_pixels(points, x_range, y_range), [text_box(word, font) for word, _, font in to_label])
    hidden, notes = [], []
    for (word, colour, font), offset, point in zip(to_label, offsets, points):
        if offset is None:
            hidden.append(word)
            continue
        notes.append(dict(x=float(point[0]), y=float(point[1]), ax=offset[0], ay=-offset[1], axref="pixel",
                          ayref="pixel", text=_escape(word), showarrow=True, arrowhead=0, arrowwidth=1,
                          arrowcolor="#999999", standoff=2, font=dict(color=colour, size=font),
                          bgcolor="rgba(255,255,255,0.7)", borderpad=0))
    fig.update_layout(annotations=notes)  # one update: add_annotation per label is quadratic
    return hidden


# Plot area the label placement assumes: the figure is 650 px high (minus title and margins);
# a narrower width than this could bring labels together, a wider one only spreads them.
LABEL_WIDTH_PX, LABEL_HEIGHT_PX = 600, 540
_RADII = (14, 26, 40, 56, 76, 100, 130, 165)  # px from the point to the label's near edge
_ANGLES = np.deg2rad([90, 270, 0, 180, 45, 135, 315, 225, 22.5, 157.5, 337.5, 202.5, 67.5, 112.5, 292.5, 247.5])


def text_box(text: str, font_size: float) -> tuple[float, float]:
    """Approximate ``(width, height)`` in px of one line of ``text`` (CJK and other wide characters count double)."""
    import unicodedata

    units = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)
    return units * font_size + 4, font_size * 1.35


def place_labels(points: np.ndarray, boxes: list[tuple[float, float]], *,
                 width: float = LABEL_WIDTH_PX, height: float = LABEL_HEIGHT_PX,
                 marker_px: float = 7.0) -> list[tuple[float, float] | None]:
    """Offsets ``(dx, dy)`` in px (y up) of each label's centre from its point, or None where none fits.

    Greedy, in the given order (most important first): each label takes the
    first candidate position (8 radii x 16 directions around its point) whose
    box stays inside the ``width`` x ``height`` plot area and overlaps neither
    an earlier label nor any labelled point's marker. ``points`` ``(n, 2)``
    are pixel positions; ``boxes`` the ``(w, h)`` of each label. Offsets are
    in pixels, so zooming in (points move apart, labels keep their offset)
    never creates an overlap.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    half = marker_px / 2
    markers = np.hstack([points - half, points + half])  # (n, 4): x0, y0, x1, y1
    placed = np.empty((0, 4))
    radii = np.repeat(np.asarray(_RADII, dtype=np.float64), len(_ANGLES))  # (c,) candidates, nearest first
    cos, sin = np.tile(np.cos(_ANGLES), len(_RADII)), np.tile(np.sin(_ANGLES), len(_RADII))
    out: list[tuple[float, float] | None] = []
    for (px, py), (w, h) in zip(points, boxes):
        cx, cy = px + cos * (radii + w / 2), py + sin * (radii + h / 2)
        cand = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)  # (c, 4)
        ok = (cand[:, 0] >= 0) & (cand[:, 1] >= 0) & (cand[:, 2] <= width) & (cand[:, 3] <= height)
        ok &= ~_overlaps(cand, placed, gap=1.0).any(axis=1)
        ok &= ~_overlaps(cand, markers, gap=0.0).any(axis=1)
        if not ok.any():
            out.append(None)
            continue
        i = int(np.argmax(ok))
        placed = np.vstack([placed, cand[i]])
        out.append((float(cx[i] - px), float(cy[i] - py)))
    return out


def _overlaps(a: np.ndarray, b: np.ndarray, gap: float) -> np.ndarray:
    """``(len(a), len(b))`` bool: box ``a[i]`` comes within ``gap`` px of box ``b[j]`` (boxes x0, y0, x1, y1)."""
    if len(b) == 0:
        return np.zeros((len(a), 0), dtype=bool)
    return ((a[:, None, 0] < b[None, :, 2] + gap) & (b[None, :, 0] < a[:, None, 2] + gap)
            & (a[:, None, 1] < b[None, :, 3] + gap) & (b[None, :, 1] < a[:, None, 3] + gap))


def _padded_range(values: np.ndarray, pad: float = 0.06) -> list[float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    span = hi - lo if hi > lo else 1.0
    return [lo - pad * span, hi + pad * span]


def _to_pixels(points: np.ndarray, x_range, y_range) -> np.ndarray:
    """Data coordinates ``(n, 2)`` to pixels (origin bottom-left) of the assumed plot area."""
    x = (points[:, 0] - x_range[0]) / (x_range[1] - x_range[0]) * LABEL_WIDTH_PX
    y = (points[:, 1] - y_range[0]) / (y_range[1] - y_range[0]) * LABEL_HEIGHT_PX
    return np.stack([x, y], axis=1)


def _escape(text: str) -> str:
    """Plotly annotations read a little HTML; a word like <unk> must show as itself."""
    return plain(text)


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
    return plain_figure(fig)


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
    return plain_figure(fig)


def compare_figure(words: list[str], coords_a: np.ndarray, coords_b: np.ndarray, *, name_a: str, name_b: str,
                   highlight: list[str] = (), title: str = "", label_top: int = 30) -> go.Figure:
    """Two aligned projections ``(n, 2)`` of the shared words side by side, same axes ranges."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(plain(name_a), plain(name_b)), horizontal_spacing=0.06)
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
    return plain_figure(fig)


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
    return plain_figure(fig)


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
    return plain_figure(fig)


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
    return plain_figure(fig)
