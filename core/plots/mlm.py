"""What a masked-LM head guesses at each [MASK]: small multiples of top-k bars, and a table.

Tidy data in (``core.input_layer.MaskGuess``-like objects: position, shown, original,
tokens, probs), ``go.Figure`` or plain columns out. The page passes every visible
string in. No I/O, never shown here.
"""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.plots.text import plain_figure

GUESS = "#1f77b4"  # a guess
RIGHT = "#2ca02c"  # the guess that is the original token
MAX_PANELS = 8  # panels in one figure; the table lists every guess
COLS = 4


def guesses_figure(guesses, *, title: str, panel_title: str, x_title: str) -> go.Figure:
    """One panel per guessed position (at most ``MAX_PANELS``): its top-k tokens as horizontal bars, best on top.

    panel_title: a format string with ``{position}`` and ``{shown}`` (e.g. ``"{position}: {shown}"``).
    The bar of the original token, when it is among the guesses, is green.
    """
    shown = list(guesses)[:MAX_PANELS]
    cols = max(1, min(COLS, len(shown)))
    rows = max(1, -(-len(shown) // cols))
    titles = [panel_title.format(position=g.position, shown=g.shown) for g in shown]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None, horizontal_spacing=0.12,
                        vertical_spacing=0.25 if rows > 1 else 0.1)
    top = max((max(g.probs) for g in shown if g.probs), default=1.0)
    for i, g in enumerate(shown):
        r, c = i // cols + 1, i % cols + 1
        colours = [RIGHT if g.original is not None and tok == g.original else GUESS for tok in g.tokens]
        fig.add_trace(go.Bar(
            x=list(g.probs)[::-1], y=[f"{tok} " for tok in g.tokens][::-1], orientation="h",
            marker_color=colours[::-1], text=[f"{p:.2f}" for p in g.probs][::-1], textposition="outside",
            hovertemplate="%{y}: %{x:.4f}<extra></extra>", showlegend=False,
        ), row=r, col=c)
        # room right of the longest bar for its number (a bar near 100% would push it off the panel)
        fig.update_xaxes(range=[0, top * 1.35], tickformat=".0%", row=r, col=c,
                         tickvals=[v for v in (0.0, 0.25, 0.5, 0.75, 1.0) if v <= top * 1.35])  # no 120% tick
    fig.update_xaxes(title_text=x_title, row=rows, col=1)
    fig.update_layout(title={"text": title, "x": 0.0, "xanchor": "left"}, height=80 + rows * 230,
                      margin={"l": 10, "r": 10, "t": 80, "b": 40})
    return plain_figure(fig)


def guesses_table(guesses, *, position: str, shown: str, original: str, guess: str) -> dict[str, list[str]]:
    """Columns for ``st.dataframe``: position, what the model read, the original (when known), guess 1..k.

    Each guess cell is ``"token (0.41)"``; the header words come in from the page.
    """
    guesses = list(guesses)
    k = max((len(g.tokens) for g in guesses), default=0)
    table = {position: [str(g.position) for g in guesses], shown: [g.shown for g in guesses]}
    if any(g.original is not None for g in guesses):
        table[original] = [g.original or "" for g in guesses]
    for j in range(k):
        table[f"{guess} {j + 1}"] = [f"{g.tokens[j]} ({g.probs[j]:.2f})" if j < len(g.tokens) else ""
                                     for g in guesses]
    return table
