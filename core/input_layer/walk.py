"""One call that walks a sentence through the whole input layer (page and CLI use it)."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from core.input_layer.attention import AttentionSteps, first_layer_attention, model_attentions
from core.input_layer.embeddings import EmbeddingSteps, cosine_matrix, embedding_steps
from core.input_layer.tokens import MAX_TOKENS, TokenView, tokenize


@dataclass(frozen=True)
class InputWalk:
    """Everything the input layer computes for one sentence.

    tokens: the tokenization; steps: the embedding matrices ``(seq_len, dim)``;
    attention: first-layer Q/K/V/scores/probs computed from ``steps.final``;
    position_similarity, input_similarity: cosine ``(seq_len, seq_len)`` between
    the position rows and between the final input rows;
    embeddings_error, attention_error: largest absolute difference to what the
    model itself computes (only when the position part is the model's own table, else None).
    """

    tokens: TokenView
    steps: EmbeddingSteps
    attention: AttentionSteps
    position_similarity: torch.Tensor
    input_similarity: torch.Tensor
    embeddings_error: float | None
    attention_error: float | None

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of every step, in order (what ``python -m core inspect`` prints)."""
        out = {"input_ids": tuple(self.tokens.input_ids.shape),
               "one_hot": (self.tokens.seq_len, self.tokens.vocab_size)}
        out.update({name: tuple(m.shape) for name, m in self.steps.as_dict().items()})
        out.update({name: tuple(m.shape) for name, m in self.attention.as_dict().items()})
        return out


def check_bert(model) -> None:
    """Raise ``ValueError`` unless ``model`` has BERT's embeddings module and encoder layout."""
    emb = getattr(model, "embeddings", None)
    parts = ("word_embeddings", "position_embeddings", "token_type_embeddings", "LayerNorm")
    layers = getattr(getattr(model, "encoder", None), "layer", None)
    if emb is None or not all(hasattr(emb, p) for p in parts) or not layers \
            or not hasattr(getattr(layers[0], "attention", None), "self"):
        raise ValueError(
            f"{type(model).__name__} is not a BERT-style encoder (word + learned position + token-type "
            "embeddings, then BertSelfAttention); the input-layer walk supports BERT checkpoints such as MiniLM."
        )


def load_input_model(model=None):
    """The model with eager attention (so it can return attention probabilities), in eval mode."""
    from core.models import load_model

    net = load_model(model, attn_implementation="eager")
    check_bert(net)
    net.eval()
    return net


@torch.no_grad()
def walk(model, tokenizer, text: str, pair: str | None = None, position: str = "learned",
         max_tokens: int = MAX_TOKENS, verify: bool = True) -> InputWalk:
    """Tokenize ``text`` (and ``pair``), then compute every input-layer step.

    position: a kind of ``core.input_layer.position_kinds()`` for the position part: "learned"
        (the model's own), "sinusoidal", "none", ...
    verify: when the position part is the model's own, also run the model's own modules and
        report the largest difference.
    """
    check_bert(model)
    view = tokenize(tokenizer, text, pair, max_tokens=max_tokens)
    steps = embedding_steps(model.embeddings, view.input_ids, view.token_type_ids, position=position)
    attention = first_layer_attention(model, steps.final)
    emb_err = att_err = None
    own = model.embeddings.position_embeddings.weight[: view.seq_len].detach().float().cpu()
    if verify and torch.equal(steps.position, own):  # the model's own position rows: compare with the model
        device = model.embeddings.word_embeddings.weight.device
        own = model.embeddings(input_ids=view.input_ids[None].to(device),
                               token_type_ids=view.token_type_ids[None].to(device))[0].float().cpu()
        emb_err = float((own - steps.final).abs().max())
        att_err = float((model_attentions(model, view.input_ids, view.token_type_ids) - attention.probs).abs().max())
    return InputWalk(
        tokens=view,
        steps=steps,
        attention=attention,
        position_similarity=cosine_matrix(steps.position),
        input_similarity=cosine_matrix(steps.final),
        embeddings_error=emb_err,
        attention_error=att_err,
    )
