"""Torch engine internals: id streaming/caching, subsampling formula, pairs equal a plain loop."""
from __future__ import annotations

import numpy as np
import torch

from core.word2vec import TrainConfig
from core.word2vec.base import build_vocab
from core.word2vec.torch_engine import TorchWord2Vec, _Blocks, keep_probabilities


def _sentences():
    return [["a", "b", "c"], ["d"], ["a", "x", "b"], ["c", "c", "d", "a"], ["b"]] * 7


def test_blocks_replay_the_same_ids_from_the_cache_without_splitting_sentences():
    sentences = _sentences()
    vocab = build_vocab(sentences, TrainConfig(min_count=1))
    blocks = _Blocks(sentences, vocab, block_tokens=6)
    first = [b.copy() for b in blocks]
    second = [b.copy() for b in blocks]  # served from the temporary id file
    blocks.close()
    flat = lambda bs: np.concatenate(bs).tolist()  # noqa: E731
    assert flat(first) == flat(second)
    expected = []
    for s in sentences:
        expected += [vocab.index[w] for w in s] + [-1]
    assert flat(first) == expected
    for block in second:
        assert block[-1] == -1  # every block ends at a sentence break


def test_keep_probability_is_word2vecs_formula():
    counts = np.array([1000, 100, 1], dtype=np.int64)
    p = keep_probabilities(counts, 1e-2)
    t = 1e-2 * counts.sum()
    np.testing.assert_allclose(p, np.minimum(1, (np.sqrt(counts / t) + 1) * t / counts))
    assert p[0] < p[1] <= p[2] == 1.0
    np.testing.assert_array_equal(keep_probabilities(counts, 0), 1.0)


def test_skipgram_pairs_equal_a_plain_python_loop():
    config = TrainConfig(window=3, min_count=1, sample=0)
    vocab = build_vocab(_sentences(), config)
    model = TorchWord2Vec(vocab, config, torch.device("cpu"))
    ids = torch.tensor([0, 1, 2, 3, 4, 0, 1, 2])
    sentence = torch.tensor([0, 0, 0, 0, 1, 1, 1, 1])
    gen_state = model.generator.get_state()
    inputs, outputs = model.sg_pairs(ids, sentence)
    model.generator.set_state(gen_state)
    reach = torch.randint(1, 4, (8,), generator=model.generator, dtype=torch.int32).tolist()
    expected = []
    for i in range(8):
        for j in range(8):
            if i != j and sentence[i] == sentence[j] and abs(i - j) <= reach[i]:
                expected.append((int(ids[j]), int(ids[i])))  # (context = input, centre = output)
    assert sorted(zip(inputs.tolist(), outputs.tolist())) == sorted(expected)


def test_negatives_follow_unigram_to_the_three_quarters():
    config = TrainConfig(min_count=1, negative=5)
    vocab = build_vocab([["a"] * 81 + ["b"] * 16 + ["c"]], config)
    model = TorchWord2Vec(vocab, config, torch.device("cpu"))
    draws = model.negatives(40000).flatten()
    freq = torch.bincount(draws, minlength=3).double() / draws.numel()
    expected = torch.tensor([81, 16, 1], dtype=torch.float64) ** 0.75
    torch.testing.assert_close(freq, expected / expected.sum(), atol=0.01, rtol=0)
