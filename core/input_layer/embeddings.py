"""Step 2 of the input layer: the embedding lookup, exactly as the model computes it.

    E = W_word[ids] + P[0..n-1] + W_type[token_type_ids]      (seq_len, dim)
    X = gamma * (E - mean(E)) / sqrt(var(E) + eps) + beta     (LayerNorm over dim)

``P`` is the model's own position part: BERT's learned table, an EmbedLab model's
learned or sinusoidal rows, or nothing at all for a model whose position enters
inside attention (RoPE, ALiBi) or nowhere. To see what position does, ``P`` can be
swapped for the rows of any other positional-encoding kind that enters at the input
(sinusoidal, Vaswani et al.), or for nothing (``none``). The kinds come from the
``core.positional`` registry (:func:`position_kinds`). Dropout is off: the model is
in eval mode, so ``X`` is exactly what the first encoder layer gets.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch


def position_kinds() -> tuple[str, ...]:
    """The positional kinds whose rows can replace BERT's position part: those that enter at
    the input (sinusoidal, learned, ...) and ``none``; not RoPE/ALiBi/T5, which act inside attention."""
    from core import positional as pe

    return tuple(k for k in pe.names() if pe.where(k) != "attention")


def check_position_kind(kind: str) -> str:
    """``kind`` if it can be the input layer's position part; ValueError naming the ones that can."""
    from core import positional as pe

    if kind not in position_kinds():
        inside = f" {kind} acts inside attention, not on the input rows." if kind in pe.names() else ""
        raise ValueError(f"Unknown position kind {kind!r} for the input layer;{inside} "
                         f"choose one of: {', '.join(position_kinds())}.")
    return kind


POSITION_KINDS = position_kinds()  # the built-in ones at import time; ask position_kinds() for the live list


@dataclass(frozen=True)
class EmbeddingSteps:
    """Each intermediate matrix of the embedding layer, all ``(seq_len, dim)`` float32.

    word: the rows of the word-embedding table picked by the ids.
    position: the position part added (learned rows, sinusoidal rows or zeros).
    token_type: the segment rows (row 0 for sentence A, row 1 for sentence B).
    summed: word + position + token_type.
    standardized: summed with each row shifted to mean 0 and scaled to variance 1.
    final: standardized * gamma + beta (LayerNorm output), the input of layer 1.
    """

    position_kind: str
    word: torch.Tensor
    position: torch.Tensor
    token_type: torch.Tensor
    summed: torch.Tensor
    standardized: torch.Tensor
    final: torch.Tensor

    def as_dict(self) -> dict[str, torch.Tensor]:
        """The matrices by name, in the order they are computed."""
        return {
            "word": self.word,
            "position": self.position,
            "token_type": self.token_type,
            "sum": self.summed,
            "standardized": self.standardized,
            "layernorm": self.final,
        }

    def mean_row_norms(self) -> dict[str, float]:
        """Average length (L2 norm) of a row of each matrix: how loud each part is in the sum."""
        return {name: float(m.norm(dim=-1).mean()) for name, m in self.as_dict().items()}


@dataclass(frozen=True)
class EmbeddingParts:
    """The pieces of a model's embedding layer, wherever its family keeps them.

    word: W_E ``(vocab, dim)``; token_type: T ``(types, dim)``; layer_norm: the LayerNorm module.
    own_kind: the positional kind whose rows the model adds at the input ("none" when it adds
        none: RoPE and ALiBi act inside attention).
    own_rows: ``seq_len -> (seq_len, dim)`` the model's own position rows, or None when it adds none.
    position_table: a trained position table ``(max_positions, dim)`` a swapped-in kind may read
        (the ``learned`` kind), or None when the model has none.
    max_positions: the longest input the model accepts.
    """

    word: torch.Tensor
    token_type: torch.Tensor
    layer_norm: torch.nn.LayerNorm
    own_kind: str
    own_rows: Callable[[int], torch.Tensor | None]
    position_table: torch.Tensor | None
    max_positions: int

    @property
    def dim(self) -> int:
        return self.word.shape[1]

    @classmethod
    def of_bert_embeddings(cls, module) -> "EmbeddingParts":
        """The parts of a Hugging Face ``BertEmbeddings`` (word, learned position, token-type tables, LayerNorm)."""
        table = module.position_embeddings.weight.detach()
        return cls(word=module.word_embeddings.weight.detach(), token_type=module.token_type_embeddings.weight.detach(),
                   layer_norm=module.LayerNorm, own_kind="learned", own_rows=lambda n: table[:n],
                   position_table=table, max_positions=table.shape[0])


def embedding_parts(source) -> EmbeddingParts:
    """``source``'s :class:`EmbeddingParts`: parts, a model (or its family), or a BERT embeddings module."""
    if isinstance(source, EmbeddingParts):
        return source
    if all(hasattr(source, p) for p in ("word_embeddings", "position_embeddings", "token_type_embeddings", "LayerNorm")):
        return EmbeddingParts.of_bert_embeddings(source)  # BERT's embeddings module on its own
    from core.input_layer.families import as_family

    return as_family(source).embedding_parts()


def _rows_of(kind: str, seq_len: int, parts: EmbeddingParts) -> torch.Tensor:
    """``kind``'s rows for this model, ``(seq_len, dim)``; the model's own rows when ``kind`` is its own."""
    from core import positional as pe

    if kind == parts.own_kind:
        rows = parts.own_rows(seq_len)
        return torch.zeros(seq_len, parts.dim) if rows is None else rows.detach()
    # A table the model lacks reads as an empty one, so "learned" fails instead of borrowing MiniLM's.
    table = parts.position_table if parts.position_table is not None else torch.empty(0, parts.dim)
    return pe.get(kind).input_part(seq_len, parts.dim, own_table=table)


def position_choices(source) -> tuple[str, ...]:
    """The position parts this model's input can take, in registry order: its own, and every kind of
    :func:`position_kinds` whose rows exist for it (``learned`` only where the model has a trained table)."""
    parts = embedding_parts(source)
    out = []
    for kind in position_kinds():
        try:
            _rows_of(kind, 1, parts)
        except ValueError:
            continue
        out.append(kind)
    return tuple(out)


def position_part(source, seq_len: int, kind: str | None = None) -> torch.Tensor:
    """The position rows added to the word embeddings, ``(seq_len, dim)`` float32.

    source: see :func:`embedding_parts`. ``kind`` None: the model's own (zeros when it adds none
    at the input). Otherwise a registered positional kind (see :func:`position_kinds`); its
    ``input_part`` gives the rows. learned: the model's own trained table
    (``position_embeddings.weight[:seq_len]``); sinusoidal: the fixed sine/cosine table (values in
    [-1, 1]; a model not trained with it gives different downstream numbers); none: zeros, no
    word-order information at all. ValueError for an unknown kind, one that acts inside attention,
    one this model cannot supply, or more tokens than the model's positions.
    """
    parts = embedding_parts(source)
    kind = parts.own_kind if kind is None else check_position_kind(kind)
    if seq_len > parts.max_positions:
        raise ValueError(f"The model has {parts.max_positions} positions; the sentence has {seq_len} tokens.")
    rows = _rows_of(kind, seq_len, parts)
    return rows.to(device=parts.word.device, dtype=torch.float32)


@torch.no_grad()
def embedding_steps(
    source,
    input_ids: torch.Tensor,
    token_type_ids: torch.Tensor | None = None,
    position: str | None = None,
) -> EmbeddingSteps:
    """Compute the embedding layer step by step for one sentence.

    source: a model (any family :func:`core.input_layer.families.as_family` knows), its family, its
        :class:`EmbeddingParts`, or a BERT ``BertEmbeddings`` module (``model.embeddings``).
    input_ids, token_type_ids: long tensors ``(seq_len,)``.
    position: the position part's kind; None (default) is the model's own, and then the result
    equals the model's own embeddings module in eval mode.
    """
    if input_ids.ndim != 1:
        raise ValueError(f"input_ids must be 1-D (seq_len,), got shape {tuple(input_ids.shape)}.")
    parts = embedding_parts(source)
    if token_type_ids is None:
        token_type_ids = torch.zeros_like(input_ids)
    device = parts.word.device
    input_ids = input_ids.to(device)
    token_type_ids = token_type_ids.to(device)
    seq_len = input_ids.shape[0]
    kind = parts.own_kind if position is None else position

    word = parts.word[input_ids].float()
    pos = position_part(parts, seq_len, kind)
    token_type = parts.token_type[token_type_ids].float()
    summed = word + pos + token_type

    norm = parts.layer_norm
    mean = summed.mean(dim=-1, keepdim=True)
    var = summed.var(dim=-1, unbiased=False, keepdim=True)  # LayerNorm uses the biased variance
    standardized = (summed - mean) / torch.sqrt(var + norm.eps)
    final = standardized * norm.weight.float() + norm.bias.float()
    return EmbeddingSteps(
        position_kind=kind,
        word=word.cpu(),
        position=pos.cpu(),
        token_type=token_type.cpu(),
        summed=summed.cpu(),
        standardized=standardized.cpu(),
        final=final.cpu(),
    )


def cosine_matrix(rows: torch.Tensor) -> torch.Tensor:
    """Cosine similarity between every pair of rows, ``(n, n)``; an all-zero row scores 0."""
    norms = rows.norm(dim=-1, keepdim=True)
    unit = rows / norms.clamp_min(1e-12)
    return unit @ unit.T
