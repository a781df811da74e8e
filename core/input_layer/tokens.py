"""Step 1 of the input layer: text -> WordPiece tokens -> ids -> one-hot rows.

A BERT tokenizer turns a sentence (and optionally a second one, "segment B")
into ids of its vocabulary, adds ``[CLS]`` and ``[SEP]``, and marks which
segment each token belongs to (``token_type_ids``: 0 for A, 1 for B).
A one-hot row is the id written as a vector of ``vocab_size`` zeros with a
single 1; multiplying it with the embedding table picks that table row.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from core.errors import UserError

MAX_TOKENS = 512  # BERT's learned position table has 512 rows; longer inputs have no position


@dataclass(frozen=True)
class TokenView:
    """One sentence as the model sees it.

    tokens: the WordPiece strings, ``[CLS]`` first, ``[SEP]`` after each segment.
    sources: for each token the characters of the original text it came from
        ("" for the special tokens), so an ``[UNK]`` can show what it replaced.
    input_ids, token_type_ids: long tensors ``(seq_len,)``.
    special: bool tensor ``(seq_len,)``, True for ``[CLS]``/``[SEP]`` (never masked).
    """

    text: str
    pair: str | None
    tokens: list[str]
    sources: list[str]
    input_ids: torch.Tensor
    token_type_ids: torch.Tensor
    special: torch.Tensor
    unk_id: int | None
    mask_id: int | None
    vocab_size: int

    @property
    def seq_len(self) -> int:
        return len(self.tokens)

    @property
    def ordinary_count(self) -> int:
        """Tokens that are not [CLS]/[SEP]: the ones masking may select."""
        return int((~self.special).sum())

    @property
    def unk_count(self) -> int:
        """How many tokens fell outside the vocabulary and became ``[UNK]``."""
        if self.unk_id is None:
            return 0
        return int((self.input_ids == self.unk_id).sum())

    def labels(self) -> list[str]:
        """Unique row labels ``"0 [CLS]"``, ``"1 the"``...: the same word twice stays two rows."""
        return [f"{i} {tok}" for i, tok in enumerate(self.tokens)]


def tokenize(tokenizer, text: str, pair: str | None = None, max_tokens: int = MAX_TOKENS,
             special_tokens: bool = True) -> TokenView:
    """Run a Hugging Face *fast* tokenizer on ``text`` (and ``pair``) without truncation.

    ``special_tokens=False`` reads the text as it is, without [CLS] / [SEP] (how a causal LM read
    its training text).

    Raises ``ValueError`` for an empty sentence or more than ``max_tokens`` tokens.
    """
    text = (text or "").strip()
    pair = (pair or "").strip() or None
    if not text:
        raise UserError("Type a sentence first: the text is empty.", "errors.empty_text")
    if not 3 <= max_tokens <= MAX_TOKENS:
        raise ValueError(f"max_tokens must be between 3 and {MAX_TOKENS}, got {max_tokens}.")
    enc = tokenizer(
        text,
        pair,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
        truncation=False,
        add_special_tokens=special_tokens,
    )
    ids = enc["input_ids"]
    if len(ids) > max_tokens:
        raise UserError(f"The sentence has {len(ids)} tokens; at most {max_tokens} are shown here. Shorten it.",
                        "errors.too_many_tokens", n=len(ids), limit=max_tokens)
    seq_ids = enc.sequence_ids() if hasattr(enc, "sequence_ids") else [None] * len(ids)
    sources = []
    for (start, end), seq in zip(enc["offset_mapping"], seq_ids):
        source_text = text if seq in (0, None) else pair
        sources.append(source_text[start:end] if seq is not None and end > start else "")
    token_types = enc.get("token_type_ids") or [0] * len(ids)
    return TokenView(
        text=text,
        pair=pair,
        tokens=tokenizer.convert_ids_to_tokens(ids),
        sources=sources,
        input_ids=torch.tensor(ids, dtype=torch.long),
        token_type_ids=torch.tensor(token_types, dtype=torch.long),
        special=torch.tensor(enc["special_tokens_mask"], dtype=torch.bool),
        unk_id=tokenizer.unk_token_id,
        mask_id=tokenizer.mask_token_id,
        vocab_size=len(tokenizer),
    )


def one_hot(input_ids: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """One-hot rows ``(seq_len, vocab_size)`` float32: row i has a single 1 at column ``input_ids[i]``."""
    if input_ids.ndim != 1:
        raise ValueError(f"input_ids must be 1-D (seq_len,), got shape {tuple(input_ids.shape)}.")
    if len(input_ids) and (int(input_ids.max()) >= vocab_size or int(input_ids.min()) < 0):
        raise ValueError(f"an id lies outside the vocabulary of {vocab_size}.")
    return torch.nn.functional.one_hot(input_ids, vocab_size).to(torch.float32)


def one_hot_window(input_ids: torch.Tensor, vocab_size: int, neighbours: int = 1) -> tuple[list[int], torch.Tensor]:
    """A readable slice of the one-hot matrix: ``(columns, matrix (seq_len, len(columns)))``.

    The columns are the ids that occur, each with ``neighbours`` ids on either
    side (all-zero columns, to show what the other ~30,000 columns look like).
    """
    wanted = set()
    for i in input_ids.tolist():
        for j in range(i - neighbours, i + neighbours + 1):
            if 0 <= j < vocab_size:
                wanted.add(j)
    columns = sorted(wanted)
    return columns, one_hot(input_ids, vocab_size)[:, columns]


def sparsity(seq_len: int, vocab_size: int) -> float:
    """Share of entries that are zero in a ``(seq_len, vocab_size)`` one-hot matrix."""
    return 1.0 - seq_len / float(seq_len * vocab_size) if seq_len else 1.0


def one_hot_summary(seq_len: int, vocab_size: int, dim: int) -> dict[str, float]:
    """Sizes for the one-hot vs dense comparison: numbers stored, ones, zero share, dense numbers."""
    return {
        "one_hot_numbers": seq_len * vocab_size,
        "ones": seq_len,
        "zero_share": sparsity(seq_len, vocab_size),
        "dense_numbers": seq_len * dim,
    }


def one_hot_slice(tokenizer, view: TokenView, max_columns: int = 30) -> tuple[list[str], torch.Tensor]:
    """``(column labels "id token", matrix (seq_len, n_columns))`` for the readable one-hot slice.

    Shows each id's neighbouring (all-zero) columns too while that fits in ``max_columns``.
    """
    unique = len(set(view.input_ids.tolist()))
    neighbours = 1 if 3 * unique <= max_columns else 0
    columns, matrix = one_hot_window(view.input_ids, view.vocab_size, neighbours)
    names = tokenizer.convert_ids_to_tokens(columns)
    return [f"{c} {name}" for c, name in zip(columns, names)], matrix


def ordinary_ids(tokenizer) -> torch.Tensor:
    """Ids of real vocabulary entries (no ``[CLS]``-style or ``[unusedN]`` tokens), ``(n,)`` long.

    The masking demo draws its "random token" from these so the picture shows words.
    """
    vocab = tokenizer.get_vocab()
    keep = [i for tok, i in vocab.items() if not (tok.startswith("[") and tok.endswith("]"))]
    return torch.tensor(sorted(keep), dtype=torch.long)


def chip_kinds(view: TokenView) -> list[str]:
    """A colour class per token: "special", "unk", "piece" (``##`` continuation), "segment_b" or "word"."""
    kinds = []
    for tok, tid, special, seg in zip(view.tokens, view.input_ids.tolist(), view.special.tolist(),
                                      view.token_type_ids.tolist()):
        if special:
            kinds.append("special")
        elif view.unk_id is not None and tid == view.unk_id:
            kinds.append("unk")
        elif tok.startswith("##"):
            kinds.append("piece")
        else:
            kinds.append("segment_b" if seg == 1 else "word")
    return kinds
