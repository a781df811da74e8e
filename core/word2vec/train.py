"""``train()``: one entry point for every registered engine, one result type (gensim ``KeyedVectors``)."""
from __future__ import annotations

from typing import Iterable

from core.word2vec import engines
from core.word2vec.base import EpochEndFn, ProgressFn, StopFn
from core.word2vec.config import TrainConfig

ENGINES = engines.ENGINES


def train(
    sentences: Iterable[list[str]],
    config: TrainConfig | None = None,
    engine: str | None = None,
    device=None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    on_epoch_end: EpochEndFn | None = None,
):
    """Train word2vec on a re-iterable of token lists and return gensim ``KeyedVectors``.

    ``sentences`` is iterated once to build the vocabulary and then once per
    epoch (the torch engine reads it only once more and replays cached ids),
    so pass a re-iterable such as ``core.text.Corpus``, not a one-shot
    generator. ``engine``: a name from ``core.word2vec.engines.names()``
    (``"torch"``: batched, GPU-ready; ``"gensim"``: gensim's C code, CPU only);
    ``None`` picks the engine preferred on ``device`` (gensim on a CPU, torch
    on a GPU: ``engines.default_engine``). ``device``: None/"auto"/"cpu"/
    "cuda"/"cuda:1"/"mps", as far as the engine runs there.
    ``on_progress(record)`` receives the contract's progress records about
    twice a second; ``should_stop()`` returning True ends training early
    and the vectors trained so far are returned; ``on_epoch_end(epoch, kv)``
    is called after each full epoch (1-based).
    The result's vectors are (vocab, vector_size) float32, most frequent word
    first, with a ``count`` attribute per word.
    Raises ``ValueError`` for an unknown engine (naming the known ones), a
    device the engine cannot use, a bad config or a one-shot iterator.
    """
    config = config or TrainConfig()
    if not isinstance(config, TrainConfig):
        raise ValueError("config must be a core.word2vec.TrainConfig")
    spec = engines.get(engine if engine is not None else engines.default_engine(device))
    device = spec.check_device(device)
    if iter(sentences) is sentences:
        raise ValueError(
            "sentences is a one-shot iterator; word2vec needs to read it once per epoch. "
            "Pass a list or a core.text.Corpus (re-iterable) instead."
        )
    return spec.train(sentences, config, device=device, on_progress=on_progress, should_stop=should_stop,
                      on_epoch_end=on_epoch_end)
