"""Axes from meaning: place words on directions like ``he - she`` (as the Parallax tool does).

An axis is a formula of words joined by ``+`` and ``-``; its vector is the
signed sum of the words' unit vectors, e.g. unit(he) - unit(she). A word w
sits at x = cos(w, axis_x), y = cos(w, axis_y): how far it leans along each
direction, in [-1, 1].
"""
from __future__ import annotations

import re

import numpy as np

from core.vectors.neighbours import require_words

# An operator is a "+" or "-" that starts a token; a hyphen inside a word
# ("well-known") stays part of the word.
_TOKEN = re.compile(r"[+-]|[^\s+-]\S*")


def parse_formula(formula: str) -> list[tuple[int, str]]:
    """``"king - queen + woman"`` -> ``[(1, "king"), (-1, "queen"), (1, "woman")]``.

    A formula without operators (``"good"``) is one word with sign +1; a
    leading ``-`` negates the first word. Raises ``ValueError`` for an empty
    formula, two words with no operator between them, or a trailing operator.
    """
    text = (formula or "").strip()
    if not text:
        raise ValueError("An axis needs a formula, e.g. 'he - she' or 'good'.")
    terms: list[tuple[int, str]] = []
    sign = None
    for token in _TOKEN.findall(text):
        if token in "+-":
            sign = (1 if token == "+" else -1) * (sign or 1)
            continue
        if terms and sign is None:
            raise ValueError(
                f"Put '+' or '-' between the words of {formula!r}, e.g. 'he - she'."
            )
        terms.append((sign or 1, token))
        sign = None
    if sign is not None:
        raise ValueError(f"The formula {formula!r} ends with an operator; add a word after it.")
    return terms


def axis_vector(kv, formula: str) -> np.ndarray:
    """The axis ``(dim,)``: the signed sum of the unit vectors of the formula's words."""
    terms = parse_formula(formula)
    glued = [w for _, w in terms if w not in kv.key_to_index and re.search(r"\w[+-]\w", w)]
    if glued:
        raise ValueError(
            f"{glued[0]!r} is not a word in the vocabulary; put spaces around + and -, e.g. 'he - she'."
        )
    require_words(kv, [w for _, w in terms])
    vec = np.zeros(kv.vector_size, dtype=np.float64)
    for sign, word in terms:
        vec += sign * kv.get_vector(word, norm=True)
    if np.linalg.norm(vec) < 1e-9:
        raise ValueError(f"The axis {formula!r} is the zero vector (the words cancel out); pick different words.")
    return vec


def place_on_axes(kv, words: list[str], x_formula: str, y_formula: str) -> tuple[list[str], np.ndarray]:
    """Known ``words`` and their coordinates ``(n, 2)``: cosine with the x axis and with the y axis."""
    x_axis = axis_vector(kv, x_formula)
    y_axis = axis_vector(kv, y_formula)
    known = [w for w in dict.fromkeys(words) if w in kv.key_to_index]
    if not known:
        raise ValueError("None of the words to place is in the vocabulary.")
    axes = np.stack([x_axis, y_axis], axis=1)
    axes /= np.linalg.norm(axes, axis=0, keepdims=True)
    unit = np.stack([kv.get_vector(w, norm=True) for w in known]).astype(np.float64)
    return known, (unit @ axes).astype(np.float32)


def axes_cosine(kv, x_formula: str, y_formula: str) -> float:
    """Cosine between the two axes: near 0 means they measure different things."""
    x_axis = axis_vector(kv, x_formula)
    y_axis = axis_vector(kv, y_formula)
    return float(x_axis @ y_axis / (np.linalg.norm(x_axis) * np.linalg.norm(y_axis)))
