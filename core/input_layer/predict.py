"""What a language model guesses: a masked LM at each [MASK], a causal LM the token after each position.

    p(w | x~) = softmax(logits_i)_w,  logits_i = MLM-head(h_i)  (vocab,)      Devlin et al. 2019, sec. 3.1
    p(x_{i+1} = w | x_1..x_i) = softmax(h_i E^T)_w                            Radford et al. 2018 (GPT)

BERT's head (and EmbedLab's) is LN(GELU(W h_i)) W_E^T + b: a transform of the last hidden
row, scored against every row of the word-embedding table. ``top_k`` keeps the k most
probable tokens; their probabilities are the softmax over the whole vocabulary, so they
sum to at most 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from core.input_layer.families import as_family
from core.input_layer.tokens import MAX_TOKENS, tokenize

TOP_K = 5


@dataclass(frozen=True)
class MaskGuess:
    """The model's guesses at one position of the sequence.

    position: index of the token (``[CLS]`` is 0); shown: the token the model read there
    (``[MASK]``, a random token, or the original kept); original: the token that stood there
    before masking (None when unknown, e.g. a sentence typed with [MASK]); tokens, probs: the
    ``top_k`` guesses, most probable first, with p = softmax(logits) over the whole vocabulary.
    """

    position: int
    shown: str
    original: str | None
    tokens: tuple[str, ...]
    probs: tuple[float, ...]

    @property
    def rank_of_original(self) -> int | None:
        """1-based rank of the original token among the guesses, or None (not among them, or unknown)."""
        if self.original is None or self.original not in self.tokens:
            return None
        return self.tokens.index(self.original) + 1


@torch.no_grad()
def guess_at(model, tokenizer, input_ids: torch.Tensor, positions, token_type_ids: torch.Tensor | None = None,
             original_ids: torch.Tensor | None = None, top_k: int = TOP_K) -> list[MaskGuess]:
    """The ``top_k`` guesses of ``model``'s MLM head at each of ``positions`` in ``input_ids (seq_len,)``.

    original_ids ``(seq_len,)``: the ids before masking, to name the right answer. ValueError
    when the model has no MLM head, ``top_k`` is not positive, or a position is out of range.
    """
    family = as_family(model)
    if input_ids.ndim != 1:
        raise ValueError(f"input_ids must be 1-D (seq_len,), got shape {tuple(input_ids.shape)}.")
    positions = [int(p) for p in positions]
    if any(not 0 <= p < len(input_ids) for p in positions):
        raise ValueError(f"positions must lie in 0..{len(input_ids) - 1}, got {positions}.")
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}.")
    logits = family.mlm_logits(input_ids, token_type_ids)  # (seq_len, vocab)
    k = min(top_k, logits.shape[1])
    shown = tokenizer.convert_ids_to_tokens(input_ids.tolist())
    originals = tokenizer.convert_ids_to_tokens(original_ids.tolist()) if original_ids is not None else None
    out = []
    for p in positions:
        top = logits[p].softmax(-1).topk(k)
        out.append(MaskGuess(
            position=p, shown=shown[p], original=None if originals is None else originals[p],
            tokens=tuple(tokenizer.convert_ids_to_tokens(top.indices.tolist())),
            probs=tuple(float(v) for v in top.values)))
    return out


def guess_masks(model, tokenizer, text: str, pair: str | None = None, top_k: int = TOP_K,
                max_tokens: int = MAX_TOKENS) -> list[MaskGuess]:
    """The ``top_k`` guesses at every ``[MASK]`` written in ``text`` (and ``pair``), in order.

    ValueError when the text has no [MASK], is empty or too long, or the model has no MLM head.
    """
    mask = tokenizer.mask_token
    view = tokenize(tokenizer, text, pair, max_tokens=max_tokens)
    where = (view.input_ids == view.mask_id).nonzero().flatten().tolist() if view.mask_id is not None else []
    if not where:
        raise ValueError(f"write {mask} where the model should guess a token, e.g. The cat sat on the {mask}.")
    return guess_at(model, tokenizer, view.input_ids, where, view.token_type_ids, top_k=top_k)


@torch.no_grad()
def guess_next(model, tokenizer, text: str, top_k: int = TOP_K, max_tokens: int = MAX_TOKENS) -> list[MaskGuess]:
    """A causal LM's ``top_k`` guesses for the token after each position of ``text`` (read without [CLS]/[SEP]).

    Guess i: ``shown`` = the token at i (the last one the model has read), ``original`` = the token
    that really comes next (None after the last), ``tokens`` / ``probs`` = the guesses. ValueError
    when the model has no next-token head or the text is empty or too long.
    """
    family = as_family(model)
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}.")
    view = tokenize(tokenizer, text, None, max_tokens=max_tokens, special_tokens=False)
    logits = family.next_logits(view.input_ids)  # (seq_len, vocab); row i scores token i + 1
    k = min(top_k, logits.shape[1])
    out = []
    for i in range(view.seq_len):
        top = logits[i].softmax(-1).topk(k)
        out.append(MaskGuess(
            position=i, shown=view.tokens[i], original=view.tokens[i + 1] if i + 1 < view.seq_len else None,
            tokens=tuple(tokenizer.convert_ids_to_tokens(top.indices.tolist())),
            probs=tuple(float(v) for v in top.values)))
    return out
