"""Axis ticks a person can read: whole numbers on log axes, no 153.599k...153.6005k on a one-point chart.

Plotly's own log ticks label the minor steps with their first digit only
("5, 2, 0.1, 5, 2, 0.01"), and a chart whose x values are all equal gets a
range a millionth wide with six-digit ticks. These helpers return axis
settings (``fig.update_yaxes(**log_axis(values))``) with explicit tick values
and labels.
"""
from __future__ import annotations

import math

import numpy as np


def number_label(value: float) -> str:
    """``0.001``, ``0.05``, ``2``, ``1,000``, ``1e-05``: the shortest plain form of a tick value."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e6 or magnitude < 1e-4:
        return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e+")
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:.6f}".rstrip("0").rstrip(".")


def log_ticks(low: float, high: float) -> list[float]:
    """Tick values for a log axis from ``low`` to ``high`` (both > 0): the powers of ten in between,
    plus 2x and 5x when the range spans at most two decades (so a short range still has three ticks)."""
    if not (low > 0 and high > 0):
        raise ValueError("log ticks need positive bounds")
    low, high = min(low, high), max(low, high)
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1, 2, 5) if last - first <= 2 else (1,)
    ticks = [m * 10.0 ** e for e in range(first, last + 1) for m in steps]
    inside = [v for v in ticks if low / 1.0001 <= v <= high * 1.0001]
    return inside if len(inside) >= 2 else [v for v in ticks if first <= math.log10(v) <= last]


def log_axis(values, *, pad_decades: float = 0.15) -> dict:
    """Plotly axis settings for a log axis over ``values`` (non-positive and NaN values ignored):
    ``type``, ``range`` (in log10 units), ``tickvals`` and readable ``ticktext``."""
    arr = np.asarray(list(values), dtype=float).ravel()
    arr = arr[np.isfinite(arr) & (arr > 0)]
    if not arr.size:
        return {"type": "log"}
    low, high = float(arr.min()), float(arr.max())
    if high / low < 1.5:  # nearly one value: show a decade around it
        low, high = low / 3.0, high * 3.0
    ticks = log_ticks(low, high)
    lo, hi = math.log10(min(low, ticks[0])), math.log10(max(high, ticks[-1]))
    return {"type": "log", "range": [lo - pad_decades, hi + pad_decades], "tickmode": "array",
            "tickvals": ticks, "ticktext": [number_label(v) for v in ticks]}


def span_axis(values, *, from_zero: bool = True) -> dict:
    """Linear axis settings that never zoom into a sliver: from 0 (``from_zero``) to above the largest value,
    so one point, or points that differ in the sixth digit, get ticks like 0, 50k, 100k, 150k."""
    arr = np.asarray(list(values), dtype=float).ravel()
    arr = arr[np.isfinite(arr)]
    if not arr.size:
        return {}
    low, high = (0.0 if from_zero else float(arr.min())), float(arr.max())
    if high - low <= 1e-9 * max(1.0, abs(high)):
        low, high = (0.0, high) if high > 0 else (high - 1.0, high + 1.0)
    return {"range": [low, high + 0.05 * (high - low)], "tickformat": "~s", "nticks": 6}
