"""``train()``: one entry point, two engines, one result type (gensim ``KeyedVectors``)."""
from __future__ import annotations

from typing import Iterable

from core.word2vec.base import EpochEndFn, ProgressFn, StopFn
from core.word2vec.config import TrainConfig

ENGINES = ("torch", "gensim")


def train(
    sentences: Iterable[list[str]],
    config: TrainConfig | None = None,
    engine: str = "torch",
    device=None,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    on_epoch_end: EpochEndFn | None = None,
):
    """Train word2vec on a re-iterable of token lists and return gensim ``KeyedVectors``.

    ``sentences`` is iterated once to build the vocabulary and then once per
    epoch (the torch engine reads it only once more and replays cached ids),
    so pass a re-iterable such as ``core.text.Corpus``, not a one-shot
    generator. ``engine``: ``"torch"`` (batched, GPU-ready, ``device`` =
    None/"auto"/"cpu"/"cuda"/"mps") or ``"gensim"`` (gensim's C code on all
    CPU cores; ``device`` must be None/"auto"/"cpu").
    ``on_progress(record)`` receives the contract's progress records about
    twice a second; ``should_stop()`` returning True ends training early
    and the vectors trained so far are returned; ``on_epoch_end(epoch, kv)``
    is called after each full epoch (1-based).
    The result's vectors are (vocab, vector_size) float32, most frequent word
    first, with a ``count`` attribute per word.
    """
    config = config or TrainConfig()
    if not isinstance(config, TrainConfig):
        raise ValueError("config must be a core.word2vec.TrainConfig")
    if iter(sentences) is sentences:
        raise ValueError(
            "sentences is a one-shot iterator; word2vec needs to read it once per epoch. "
            "Pass a list or a core.text.Corpus (re-iterable) instead."
        )
    if engine == "gensim":
        if device not in (None, "", "auto", "cpu") and str(device) != "cpu":
            raise ValueError(f"The gensim engine runs on CPU only; use engine='torch' for device {device!r}.")
        from core.word2vec.gensim_engine import train_gensim

        return train_gensim(sentences, config, on_progress=on_progress, should_stop=should_stop, on_epoch_end=on_epoch_end)
    if engine == "torch":
        from core.device import resolve
        from core.word2vec.torch_engine import train_torch

        return train_torch(
            sentences,
            config,
            device=resolve(device),
            on_progress=on_progress,
            should_stop=should_stop,
            on_epoch_end=on_epoch_end,
        )
    raise ValueError(f"Unknown engine {engine!r}; choose 'torch' or 'gensim'.")
