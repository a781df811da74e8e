"""Word vectors built so that the right answers are known in advance."""
from __future__ import annotations

import numpy as np
import pytest


def make_kv(words, vectors, counts=None):
    from gensim.models import KeyedVectors

    vectors = np.asarray(vectors, dtype=np.float32)
    kv = KeyedVectors(vector_size=vectors.shape[1], dtype=np.float32)
    kv.add_vectors(list(words), vectors)
    if counts is not None:
        for word, count in zip(words, counts):
            kv.set_vecattr(word, "count", int(count))
    return kv


@pytest.fixture
def royal_kv():
    """king = royal + male, queen = royal + female, ... plus 40 unrelated filler words.

    Axis 0 royal, 1 male, 2 female, 3 young; fillers live in the other 16
    dimensions, so every analogy has exactly one right answer.
    """
    rng = np.random.default_rng(0)
    dim = 20
    basis = np.eye(dim, dtype=np.float32)
    royal, male, female, young = basis[0], basis[1], basis[2], basis[3]
    named = {
        "king": royal + male, "queen": royal + female, "man": male, "woman": female,
        "prince": royal + male + young, "princess": royal + female + young,
        "boy": male + young, "girl": female + young, "he": male * 1.2, "she": female * 1.2,
    }
    words = list(named)
    vectors = [v + rng.normal(scale=0.02, size=dim) for v in named.values()]
    for i in range(40):
        words.append(f"filler{i}")
        v = np.zeros(dim)
        v[4:] = rng.normal(size=dim - 4)
        vectors.append(v)
    counts = [1000 - 10 * i for i in range(len(words))]
    return make_kv(words, vectors, counts)


@pytest.fixture
def blob_kv():
    """600 words in 6 well-separated Gaussian blobs in 30 dimensions (word ``b{blob}_{i}``)."""
    from sklearn.datasets import make_blobs

    x, y = make_blobs(n_samples=600, n_features=30, centers=6, cluster_std=1.0, random_state=3)
    words = [f"b{label}_{i}" for i, label in enumerate(y)]
    return make_kv(words, x), y
