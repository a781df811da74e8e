"""EmbedLab's own models (``model_type "embedlab-bert"`` and the causal ``"embedlab-gpt"``, :mod:`core.pretrain.model`).

Pre-LayerNorm blocks (x + Attn(LN_1(x))), one fused qkv projection, and a position
module ``bert.positions`` that says where position enters (``.where``) and puts it
there: rows added at the input (learned, sinusoidal), q/k rotated (RoPE, Su et al.
2021) or a bias added to the scores (ALiBi, Press et al. 2022), or nothing.

    X = LN(W_E[ids] + T[types] (+ P[pos]))                       (seq, d)
    [Q K V] = LN_1(X) W_qkv^T + b_qkv                             3 x (heads, seq, d_k)
    q, k <- R(p theta) q, R(s theta) k          (RoPE)
    S = q k^T / sqrt(d_k) (- m_h |i - j|)      (ALiBi)
    S[i, j] = -inf for j > i                    (embedlab-gpt: the causal mask)
"""
from __future__ import annotations

import torch

from core.input_layer.families import register
from core.input_layer.families.base import EncoderFamily


@register
class EmbedLabFamily(EncoderFamily):
    name = "embedlab-bert"
    order = 20
    description = "EmbedLab's own models (embedlab-bert and the causal embedlab-gpt, any position encoding)"
    attention_formula = (r"\tilde X = \mathrm{LN}_1(X),\quad [\,Q\;K\;V\,] = \tilde X W_{qkv}^{\top} + b_{qkv}"
                         r"\quad\text{(pre-LayerNorm)}")

    @classmethod
    def fits(cls, model) -> bool:
        base = getattr(model, "base_model", model)
        layers = getattr(base, "layers", None)
        return (hasattr(getattr(base, "positions", None), "where") and hasattr(base, "embeddings") and bool(layers)
                and hasattr(getattr(layers[0], "attention", None), "qkv") and hasattr(layers[0], "ln_1"))

    @property
    def positions(self):
        return self.base.positions

    @property
    def position_encoding(self) -> str:
        return self.config.position_encoding

    @property
    def where(self) -> str:
        return self.positions.where

    def embedding_parts(self):
        from core.input_layer.embeddings import EmbeddingParts

        emb, positions = self.base.embeddings, self.positions
        table = getattr(positions, "table", None)  # the learned kind's trained table
        return EmbeddingParts(
            word=emb.word_embeddings.weight.detach(), token_type=emb.token_type_embeddings.weight.detach(),
            layer_norm=emb.LayerNorm,
            own_kind=self.position_encoding if self.where == "input" else "none",
            own_rows=lambda n: positions.input(n, emb.word_embeddings.weight.device, torch.float32),
            position_table=None if table is None else table.weight.detach(),
            max_positions=int(self.config.max_position_embeddings))

    def attention_input(self, x):
        layer = self.base.layers[0]
        return layer.ln_1(x.to(layer.ln_1.weight.device, layer.ln_1.weight.dtype))

    def project_qkv(self, h):
        attn = self.base.layers[0].attention
        n = h.shape[0]
        qkv = attn.qkv(h).view(n, 3, attn.heads, attn.head_dim).permute(1, 2, 0, 3)  # (3, heads, seq, d_k)
        return qkv[0], qkv[1], qkv[2]

    def rotate(self, q, k):
        return self.positions.rotate(q, k)

    def score_bias(self, seq_len):
        bias = self.positions.bias(seq_len, self.device, torch.float32)
        return None if bias is None else bias.float()

    def own_embeddings(self, input_ids, token_type_ids):
        with torch.no_grad():
            return self.base.embeddings(input_ids[None].to(self.device), self.positions,
                                        token_type_ids[None].to(self.device))[0].float().cpu()
