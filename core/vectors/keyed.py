"""The one container for word vectors: gensim ``KeyedVectors`` built from plain arrays."""
from __future__ import annotations

import numpy as np


def make_keyed_vectors(words, vectors, counts=None):
    """A gensim ``KeyedVectors`` holding ``vectors`` (n, dim) float32 for ``words`` (n,).

    ``counts`` (n,) ints, optional: stored as the ``count`` vector attribute
    (``kv.get_vecattr(word, "count")``), as gensim does for trained models.
    Raises ``ValueError`` if the shapes disagree or a word repeats.
    """
    from gensim.models import KeyedVectors

    words = list(words)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != len(words):
        raise ValueError(f"Expected vectors of shape ({len(words)}, dim) for {len(words)} words, got {vectors.shape}.")
    if len(set(words)) != len(words):
        raise ValueError("Each word may appear only once in a set of word vectors.")
    kv = KeyedVectors(vectors.shape[1], count=0, dtype=np.float32)
    kv.add_vectors(words, vectors)
    if counts is not None:
        counts = np.asarray(counts, dtype=np.int64)
        if counts.shape != (len(words),):
            raise ValueError(f"Expected {len(words)} counts, got shape {counts.shape}.")
        kv.allocate_vecattrs(["count"], [np.int64])
        kv.expandos["count"][:] = counts
    return kv
