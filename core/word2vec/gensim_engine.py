"""The reference engine: gensim's optimised C word2vec on all CPU cores.

gensim only calls back once per epoch, so progress, per-interval loss and
cancellation are done by wrapping the sentence stream: the wrapper counts
the words gensim's producer thread reads, reads gensim's cumulative loss and
reports the difference since the last record, and stops yielding when a
cancel is requested (gensim then ends the epoch early with what it has).
Each epoch is its own ``train()`` call with explicit start/end learning
rates, so the decay over the whole run matches one long call, and gensim's
loss counter restarts every epoch.
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Iterable

from core.word2vec.base import EpochEndFn, ProgressFn, ProgressMeter, StopFn, linear_lr, vocab_too_small
from core.word2vec.config import TrainConfig


class _Stream:
    """Re-iterable wrapper that reports progress and honours cancellation while gensim reads."""

    def __init__(self, sentences, meter: ProgressMeter, model, config: TrainConfig, should_stop: StopFn | None):
        self.sentences = sentences
        self.meter = meter
        self.model = model
        self.config = config
        self.should_stop = should_stop
        self.epoch = 0
        self.words_done = 0  # over the whole run
        self.stopped = False
        self._loss_seen = 0.0
        self._words_at_record = 0
        self._last_loss: float | None = None
        self.words_trained = 0  # raw words in the jobs gensim's workers have finished
        self._lock = threading.Lock()

    def reset_epoch(self, epoch: int):
        self.epoch = epoch
        self._loss_seen = 0.0  # gensim zeroes its running loss at the start of each train() call

    def count_job(self, raw_words: int) -> None:
        """Called from gensim's worker threads after each job of ~10k words has been trained."""
        with self._lock:
            self.words_trained += raw_words

    def _interval_loss(self) -> float | None:
        """gensim's loss is a running sum (over pairs) since the start of the train() call:
        report its increase since the last record per corpus word *trained* (the producer
        reads ahead of the workers, so words read would skew the ratio), like the torch engine."""
        with self._lock:
            total = float(self.model.get_latest_training_loss())
            trained = self.words_trained
        delta = total - self._loss_seen
        words = trained - self._words_at_record
        self._loss_seen = total
        self._words_at_record = trained
        if words > 0 and delta > 0:
            self._last_loss = delta / words
        return self._last_loss

    def record(self):
        loss = self._interval_loss()
        done = min(self.words_trained, self.words_done)
        lr = linear_lr(self.config, done / max(self.meter.words_total, 1))
        self.meter.emit(self.epoch + 1, done, lr, loss)

    def __iter__(self):
        check_every = 0
        for sentence in self.sentences:
            check_every += 1
            if self.should_stop is not None and check_every % 64 == 0 and self.should_stop():
                self.stopped = True
                return
            self.words_done += len(sentence)
            if self.meter.due():
                self.record()
            yield sentence


def _built_model(sentences, config: TrainConfig, workers: int):
    """gensim's ``Word2Vec`` with the config's settings and its vocabulary built; ValueError when it is too small."""
    from gensim.models import Word2Vec

    model = Word2Vec(vector_size=config.vector_size, window=config.window, min_count=config.min_count,
                     max_final_vocab=config.max_vocab or None, sample=config.sample, sg=1 if config.sg else 0, hs=0,
                     negative=config.negative, alpha=config.alpha, min_alpha=config.min_alpha, seed=config.seed,
                     workers=workers, epochs=config.epochs)
    model.build_vocab(sentences, keep_raw_vocab=True)
    top_counts = sorted(model.raw_vocab.values())[-2:]
    model.raw_vocab = None  # gensim frees it after build_vocab unless asked to keep it
    if model.corpus_total_words == 0:
        raise ValueError("The corpus has no words after tokenizing; check the file, column or field you chose.")
    if len(model.wv) < 2:
        raise ValueError(vocab_too_small(len(model.wv), config.min_count, model.corpus_total_words, top_counts))
    return model


def train_gensim(
    sentences: Iterable[list[str]],
    config: TrainConfig,
    *,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    on_epoch_end: EpochEndFn | None = None,
    workers: int | None = None,
):
    """Train with gensim's ``Word2Vec``; returns its ``KeyedVectors`` (counts attached).

    One ``model.train`` call per epoch (its learning rate from the epoch's share of the linear
    decay), so a cancel stops between epochs and every epoch can be snapshotted.
    """
    logging.getLogger("gensim").setLevel(logging.ERROR)  # an early cancel makes gensim warn about counts
    model = _built_model(sentences, config, workers or os.cpu_count() or 1)
    meter = ProgressMeter(config, model.corpus_total_words, on_progress)
    stream = _Stream(sentences, meter, model, config, should_stop)
    train_job = model._do_train_job

    def counted_job(job_sentences, alpha, inits):
        tally, raw = train_job(job_sentences, alpha, inits)
        stream.count_job(raw)
        return tally, raw

    model._do_train_job = counted_job  # instance attribute: gensim's workers call self._do_train_job
    span = config.alpha - config.min_alpha
    for epoch in range(config.epochs):
        if should_stop is not None and should_stop():
            break
        stream.reset_epoch(epoch)
        model.train(stream, total_examples=model.corpus_count, epochs=1, compute_loss=True,
                    start_alpha=config.alpha - span * epoch / config.epochs,
                    end_alpha=config.alpha - span * (epoch + 1) / config.epochs)
        stream.record()
        if stream.stopped:
            break
        if on_epoch_end is not None:
            on_epoch_end(epoch + 1, model.wv)
    kv = model.wv
    # gensim keeps other per-word attributes (sample_int) that mean nothing outside training.
    kv.expandos = {"count": kv.expandos["count"]}
    return kv
