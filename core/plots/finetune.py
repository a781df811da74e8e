"""Fine-tune figures: training curves, confusion matrix, per-class bars, lengths, probabilities.

Builders take plain data and return a ``go.Figure``; no I/O, nothing shown.
``entity_html`` renders NER predictions as coloured spans (escaped HTML).
"""
from __future__ import annotations

import html

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.plots.text import plain_figure

ENTITY_COLOURS = {"PER": "#fdd49e", "ORG": "#a6cee3", "LOC": "#b2df8a", "MISC": "#cab2d6"}
# Light colours dark text stays readable on (ColorBrewer Set3 and Pastel1, minus the four above).
EXTRA_COLOURS = ["#fb9a99", "#ffff99", "#8dd3c7", "#fccde5", "#d9d9d9", "#bc80bd", "#80b1d3", "#fdb462",
                 "#ccebc5", "#ffed6f", "#fb8072", "#bebada", "#e5d8bd", "#decbe4"]
MAX_POINTS = 2000


def _thin(xs: list, ys: list, limit: int = MAX_POINTS) -> tuple[list, list]:
    """Every k-th point so a curve never has more points than a screen has pixels."""
    if len(xs) <= limit:
        return xs, ys
    k = -(-len(xs) // limit)
    return xs[::k] + xs[-1:], ys[::k] + ys[-1:]


def curves_figure(records: list[dict], labels: dict | None = None) -> go.Figure:
    """Loss (left) and validation score (right) against update step, with the learning rate dashed.

    ``records`` are metrics.jsonl rows (``type`` "step" with loss/lr, "eval" with accuracy/macro_f1/f1).
    ``labels`` overrides axis/legend texts: keys ``loss``, ``lr``, ``score``, ``step``, ``title_loss``, ``title_eval``.
    """
    text = {"loss": "training loss", "lr": "learning rate", "score": "validation score", "step": "update step",
            "title_loss": "Loss and learning rate", "title_eval": "Validation", "valid_loss": "validation loss",
            **(labels or {})}
    steps = [r for r in records if r.get("type") == "step"]
    evals = [r for r in records if r.get("type") == "eval" and r.get("split", "valid") == "valid"]
    fig = make_subplots(rows=1, cols=2, subplot_titles=(text["title_loss"], text["title_eval"]),
                        specs=[[{"secondary_y": True}, {}]], horizontal_spacing=0.2)
    # Markers while there are few points: one logged step is a dot, not an invisible line.
    mode = "lines+markers" if len(steps) < 20 else "lines"
    x, y = _thin([r["step"] for r in steps], [r["loss"] for r in steps])
    fig.add_trace(go.Scatter(x=x, y=y, mode=mode, name=text["loss"], line={"color": "#1f77b4"},
                             hovertemplate="step %{x}<br>loss %{y:.4f}<extra></extra>"), row=1, col=1)
    x, y = _thin([r["step"] for r in steps], [r.get("lr", 0.0) for r in steps])
    fig.add_trace(go.Scatter(x=x, y=y, mode=mode, name=text["lr"], line={"color": "#7f7f7f", "dash": "dash"},
                             hovertemplate="step %{x}<br>lr %{y:.2e}<extra></extra>"), row=1, col=1, secondary_y=True)
    if evals:
        fig.add_trace(go.Scatter(x=[r["step"] for r in evals], y=[r.get("loss") for r in evals], mode="lines+markers",
                                 name=text["valid_loss"], line={"color": "#ff7f0e"},
                                 hovertemplate="step %{x}<br>valid loss %{y:.4f}<extra></extra>"), row=1, col=1)
    for key, colour in (("accuracy", "#2ca02c"), ("macro_f1", "#d62728"), ("micro_f1", "#17becf"), ("f1", "#d62728"),
                        ("precision", "#9467bd"), ("recall", "#8c564b")):
        if evals and key in evals[0]:
            fig.add_trace(go.Scatter(x=[r["step"] for r in evals], y=[r.get(key) for r in evals], mode="lines+markers",
                                     name=text.get(key, key.replace("_", " ")), line={"color": colour},
                                     hovertemplate=f"step %{{x}}<br>{key} %{{y:.3f}}<extra></extra>"), row=1, col=2)
    fig.update_xaxes(title_text=text["step"])
    fig.update_yaxes(title_text=text["loss"], row=1, col=1, secondary_y=False, rangemode="tozero")
    # The lr axis has no title (the legend names the dashed line): a title there collides with the right panel's.
    # A learning rate is never negative: the axis starts at 0 (a flat line would otherwise get ticks below 0).
    top = max([r.get("lr", 0.0) for r in steps] or [0.0]) or 1e-3
    ticks = [0.0, top / 2, top]  # explicit ticks: computed ones print 0 as 3.8e-19
    fig.update_yaxes(row=1, col=1, secondary_y=True, showgrid=False, range=[0, top * 1.1], tickvals=ticks,
                     ticktext=["0"] + [f"{v:.1e}" for v in ticks[1:]], tickmode="array")
    last = max([r["step"] for r in steps + evals] or [1])
    if steps:
        fig.update_xaxes(range=[0, max(last, 1) * 1.02], row=1, col=1)
    if evals:  # the same steps as the loss panel, from 0 (one evaluation is not a sliver with ticks 5, 5.5, 6)
        fig.update_xaxes(range=[0, max(last, 1) * 1.05], row=1, col=2)
    fig.update_yaxes(title_text=text["score"], range=[0, 1.02], row=1, col=2)
    fig.update_layout(height=380, margin={"t": 50, "b": 40, "l": 60, "r": 20}, legend={"orientation": "h", "y": -0.2})
    return plain_figure(fig)


def confusion_figure(matrix: list[list[int]], labels: list[str], normalize: bool = True,
                     titles: dict | None = None) -> go.Figure:
    """Heatmap of ``matrix`` (true class rows x predicted class columns), counts in the cells.

    With ``normalize`` the colour is the share of each true class (row sums to 1), so rare
    classes are as visible as common ones; the text keeps the raw counts.
    """
    text = {"title": "Confusion matrix", "x": "predicted", "y": "true", "share": "share", "count": "count",
            **(titles or {})}
    shown = []
    for row in matrix:
        total = sum(row) or 1
        shown.append([c / total for c in row] if normalize else list(row))
    fig = go.Figure(go.Heatmap(
        z=shown, x=labels, y=labels, text=[[str(c) for c in row] for row in matrix], texttemplate="%{text}",
        colorscale="Blues", zmin=0, zmax=1 if normalize else None,
        colorbar={"title": text["share"] if normalize else text["count"]},
        hovertemplate="true %{y}<br>predicted %{x}<br>count %{text}<br>share %{z:.2f}<extra></extra>"))
    fig.update_xaxes(title_text=text["x"], type="category", side="bottom")
    fig.update_yaxes(title_text=text["y"], type="category", autorange="reversed")
    size = min(700, 220 + 40 * len(labels))
    fig.update_layout(title=text["title"], height=size, margin={"t": 50, "b": 50, "l": 80, "r": 20})
    return plain_figure(fig)


def per_class_figure(rows: list[dict], name_key: str = "label", title: str = "Per-class scores",
                     labels: dict | None = None) -> go.Figure:
    """Grouped bars of precision, recall and F1 for each class (or entity type with ``name_key="type"``).

    ``labels`` renames the legend/axes: keys ``precision``, ``recall``, ``f1``, ``score``, ``x``.
    """
    text = {"precision": "precision", "recall": "recall", "f1": "f1", "score": "score", "x": name_key, **(labels or {})}
    names = [str(r[name_key]) for r in rows]
    fig = go.Figure()
    for metric, colour in (("precision", "#1f77b4"), ("recall", "#ff7f0e"), ("f1", "#2ca02c")):
        fig.add_trace(go.Bar(x=names, y=[r[metric] for r in rows], name=text[metric], marker_color=colour,
                             customdata=[r.get("support", 0) for r in rows],
                             hovertemplate=f"%{{x}}<br>{metric} %{{y:.3f}}<br>support %{{customdata}}<extra></extra>"))
    fig.update_layout(barmode="group", title=title, height=360, yaxis={"range": [0, 1.05], "title": text["score"]},
                      xaxis={"title": text["x"], "type": "category"}, margin={"t": 50, "b": 40, "l": 60, "r": 20})
    return plain_figure(fig)


def length_figure(lengths: list[int], max_length: int, titles: dict | None = None) -> go.Figure:
    """Histogram of tokens per example with the max_length cut marked."""
    text = {"title": "Length in sub-word tokens", "x": "tokens per example", "y": "examples",
            "cut": "max_length", **(titles or {})}
    fig = go.Figure(go.Histogram(x=lengths, nbinsx=40, marker_color="#6baed6",
                                 hovertemplate="%{x} tokens<br>%{y} examples<extra></extra>"))
    fig.add_vline(x=max_length, line_dash="dash", line_color="#d62728", annotation_text=text["cut"])
    fig.update_layout(title=text["title"], xaxis_title=text["x"], yaxis_title=text["y"], height=300,
                      margin={"t": 50, "b": 40, "l": 60, "r": 20}, bargap=0.05)
    return plain_figure(fig)


def counts_figure(counts: dict[str, int], titles: dict | None = None) -> go.Figure:
    """Bar chart of examples per label (or entities per type), most frequent first."""
    text = {"title": "Label counts", "x": "label", "y": "count", **(titles or {})}
    items = sorted(counts.items(), key=lambda kv: -kv[1])[:50]
    fig = go.Figure(go.Bar(x=[k for k, _ in items], y=[v for _, v in items], marker_color="#74c476",
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_layout(title=text["title"], xaxis={"title": text["x"], "type": "category"}, yaxis_title=text["y"],
                      height=300, margin={"t": 50, "b": 40, "l": 60, "r": 20})
    return plain_figure(fig)


def probabilities_figure(probs: list[tuple[str, float]], title: str = "Predicted probabilities",
                         x_title: str = "probability", threshold: float | None = None) -> go.Figure:
    """Horizontal bars of class probabilities, most likely on top (at most 20 classes).

    ``threshold`` (multi-label): a dashed line there; the bars at or above it are the predicted labels.
    """
    probs = probs[:20]
    fig = go.Figure(go.Bar(x=[p for _, p in probs][::-1], y=[lab for lab, _ in probs][::-1], orientation="h",
                           marker_color="#9ecae1", text=[f"{p:.1%}" for _, p in probs][::-1], textposition="auto",
                           hovertemplate="%{y}: %{x:.3f}<extra></extra>"))
    fig.update_layout(title=title, xaxis={"range": [0, 1], "title": x_title}, yaxis={"type": "category"},
                      height=120 + 30 * len(probs), margin={"t": 50, "b": 40, "l": 100, "r": 20})
    if threshold is not None:
        fig.data[0].marker.color = ["#3182bd" if p >= threshold else "#c6dbef" for _, p in probs][::-1]
        fig.add_vline(x=threshold, line_dash="dash", line_color="#636363",
                      annotation_text=f"{threshold:.2f}", annotation_position="top")
    return plain_figure(fig)


def entity_colours(kinds) -> dict[str, str]:
    """A distinct colour for every entity type in ``kinds`` (PER/ORG/LOC/MISC keep theirs, the rest in sorted order).

    Past the palette's 18 colours, evenly spaced light hues; two types never share a colour.
    """
    import colorsys

    colours = {k: ENTITY_COLOURS[k] for k in kinds if k in ENTITY_COLOURS}
    free = [c for c in EXTRA_COLOURS]
    rest = sorted(k for k in set(kinds) if k not in colours)
    for i, kind in enumerate(rest):
        if free:
            colours[kind] = free.pop(0)
        else:
            r, g, b = colorsys.hls_to_rgb((i * 0.618034) % 1.0, 0.82, 0.65)
            colours[kind] = f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
    return colours


def entity_colour(kind: str, colours: dict[str, str] | None = None) -> str:
    """The colour of ``kind`` in ``colours`` (see :func:`entity_colours`), else its colour alone."""
    if colours and kind in colours:
        return colours[kind]
    return entity_colours([kind])[kind]


def _span(content: str, kind: str, colours: dict[str, str] | None) -> str:
    return (f'<span style="background:{entity_colour(kind, colours)};color:#111;padding:1px 4px;border-radius:4px;'
            f'margin:0 1px">{html.escape(content)} <sup style="font-size:0.7em;font-weight:600">'
            f'{html.escape(kind)}</sup></span>')


def entity_html(text: str, entities: list[dict], colours: dict[str, str] | None = None) -> str:
    """``text`` with each entity (``start``/``end`` character offsets, ``type``) as a coloured span.

    ``colours``: :func:`entity_colours` of every type the page shows (so spans match the legend);
    default: those of the types in ``entities``.
    """
    colours = colours or entity_colours(sorted({e["type"] for e in entities}))
    out, pos = [], 0
    for e in sorted(entities, key=lambda e: e["start"]):
        if e["start"] < pos:
            continue
        out.append(html.escape(text[pos:e["start"]]))
        out.append(_span(text[e["start"]:e["end"]], e["type"], colours))
        pos = e["end"]
    out.append(html.escape(text[pos:]))
    return f'<div style="line-height:2.0">{"".join(out)}</div>'


def tagged_words_html(tokens: list[str], tags: list[str], colours: dict[str, str] | None = None) -> str:
    """Words with BIO tags as highlighted entity spans (words joined by spaces); ``colours`` as in :func:`entity_html`."""
    text, entities = "", []
    current = None
    for word, tag in zip(tokens, tags):
        start = len(text) + (1 if text else 0)
        text = f"{text} {word}" if text else word
        if tag.startswith("I-") and current is not None and current["type"] == tag[2:]:
            current["end"] = len(text)
        elif tag != "O":
            current = {"type": tag[2:], "start": start, "end": len(text)}
            entities.append(current)
        else:
            current = None
    return entity_html(text, entities, colours)


def legend_html(kinds: list[str], colours: dict[str, str] | None = None) -> str:
    """A row of coloured chips naming the entity types (``colours``: default :func:`entity_colours` of ``kinds``)."""
    colours = colours or entity_colours(kinds)
    return " ".join(f'<span style="background:{entity_colour(k, colours)};color:#111;padding:1px 6px;border-radius:4px">'
                    f'{html.escape(k)}</span>' for k in kinds)
