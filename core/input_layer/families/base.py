"""What the input-layer walk asks of a model, whatever family it belongs to.

The walk (``walk.py``) computes every step itself from the model's weights and
checks the result against the model's own modules. Families differ in where the
weights live and in a few steps (post-LN BERT versus pre-LN EmbedLab BERT; a
learned position table at the input versus RoPE or ALiBi inside attention), so
each family is one short file that answers the verbs below:

    embedding_parts()            word / token-type tables, LayerNorm, own position rows
    attention_input(x)           what the first layer's Q, K, V projections read  (seq, d)
    project_qkv(h)               Q, K, V split into heads                         3 x (heads, seq, d_k)
    rotate(q, k)                 q, k after position is put in them (RoPE), else unchanged
    score_bias(seq_len)          what is added to the scores (ALiBi), (heads, seq, seq) or None
    causal                       True when a token attends only to itself and earlier tokens (GPT)
    own_embeddings / own_attentions / mlm_logits / next_logits   the model's own outputs, to verify against

Each family is one file of ``core/input_layer/families/`` decorated with
``families.register``; ``families.as_family`` wraps a model in the first family
(in declared ``order``) that fits it. No code outside a family's file looks at
its module layout.
"""
from __future__ import annotations

import torch

class EncoderFamily:
    """Base: one model of a family, its first layer taken apart. Subclasses override what differs.

    ``model`` is what was loaded (maybe with an MLM head); ``base`` is its encoder
    (``model.base_model``: the part with the embeddings and the layers).
    """

    name: str = "base"  # short family name, printed by the CLI
    order: int = 100  # families are tried in this order (the most common first)
    description: str = ""  # what the family covers, for error messages
    # LaTeX of the first layer's Q, K, V (shown next to the Q/K/V figure)
    attention_formula: str = r"Q = X W_Q^{\top} + b_Q,\quad K = X W_K^{\top} + b_K,\quad V = X W_V^{\top} + b_V"

    def __init__(self, model):
        self.model = model
        self.base = getattr(model, "base_model", model)

    @classmethod
    def fits(cls, model) -> bool:
        """Whether ``model`` has this family's layout."""
        raise NotImplementedError

    # ------------------------------------------------------------------ facts

    @property
    def config(self):
        return self.base.config

    @property
    def position_encoding(self) -> str:
        """The model's position encoding, a ``core.positional`` kind: learned, sinusoidal, rope, alibi, none."""
        raise NotImplementedError

    @property
    def where(self) -> str:
        """Where position enters: "input" (added to the token rows), "attention" (RoPE, ALiBi) or "none"."""
        from core import positional as pe

        return pe.where(self.position_encoding)

    @property
    def heads(self) -> int:
        return int(self.config.num_attention_heads)

    @property
    def has_mlm_head(self) -> bool:
        """Whether the loaded model predicts tokens (a masked-LM head on top of the encoder)."""
        return self.model is not self.base and type(self.model).__name__.endswith(("ForMaskedLM", "ForPreTraining"))

    @property
    def causal(self) -> bool:
        """Whether attention is masked to the past: query i sees keys j <= i only (GPT-style models)."""
        return bool(getattr(self.config, "causal", False) or getattr(self.config, "is_decoder", False))

    @property
    def has_lm_head(self) -> bool:
        """Whether the loaded model predicts the next token (a causal-LM head)."""
        return self.model is not self.base and type(self.model).__name__.endswith(("ForCausalLM", "LMHeadModel"))

    @property
    def predicts(self) -> str | None:
        """What the loaded model's head guesses: "masked" ([MASK] tokens), "next" (the next token) or None."""
        return "masked" if self.has_mlm_head else "next" if self.has_lm_head else None

    @property
    def special_tokens(self) -> bool:
        """Whether a sentence is read with [CLS] ... [SEP] (BERT) or as it is (a causal LM never saw [CLS])."""
        return not self.causal

    def attention_mask(self, seq_len: int) -> torch.Tensor | None:
        """``(seq, seq)`` bool, True where query i may attend to key j (j <= i for a causal model), or None (all)."""
        if not self.causal:
            return None
        return torch.ones(seq_len, seq_len, dtype=torch.bool).tril()

    @property
    def device(self) -> torch.device:
        return next(self.base.parameters()).device

    def facts(self) -> dict:
        """Sizes for captions and the CLI: layers, dim, heads, positions, vocab, position, where, mlm_head."""
        c = self.config
        return {"family": self.name, "layers": int(c.num_hidden_layers), "dim": int(c.hidden_size),
                "heads": self.heads, "positions": int(c.max_position_embeddings), "vocab": int(c.vocab_size),
                "position": self.position_encoding, "where": self.where, "mlm_head": self.has_mlm_head,
                "causal": self.causal, "predicts": self.predicts}

    # ------------------------------------------------------------------ the steps

    def embedding_parts(self):
        """The pieces of the embedding layer, a :class:`core.input_layer.embeddings.EmbeddingParts`."""
        raise NotImplementedError

    def attention_input(self, x: torch.Tensor) -> torch.Tensor:
        """What the first layer's projections read, ``(seq, d)``: the input rows themselves (post-LN BERT)."""
        return x

    def project_qkv(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Q, K, V of the first layer for ``h (seq, d)``, each ``(heads, seq, d_k)`` in the model's dtype."""
        raise NotImplementedError

    def rotate(self, q: torch.Tensor, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """q, k ``(heads, seq, d_k)`` after position is put into them (RoPE); unchanged by default."""
        return q, k

    def score_bias(self, seq_len: int) -> torch.Tensor | None:
        """What position adds to the scores, ``(heads, seq, seq)`` float32 (ALiBi), or None."""
        return None

    # ------------------------------------------------------------------ the model's own outputs

    def own_embeddings(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        """The model's embedding module on ``(seq,)`` ids: ``(seq, d)`` float32 on the CPU."""
        raise NotImplementedError

    def own_attentions(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """The model's own first-layer attention probabilities ``(heads, seq, seq)`` float32 on the CPU.

        Needs eager attention for Hugging Face BERT (SDPA returns no probabilities).
        """
        kwargs = {"input_ids": input_ids[None].to(self.device), "output_attentions": True}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids[None].to(self.device)
        with torch.no_grad():
            out = self.base(**kwargs)
        if not out.attentions or out.attentions[0] is None:
            raise ValueError("The model returned no attention probabilities; load it with attn_implementation='eager'.")
        return out.attentions[0][0].float().cpu()

    def mlm_logits(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """The masked-LM head's logits for ``(seq,)`` ids: ``(seq, vocab)`` float32 on the CPU.

        ValueError when the model has no MLM head.
        """
        if not self.has_mlm_head:
            raise ValueError(f"{type(self.model).__name__} has no masked-LM head, so it cannot guess [MASK] tokens.")
        kwargs = {"input_ids": input_ids[None].to(self.device)}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids[None].to(self.device)
        with torch.no_grad():
            return self.model(**kwargs).logits[0].float().cpu()

    def next_logits(self, input_ids: torch.Tensor) -> torch.Tensor:
        """The causal-LM head's logits for ``(seq,)`` ids: ``(seq, vocab)`` float32 on the CPU; row i scores token i + 1.

        ValueError when the model has no causal-LM head.
        """
        if not self.has_lm_head:
            raise ValueError(f"{type(self.model).__name__} has no next-token head, so it cannot continue a text.")
        with torch.no_grad():
            return self.model(input_ids=input_ids[None].to(self.device)).logits[0].float().cpu()

