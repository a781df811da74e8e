"""Corpus -> WordPiece tokenizer -> packed token blocks -> masked batches.

1. :func:`corpus_lines` reads any corpus the word2vec page takes (``core.text.read_corpus``:
   a sample, a file, or ``dataset:<name>``) and splits its lines into training and
   held-out text (every ``round(1 / valid_fraction)``-th line is held out).
2. :func:`train_tokenizer` trains a WordPiece vocabulary with ``tokenizers``; Unicode NFKC
   (full-width ＧＤＰ２０２３ -> GDP2023, ``core.text.normalize``), then BERT's normaliser and
   pre-tokenizer put spaces around every CJK character, so Chinese is read character by
   character (and never needs a word segmenter).
3. :func:`encode_stream` turns lines into one long id stream; :func:`make_blocks` cuts it
   into ``[CLS] x_1 .. x_{L-2} [SEP]`` blocks of length L (no padding), :func:`make_plain_blocks`
   into L consecutive ids (the causal LM's). Each objective (``core.pretrain.objectives``)
   builds its own batches from these.
4. :func:`masked_batch` draws a batch of blocks for step s and masks it with BERT's 15%
   / 80-10-10 rule (``core.input_layer.mlm.mask_tokens``), seeded by (seed, s), so a
   resumed run sees exactly the batches an uninterrupted run would ("dynamic masking":
   a block is masked anew each time it is drawn).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
EVAL_MASK_SEED = 1234  # every evaluation of every run masks the held-out text the same way


def corpus_lines(source: str, *, language: str = "auto", lowercase: bool = True,
                 valid_fraction: float = 0.02, encoding: str = "") -> tuple[list[str], list[str], dict]:
    """``(train lines, held-out lines, info)`` of a corpus; info has name, encoding, language, ``train_runs``.

    Lines are the corpus reader's sentences with their tokens joined by spaces
    (punctuation kept, since a masked LM should predict it too). Every
    ``round(1 / valid_fraction)``-th line is held out. ``info["train_runs"]`` lists the
    index in the training lines where each run of consecutive text starts: a document
    break (a blank line of a text file; every table row or JSON record is its own
    document) or a held-out line ends a run, so sentence pairs drawn inside one run never
    touch the held-out text. Raises ValueError (``core.text.CorpusError``) for a corpus
    that cannot be read or is empty.
    """
    from core.text import read_corpus

    corpus = read_corpus(source, language=language, lowercase=lowercase, strip_punctuation=False,
                         encoding=encoding or None)
    corpus.keep_breaks = True
    every = max(2, round(1 / valid_fraction))
    train, valid, runs = [], [], []
    i, broken = 0, True
    for sentence in corpus:
        if not sentence:  # a document break
            broken = True
            continue
        line = " ".join(sentence)
        held_out = i % every == every - 1
        i += 1
        if not line.strip():
            continue
        if held_out:
            valid.append(line)
            broken = True
            continue
        if broken:
            runs.append(len(train))
            broken = False
        train.append(line)
    if not train:
        raise ValueError(f"{corpus.name} has no text after reading; check the file.")
    info = {"name": corpus.name, "encoding": getattr(corpus, "encoding", None),
            "language": getattr(corpus, "language", None), "train_lines": len(train), "valid_lines": len(valid),
            "train_runs": runs}
    return train, valid, info


def train_tokenizer(lines: list[str], vocab_size: int, *, min_frequency: int = 2, lowercase: bool = True,
                    max_length: int = 512):
    """A WordPiece tokenizer trained on ``lines`` (a transformers fast ``BertTokenizer``).

    Special tokens get ids 0..4: [PAD] [UNK] [CLS] [SEP] [MASK]. The vocabulary may
    come out smaller than ``vocab_size`` on a small corpus.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import BertTokenizerFast

    from core.text.normalize import tokenizer_normalizer

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = tokenizer_normalizer(lowercase=lowercase)  # NFKC, then BERT's: ＧＤＰ２０２３ reads as gdp2023
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                        special_tokens=list(SPECIAL_TOKENS), show_progress=False)
    tok.train_from_iterator(lines, trainer, length=len(lines))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    return BertTokenizerFast(tokenizer_object=tok, do_lower_case=lowercase, model_max_length=max_length,
                             unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
                             mask_token="[MASK]")


def encode_lines(tokenizer, lines: list[str], batch: int = 2000) -> list[np.ndarray]:
    """Each line's token ids (no special tokens), ``int32`` arrays (empty for a line with no tokens)."""
    out = []
    for start in range(0, len(lines), batch):
        encoded = tokenizer(lines[start:start + batch], add_special_tokens=False, verbose=False)["input_ids"]
        out.extend(np.asarray(ids, dtype=np.int32) for ids in encoded)
    return out


def encode_stream(tokenizer, lines: list[str], batch: int = 2000, separator: int | None = None) -> np.ndarray:
    """All lines' token ids (no special tokens) concatenated, ``(n_tokens,)`` int32.

    ``separator``: an id put after every line (the causal LM's end-of-line [SEP], so it learns where
    a line ends and generation can stop); None packs the lines with nothing between (masked LM).
    """
    parts = [ids for ids in encode_lines(tokenizer, lines, batch) if len(ids)]
    if separator is not None:
        end = np.asarray([separator], dtype=np.int32)
        parts = [piece for ids in parts for piece in (ids, end)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)


def make_blocks(stream: np.ndarray, seq_len: int, cls_id: int, sep_id: int, max_tokens: int | None = None) -> torch.Tensor:
    """``(n_blocks, seq_len)`` long: [CLS] + seq_len - 2 stream ids + [SEP]; the tail that does not fill a block is dropped.

    ``max_tokens`` uses only the first ``max_tokens`` stream ids (at least one block when the stream allows).
    """
    inner = seq_len - 2
    usable = len(stream) if max_tokens is None else min(len(stream), max(inner, max_tokens))
    n = usable // inner
    body = torch.from_numpy(stream[: n * inner].astype(np.int64)).view(n, inner)
    cls = torch.full((n, 1), cls_id, dtype=torch.long)
    sep = torch.full((n, 1), sep_id, dtype=torch.long)
    return torch.cat([cls, body, sep], dim=1)


def make_plain_blocks(stream: np.ndarray, seq_len: int, max_tokens: int | None = None) -> torch.Tensor:
    """``(n_blocks, seq_len)`` long: consecutive stream ids, no special tokens added (the causal LM's blocks)."""
    usable = len(stream) if max_tokens is None else min(len(stream), max(seq_len, max_tokens))
    n = usable // seq_len
    return torch.from_numpy(stream[: n * seq_len].astype(np.int64)).view(n, seq_len)


def draw_rows(n_rows: int, batch_size: int, seed: int, step: int) -> torch.Tensor:
    """The ``batch_size`` row indexes (with replacement) the batch of step ``step`` reads, seeded by (seed, step)."""
    gen = torch.Generator().manual_seed(step_seed(seed, step))
    return torch.randint(n_rows, (batch_size,), generator=gen)


@dataclass(frozen=True)
class Vocab:
    """The ids the masking needs: special ids, [MASK], [CLS]/[SEP], and the pool random replacements come from."""

    size: int
    mask_id: int
    cls_id: int
    sep_id: int
    pad_id: int
    special_ids: torch.Tensor  # (n_special,)
    random_pool: torch.Tensor  # (size - n_special,) the ordinary tokens

    @classmethod
    def of(cls, tokenizer) -> "Vocab":
        size = len(tokenizer)
        special = torch.tensor(sorted(set(tokenizer.all_special_ids)), dtype=torch.long)
        ordinary = torch.ones(size, dtype=torch.bool)
        ordinary[special] = False
        return cls(size, tokenizer.mask_token_id, tokenizer.cls_token_id, tokenizer.sep_token_id,
                   tokenizer.pad_token_id, special, torch.arange(size)[ordinary])


def step_seed(seed: int, step: int) -> int:
    """A seed for (run seed, step): distinct for every step, the same on a resumed run."""
    return (seed * 1_000_003 + step * 7_919 + 17) % (2**31 - 1)


def mask(ids: torch.Tensor, vocab: Vocab, select_prob: float, seed: int):
    """BERT's rule on ``ids`` (batch, seq): ``(masked input ids, labels with -100 where not predicted)``."""
    from core.input_layer.mlm import MaskConfig, mask_tokens

    special = torch.isin(ids, vocab.special_ids)
    result = mask_tokens(ids, special, vocab.mask_id, MaskConfig(select_prob=select_prob, seed=seed),
                         random_pool=vocab.random_pool)
    return result.masked_ids, result.labels


def masked_batch(blocks: torch.Tensor, batch_size: int, vocab: Vocab, select_prob: float, seed: int, step: int):
    """The batch of step ``step``: ``batch_size`` blocks drawn at random (with replacement), masked anew."""
    rows = draw_rows(blocks.shape[0], batch_size, seed, step)
    return mask(blocks[rows], vocab, select_prob, step_seed(seed + 1, step))
