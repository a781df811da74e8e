"""word2vec with negative sampling as batched tensor work, written for a GPU.

Per block of the corpus (~256k-1M token ids) everything happens on the
device with no Python loop per word: subsampling (keep a word with
probability ``(sqrt(f/t) + 1) t/f`` as in word2vec/gensim), a random
reduced window per centre word, (input, output) pair construction by
shifting the id array (one vectorised step per window offset), shuffling,
negatives drawn from unigram^0.75 by inverse-CDF search, and the update
of a whole minibatch of pairs.

The update is the hand-written word2vec gradient (no autograd):
for an input vector v, positive output u and negatives n_k,

    g_pos = lr (1 - sigma(u.v)),   g_k = -lr sigma(n_k.v)
    dv = g_pos u + sum_k g_k n_k,  du = g_pos v,  dn_k = g_k v

Large batches: word2vec applies these one pair at a time. Summing a whole
batch's updates into the same rows (``index_add_``) multiplies the step of
a frequent word by its number of occurrences in the batch (hundreds to
thousands at 16k-64k pairs); the vectors of frequent words blow up and
quality collapses. Averaging each row's updates instead (or capping them)
starves frequent rows and stalls learning just as badly. What holds at
16k-64k pairs is row-wise Adagrad on the summed batch update (the
optimiser PyTorch-BigGraph uses for the same problem): each row's step is
divided by the root of its accumulated squared updates, so it no longer
grows with the row's count in the batch, and rare rows keep large steps.
With G_r the sum of row r's per-pair updates above (divided by lr) in a batch:

    acc_r += mean_d(G_r^2),   w_r += ADAGRAD_GAIN * lr * G_r / sqrt(acc_r)

where lr keeps word2vec's linear decay from alpha to min_alpha.
Measurements of all variants: benchmarks/RESULTS.md (word2vec section).

Token ids are streamed: the first epoch reads the corpus, maps words to
ids and also appends the ids (int32, -1 between sentences) to an anonymous
temporary file; later epochs read that file in blocks instead of
re-tokenizing the text. Memory is O(vocabulary + block), never O(corpus).
"""
from __future__ import annotations

import math
import os
import tempfile
import time
from typing import Iterable, Iterator

import numpy as np
import torch

from core.vectors.keyed import make_keyed_vectors
from core.word2vec.base import (
    EpochEndFn,
    ProgressFn,
    ProgressMeter,
    StopFn,
    Vocab,
    build_vocab,
    linear_lr,
)
from core.word2vec.config import TrainConfig

# How a batch's updates are applied to the rows they touch (n = a row's occurrences in the batch):
# "adagrad" (default): row-wise Adagrad on the summed update (see the module docstring);
# "sum": plain index_add_, word2vec's SGD; fine up to ~4k pairs per batch, collapses at 16k;
# "cap": sum scaled by min(1, ROW_CAP / n); "mean": 1 / n; "sqrt": 1 / sqrt(n). These three were
# measured and stall at 16k+ pairs (frequent rows learn too slowly); selectable in the benchmark (--update-rule).
ROW_SCALE = "adagrad"
# Summed steps a row may take per batch: plain summing holds gensim's quality at 1-4k pairs per
# batch, where the most frequent (subsampled) words occur a few dozen times per batch.
ROW_CAP = 32.0
# "adagrad": row-wise Adagrad; its step is ADAGRAD_GAIN x the scheduled learning rate.
ADAGRAD_GAIN = 4.0


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """word2vec/gensim subsampling: probability of keeping each occurrence of each word, (n,)."""
    counts = counts.astype(np.float64)
    if sample <= 0:
        return np.ones_like(counts)
    total = counts.sum()
    threshold = sample * total if sample < 1.0 else sample
    return np.minimum(1.0, (np.sqrt(counts / threshold) + 1.0) * (threshold / counts))


class _Blocks:
    """Streams token-id blocks (int32, -1 = sentence break); caches ids after the first pass."""

    def __init__(self, sentences: Iterable[list[str]], vocab: Vocab, block_tokens: int):
        self.sentences = sentences
        self.vocab = vocab
        self.block_tokens = block_tokens
        self._cache = None  # anonymous temporary file with the ids of the first pass
        self._cache_complete = False

    def close(self):
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def __iter__(self) -> Iterator[np.ndarray]:
        if self._cache_complete:
            yield from self._from_cache()
        else:
            yield from self._from_text()

    def _from_text(self) -> Iterator[np.ndarray]:
        index = self.vocab.index
        self.close()
        self._cache = tempfile.TemporaryFile(prefix="embedlab-ids-")
        buffer: list[int] = []
        for sentence in self.sentences:
            ids = [index[w] for w in sentence if w in index]
            if ids:
                buffer.extend(ids)
                buffer.append(-1)
            if len(buffer) >= self.block_tokens:
                block = np.array(buffer, dtype=np.int32)
                block.tofile(self._cache)
                buffer = []
                yield block
        if buffer:
            block = np.array(buffer, dtype=np.int32)
            block.tofile(self._cache)
            yield block
        self._cache.flush()
        self._cache_complete = True

    def _from_cache(self) -> Iterator[np.ndarray]:
        self._cache.seek(0)
        carry = np.empty(0, dtype=np.int32)
        while True:
            chunk = np.fromfile(self._cache, dtype=np.int32, count=self.block_tokens)
            if chunk.size == 0:
                break
            block = np.concatenate([carry, chunk]) if carry.size else chunk
            breaks = np.flatnonzero(block < 0)
            # Keep a sentence that straddles the block edge for the next block.
            cut = breaks[-1] + 1 if breaks.size else block.size
            carry = block[cut:]
            if cut:
                yield block[:cut]
        if carry.size:
            yield carry


class TorchWord2Vec:
    """State of one training run: weights (V, D) on ``device`` plus the sampling tables."""

    def __init__(self, vocab: Vocab, config: TrainConfig, device: torch.device):
        self.vocab = vocab
        self.config = config
        self.device = device
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(config.seed)
        n, dim = len(vocab.words), config.vector_size
        # gensim's initialisation: input vectors uniform in (-1, 1) / dim, output vectors zero.
        rng = np.random.default_rng(config.seed)
        init = (rng.random((n, dim), dtype=np.float32) * 2.0 - 1.0) / dim
        self.w_in = torch.from_numpy(init).to(device)
        self.w_out = torch.zeros(n, dim, device=device)
        self.keep = torch.from_numpy(keep_probabilities(vocab.counts, config.sample)).to(device, torch.float32)
        noise = vocab.counts.astype(np.float64) ** 0.75
        self.noise_cdf = torch.from_numpy(np.cumsum(noise) / noise.sum()).to(device)
        self.loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        # Row-wise Adagrad accumulators (used when ROW_SCALE == "adagrad"), (V,) each.
        self.acc_in = torch.zeros(n, device=device)
        self.acc_out = torch.zeros(n, device=device)

    # ---- pairs -------------------------------------------------------------------------
    def _rand(self, n: int) -> torch.Tensor:
        return torch.rand(n, generator=self.generator, device=self.device)

    def subsample(self, block: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(ids, sentence ids) of the kept tokens of a block; -1 entries mark sentence breaks."""
        is_break = block < 0
        sentence = torch.cumsum(is_break.to(torch.int32), 0)
        ids = block.clamp(min=0).long()
        kept = ~is_break & (self._rand(block.numel()) < self.keep[ids])
        return ids[kept], sentence[kept]

    def windows(self, ids: torch.Tensor, sentence: torch.Tensor):
        """Yield (offset d, valid-left-mask, valid-right-mask) for d = 1..window.

        Each centre i draws an effective window b_i in 1..window (word2vec's
        "reduced window"); position i+d is its context if d <= b_i and it is
        in the same sentence.
        """
        n = ids.numel()
        reach = torch.randint(
            1, self.config.window + 1, (n,), generator=self.generator, device=self.device, dtype=torch.int32
        )
        for d in range(1, min(self.config.window, n - 1) + 1):
            same = sentence[:-d] == sentence[d:]
            yield d, reach, same

    def sg_pairs(self, ids: torch.Tensor, sentence: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Skip-gram pairs (P,), (P,): gensim's orientation, the context word is the input row."""
        inputs, outputs = [], []
        for d, reach, same in self.windows(ids, sentence):
            right = same & (reach[:-d] >= d)  # centre i, context i + d
            left = same & (reach[d:] >= d)  # centre i + d, context i
            outputs += [ids[:-d][right], ids[d:][left]]
            inputs += [ids[d:][right], ids[:-d][left]]
        if not inputs:
            empty = ids.new_empty(0)
            return empty, empty
        return torch.cat(inputs), torch.cat(outputs)

    def cbow_contexts(self, ids: torch.Tensor, sentence: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """CBOW: centres (N,) and their context ids (N, 2*window), -1 where there is none."""
        n = ids.numel()
        ctx = torch.full((n, 2 * self.config.window), -1, dtype=torch.long, device=self.device)
        for d, reach, same in self.windows(ids, sentence):
            right = same & (reach[:-d] >= d)  # centre i sees i + d
            left = same & (reach[d:] >= d)  # centre i + d sees i
            ctx[:-d, 2 * (d - 1)] = torch.where(right, ids[d:], -1)
            ctx[d:, 2 * (d - 1) + 1] = torch.where(left, ids[:-d], -1)
        has = (ctx >= 0).any(1)
        return ids[has], ctx[has]

    # ---- updates -----------------------------------------------------------------------
    def negatives(self, rows: int) -> torch.Tensor:
        """(rows, negative) word ids drawn from unigram^0.75."""
        u = torch.rand(rows * self.config.negative, generator=self.generator, device=self.device, dtype=torch.float64)
        idx = torch.searchsorted(self.noise_cdf, u).clamp_(max=self.noise_cdf.numel() - 1)
        return idx.view(rows, self.config.negative)

    def _row_scale(self, *row_sets: torch.Tensor) -> torch.Tensor | None:
        """(V,) factor for each row's summed update in this batch (see ROW_SCALE); None for "sum"."""
        if ROW_SCALE == "sum":
            return None
        counts = torch.bincount(torch.cat([r.reshape(-1) for r in row_sets]), minlength=self.w_in.shape[0])
        counts = counts.clamp_(min=1).to(self.w_in.dtype)
        if ROW_SCALE == "cap":
            return (ROW_CAP / counts).clamp_(max=1.0)
        return 1.0 / (counts.sqrt() if ROW_SCALE == "sqrt" else counts)

    def _adagrad(self, weight: torch.Tensor, acc: torch.Tensor, rows: torch.Tensor, updates: torch.Tensor, lr: float):
        """Row-wise Adagrad on the batch's summed per-row update (as PyTorch-BigGraph does).

        ``updates`` (N, D) are SGD updates already multiplied by ``lr``; dividing by the root of
        each row's accumulated squared update makes the step independent of how many times the
        row occurs in the batch, while rare rows keep large steps.
        """
        uniq, inverse = torch.unique(rows, return_inverse=True)
        grad = torch.zeros(uniq.numel(), weight.shape[1], dtype=weight.dtype, device=weight.device)
        grad.index_add_(0, inverse, updates / lr)
        acc.index_add_(0, uniq, grad.pow(2).mean(1))
        step = grad * (ADAGRAD_GAIN * lr / (acc[uniq].sqrt() + 1e-8)).unsqueeze(1)
        weight.index_add_(0, uniq, step)

    def _output_step(self, h: torch.Tensor, targets: torch.Tensor, lr: float) -> torch.Tensor:
        """Score h (B, D) against the positive targets (B,) and fresh negatives; update w_out.

        Column 0 of the (B, 1 + K) score matrix is the positive pair, columns 1..K the
        negatives. Returns dh (B, D), the update for the input side.
        """
        rows = torch.cat([targets.unsqueeze(1), self.negatives(targets.numel())], 1)  # (B, 1 + K)
        vecs = self.w_out[rows]  # (B, 1 + K, D)
        scores = torch.bmm(vecs, h.unsqueeze(2)).squeeze(2)  # (B, 1 + K)
        g = -torch.sigmoid(scores)
        g[:, 0] += 1.0  # label 1 for the positive pair, 0 for the negatives
        g *= lr
        dh = torch.bmm(g.unsqueeze(1), vecs).squeeze(1)  # (B, D)
        self.loss_sum += (
            torch.nn.functional.softplus(-scores[:, 0]).sum() + torch.nn.functional.softplus(scores[:, 1:]).sum()
        ).double()
        flat_rows = rows.reshape(-1)
        if ROW_SCALE == "adagrad":
            updates = (g.unsqueeze(2) * h.unsqueeze(1)).reshape(-1, h.shape[1])
            self._adagrad(self.w_out, self.acc_out, flat_rows, updates, lr)
            return dh
        inv = self._row_scale(flat_rows)
        if inv is not None:  # scale the (B, 1 + K) coefficients, not the (B, 1 + K, D) updates
            g = g * inv[rows]
        self.w_out.index_add_(0, flat_rows, (g.unsqueeze(2) * h.unsqueeze(1)).reshape(-1, h.shape[1]))
        return dh

    def _input_update(self, rows: torch.Tensor, updates: torch.Tensor, lr: float):
        if ROW_SCALE == "adagrad":
            self._adagrad(self.w_in, self.acc_in, rows, updates, lr)
            return
        inv = self._row_scale(rows)
        if inv is not None:
            updates = updates * inv[rows].unsqueeze(1)
        self.w_in.index_add_(0, rows, updates)

    def sg_step(self, inputs: torch.Tensor, outputs: torch.Tensor, lr: float):
        h = self.w_in[inputs]  # (B, D)
        dh = self._output_step(h, outputs, lr)
        self._input_update(inputs, dh, lr)

    def cbow_step(self, centres: torch.Tensor, ctx: torch.Tensor, lr: float):
        mask = ctx >= 0  # (B, 2W)
        n_ctx = mask.sum(1, keepdim=True).to(self.w_in.dtype)  # (B, 1)
        gathered = self.w_in[ctx.clamp(min=0)] * mask.unsqueeze(2)  # (B, 2W, D)
        h = gathered.sum(1) / n_ctx  # mean of the context vectors, as gensim's cbow_mean=1
        dh = self._output_step(h, centres, lr)
        # As in word2vec/gensim with cbow_mean, every context word receives the full dh.
        owner = torch.nonzero(mask, as_tuple=True)[0]  # which centre each context row belongs to
        self._input_update(ctx[mask], dh[owner], lr)

    def keyed_vectors(self):
        return make_keyed_vectors(self.vocab.words, self.w_in.detach().float().cpu().numpy(), self.vocab.counts)


def default_block_tokens(device: torch.device, batch_size: int) -> int:
    """Token ids per streamed block: ~1M on a GPU, 256k on CPU, and always several batches."""
    base = 1 << 20 if device.type == "cuda" else 1 << 18
    return max(base, 2 * batch_size)


class _Run:
    """What one training run counts: in-vocabulary tokens done, the learning rate, the loss per corpus word.

    Progress is counted in in-vocabulary tokens and reported in corpus words (like gensim).
    """

    def __init__(self, model, meter, vocab, config: TrainConfig):
        self.model, self.meter, self.config = model, meter, config
        per_epoch = max(vocab.retained_words, 1)
        self.scale = vocab.total_words / per_epoch
        self.total = per_epoch * config.epochs
        self.done = 0  # in-vocabulary tokens processed so far, over all epochs
        self.lr = config.alpha
        self.last_loss, self.last_done, self.interval_loss = 0.0, 0, None
        self.last_check = 0.0

    def report(self, epoch: int, done_now: int) -> None:
        loss_total = float(self.model.loss_sum)  # the only device sync, twice a second at most
        words = (done_now - self.last_done) * self.scale
        if words > 0:  # an empty interval (epoch end right after a record) repeats the last value
            self.interval_loss = (loss_total - self.last_loss) / words
        self.last_loss, self.last_done = loss_total, done_now
        self.meter.emit(epoch, int(done_now * self.scale), self.lr, self.interval_loss)

    def stop_asked(self, should_stop: StopFn | None, first: bool) -> bool:
        """Ask at each block start and then at most every 0.1 s: a cancel check may read a file, and a GPU
        runs thousands of batches per second."""
        if should_stop is None or not (first or time.perf_counter() - self.last_check >= 0.1):
            return False
        self.last_check = time.perf_counter()
        return bool(should_stop())


def _train_block(run: _Run, block, device: torch.device, epoch: int, should_stop: StopFn | None) -> bool:
    """Train on one streamed block of token ids (shuffled batches of pairs); True when a stop was asked."""
    model, config = run.model, run.config
    tokens = int((block >= 0).sum())
    ids, sentence = model.subsample(torch.from_numpy(block).to(device))
    if config.sg:
        inputs, outputs = model.sg_pairs(ids, sentence)
    else:
        outputs, inputs = model.cbow_contexts(ids, sentence)
    n = outputs.numel()
    order = torch.randperm(n, generator=model.generator, device=device) if n else None

    def block_done(b_done: int) -> int:
        # Tokens credited after b_done batches, in proportion to the pairs trained:
        # the last batch of a block is partial, so equal shares would skew loss/word.
        return tokens * min(b_done * config.batch_size, n) // n if n else tokens

    for b in range(max(1, math.ceil(n / config.batch_size))):
        if run.stop_asked(should_stop, b == 0):
            run.done += block_done(b)
            return True
        run.lr = linear_lr(config, (run.done + block_done(b)) / run.total)
        if n:
            sel = order[b * config.batch_size : (b + 1) * config.batch_size]
            if config.sg:
                model.sg_step(inputs[sel], outputs[sel], run.lr)
            else:
                model.cbow_step(outputs[sel], inputs[sel], run.lr)
        if run.meter.due():
            run.report(epoch, run.done + block_done(b + 1))
    run.done += tokens
    return False


def train_torch(
    sentences: Iterable[list[str]],
    config: TrainConfig,
    *,
    device: torch.device,
    on_progress: ProgressFn | None = None,
    should_stop: StopFn | None = None,
    on_epoch_end: EpochEndFn | None = None,
):
    """Train on ``device``; returns gensim ``KeyedVectors`` (input vectors, counts attached)."""
    vocab = build_vocab(sentences, config)
    model = TorchWord2Vec(vocab, config, device)
    run = _Run(model, ProgressMeter(config, vocab.total_words, on_progress), vocab, config)
    blocks = _Blocks(sentences, vocab, default_block_tokens(device, config.batch_size))
    # CPU threads: torch's default (all cores) unless EMBEDLAB_TORCH_THREADS says otherwise; on a
    # shared, oversubscribed server 1-2 threads per job avoid OpenMP spin-waiting (10x slower).
    threads = int(os.environ.get("EMBEDLAB_TORCH_THREADS", "0") or 0)
    previous_threads = torch.get_num_threads()
    if threads > 0 and device.type == "cpu":
        torch.set_num_threads(threads)
    try:
        with torch.no_grad():
            for epoch in range(1, config.epochs + 1):
                stopped = any(_train_block(run, block, device, epoch, should_stop) for block in blocks)
                run.report(epoch, run.done)
                if stopped:
                    break
                if on_epoch_end is not None:
                    on_epoch_end(epoch, model.keyed_vectors())
    finally:
        blocks.close()
        torch.set_num_threads(previous_threads)
    return model.keyed_vectors()
