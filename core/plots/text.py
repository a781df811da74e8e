"""Text in figures shown literally: what users and their files wrote never becomes plotly markup.

plotly.js reads a little HTML in every piece of text it draws (titles, tick
labels, legend entries, hover boxes, text labels): ``<a href>`` becomes a
link, ``<b>`` bold, ``<br>`` a new line, and ``&lt;`` a ``<``. Words from an
uploaded vector file, labels from a CSV, tokens of a sentence and run names
are data, so they are escaped (``&``, ``<``, ``>`` as entities, which plotly
shows as the characters themselves).

Every builder in ``core.plots`` ends with ``return plain_figure(fig)``: the
traces' categories, text labels, custom data and names, and the figure's and
axes' titles (EmbedLab's own titles carry no markup, so a run name inside one
is escaped with it). Hover texts and annotations that a builder composes with
its own markup (``<b>word</b><br>rank``) escape the data part themselves with
:func:`plain`; :func:`plain_figure` leaves those two alone.
"""
from __future__ import annotations

import numpy as np

_TRACE_FIELDS = ("x", "y", "z", "text", "customdata", "labels", "ids")


def plain(text) -> str:
    """``text`` as plotly must get it to draw it as written (``<a>`` stays ``<a>`` on screen)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_values(values):
    """A copy of ``values`` (a list, tuple or array, nested) with its strings escaped; None if nothing changes."""
    if values is None or isinstance(values, (int, float, bool)):
        return None
    if isinstance(values, str):
        return plain(values) if any(c in values for c in "&<>") else None
    if isinstance(values, np.ndarray):
        if values.dtype.kind not in ("U", "S", "O"):
            return None
        values = values.tolist()
    if isinstance(values, (list, tuple)):
        changed = False
        out = []
        for value in values:
            new = _escape_values(value)
            changed = changed or new is not None
            out.append(value if new is None else new)
        return out if changed else None
    return None


def _escape_title(obj) -> None:
    title = getattr(obj, "title", None)
    text = getattr(title, "text", None) if title is not None else None
    if _needs(text):
        title.text = plain(text)


def _plain_trace(trace) -> None:
    for name in _TRACE_FIELDS:
        if name in trace:
            new = _escape_values(trace[name])
            if new is not None:
                trace[name] = new
    if "name" in trace and isinstance(trace.name, str):
        trace.name = plain(trace.name)
    colorbar = getattr(trace, "colorbar", None) if "colorbar" in trace else None
    if colorbar is not None:
        _escape_title(colorbar)
    if "marker" in trace and getattr(trace.marker, "colorbar", None) is not None:
        _escape_title(trace.marker.colorbar)


def _needs(text) -> bool:
    return isinstance(text, str) and any(c in text for c in "&<>")


def _title_text(props: dict):
    title = props.get("title")
    return title.get("text") if isinstance(title, dict) else title if isinstance(title, str) else None


def plain_figure(fig):
    """Escape, in place, the data strings and titles of ``fig`` (a ``go.Figure``); returns ``fig``.

    Once per figure: a builder that returns another builder's figure does not escape it twice.
    """
    if getattr(fig, "_embedlab_plain", False):
        return fig
    fig._embedlab_plain = True
    for trace in fig.data:
        _plain_trace(trace)
    for frame in fig.frames or ():
        for trace in frame.data:
            _plain_trace(trace)
    layout = fig.layout.to_plotly_json()  # only what is set: cheap to walk, unlike the layout object
    if _needs(_title_text(layout)):
        fig.layout.title.text = plain(_title_text(layout))
    for key, props in layout.items():
        if not isinstance(props, dict):
            continue
        if key.startswith(("xaxis", "yaxis")):
            if _needs(_title_text(props)):
                fig.layout[key].title.text = plain(_title_text(props))
            ticktext = props.get("ticktext")
            if ticktext is not None:
                new = _escape_values(list(ticktext))
                if new is not None:
                    fig.layout[key].ticktext = new
        elif key == "scene":
            for inner in ("xaxis", "yaxis", "zaxis"):
                if _needs(_title_text(props.get(inner) or {})):
                    fig.layout.scene[inner].title.text = plain(_title_text(props[inner]))
        elif key in ("legend", "coloraxis"):
            holder = props.get("colorbar", {}) if key == "coloraxis" else props
            if _needs(_title_text(holder)):
                target = fig.layout.coloraxis.colorbar if key == "coloraxis" else fig.layout.legend
                target.title.text = plain(_title_text(holder))
    return fig
