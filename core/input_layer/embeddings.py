"""Step 2 of the input layer: the embedding lookup, exactly as BERT computes it.

    E = W_word[ids] + P[0..n-1] + W_type[token_type_ids]      (seq_len, dim)
    X = gamma * (E - mean(E)) / sqrt(var(E) + eps) + beta     (LayerNorm over dim)

``P`` is the model's learned position table, or (to see what position does)
the rows of any other positional-encoding kind that enters at the input
(sinusoidal, Vaswani et al.), or nothing at all (``none``). The kinds come
from the ``core.positional`` registry (:func:`position_kinds`). Dropout is off:
the model is in eval mode, so ``X`` is exactly what the first encoder layer gets.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch



def position_kinds() -> tuple[str, ...]:
    """The positional kinds whose rows can replace BERT's position part: those that enter at
    the input (sinusoidal, learned, ...) and ``none``; not RoPE/ALiBi/T5, which act inside attention."""
    from core import positional as pe

    return tuple(k for k in pe.kinds() if pe.where(k) != "attention")


def check_position_kind(kind: str) -> str:
    """``kind`` if it can be the input layer's position part; ValueError naming the ones that can."""
    from core import positional as pe

    if kind not in position_kinds():
        inside = f" {kind} acts inside attention, not on the input rows." if kind in pe.kinds() else ""
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


def position_part(embeddings_module, seq_len: int, kind: str = "learned") -> torch.Tensor:
    """The position rows added to the word embeddings, ``(seq_len, dim)`` float32.

    ``kind`` is a registered positional kind (see :func:`position_kinds`); its
    ``input_part`` gives the rows. learned: the model's own trained table
    (``position_embeddings.weight[:seq_len]``); sinusoidal: the fixed sine/cosine
    table (values in [-1, 1]; the model was not trained with it, so expect
    different downstream numbers); none: zeros, no word-order information at all.
    ValueError for an unknown kind or one that acts inside attention.
    """
    from core import positional as pe

    check_position_kind(kind)
    table = embeddings_module.position_embeddings.weight
    max_len, dim = table.shape
    if seq_len > max_len:
        raise ValueError(f"The model has {max_len} positions; the sentence has {seq_len} tokens.")
    rows = pe.get(kind).input_part(seq_len, dim, own_table=table.detach())
    return rows.to(device=table.device, dtype=torch.float32)


@torch.no_grad()
def embedding_steps(
    embeddings_module,
    input_ids: torch.Tensor,
    token_type_ids: torch.Tensor | None = None,
    position: str = "learned",
) -> EmbeddingSteps:
    """Compute the embedding layer step by step for one sentence.

    embeddings_module: a BERT ``BertEmbeddings`` (``model.embeddings``).
    input_ids, token_type_ids: long tensors ``(seq_len,)``.
    With ``position="learned"`` the result equals ``embeddings_module(input_ids[None],
    token_type_ids[None])[0]`` in eval mode.
    """
    if input_ids.ndim != 1:
        raise ValueError(f"input_ids must be 1-D (seq_len,), got shape {tuple(input_ids.shape)}.")
    if token_type_ids is None:
        token_type_ids = torch.zeros_like(input_ids)
    device = embeddings_module.word_embeddings.weight.device
    input_ids = input_ids.to(device)
    token_type_ids = token_type_ids.to(device)
    seq_len = input_ids.shape[0]

    word = embeddings_module.word_embeddings.weight[input_ids].float()
    pos = position_part(embeddings_module, seq_len, position)
    token_type = embeddings_module.token_type_embeddings.weight[token_type_ids].float()
    summed = word + pos + token_type

    norm = embeddings_module.LayerNorm
    mean = summed.mean(dim=-1, keepdim=True)
    var = summed.var(dim=-1, unbiased=False, keepdim=True)  # LayerNorm uses the biased variance
    standardized = (summed - mean) / torch.sqrt(var + norm.eps)
    final = standardized * norm.weight.float() + norm.bias.float()
    return EmbeddingSteps(
        position_kind=position,
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
