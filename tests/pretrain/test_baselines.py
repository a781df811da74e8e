"""The unigram baseline a pretraining run is compared with (the shoot-out's chance line)."""
import numpy as np
import pytest

from core.pretrain.baselines import unigram


def test_unigram_accuracy_is_the_share_of_the_most_frequent_training_token():
    cls, sep = 0, 1
    train = np.array([cls, 5, 5, 5, 6, 7, sep, cls, 5, 6, sep])
    valid = np.array([cls, 5, 6, 6, 7, 8, sep])
    result = unigram(train, valid, special_ids=(cls, sep), vocab_size=10)
    assert result["token_id"] == 5
    assert result["accuracy"] == pytest.approx(1 / 5)  # one 5 among five ordinary valid tokens
    assert result["top5"] == pytest.approx(4 / 5) and result["tokens"] == 5  # 8 was never seen in training
    probs = (np.bincount([5, 5, 5, 6, 7, 5, 6], minlength=10) + 1) / (7 + 10)
    expected = np.exp(-np.mean(np.log(probs[[5, 6, 6, 7, 8]])))
    assert result["perplexity"] == pytest.approx(expected)


def test_no_ordinary_tokens_gives_no_baseline():
    assert unigram(np.array([0, 1]), np.array([3]), special_ids=(0, 1)) is None
