"""Hyperparameters of a word2vec run, shared by the torch and gensim engines.

The comment on each field is the help text the training page shows.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class TrainConfig:
    # Skip-gram (True) predicts each neighbour from the centre word; CBOW (False) predicts the
    # centre word from the average of its neighbours. Skip-gram is slower but learns rare words
    # better, which matters on the small corpora people upload, hence the default.
    sg: bool = True
    # Length of each word vector. 100 is the classic word2vec default: enough for analogies on a
    # few million words; small corpora rarely benefit from more.
    vector_size: int = 100
    # How many words on each side count as context (word2vec samples a smaller window per word,
    # so near neighbours weigh more). 5 balances topical (larger) vs syntactic (smaller) similarity.
    window: int = 5
    # Negative samples per (word, context) pair, drawn from the unigram distribution ^ 0.75.
    # 5-20 suit small corpora, 2-5 large ones (Mikolov et al. 2013); 5 is word2vec's default.
    negative: int = 5
    # Words seen fewer times than this are dropped: a vector learnt from 1-4 examples is noise,
    # and dropping them shrinks the vocabulary a lot.
    min_count: int = 5
    # Keep at most this many most frequent words (0 = no cap). A cap bounds memory on huge corpora.
    max_vocab: int = 0
    # Subsampling threshold: very frequent words ("the", "的") are randomly skipped with
    # probability 1 - sqrt(sample / frequency). 1e-3 is word2vec's default; 0 disables it.
    sample: float = 1e-3
    # Starting learning rate, decayed linearly to min_alpha over all epochs. 0.025 is the
    # word2vec/gensim default for both skip-gram and CBOW.
    alpha: float = 0.025
    # Final learning rate at the end of the last epoch; small but not zero, as in word2vec.
    min_alpha: float = 0.0001
    # Passes over the corpus. 5 is word2vec's default; small corpora (< 1M words) often need 10-20.
    epochs: int = 5
    # Random seed for initialisation, subsampling, windows and negatives: the same seed gives
    # the same vectors on CPU (GPU scatter-adds may differ in the last digits).
    seed: int = 1
    # Torch engine only: (word, context) pairs updated together in one batched step. Large
    # batches keep a GPU busy (16k-64k pairs); a per-word adaptive step (row-wise Adagrad) keeps
    # quality at those sizes. On a corpus under ~1M words prefer 1k-4k: fewer, larger batches
    # mean fewer update rounds. 16384 suits CPU and GPU on typical uploads.
    batch_size: int = 16384

    def __post_init__(self):
        def need(ok: bool, message: str):
            if not ok:
                raise ValueError(message)

        for f in fields(self):
            value = getattr(self, f.name)
            if f.type in ("int", int):
                need(
                    isinstance(value, int) and not isinstance(value, bool),
                    f"{f.name} must be a whole number, not {value!r}.",
                )
            elif f.type in ("float", float):
                need(
                    isinstance(value, (int, float)) and not isinstance(value, bool) and value == value,
                    f"{f.name} must be a number, not {value!r}.",
                )
        need(isinstance(self.sg, bool), f"sg must be True (skip-gram) or False (CBOW), not {self.sg!r}.")
        need(1 <= self.vector_size <= 2000, f"vector_size must be between 1 and 2000 (try 100), not {self.vector_size}.")
        need(1 <= self.window <= 50, f"window must be between 1 and 50 words (try 5), not {self.window}.")
        need(1 <= self.negative <= 100, f"negative must be between 1 and 100 samples (try 5), not {self.negative}.")
        need(self.min_count >= 1, f"min_count must be at least 1 (try 5), not {self.min_count}.")
        need(self.max_vocab == 0 or self.max_vocab >= 2, f"max_vocab must be 0 (no cap) or at least 2, not {self.max_vocab}.")
        need(0 <= self.sample < 1, f"sample must be between 0 (off) and 1 (try 1e-3), not {self.sample}.")
        need(0 < self.alpha <= 1, f"alpha (learning rate) must be above 0 and at most 1 (try 0.025), not {self.alpha}.")
        need(
            0 <= self.min_alpha <= self.alpha,
            f"min_alpha must be between 0 and alpha ({self.alpha}) (try 0.0001), not {self.min_alpha}.",
        )
        need(1 <= self.epochs <= 1000, f"epochs must be between 1 and 1000 (try 5), not {self.epochs}.")
        need(0 <= self.seed < 2**32, f"seed must be between 0 and 2**32 - 1, not {self.seed}.")
        need(
            1 <= self.batch_size <= 4_194_304,
            f"batch_size must be between 1 and 4194304 pairs (try 16384), not {self.batch_size}.",
        )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        """Build from a dict (e.g. config.json), rejecting unknown keys with a clear message."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown word2vec setting(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
        return cls(**data)

    @classmethod
    def help(cls) -> dict[str, str]:
        """Field name -> the comment above it in this file (the page's help text)."""
        return _field_comments()


def _field_comments() -> dict[str, str]:
    import inspect

    source = inspect.getsource(TrainConfig).splitlines()
    comments: dict[str, str] = {}
    pending: list[str] = []
    for line in source:
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("# ").rstrip())
        elif ":" in stripped and "=" in stripped and pending and not stripped.startswith(("def", "@")):
            comments[stripped.split(":")[0].strip()] = " ".join(pending)
            pending = []
        else:
            pending = []
    return comments
