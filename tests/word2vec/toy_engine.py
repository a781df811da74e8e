"""A toy word2vec engine for registry tests: random unit vectors, no learning (never registered by default)."""
from __future__ import annotations

import numpy as np

from core.word2vec.engines.base import Engine


class ToyEngine(Engine):
    name = "toy"
    description = "random vectors, for tests of the engine registry"
    preferred_on = ()
    order = 999

    def train(self, sentences, config, *, device="cpu", on_progress=None, should_stop=None, on_epoch_end=None):
        from core.vectors.keyed import make_keyed_vectors
        from core.word2vec.base import build_vocab

        vocab = build_vocab(sentences, config)
        rng = np.random.default_rng(config.seed)
        kv = make_keyed_vectors(vocab.words, rng.normal(size=(len(vocab.words), config.vector_size)), vocab.counts)
        for epoch in range(1, config.epochs + 1):
            if on_epoch_end is not None:
                on_epoch_end(epoch, kv)
        return kv
