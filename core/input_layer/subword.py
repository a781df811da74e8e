"""Train a subword tokenizer live (BPE or WordPiece) with Hugging Face ``tokenizers``.

BPE (Sennrich et al. 2016) starts from single characters and repeatedly
merges the most frequent adjacent pair into a new symbol until the
vocabulary reaches ``vocab_size``. WordPiece marks pieces that continue a
word with ``##`` and splits a word greedily, longest known piece first.
(The ``tokenizers`` WordPiece trainer picks its merges by frequency too, so
the two differ in how they mark and apply pieces, not in what they count.)
Both share the normalizer (NFKC, optional lowercase) and the pre-tokenizer
(split on whitespace and punctuation), so the comparison is fair.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

KINDS = ("bpe", "wordpiece")
SPECIAL_TOKENS = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]
MAX_TRAIN_BYTES = 50 * 1024**2  # tokenizers is fast, but a page should answer in seconds


@dataclass(frozen=True)
class SubwordConfig:
    # Which algorithm: "bpe" (merge pairs, no marker) or "wordpiece" (## on continuing pieces).
    kind: str = "bpe"
    # Target vocabulary size, special tokens and single characters included; small sizes split words more.
    vocab_size: int = 1000
    # A pair must occur at least this often to be merged; 2 ignores one-off typos.
    min_frequency: int = 2
    # Lowercase before training (the shipped MiniLM is uncased too).
    lowercase: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Unknown tokenizer kind {self.kind!r}; choose one of: {', '.join(KINDS)}.")
        if not 10 <= self.vocab_size <= 200_000:
            raise ValueError(f"vocab_size must be between 10 and 200000, got {self.vocab_size}.")
        if not 1 <= self.min_frequency <= 1000:
            raise ValueError(f"min_frequency must be between 1 and 1000, got {self.min_frequency}.")


def train_subword(lines: Iterable[str], config: SubwordConfig = SubwordConfig()):
    """Train a ``tokenizers.Tokenizer`` on ``lines`` (strings). Raises ``ValueError`` on an empty corpus."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    lines = [line for line in lines if line and line.strip()]
    if not lines:
        raise ValueError("The corpus has no text to train on.")
    steps = [normalizers.NFKC()] + ([normalizers.Lowercase()] if config.lowercase else [])
    common = dict(vocab_size=config.vocab_size, min_frequency=config.min_frequency,
                  special_tokens=SPECIAL_TOKENS, show_progress=False)
    if config.kind == "bpe":
        tok = Tokenizer(models.BPE(unk_token="[UNK]"))
        trainer = trainers.BpeTrainer(**common)
    else:
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]", continuing_subword_prefix="##"))
        trainer = trainers.WordPieceTrainer(continuing_subword_prefix="##", **common)
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(lines, trainer)
    return tok


def split(tokenizer, text: str) -> list[list[str]]:
    """The pieces of each pre-tokenized word of ``text``: ``[["un", "believ", "ably"], ...]``."""
    enc = tokenizer.encode(text)
    words: dict[int, list[str]] = {}
    for token, word in zip(enc.tokens, enc.word_ids):
        words.setdefault(word if word is not None else -1, []).append(token)
    return [words[k] for k in sorted(words)]


def merges(tokenizer) -> list[tuple[str, str]]:
    """A BPE tokenizer's merges in the order they were learned (empty for WordPiece)."""
    model = json.loads(tokenizer.to_str())["model"]
    out = []
    for m in model.get("merges", []):
        a, b = m.split(" ", 1) if isinstance(m, str) else m
        out.append((a, b))
    return out


def pieces_per_word(tokenizer, lines: list[str], max_words: int = 20000) -> float:
    """Average number of pieces per word over (the first ``max_words`` words of) ``lines``."""
    head, budget = [], max_words
    for line in lines:  # only encode about max_words words (whitespace count is a cheap upper guess)
        head.append(line)
        budget -= max(1, len(line.split()))
        if budget <= 0:
            break
    n_words = n_pieces = 0
    for enc in tokenizer.encode_batch(head):
        for word in enc.word_ids:
            if word is None:
                continue
            n_pieces += 1
        n_words += len({w for w in enc.word_ids if w is not None})
        if n_words >= max_words:
            break
    return n_pieces / n_words if n_words else 0.0


def sample_lines(name: str, limit: int = 5000) -> list[str]:
    """The first ``limit`` non-empty lines of a shipped sample (``core.text.SAMPLES``: "lee", "zh", ...)."""
    from core.text import sample_path

    path = Path(sample_path(name))
    if not path.is_file():
        raise ValueError(f"The sample {name!r} is not installed ({path} is missing).")
    return read_lines(path.read_bytes(), path.name, limit=limit)


def read_lines(data: bytes, name: str = "upload", limit: int = 50000) -> list[str]:
    """Decode an uploaded text file (UTF-8, GBK/GB18030, Latin-1 ...) into its non-empty lines."""
    from core.text.decode import detect_encoding, reject_binary  # CorpusError is a ValueError

    if not data:
        raise ValueError(f"{name} is empty; upload a file with some text in it.")
    if len(data) > MAX_TRAIN_BYTES:
        raise ValueError(
            f"{name} is {len(data) / 1024**2:.0f} MB; the live trainer takes at most "
            f"{MAX_TRAIN_BYTES // 1024**2} MB. Use a shorter excerpt."
        )
    head = data[: 64 * 1024]
    reject_binary(head, name)
    text = data.decode(detect_encoding(head), errors="replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError(f"{name} holds no text lines.")
    return lines[:limit]


def compare(lines: list[str], text: str, vocab_size: int, min_frequency: int = 2,
            lowercase: bool = True) -> dict[str, dict]:
    """Train BPE and WordPiece with the same settings and split ``text`` with both.

    Returns ``{kind: {"vocab_size": reached size, "words": [[pieces], ...], "pieces": total,
    "merges": first 20 BPE merges (empty for WordPiece), "over": True when the corpus has more
    distinct characters than ``vocab_size`` allows, so the vocabulary had to grow past it}}``.
    """
    out = {}
    for kind in KINDS:
        tok = train_subword(lines, SubwordConfig(kind, vocab_size, min_frequency, lowercase))
        words = split(tok, text)
        out[kind] = {
            "vocab_size": tok.get_vocab_size(),
            "words": words,
            "pieces": sum(len(w) for w in words),
            "merges": merges(tok)[:20],
            "over": tok.get_vocab_size() > vocab_size,
        }
    return out


def fertility(lines: list[str], sizes: list[int], min_frequency: int = 2, max_words: int = 20000) -> dict[str, list[float]]:
    """Average pieces per word for each kind at each vocabulary size: ``{kind: [value per size]}``."""
    return {
        kind: [pieces_per_word(train_subword(lines, SubwordConfig(kind, size, min_frequency)), lines, max_words)
               for size in sizes]
        for kind in KINDS
    }
