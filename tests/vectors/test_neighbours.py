"""Neighbours, pair similarity and analogies on vectors whose answers are known."""
from __future__ import annotations

import numpy as np
import pytest

from core.vectors.neighbours import analogy, neighbourhood, neighbours, similarity
from tests.vectors.explorer_fixtures import make_kv, royal_kv  # noqa: F401 (fixture)


def test_analogy_king_man_woman_is_queen(royal_kv):
    answers = analogy(royal_kv, "king", "man", "woman", k=4)
    assert answers[0][0] == "queen"
    assert len(answers) == 4
    scores = [s for _, s in answers]
    assert scores == sorted(scores, reverse=True)
    assert not {"king", "man", "woman"} & {w for w, _ in answers}


@pytest.mark.parametrize("a, b, c, want", [
    ("prince", "boy", "girl", "princess"), ("queen", "woman", "man", "king"), ("boy", "man", "woman", "girl"),
])
def test_more_analogies(royal_kv, a, b, c, want):
    assert analogy(royal_kv, a, b, c)[0][0] == want


def test_neighbours_scores_are_cosines_in_order(royal_kv):
    result = neighbours(royal_kv, "king", k=3)
    assert len(result) == 3 and "king" not in [w for w, _ in result]
    for word, score in result:
        u, v = royal_kv["king"], royal_kv[word]
        assert score == pytest.approx(float(u @ v / np.linalg.norm(u) / np.linalg.norm(v)), abs=1e-5)
    assert result[0][0] in {"prince", "queen"}


def test_similarity_is_cosine_independent_arithmetic():
    kv = make_kv(["a", "b"], [[3.0, 4.0], [4.0, 3.0]])
    assert similarity(kv, " a ", "b") == pytest.approx(24 / 25, abs=1e-6)


def test_unknown_word_message_names_it_and_suggests(royal_kv):
    with pytest.raises(ValueError, match="'kingg'.*did you mean king"):
        neighbours(royal_kv, "kingg")
    with pytest.raises(ValueError, match="'unicorn'"):
        analogy(royal_kv, "king", "unicorn", "woman")
    with pytest.raises(ValueError, match="lowercase"):
        similarity(royal_kv, "KING", "QUEEN_X")


def test_empty_word_is_a_clear_error(royal_kv):
    with pytest.raises(ValueError, match="Type a word"):
        neighbours(royal_kv, "   ")


def test_neighbourhood_restricted_to_plotted_words(royal_kv):
    near = neighbourhood(royal_kv, ["king", "nope"], k=2, within=["king", "queen", "man", "filler1"])
    assert list(near) == ["king"]
    assert near["king"][0] in {"queen", "man"} and "king" not in near["king"]
    assert set(near["king"]) <= {"queen", "man", "filler1"}
