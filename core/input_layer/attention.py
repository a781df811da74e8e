"""Step 3: self-attention of the first encoder layer, head by head.

    Q = X W_Q^T + b_Q,  K = X W_K^T + b_K,  V = X W_V^T + b_V        (seq_len, dim)
    split into h heads of d_k = dim / h columns                         (h, seq_len, d_k)
    S = Q K^T / sqrt(d_k)                                               (h, seq_len, seq_len)
    A = softmax(S) over the key axis; head output = A V                 (h, seq_len, d_k)

For one unpadded sentence no attention mask is needed, so ``A`` equals the
model's own ``output_attentions[0][0]``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class AttentionSteps:
    """q, k, v, context: ``(heads, seq_len, head_dim)``; scores, probs: ``(heads, seq_len, seq_len)``.

    Row i of ``probs[h]`` is how much token i (the query) takes from each token (the keys); it sums to 1.
    """

    q: torch.Tensor
    k: torch.Tensor
    v: torch.Tensor
    scores: torch.Tensor
    probs: torch.Tensor
    context: torch.Tensor

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

    def as_dict(self) -> dict[str, torch.Tensor]:
        return {"q": self.q, "k": self.k, "v": self.v, "scores": self.scores, "probs": self.probs, "context": self.context}


def _split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    seq_len, dim = x.shape
    return x.view(seq_len, heads, dim // heads).transpose(0, 1).contiguous()


@torch.no_grad()
def first_layer_attention(model, x: torch.Tensor) -> AttentionSteps:
    """Attention of ``model.encoder.layer[0]`` on the input matrix ``x`` ``(seq_len, dim)``."""
    if x.ndim != 2:
        raise ValueError(f"x must be (seq_len, dim), got shape {tuple(x.shape)}.")
    attn = model.encoder.layer[0].attention.self
    heads = model.config.num_attention_heads
    dim = x.shape[1]
    if dim % heads:
        raise ValueError(f"hidden size {dim} is not divisible by {heads} heads.")
    x = x.to(attn.query.weight.device, attn.query.weight.dtype)
    q = _split_heads(attn.query(x), heads).float()
    k = _split_heads(attn.key(x), heads).float()
    v = _split_heads(attn.value(x), heads).float()
    scores = q @ k.transpose(1, 2) / math.sqrt(dim // heads)
    probs = torch.softmax(scores, dim=-1)
    context = probs @ v
    return AttentionSteps(q=q.cpu(), k=k.cpu(), v=v.cpu(), scores=scores.cpu(), probs=probs.cpu(), context=context.cpu())


@torch.no_grad()
def model_attentions(model, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
    """The model's own first-layer attention probabilities ``(heads, seq_len, seq_len)``.

    Needs a model loaded with ``attn_implementation="eager"`` (SDPA returns no probabilities).
    """
    device = next(model.parameters()).device
    kwargs = {"input_ids": input_ids[None].to(device), "output_attentions": True}
    if token_type_ids is not None:
        kwargs["token_type_ids"] = token_type_ids[None].to(device)
    out = model(**kwargs)
    if not out.attentions or out.attentions[0] is None:
        raise ValueError("The model returned no attention probabilities; load it with attn_implementation='eager'.")
    return out.attentions[0][0].float().cpu()
