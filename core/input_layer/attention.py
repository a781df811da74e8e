"""Step 3: self-attention of the first encoder layer, head by head (Vaswani et al. 2017, sec. 3.2).

    H = X (post-LN BERT) or LN_1(X) (pre-LN EmbedLab BERT)             (seq_len, dim)
    Q = H W_Q^T + b_Q,  K = H W_K^T + b_K,  V = H W_V^T + b_V        (seq_len, dim)
    split into h heads of d_k = dim / h columns                         (h, seq_len, d_k)
    q, k <- R(p theta) q, R(s theta) k       RoPE only (Su et al. 2021)
    S = Q K^T / sqrt(d_k)  (+ B, ALiBi's -m_h |i - j|, Press et al. 2022)   (h, seq_len, seq_len)
    S[i, j] = -inf for j > i   causal models only (GPT): a token sees itself and earlier tokens
    A = softmax(S) over the key axis; head output = A V                 (h, seq_len, d_k)

Where the weights live and which of the optional steps apply is the model family's
business (``core.input_layer.families``). For one unpadded sentence no attention mask
is needed, so ``A`` equals the model's own ``output_attentions[0][0]``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class AttentionSteps:
    """q, k, v, context: ``(heads, seq_len, head_dim)``; scores, probs: ``(heads, seq_len, seq_len)``.

    q and k are what the scores use (rotated for RoPE). Row i of ``probs[h]`` is how much token i
    (the query) takes from each token (the keys); it sums to 1. position_scores: what position adds
    to the scores inside attention, ``(heads, seq_len, seq_len)`` (ALiBi: its bias -m_h |i - j|;
    RoPE: R q . R k / sqrt(d_k) - q . k / sqrt(d_k)), or None where position enters at the input
    or nowhere. mask: ``(seq_len, seq_len)`` bool, True where query i may attend to key j (a causal
    model's lower triangle), or None when every token sees every token; ``scores`` are q . k before
    the mask, ``probs`` are 0 where it forbids.
    """

    q: torch.Tensor
    k: torch.Tensor
    v: torch.Tensor
    scores: torch.Tensor
    probs: torch.Tensor
    context: torch.Tensor
    position_scores: torch.Tensor | None = None
    mask: torch.Tensor | None = None

    @property
    def heads(self) -> int:
        return self.q.shape[0]

    @property
    def head_dim(self) -> int:
        return self.q.shape[2]

    @property
    def dim(self) -> int:
        """Width of the input rows, ``heads * head_dim`` (384 for MiniLM)."""
        return self.heads * self.head_dim

    @property
    def content_scores(self) -> torch.Tensor:
        """The scores without what position adds inside attention, ``(heads, seq_len, seq_len)``."""
        return self.scores if self.position_scores is None else self.scores - self.position_scores

    def as_dict(self) -> dict[str, torch.Tensor]:
        out = {"q": self.q, "k": self.k, "v": self.v, "scores": self.scores, "probs": self.probs,
               "context": self.context}
        if self.position_scores is not None:
            out["position_scores"] = self.position_scores
        return out


@torch.no_grad()
def first_layer_attention(model, x: torch.Tensor) -> AttentionSteps:
    """First-layer attention of ``model`` (any family, or its family object) on the input rows ``x (seq_len, dim)``."""
    from core.input_layer.families import as_family

    if x.ndim != 2:
        raise ValueError(f"x must be (seq_len, dim), got shape {tuple(x.shape)}.")
    family = as_family(model)
    heads, dim = family.heads, x.shape[1]
    if dim % heads:
        raise ValueError(f"hidden size {dim} is not divisible by {heads} heads.")
    q, k, v = (m.float() for m in family.project_qkv(family.attention_input(x)))
    scale = math.sqrt(dim // heads)
    q_pos, k_pos = family.rotate(q, k)
    scores = q_pos @ k_pos.transpose(1, 2) / scale
    bias = family.score_bias(x.shape[0])
    if bias is not None:
        scores = scores + bias.to(scores.device)
    position_scores = None
    if family.where == "attention":
        position_scores = scores - q @ k.transpose(1, 2) / scale
    mask = family.attention_mask(x.shape[0])
    masked = scores if mask is None else scores.masked_fill(~mask.to(scores.device), float("-inf"))
    probs = torch.softmax(masked, dim=-1)
    context = probs @ v
    cpu = (lambda t: None if t is None else t.cpu())
    return AttentionSteps(q=cpu(q_pos), k=cpu(k_pos), v=cpu(v), scores=cpu(scores), probs=cpu(probs),
                          context=cpu(context), position_scores=cpu(position_scores), mask=cpu(mask))


def model_attentions(model, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
    """The model's own first-layer attention probabilities ``(heads, seq_len, seq_len)``.

    Needs a Hugging Face BERT loaded with ``attn_implementation="eager"`` (SDPA returns no probabilities).
    """
    from core.input_layer.families import as_family

    return as_family(model).own_attentions(input_ids, token_type_ids)
