"""One call that walks a sentence through the whole input layer (page and CLI use it).

Works for every model family ``core.input_layer.families`` knows (Hugging Face BERT such
as MiniLM, EmbedLab's own masked-LM models with any of the five position encodings):
the sums are ours, and where the position part is the model's own they are checked
against the model's own embeddings module and first-layer attention probabilities.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from core.input_layer.attention import AttentionSteps, first_layer_attention
from core.input_layer.embeddings import EmbeddingSteps, cosine_matrix, embedding_steps, position_part
from core.input_layer.families import as_family
from core.input_layer.tokens import MAX_TOKENS, TokenView, tokenize


@dataclass(frozen=True)
class InputWalk:
    """Everything the input layer computes for one sentence.

    tokens: the tokenization; steps: the embedding matrices ``(seq_len, dim)``;
    attention: first-layer Q/K/V/scores/probs computed from ``steps.final``;
    position_similarity, input_similarity: cosine ``(seq_len, seq_len)`` between
    the position rows and between the final input rows;
    embeddings_error, attention_error: largest absolute difference to what the
    model itself computes (only when the position part is the model's own, else None);
    family: the model family ("bert", "embedlab-bert"); position_encoding: the model's own
    encoding (learned, sinusoidal, rope, alibi, none); where: where it enters ("input",
    "attention", "none"); causal: whether each token attends only to itself and earlier ones (GPT).
    """

    tokens: TokenView
    steps: EmbeddingSteps
    attention: AttentionSteps
    position_similarity: torch.Tensor
    input_similarity: torch.Tensor
    embeddings_error: float | None
    attention_error: float | None
    family: str = "bert"
    position_encoding: str = "learned"
    where: str = "input"
    causal: bool = False

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shape of every step, in order (what ``python -m core inspect`` prints)."""
        out = {"input_ids": tuple(self.tokens.input_ids.shape),
               "one_hot": (self.tokens.seq_len, self.tokens.vocab_size)}
        out.update({name: tuple(m.shape) for name, m in self.steps.as_dict().items()})
        out.update({name: tuple(m.shape) for name, m in self.attention.as_dict().items()})
        return out


def model_class_for(model=None, *, user=None) -> str:
    """The transformers Auto class that loads ``model`` with its language-model head when it has one, else without.

    Masked-LM (and MLM + NSP) models -> ``AutoModelForMaskedLM``, causal LMs ->
    ``AutoModelForCausalLM``, anything else -> ``AutoModel``. Reads only the config
    (``architectures``); EmbedLab's own model types are registered first. ``user``: the acting
    person in class mode (``core.models.resolve_model``).
    """
    from transformers import AutoConfig

    from core.models import resolve_model
    from core.pretrain import register

    register()
    config = AutoConfig.from_pretrained(resolve_model(model, user=user), trust_remote_code=False)
    heads = config.architectures or []
    if any(a.endswith(("ForMaskedLM", "ForPreTraining")) for a in heads):
        return "AutoModelForMaskedLM"
    if any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in heads):
        return "AutoModelForCausalLM"
    return "AutoModel"


def load_input_model(model=None, *, user=None):
    """The model (with its MLM head when it has one) with eager attention, in eval mode.

    Eager attention lets a Hugging Face BERT return its attention probabilities. ValueError
    when no input-layer family fits the model; ``user`` as in :func:`model_class_for`.
    """
    from core.models import load_model

    net = load_model(model, model_class_for(model, user=user), user=user, attn_implementation="eager")
    as_family(net)
    net.eval()
    return net


@torch.no_grad()
def walk(model, tokenizer, text: str, pair: str | None = None, position: str | None = None,
         max_tokens: int = MAX_TOKENS, verify: bool = True) -> InputWalk:
    """Tokenize ``text`` (and ``pair``), then compute every input-layer step.

    model: a model of any known family, or its family object (``as_family``).
    position: None for the model's own position part, or a kind of
        ``core.input_layer.position_kinds()`` to swap in ("learned", "sinusoidal", "none", ...).
    A causal model reads the text without [CLS] / [SEP] and without a second sentence, as in its
    training (``family.special_tokens``); ValueError when a pair is given for it.
    verify: when the position part is the model's own, also run the model's own modules and
        report the largest difference.
    """
    family = as_family(model)
    if pair and not family.special_tokens:
        raise ValueError("a causal (GPT-style) model reads one text, not a sentence pair; leave sentence B empty.")
    view = tokenize(tokenizer, text, pair, max_tokens=max_tokens, special_tokens=family.special_tokens)
    steps = embedding_steps(family, view.input_ids, view.token_type_ids, position=position)
    attention = first_layer_attention(family, steps.final)
    emb_err = att_err = None
    own = position_part(family, view.seq_len).cpu()
    if verify and torch.equal(steps.position, own):  # the model's own position part: compare with the model
        emb_err = float((family.own_embeddings(view.input_ids, view.token_type_ids) - steps.final).abs().max())
        att_err = float((family.own_attentions(view.input_ids, view.token_type_ids) - attention.probs).abs().max())
    return InputWalk(
        tokens=view,
        steps=steps,
        attention=attention,
        position_similarity=cosine_matrix(steps.position),
        input_similarity=cosine_matrix(steps.final),
        embeddings_error=emb_err,
        attention_error=att_err,
        family=family.name,
        position_encoding=family.position_encoding,
        where=family.where,
        causal=family.causal,
    )
