"""Axes of meaning: formula parsing and placing words by cosine with the axis."""
from __future__ import annotations

import numpy as np
import pytest

from core.vectors.axes import axes_cosine, axis_vector, parse_formula, place_on_axes
from tests.vectors.explorer_fixtures import make_kv, royal_kv  # noqa: F401 (fixture)


@pytest.mark.parametrize("text, terms", [
    ("he - she", [(1, "he"), (-1, "she")]),
    ("king - queen + woman", [(1, "king"), (-1, "queen"), (1, "woman")]),
    ("good", [(1, "good")]),
    ("-she + he", [(-1, "she"), (1, "he")]),
    ("he - - she", [(1, "he"), (1, "she")]),
    ("well-known - new", [(1, "well-known"), (-1, "new")]),
    ("国王 - 王后", [(1, "国王"), (-1, "王后")]),
])
def test_parse_formula(text, terms):
    assert parse_formula(text) == terms


@pytest.mark.parametrize("text, message", [
    ("", "needs a formula"), ("he she", "between the words"), ("he -", "ends with an operator"),
])
def test_parse_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_formula(text)


def test_place_on_axes_is_cosine_with_axis(royal_kv):
    words, coords = place_on_axes(royal_kv, ["king", "queen", "man", "woman", "nope"], "he - she", "king - man")
    assert words == ["king", "queen", "man", "woman"]
    assert coords.shape == (4, 2)
    # Gender axis: male words right of zero, female words left.
    x = dict(zip(words, coords[:, 0]))
    assert x["king"] > 0 > x["queen"] and x["man"] > 0 > x["woman"]
    axis = axis_vector(royal_kv, "he - she")
    w = royal_kv["queen"]
    assert coords[1, 0] == pytest.approx(w @ axis / np.linalg.norm(w) / np.linalg.norm(axis), abs=1e-5)


def test_axis_errors_are_clear(royal_kv):
    with pytest.raises(ValueError, match="'unicorn'"):
        axis_vector(royal_kv, "he - unicorn")
    with pytest.raises(ValueError, match="spaces around"):
        axis_vector(royal_kv, "he-she")
    with pytest.raises(ValueError, match="zero vector"):
        axis_vector(royal_kv, "he - he")


def test_axes_cosine_of_orthogonal_directions():
    kv = make_kv(["a", "b", "c"], np.eye(3))
    assert axes_cosine(kv, "a", "b - c") == pytest.approx(0.0, abs=1e-9)
    assert axes_cosine(kv, "a + b", "a") == pytest.approx(1 / np.sqrt(2))
