"""Figures for the input-layer lesson: data in, ``go.Figure`` (or an HTML string) out.

Every matrix figure puts tokens down the y axis (first token at the top) and
dimensions (or keys) across, uses a diverging scale centred at 0 for signed
values, and shows the exact value on hover. The page passes every visible
string in, so the figures speak the user's language. No I/O, never shown here.
"""
from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.plots.text import plain_figure

DIVERGING = "RdBu_r"  # red positive, blue negative, white at 0
SEQUENTIAL = "Blues"  # attention probabilities: 0 white, 1 dark
ROW_PX = 22  # height per token row, so labels never overlap
MAX_ANNOTATED = 14  # write the numbers into the cells up to this many tokens
LABEL_PX = 15  # room one tick label needs along its axis (11 px font, a little air; rotated ones too)
MAX_HEIGHT = 1400  # px: taller figures than this do not fit a projector; past it labels are thinned
X_LABELS = 24  # token labels across a half-width heatmap (about 360 px of plot / LABEL_PX)
PANEL_LABELS = 8  # token labels along one small panel of the heads grid
TICK_FONT = {"size": 11}


def _height(rows: int, extra: int = 150, minimum: int = 260, maximum: int = MAX_HEIGHT) -> int:
    return int(min(maximum, max(minimum, rows * ROW_PX + extra)))


def thin_ticks(labels: list[str], max_labels: int) -> tuple[list[int], list[str]]:
    """Tick positions and texts showing at most ``max_labels`` of ``labels``, evenly spaced.

    Every label is kept when they fit; otherwise every k-th one (always the
    first), so long sentences get readable axes instead of overlapping text.
    Hover still names every token.
    """
    step = max(1, -(-len(labels) // max(1, max_labels)))
    keep = list(range(0, len(labels), step))
    return keep, [labels[i] for i in keep]


def _row_labels_fit(height: int, extra: int) -> int:
    """How many row labels fit the plot area of a figure ``height`` px tall."""
    return max(1, (height - extra) // LABEL_PX)


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 50},
        xaxis_title=x_title,
        yaxis_title=y_title,
    )
    return fig


def _symmetric_range(values: np.ndarray, quantile: float = 0.99) -> float:
    """Colour limit: the ``quantile`` of |values| so a few outlier dimensions do not wash out the rest."""
    finite = np.abs(values[np.isfinite(values)])
    if not finite.size:
        return 1.0
    limit = float(np.quantile(finite, quantile)) if quantile < 1 else float(finite.max())
    return limit if limit > 0 else (float(finite.max()) or 1.0)


def _row_axis(fig: go.Figure, labels: list[str], row: int | None = None, col: int | None = None, show=True,
              max_labels: int | None = None):
    kwargs = {"row": row, "col": col} if row else {}
    max_labels = max_labels or _row_labels_fit(_height(len(labels)), 150)
    vals, text = thin_ticks(labels, max_labels)
    fig.update_yaxes(tickmode="array", tickvals=vals, ticktext=text if show else None, tickfont=TICK_FONT,
                     showticklabels=show, autorange="reversed", **kwargs)


def matrix_heatmap(values: np.ndarray, row_labels: list[str], *, title: str, x_title: str, y_title: str,
                   value_title: str, quantile: float = 0.99) -> go.Figure:
    """A signed ``(seq_len, dim)`` matrix: one row per token, one column per dimension.

    Colours are clipped at the 0.99 quantile of |value| (hover shows the exact value).
    """
    values = np.asarray(values, dtype=np.float32)
    limit = _symmetric_range(values, quantile)
    tokens = np.repeat(np.asarray(row_labels, dtype=object)[:, None], values.shape[1], axis=1)
    fig = go.Figure(go.Heatmap(
        z=values, x=np.arange(values.shape[1]), y=np.arange(values.shape[0]), customdata=tokens,
        colorscale=DIVERGING, zmid=0.0, zmin=-limit, zmax=limit,
        colorbar={"title": {"text": value_title}},
        hovertemplate=f"{y_title}: %{{customdata}}<br>{x_title}: %{{x}}<br>{value_title}: %{{z:.4f}}<extra></extra>",
    ))
    _row_axis(fig, row_labels)
    return plain_figure(_layout(fig, title, x_title, y_title, _height(len(row_labels))))


def one_hot_overview(ids: list[int], vocab_size: int, row_labels: list[str], *, title: str, x_title: str,
                     y_title: str) -> go.Figure:
    """Where the single 1 of each one-hot row sits among all ``vocab_size`` columns."""
    fig = go.Figure(go.Scatter(
        x=ids, y=list(range(len(ids))), mode="markers", marker={"symbol": "square", "size": 9, "color": "#d62728"},
        text=row_labels, hovertemplate=f"{y_title}: %{{text}}<br>{x_title}: %{{x}}<extra></extra>",
    ))
    fig.update_xaxes(range=[-0.5, vocab_size - 0.5], showgrid=False)
    _row_axis(fig, row_labels)
    fig.update_layout(plot_bgcolor="#f4f4f4")
    return plain_figure(_layout(fig, title, x_title, y_title, _height(len(row_labels))))


def one_hot_slice(matrix: np.ndarray, column_labels: list[str], row_labels: list[str], *, title: str,
                  x_title: str, y_title: str) -> go.Figure:
    """A readable slice of the one-hot matrix: chosen columns only, 1 dark, 0 white, values written in."""
    matrix = np.asarray(matrix, dtype=np.float32)
    fig = go.Figure(go.Heatmap(
        z=matrix, x=list(range(len(column_labels))), y=list(range(len(row_labels))),
        colorscale=[[0, "#ffffff"], [1, "#d62728"]], zmin=0, zmax=1, showscale=False,
        text=matrix.astype(int).astype(str), texttemplate="%{text}" if matrix.size <= 2500 else None,
        xgap=1, ygap=1, customdata=np.repeat(np.asarray(column_labels, dtype=object)[None, :], len(row_labels), 0),
        hovertemplate=f"{x_title}: %{{customdata}}<br>%{{z}}<extra></extra>",
    ))
    vals, text = thin_ticks(column_labels, X_LABELS)
    fig.update_xaxes(tickmode="array", tickvals=vals, ticktext=text, tickangle=-60, tickfont=TICK_FONT)
    _row_axis(fig, row_labels)
    return plain_figure(_layout(fig, title, x_title, y_title, _height(len(row_labels), extra=220)))


def similarity_heatmap(sim: np.ndarray, labels: list[str], *, title: str, x_title: str, y_title: str,
                       value_title: str) -> go.Figure:
    """Cosine similarity ``(n, n)`` on a fixed -1..1 diverging scale."""
    sim = np.asarray(sim, dtype=np.float32)
    n = sim.shape[0]
    fig = go.Figure(go.Heatmap(
        z=sim, x=list(range(n)), y=list(range(n)), colorscale=DIVERGING, zmid=0, zmin=-1, zmax=1,
        text=np.round(sim, 2).astype(str), texttemplate="%{text}" if n <= MAX_ANNOTATED else None,
        colorbar={"title": {"text": value_title}},
        customdata=_pair_labels(labels),
        hovertemplate=f"%{{customdata}}<br>{value_title}: %{{z:.3f}}<extra></extra>",
    ))
    _square_axes(fig, labels)
    return plain_figure(_layout(fig, title, x_title, y_title, _height(n, extra=200)))


def _pair_labels(labels: list[str]) -> np.ndarray:
    arr = np.asarray(labels, dtype=object)
    return np.array([[f"{a} → {b}" for b in arr] for a in arr], dtype=object)


def _square_axes(fig: go.Figure, labels: list[str], row=None, col=None, show=True,
                 max_labels: int = X_LABELS) -> None:
    """Tokens along both axes of a (query, key) matrix, thinned to ``max_labels`` when crowded."""
    kwargs = {"row": row, "col": col} if row else {}
    vals, text = thin_ticks(labels, max_labels)
    ticks = {"tickmode": "array", "tickvals": vals, "ticktext": text, "showticklabels": show, "tickfont": TICK_FONT}
    fig.update_xaxes(tickangle=-60, **ticks, **kwargs)
    fig.update_yaxes(autorange="reversed", **ticks, **kwargs)


def attention_heatmap(matrix: np.ndarray, labels: list[str], *, title: str, x_title: str, y_title: str,
                      value_title: str, probabilities: bool = True) -> go.Figure:
    """One head's ``(query, key)`` matrix: probabilities (0..max, sequential) or raw scores (diverging)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    n = matrix.shape[0]
    if probabilities:
        # 0 to the largest weight: a head that spreads its attention is not washed out (hover shows the value)
        scale = {"colorscale": SEQUENTIAL, "zmin": 0.0, "zmax": float(max(matrix.max(), 1e-6))}
    else:
        limit = _symmetric_range(matrix, 1.0)
        scale = {"colorscale": DIVERGING, "zmid": 0.0, "zmin": -limit, "zmax": limit}
    fig = go.Figure(go.Heatmap(
        z=matrix, x=list(range(n)), y=list(range(n)), **scale,
        text=np.round(matrix, 2).astype(str), texttemplate="%{text}" if n <= MAX_ANNOTATED else None,
        colorbar={"title": {"text": value_title}}, customdata=_pair_labels(labels),
        hovertemplate=f"%{{customdata}}<br>{value_title}: %{{z:.4f}}<extra></extra>",
    ))
    _square_axes(fig, labels)
    return plain_figure(_layout(fig, title, x_title, y_title, _height(n, extra=200)))


def heads_grid(probs: np.ndarray, labels: list[str], *, title: str, head_titles: list[str], x_title: str,
               y_title: str, value_title: str, cols: int = 4) -> go.Figure:
    """All heads' attention ``(heads, n, n)`` as small multiples on one shared 0..max scale."""
    probs = np.asarray(probs, dtype=np.float32)
    top = float(max(probs.max(), 1e-6))
    heads, n, _ = probs.shape
    rows = -(-heads // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=head_titles, horizontal_spacing=0.03,
                        vertical_spacing=0.08 if n <= 16 else 0.05)
    show = True  # thinned to PANEL_LABELS per panel, so any length stays readable
    # Token-pair hover labels cost n*n strings per head; past 48 tokens hover shows the row/column numbers.
    pairs = _pair_labels(labels) if n <= 48 else None
    where = "%{customdata}" if pairs is not None else "%{y} → %{x}"
    for h in range(heads):
        r, c = h // cols + 1, h % cols + 1
        fig.add_trace(go.Heatmap(
            z=np.round(probs[h], 4), x=list(range(n)), y=list(range(n)), colorscale=SEQUENTIAL, zmin=0, zmax=top,
            showscale=h == 0, colorbar={"title": {"text": value_title}}, customdata=pairs,
            hovertemplate=f"{head_titles[h]}<br>{where}<br>{value_title}: %{{z:.3f}}<extra></extra>",
        ), row=r, col=c)
        _square_axes(fig, labels, row=r, col=c, show=show and (c == 1 or r == rows), max_labels=PANEL_LABELS)
        if c != 1:
            fig.update_yaxes(showticklabels=False, row=r, col=c)
        if r != rows:
            fig.update_xaxes(showticklabels=False, row=r, col=c)
    cell = max(150, min(260, n * 14 + 60))
    fig.update_layout(title={"text": title, "x": 0.0, "xanchor": "left"}, height=rows * cell + 160,
                      margin={"l": 10, "r": 10, "t": 80, "b": 40})
    fig.update_xaxes(title_text=x_title, row=rows, col=1)
    fig.update_yaxes(title_text=y_title, row=(rows + 1) // 2, col=1)
    return plain_figure(fig)


def qkv_figure(q: np.ndarray, k: np.ndarray, v: np.ndarray, labels: list[str], *, titles: list[str],
               x_title: str, y_title: str, value_title: str) -> go.Figure:
    """One head's Q, K and V ``(seq_len, head_dim)`` side by side on one shared diverging scale."""
    mats = [np.asarray(m, dtype=np.float32) for m in (q, k, v)]
    limit = max(_symmetric_range(m) for m in mats)
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.04)
    for i, m in enumerate(mats):
        tokens = np.repeat(np.asarray(labels, dtype=object)[:, None], m.shape[1], axis=1)
        fig.add_trace(go.Heatmap(
            z=m, x=np.arange(m.shape[1]), y=np.arange(m.shape[0]), customdata=tokens,
            colorscale=DIVERGING, zmid=0, zmin=-limit, zmax=limit, showscale=i == 0,
            colorbar={"title": {"text": value_title}},
            hovertemplate=f"{titles[i]}<br>{y_title}: %{{customdata}}<br>{x_title}: %{{x}}<br>"
                          f"{value_title}: %{{z:.4f}}<extra></extra>",
        ), row=1, col=i + 1)
        _row_axis(fig, labels, row=1, col=i + 1, show=i == 0)
        fig.update_xaxes(title_text=x_title, row=1, col=i + 1)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 50}, height=_height(len(labels)))
    fig.update_yaxes(title_text=y_title, row=1, col=1)
    return plain_figure(fig)


def shares_bar(observed: dict[str, float], expected: dict[str, float], names: dict[str, str], *, title: str,
               observed_name: str, expected_name: str, y_title: str) -> go.Figure:
    """Observed vs expected shares (e.g. selected / mask / random / keep) as grouped bars."""
    keys = list(expected)
    x = [names.get(k, k) for k in keys]
    fig = go.Figure([
        go.Bar(x=x, y=[expected[k] for k in keys], name=expected_name, marker_color="#9e9e9e",
               texttemplate="%{y:.1%}", textposition="outside", textangle=0,
               hovertemplate="%{x}: %{y:.2%}<extra></extra>"),
        go.Bar(x=x, y=[observed[k] for k in keys], name=observed_name, marker_color="#1f77b4",
               texttemplate="%{y:.1%}", textposition="outside", textangle=0,
               hovertemplate="%{x}: %{y:.2%}<extra></extra>"),
    ])
    fig.update_yaxes(tickformat=".0%", range=[0, 1.12])
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1,
                                                "xanchor": "right"})
    return plain_figure(_layout(fig, title, "", y_title, 380))


def fertility_curve(sizes: list[int], curves: dict[str, list[float]], *, title: str, x_title: str,
                    y_title: str, marker: int | None = None) -> go.Figure:
    """Average pieces per word against vocabulary size, one line per tokenizer kind."""
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    fig = go.Figure([
        go.Scatter(x=sizes, y=ys, mode="lines+markers", name=name, line={"color": colours[i % len(colours)]},
                   hovertemplate=f"{name}<br>{x_title}: %{{x}}<br>{y_title}: %{{y:.3f}}<extra></extra>")
        for i, (name, ys) in enumerate(curves.items())
    ])
    fig.update_xaxes(type="log", tickmode="array", tickvals=sizes, ticktext=[f"{v:,}" for v in sizes])
    if marker is not None:
        fig.add_vline(x=marker, line={"color": "black", "dash": "dot"})
    fig.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"})
    return plain_figure(_layout(fig, title, x_title, y_title, 380))


def merges_text(merges: list[tuple[str, str]]) -> str:
    """BPE merges as one line "t+h  i+n  th+e ..." for a code block."""
    return "  ".join(f"{a}+{b}" for a, b in merges) or "-"


# --- HTML chips -------------------------------------------------------------

CHIP_COLOURS = {
    "special": "#e0e0e0",
    "word": "#dbeafe",
    "piece": "#ede9fe",
    "unk": "#fee2e2",
    "mask": "#fde68a",
    "random": "#fecaca",
    "keep": "#bbf7d0",
    "segment_b": "#fce7f3",
}


def chips_html(tokens: list[str], subtitles: list[str], kinds: list[str], notes: list[str] | None = None) -> str:
    """Tokens as coloured chips, each with a small line under it (its id, or what it replaced).

    kinds pick the colour (keys of ``CHIP_COLOURS``); notes become hover titles.
    """
    notes = notes or [""] * len(tokens)
    chips = []
    for tok, sub, kind, note in zip(tokens, subtitles, kinds, notes):
        colour = CHIP_COLOURS.get(kind, "#f3f4f6")
        chips.append(
            f'<span title="{html.escape(note)}" style="display:inline-block;margin:3px;padding:4px 9px;'
            f'border-radius:10px;background:{colour};border:1px solid #9ca3af;text-align:center;'
            f'font-family:ui-monospace,monospace;line-height:1.25;color:#111827">'
            f'<span style="font-size:1.05em">{html.escape(tok)}</span><br>'
            f'<span style="font-size:0.75em;color:#4b5563">{html.escape(sub)}</span></span>'
        )
    return '<div style="display:flex;flex-wrap:wrap;align-items:flex-start">' + "".join(chips) + "</div>"


def legend_html(items: dict[str, str]) -> str:
    """A one-line colour legend for the chips: ``{kind: label}``."""
    parts = [
        f'<span style="display:inline-block;margin-right:12px;font-size:0.85em">'
        f'<span style="display:inline-block;width:12px;height:12px;border-radius:3px;border:1px solid #9ca3af;'
        f'background:{CHIP_COLOURS.get(kind, "#f3f4f6")};vertical-align:middle"></span> {html.escape(label)}</span>'
        for kind, label in items.items()
    ]
    return "<div>" + "".join(parts) + "</div>"


def token_chips_html(tokens: list[str], ids: list[int], sources: list[str], kinds: list[str]) -> str:
    """Chips for a tokenized sentence: the token, its id under it, and for ``[UNK]`` what it replaced."""
    subtitles = [f"{i} ← {src}" if kind == "unk" and src else str(i) for i, src, kind in zip(ids, sources, kinds)]
    return chips_html(tokens, subtitles, kinds, notes=sources)


def pieces_html(words: list[list[str]], unk: str = "[UNK]") -> str:
    """Each word's pieces as chips inside one box per word, so word boundaries stay visible."""
    boxes = []
    for pieces in words:
        inner = "".join(
            f'<span style="display:inline-block;margin:2px;padding:2px 7px;border-radius:8px;'
            f'background:{CHIP_COLOURS["unk" if p == unk else ("piece" if p.startswith("##") or k else "word")]};'
            f'border:1px solid #9ca3af;font-family:ui-monospace,monospace;color:#111827">{html.escape(p)}</span>'
            for k, p in enumerate(pieces)
        )
        boxes.append(f'<span style="display:inline-block;margin:3px;padding:2px;border:1px dashed #6b7280;'
                     f'border-radius:10px">{inner}</span>')
    return '<div style="display:flex;flex-wrap:wrap;align-items:center">' + "".join(boxes) + "</div>"


def mask_chips_html(original: list[str], shown: list[str], actions: list[str], arrow_labels: dict[str, str]) -> str:
    """The MLM picture: each token as a chip "shown / original", coloured by what the rule did to it.

    actions: "not_selected", "mask", "random" or "keep" per token; arrow_labels: action -> short caption.
    """
    kinds = {"not_selected": "special", "mask": "mask", "random": "random", "keep": "keep"}
    chips_kind = [kinds[a] if a != "not_selected" else "word" for a in actions]
    subtitles = [f"{arrow_labels.get(a, '')} {o}".strip() if a != "not_selected" else "" for a, o in zip(actions, original)]
    return chips_html(shown, subtitles, chips_kind, notes=original)


def causal_mask_figure(mask: np.ndarray, labels: list[str], *, title: str, x_title: str, y_title: str,
                       allowed: str, blocked: str) -> go.Figure:
    """The causal mask ``(query, key)`` as a picture: dark where query i may attend to key j (j <= i), white else."""
    mask = np.asarray(mask, dtype=bool)
    n = mask.shape[0]
    words = np.where(mask, allowed, blocked).astype(object)
    fig = go.Figure(go.Heatmap(
        z=mask.astype(np.float32), x=list(range(n)), y=list(range(n)), zmin=0.0, zmax=1.0,
        colorscale=[[0.0, "#ffffff"], [0.5, "#ffffff"], [0.5, "#08306b"], [1.0, "#08306b"]], showscale=False,
        xgap=1, ygap=1, customdata=np.stack([_pair_labels(labels), words], axis=-1),
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
    ))
    _square_axes(fig, labels)
    return _layout(fig, title, x_title, y_title, _height(n, extra=200))
