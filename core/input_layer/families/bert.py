"""Hugging Face BERT (MiniLM and other ``BertModel`` / ``BertForMaskedLM`` checkpoints).

Post-LayerNorm (Devlin et al. 2019): the first layer's projections read the embedding
output X directly; position is a learned table added at the input.

    X = LN(W_E[ids] + P[pos] + T[types])                         (seq, d)
    Q = X W_Q^T + b_Q,  K = X W_K^T + b_K,  V = X W_V^T + b_V     split into (heads, seq, d_k)
"""
from __future__ import annotations

import torch

from core.input_layer.families import register
from core.input_layer.families.base import EncoderFamily


def _split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """``(seq, heads * d_k) -> (heads, seq, d_k)``."""
    seq_len, dim = x.shape
    return x.view(seq_len, heads, dim // heads).transpose(0, 1).contiguous()


@register
class BertFamily(EncoderFamily):
    name = "bert"
    order = 10
    description = "Hugging Face BERT checkpoints with absolute positions (such as the shipped MiniLM)"

    @classmethod
    def fits(cls, model) -> bool:
        base = getattr(model, "base_model", model)
        emb = getattr(base, "embeddings", None)
        layers = getattr(getattr(base, "encoder", None), "layer", None)
        parts = ("word_embeddings", "position_embeddings", "token_type_embeddings", "LayerNorm")
        return (emb is not None and all(hasattr(emb, p) for p in parts) and bool(layers)
                and hasattr(getattr(layers[0], "attention", None), "self")
                and getattr(base.config, "position_embedding_type", "absolute") == "absolute")

    @property
    def position_encoding(self) -> str:
        return "learned"

    def embedding_parts(self):
        from core.input_layer.embeddings import EmbeddingParts

        return EmbeddingParts.of_bert_embeddings(self.base.embeddings)

    def project_qkv(self, h):
        attn = self.base.encoder.layer[0].attention.self
        h = h.to(attn.query.weight.device, attn.query.weight.dtype)
        return tuple(_split_heads(proj(h), self.heads) for proj in (attn.query, attn.key, attn.value))

    def own_embeddings(self, input_ids, token_type_ids):
        with torch.no_grad():
            return self.base.embeddings(input_ids=input_ids[None].to(self.device),
                                        token_type_ids=token_type_ids[None].to(self.device))[0].float().cpu()
