"""TrainConfig: defaults, validation messages a user can act on, help text, dict round trip."""
from __future__ import annotations

import dataclasses

import pytest

from core.word2vec import TrainConfig


def test_defaults_are_word2vecs():
    c = TrainConfig()
    assert (c.sg, c.vector_size, c.window, c.negative, c.min_count, c.sample, c.alpha, c.epochs) == (
        True, 100, 5, 5, 5, 1e-3, 0.025, 5,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.window = 3


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("window", 0, "window must be between 1 and 50 words (try 5), not 0."),
        ("vector_size", 100000, "vector_size must be between 1 and 2000"),
        ("negative", 0, "negative must be between 1 and 100"),
        ("min_count", 0, "min_count must be at least 1"),
        ("max_vocab", 1, "max_vocab must be 0 (no cap) or at least 2"),
        ("sample", 1.5, "sample must be between 0 (off) and 1"),
        ("alpha", 0, "alpha must be between 1e-05 and 1 (try 0.025), not 0."),
        ("alpha", 5.0, "alpha must be between 1e-05 and 1 (try 0.025), not 5."),
        ("min_alpha", 0.5, "min_alpha must be between 0 and alpha (0.025)"),
        ("epochs", 0, "epochs must be between 1 and 1000"),
        ("seed", -1, "seed must be between 0 and 4294967295 (try 1), not -1."),
        ("batch_size", 0, "batch_size must be between 1 and 4194304 pairs"),
        ("vector_size", "100", "vector_size must be a whole number, not '100'."),
        ("window", 2.5, "window must be a whole number"),
        ("alpha", "fast", "alpha must be a number"),
        ("alpha", float("nan"), "alpha must be a number"),
        ("sg", "yes", "sg must be True (skip-gram) or False (CBOW)"),
    ],
)
def test_absurd_values_get_actionable_messages(field, value, message):
    with pytest.raises(ValueError) as err:
        TrainConfig(**{field: value})
    assert message in str(err.value)


def test_every_field_has_help_text():
    help_text = TrainConfig.help()
    assert set(help_text) == {f.name for f in dataclasses.fields(TrainConfig)}
    assert all(len(text) > 30 for text in help_text.values())
    assert "unigram" in help_text["negative"]


def test_dict_round_trip_and_unknown_keys():
    c = TrainConfig(window=3, sg=False)
    assert TrainConfig.from_dict(c.to_dict()) == c
    with pytest.raises(ValueError, match="Unknown word2vec setting\\(s\\): windw"):
        TrainConfig.from_dict({"windw": 3})
