"""What the engines share: the vocabulary scan, the "too few words" message, progress records, the lr schedule."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from core.word2vec.config import TrainConfig

ProgressFn = Callable[[dict], None]
StopFn = Callable[[], bool]
EpochEndFn = Callable[[int, "object"], None]


@dataclass
class Vocab:
    """Words kept for training, most frequent first.

    ``words``: (n,) list; ``counts``: (n,) int64 raw counts; ``index``: word -> row;
    ``total_words``: every token in the corpus, kept or not (for progress);
    ``n_sentences``: sentences in one pass.
    """

    words: list[str]
    counts: np.ndarray
    index: dict[str, int]
    total_words: int
    n_sentences: int

    @property
    def retained_words(self) -> int:
        return int(self.counts.sum())


def build_vocab(sentences: Iterable[list[str]], config: TrainConfig) -> Vocab:
    """One pass over the corpus: count words, drop rare ones, cap the size (like gensim)."""
    counter: Counter[str] = Counter()
    total = 0
    n_sentences = 0
    for sentence in sentences:
        counter.update(sentence)
        total += len(sentence)
        n_sentences += 1
    if total == 0:
        raise ValueError("The corpus has no words after tokenizing; check the file, column or field you chose.")
    items = [(w, c) for w, c in counter.items() if c >= config.min_count]
    # Sort by count (desc), ties by first appearance (Counter keeps insertion order; sort is stable).
    items.sort(key=lambda wc: -wc[1])
    if config.max_vocab and len(items) > config.max_vocab:
        items = items[: config.max_vocab]
    if len(items) < 2:
        raise ValueError(vocab_too_small(len(items), config.min_count, total, sorted(counter.values())[-2:]))
    words = [w for w, _ in items]
    counts = np.array([c for _, c in items], dtype=np.int64)
    return Vocab(words, counts, {w: i for i, w in enumerate(words)}, total, n_sentences)


def vocab_too_small(kept: int, min_count: int, total_tokens: int, top_counts) -> str:
    """The message for a vocabulary of fewer than 2 words at ``min_count``: what happened and what to change.

    ``kept``: words reaching ``min_count``; ``total_tokens``: tokens read;
    ``top_counts``: counts of the most frequent words (any order; the two
    largest matter: training needs at least two words).
    """
    top = sorted(top_counts, reverse=True)[:2]
    found = "No word occurs" if kept == 0 else f"Only {kept} distinct word occurs"
    most = f" (the most frequent word occurs {top[0]} times)" if top else ""
    hint = (f"lower min_count to {top[1]} or less" if len(top) == 2 and top[1] < min_count
            else "lower min_count")
    return (f"{found} at least min_count={min_count} times in {total_tokens:,} tokens{most}, "
            f"so there is nothing to train: {hint}, or use a larger corpus.")


class ProgressMeter:
    """Turns (words done, loss so far) into the contract's progress records.

    ``words_total`` = epochs x tokens per pass. Records carry
    ``{"epoch", "epochs", "words_done", "words_total", "progress",
    "words_per_s", "lr", "loss", "eta_s"}``; ``loss`` is the mean loss per
    training pair over the interval since the previous record (not a
    running total).
    """

    def __init__(self, config: TrainConfig, words_per_epoch: int, on_progress: ProgressFn | None, every_s: float = 0.5):
        self.epochs = config.epochs
        self.words_total = int(words_per_epoch) * config.epochs
        self.on_progress = on_progress
        self.every_s = every_s
        self.start = time.perf_counter()
        self._last = self.start

    def due(self) -> bool:
        return self.on_progress is not None and time.perf_counter() - self._last >= self.every_s

    def emit(self, epoch: int, words_done: int, lr: float, loss: float | None) -> dict:
        now = time.perf_counter()
        self._last = now
        elapsed = max(now - self.start, 1e-9)
        progress = min(1.0, words_done / self.words_total) if self.words_total else 1.0
        speed = words_done / elapsed
        eta = (self.words_total - words_done) / speed if speed > 0 else None
        record = {
            "epoch": int(epoch),
            "epochs": int(self.epochs),
            "words_done": int(words_done),
            "words_total": int(self.words_total),
            "progress": float(progress),
            "words_per_s": float(speed),
            "lr": float(lr),
            "loss": None if loss is None or loss != loss else float(loss),
            "eta_s": None if eta is None else float(max(eta, 0.0)),
        }
        if self.on_progress is not None:
            self.on_progress(record)
        return record


def linear_lr(config: TrainConfig, progress: float) -> float:
    """Learning rate after ``progress`` (0..1) of all training, decaying linearly alpha -> min_alpha."""
    return config.alpha - (config.alpha - config.min_alpha) * min(max(progress, 0.0), 1.0)
