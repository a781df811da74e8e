"""A small Transformer, BERT-style (bidirectional) or GPT-style (causal), whose variable parts are
the position encoding and the attention mask; heads for every pretraining objective and fine-tuning.

Read top to bottom (nanoGPT style): config -> position encodings -> embeddings ->
attention -> block -> the Transformer -> heads: masked LM (BERT), masked LM + next-sentence
prediction (BERT 2018), next-token LM (GPT), sequence and token classification for both
families. Everything is plain PyTorch; the classes subclass Hugging Face's
``PretrainedConfig`` / ``PreTrainedModel`` so that ``save_pretrained`` writes a
normal model folder (config.json + model.safetensors) and the Auto classes load it
once :func:`core.pretrain.register` has run (see ``core/pretrain/__init__.py``).

The two families share every module; they differ in one switch, ``config.causal``:

- ``embedlab-bert`` (``causal=False``): token i attends to every token of the sequence;
- ``embedlab-gpt`` (``causal=True``): token i attends to tokens j <= i only, the causal
  mask M[i, j] = -inf for j > i added to the scores (Radford et al. 2018), so a
  next-token head may read position i to predict token i + 1.

The five position encodings (``config.position_encoding``), formulas from
``core.positional`` (the code the positional page draws):

- ``learned``    (input)     x_p = LN(E[t_p] + P[p]),  P a trained (max_positions, hidden) table
- ``sinusoidal`` (input)     x_p = LN(E[t_p] + PE[p]), PE[p, 2i] = sin(p / 10000^(2i/d)), cos for 2i+1
- ``rope``       (attention) q_p, k_s rotated by p*theta_i, s*theta_i so q.k depends on p - s only
- ``alibi``      (attention) score(i, j) += -m_h * |i - j|, one slope m_h per head
- ``none``       (nowhere)   the encoder sees a bag of tokens (a baseline)

All other parts are identical, so a comparison of encodings is fair. Blocks are
pre-LayerNorm (x + Attn(LN(x)), x + MLP(LN(x)), a final LN), which trains stably at
the high learning rates small models like; the embedding LayerNorm is BERT's.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from transformers import GenerationMixin, PretrainedConfig, PreTrainedModel
from dataclasses import dataclass

from transformers.modeling_outputs import (
    BaseModelOutput, CausalLMOutput, MaskedLMOutput, ModelOutput, SequenceClassifierOutput, TokenClassifierOutput,
)

from core.positional import alibi_slopes, apply_rope, sinusoidal

MODEL_TYPE = "embedlab-bert"  # bidirectional (masked LM, MLM + NSP)
GPT_MODEL_TYPE = "embedlab-gpt"  # causal (next-token LM)


# ----------------------------------------------------------------------------- config

class EmbedLabBertConfig(PretrainedConfig):
    """Sizes of the encoder (Hugging Face config, saved as config.json)."""

    model_type = MODEL_TYPE
    vocab_size: int = 8000  # WordPiece vocabulary size (rows of the token-embedding table)
    hidden_size: int = 128  # width d of every token vector
    num_hidden_layers: int = 2  # transformer blocks
    num_attention_heads: int = 2  # heads per block; hidden_size / heads is each head's width
    intermediate_size: int = 512  # width of the feed-forward layer (4 x hidden in BERT)
    max_position_embeddings: int = 512  # longest input accepted (rows of the learned table)
    position_encoding: str = "learned"  # learned | sinusoidal | rope | alibi | none
    rope_base: float = 10000.0  # the base of the RoPE / sinusoidal frequencies
    type_vocab_size: int = 2  # segment ids (sentence A / B), as in BERT
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    classifier_dropout: float | None = None
    layer_norm_eps: float = 1e-12
    initializer_range: float = 0.02
    pad_token_id: int | None = 0
    tie_word_embeddings: bool = False  # the LM heads reuse the embedding matrix in code (no tying machinery)
    causal: bool = False  # True: token i attends to tokens j <= i only (GPT); False: to all (BERT)
    objective: str = ""  # the pretraining objective that trained it (mlm, mlm_nsp, clm; core.pretrain.objectives)

    def __post_init__(self, **kwargs):
        if self.position_encoding not in POSITION_ENCODINGS:
            raise ValueError(f"position_encoding must be one of {', '.join(POSITION_ENCODINGS)}, "
                             f"not {self.position_encoding!r}.")
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(f"hidden_size {self.hidden_size} must be a multiple of num_attention_heads "
                             f"{self.num_attention_heads}.")
        if (self.hidden_size // self.num_attention_heads) % 2:
            raise ValueError("each head's width (hidden_size / heads) must be even for RoPE.")
        super().__post_init__(**kwargs)

    @property
    def position_where(self) -> str:
        """Where position enters: "input", "attention" or "none"."""
        return POSITION_ENCODINGS[self.position_encoding].where


class EmbedLabGPTConfig(EmbedLabBertConfig):
    """The same sizes for the causal family (``model_type "embedlab-gpt"``): attention is masked to the past."""

    model_type = GPT_MODEL_TYPE
    causal: bool = True


# ----------------------------------------------------------------------------- position encodings
# One small class per encoding; each overrides only what differs. The model asks
# `positions.input(...)`, `positions.rotate(...)` and `positions.bias(...)` and never
# compares the encoding's name.

class NoPositions(nn.Module):
    """No position information at all (the baseline)."""

    where = "none"

    def __init__(self, config: EmbedLabBertConfig):
        super().__init__()
        self.config = config

    def input(self, seq_len: int, device, dtype) -> torch.Tensor | None:
        """(seq, hidden) added to the token embeddings, or None."""
        return None

    def rotate(self, q: torch.Tensor, k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """q, k (batch, heads, seq, head_dim) after position is put in them."""
        return q, k

    def bias(self, seq_len: int, device, dtype) -> torch.Tensor | None:
        """(heads, seq, seq) added to the attention scores, or None."""
        return None


class LearnedPositions(NoPositions):
    """x_p = E[t_p] + P[p] with P trained (BERT, GPT-2). Rows past the training length stay untrained."""

    where = "input"

    def __init__(self, config):
        super().__init__(config)
        self.table = nn.Embedding(config.max_position_embeddings, config.hidden_size)

    def input(self, seq_len, device, dtype):
        return self.table.weight[:seq_len]


class SinusoidalPositions(NoPositions):
    """x_p = E[t_p] + s PE[p], PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(...) (Vaswani et al. 2017).

    s = initializer_range x sqrt(2) gives the table the RMS of the token embeddings at init
    (PE's RMS is 1/sqrt(2)). Vaswani et al. balance the two the other way, multiplying the
    embeddings by sqrt(d). Unscaled, PE is ~35x louder than BERT-initialised embeddings
    and drowns the tokens: a tiny model trained that way stayed at the unigram plateau
    (benchmarks/RESULTS.md, shoot-out).
    """

    where = "input"

    def __init__(self, config):
        super().__init__(config)
        self._cache: dict = {}  # (seq, device, dtype) -> table; not a buffer, so never saved

    def input(self, seq_len, device, dtype):
        key = (seq_len, str(device), dtype)
        if key not in self._cache:
            scale = self.config.initializer_range * math.sqrt(2.0)
            table = scale * sinusoidal(seq_len, self.config.hidden_size, self.config.rope_base)
            self._cache = {key: table.to(device, dtype)}
        return self._cache[key]


class RotaryPositions(NoPositions):
    """q_p <- R(p theta) q_p, k_s <- R(s theta) k_s, so q_p . k_s depends on p - s (Su et al. 2021)."""

    where = "attention"

    def rotate(self, q, k):
        base = self.config.rope_base
        return apply_rope(q, base=base), apply_rope(k, base=base)


class AlibiPositions(NoPositions):
    """score(i, j) += -m_h |i - j| with slopes m_h = 2^(-8h/H) (Press et al. 2022).

    Symmetric in an encoder; under the causal mask only j <= i remain, which is ALiBi as published.
    """

    where = "attention"

    def __init__(self, config):
        super().__init__(config)
        self._cache: dict = {}

    def bias(self, seq_len, device, dtype):
        key = (seq_len, str(device), dtype)
        if key not in self._cache:
            slopes = alibi_slopes(self.config.num_attention_heads)  # (heads,)
            pos = torch.arange(seq_len)
            distance = (pos[None, :] - pos[:, None]).abs().to(torch.float32)  # (seq, seq) |i - j|
            self._cache = {key: (-slopes[:, None, None] * distance[None]).to(device, dtype)}
        return self._cache[key]


POSITION_ENCODINGS: dict[str, type[NoPositions]] = {
    "learned": LearnedPositions,
    "sinusoidal": SinusoidalPositions,
    "rope": RotaryPositions,
    "alibi": AlibiPositions,
    "none": NoPositions,
}


# ----------------------------------------------------------------------------- embeddings

class Embeddings(nn.Module):
    """x = LayerNorm(E_tok[ids] + E_type[type_ids] + P[pos]), then dropout.  (batch, seq) -> (batch, seq, d)."""

    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids, positions: NoPositions, token_type_ids=None):
        x = self.word_embeddings(input_ids)
        if token_type_ids is not None:
            x = x + self.token_type_embeddings(token_type_ids)
        else:
            x = x + self.token_type_embeddings.weight[0]
        pos = positions.input(input_ids.shape[1], x.device, x.dtype)
        if pos is not None:
            x = x + pos[None]
        return self.dropout(self.LayerNorm(x))


# ----------------------------------------------------------------------------- attention

class SelfAttention(nn.Module):
    """softmax(q k^T / sqrt(d_h) + bias + mask) v per head, then the output projection."""

    def __init__(self, config):
        super().__init__()
        self.heads = config.num_attention_heads
        self.head_dim = config.hidden_size // config.num_attention_heads
        self.qkv = nn.Linear(config.hidden_size, 3 * config.hidden_size)
        self.out = nn.Linear(config.hidden_size, config.hidden_size)
        self.dropout_p = config.attention_probs_dropout_prob
        self.config = config

    def forward(self, x, mask, positions: NoPositions, output_attentions: bool = False):
        """x (batch, seq, d); mask (batch, 1, 1, seq) additive (0 or -inf-ish). -> (batch, seq, d), probs."""
        b, n, d = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)  # 3 x (b, h, n, dh)
        q, k = positions.rotate(q, k)
        bias = positions.bias(n, x.device, q.dtype)  # (h, n, n) or None
        mask = mask if bias is None else mask + bias[None]  # (b, 1 or h, 1 or n, n)
        dropout = self.dropout_p if self.training else 0.0
        if output_attentions or getattr(self.config, "_attn_implementation", None) == "eager":
            scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim) + mask  # (b, h, n, n)
            probs = scores.softmax(dim=-1)
            y = F.dropout(probs, dropout, self.training) @ v
        else:  # the same formula, fused
            y, probs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask.to(q.dtype), dropout_p=dropout), None
        y = y.transpose(1, 2).reshape(b, n, d)
        return self.out(y), probs


class Block(nn.Module):
    """x = x + Attn(LN(x));  x = x + W2 GELU(W1 LN(x))."""

    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.attention = SelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.mlp = nn.Sequential(
            nn.Linear(config.hidden_size, config.intermediate_size), nn.GELU(),
            nn.Linear(config.intermediate_size, config.hidden_size),
        )
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, x, mask, positions, output_attentions=False):
        a, probs = self.attention(self.ln_1(x), mask, positions, output_attentions)
        x = x + self.dropout(a)
        x = x + self.dropout(self.mlp(self.ln_2(x)))
        return x, probs


# ----------------------------------------------------------------------------- the Transformer

def attention_bias(attention_mask: torch.Tensor, dtype, causal: bool) -> torch.Tensor:
    """What the scores get added before the softmax: a very negative number where a query may not look.

    attention_mask (batch, seq): 1 for tokens, 0 for padding -> padding keys are hidden,
    ``(batch, 1, 1, seq)``; with ``causal`` also every later key (j > i), ``(batch, 1, seq, seq)``.
    """
    low = torch.finfo(dtype).min
    mask = (1.0 - attention_mask[:, None, None, :].to(dtype)) * low
    if causal:
        n = attention_mask.shape[1]
        future = torch.ones(n, n, dtype=torch.bool, device=attention_mask.device).triu(1)  # (seq, seq) j > i
        mask = mask.expand(-1, 1, n, n).masked_fill(future, low)
    return mask


def causal_mask(seq_len: int) -> torch.Tensor:
    """``(seq, seq)`` bool: True where query i may see key j (j <= i), the GPT mask as a picture."""
    return torch.ones(seq_len, seq_len, dtype=torch.bool).tril()


class EmbedLabBertPreTrainedModel(PreTrainedModel):
    config_class = EmbedLabBertConfig
    base_model_prefix = "bert"
    _supports_sdpa = True  # we call F.scaled_dot_product_attention ourselves

    def _init_weights(self, module):
        super()._init_weights(module)  # normal(0, initializer_range) for Linear/Embedding, LayerNorm 1/0


class EmbedLabBertModel(EmbedLabBertPreTrainedModel):
    """ids (batch, seq) -> last_hidden_state (batch, seq, hidden)."""

    def __init__(self, config: EmbedLabBertConfig):
        super().__init__(config)
        # one position module, handed to the embeddings and every block in forward (its table is owned once)
        self.positions = POSITION_ENCODINGS[config.position_encoding](config)
        self.embeddings = Embeddings(config)
        self.layers = nn.ModuleList(Block(config) for _ in range(config.num_hidden_layers))
        self.ln_f = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.post_init()

    def get_input_embeddings(self):
        return self.embeddings.word_embeddings

    def set_input_embeddings(self, value):
        self.embeddings.word_embeddings = value

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, output_attentions=None,
                output_hidden_states=None, return_dict=None, **kwargs):
        if input_ids is None:
            raise ValueError("input_ids is required.")
        n = input_ids.shape[1]
        if n > self.config.max_position_embeddings:
            raise ValueError(f"the input has {n} tokens but this model takes at most "
                             f"{self.config.max_position_embeddings}.")
        x = self.embeddings(input_ids, self.positions, token_type_ids)
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        mask = attention_bias(attention_mask, x.dtype, self.config.causal)  # (batch, 1, 1 or seq, seq)
        hidden, attentions = (x,), ()
        for layer in self.layers:
            x, probs = layer(x, mask, self.positions, bool(output_attentions))
            hidden += (x,)
            attentions += (probs,)
        x = self.ln_f(x)
        return BaseModelOutput(last_hidden_state=x, hidden_states=hidden if output_hidden_states else None,
                               attentions=attentions if output_attentions else None)


# ----------------------------------------------------------------------------- heads
# Every head holds the Transformer under ``base_model_prefix`` ("bert" or "transformer") and reads
# it as ``self.base_model``, so a head of one family loads the body another head of it was saved with.

class _Head(EmbedLabBertPreTrainedModel):
    """A head on the Transformer: ``self.base_model`` is the body (``EmbedLabBertModel``)."""

    body = EmbedLabBertModel

    def __init__(self, config):
        super().__init__(config)
        setattr(self, self.base_model_prefix, self.body(config))

    def _embedding_matrix(self) -> torch.Tensor:
        return self.base_model.get_input_embeddings().weight  # (vocab, hidden), shared with the input


class EmbedLabBertForMaskedLM(_Head):
    """logits = LN(GELU(W h)) E_tok^T + b  (batch, seq, vocab); loss = cross-entropy at labels != -100."""

    def __init__(self, config):
        super().__init__(config)
        self.transform = nn.Sequential(nn.Linear(config.hidden_size, config.hidden_size), nn.GELU(),
                                       nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps))
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))
        self.post_init()

    def mlm_logits(self, h: torch.Tensor) -> torch.Tensor:
        """``h (..., hidden) -> (..., vocab)``: the transform, then a score against every token embedding."""
        return F.linear(self.transform(h), self._embedding_matrix(), self.bias)

    def mlm_loss(self, h, labels, only_labelled):
        """``(logits, loss)`` at the labelled positions (``only_labelled``: logits (n_labelled, vocab)) or all."""
        if only_labelled and labels is not None:
            chosen = labels != -100
            h, labels = h[chosen], labels[chosen]  # (n_labelled, d), (n_labelled,)
        logits = self.mlm_logits(h)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1), ignore_index=-100)
        return logits, loss

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None,
                only_labelled: bool = False, **kwargs):
        """``only_labelled=True`` (training) scores only the positions with a label: logits (n_labelled, vocab).

        The vocabulary projection is the costliest matrix product of a small model; BERT predicts
        15% of the tokens, so skipping the other 85% makes a step several times cheaper.
        """
        out = self.base_model(input_ids, attention_mask, token_type_ids, **kwargs)
        logits, loss = self.mlm_loss(out.last_hidden_state, labels, only_labelled)
        return MaskedLMOutput(loss=loss, logits=logits, hidden_states=out.hidden_states, attentions=out.attentions)


@dataclass
class PreTrainingOutput(ModelOutput):
    """What :class:`EmbedLabBertForPreTraining` returns (Hugging Face's ``BertForPreTraining`` names).

    loss = mlm_loss + nsp_loss; logits (= prediction_logits): the MLM head's; seq_relationship_logits
    ``(batch, 2)``: column 0 "B follows A", column 1 "B is a random sentence".
    """

    loss: torch.Tensor | None = None
    mlm_loss: torch.Tensor | None = None
    nsp_loss: torch.Tensor | None = None
    logits: torch.Tensor | None = None
    prediction_logits: torch.Tensor | None = None
    seq_relationship_logits: torch.Tensor | None = None
    hidden_states: tuple | None = None
    attentions: tuple | None = None


class EmbedLabBertForPreTraining(EmbedLabBertForMaskedLM):
    """BERT's two pretraining heads (Devlin et al. 2019, sec. 3.1): masked LM + next-sentence prediction.

    NSP reads the [CLS] row through BERT's pooler: p(IsNext) = softmax(W_nsp tanh(W_p h_[CLS] + b_p) + b)_0.
    The MLM head has the same weights (names) as :class:`EmbedLabBertForMaskedLM`'s, so
    ``AutoModelForMaskedLM`` loads a model trained with NSP (and leaves the NSP head out).
    """

    def __init__(self, config):
        super().__init__(config)
        self.pooler = nn.Sequential(nn.Linear(config.hidden_size, config.hidden_size), nn.Tanh())
        self.nsp = nn.Linear(config.hidden_size, 2)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None,
                next_sentence_label=None, only_labelled: bool = False, **kwargs):
        out = self.base_model(input_ids, attention_mask, token_type_ids, **kwargs)
        h = out.last_hidden_state
        logits, mlm_loss = self.mlm_loss(h, labels, only_labelled)
        nsp_logits = self.nsp(self.pooler(h[:, 0]))  # (batch, 2)
        nsp_loss = (F.cross_entropy(nsp_logits.float(), next_sentence_label.view(-1))
                    if next_sentence_label is not None else None)
        losses = [x for x in (mlm_loss, nsp_loss) if x is not None]
        return PreTrainingOutput(loss=sum(losses) if losses else None, mlm_loss=mlm_loss, nsp_loss=nsp_loss,
                                 logits=logits, prediction_logits=logits, seq_relationship_logits=nsp_logits,
                                 hidden_states=out.hidden_states, attentions=out.attentions)


class _ClassifierHead(_Head):
    """The Transformer plus dropout and one linear layer (hidden -> num_labels), as BERT's fine-tuning heads."""

    def __init__(self, config):
        super().__init__(config)
        self.num_labels = config.num_labels
        drop = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob
        self.dropout = nn.Dropout(drop)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def pooled(self, hidden: torch.Tensor, attention_mask) -> torch.Tensor:
        """The row that stands for the whole sequence: h_[CLS], the first token (BERT)."""
        return hidden[:, 0]


class EmbedLabBertForSequenceClassification(_ClassifierHead):
    """logits = W dropout(h_pooled) + b  (batch, num_labels); regression when num_labels == 1."""

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None, **kwargs):
        out = self.base_model(input_ids, attention_mask, token_type_ids, **kwargs)
        logits = self.classifier(self.dropout(self.pooled(out.last_hidden_state, attention_mask)))
        loss = None
        if labels is not None:
            if self.num_labels == 1:
                loss = F.mse_loss(logits.squeeze(-1).float(), labels.float())
            else:
                loss = F.cross_entropy(logits.float(), labels.view(-1))
        return SequenceClassifierOutput(loss=loss, logits=logits, hidden_states=out.hidden_states,
                                        attentions=out.attentions)


class EmbedLabBertForTokenClassification(_ClassifierHead):
    """logits = W dropout(h_p) + b for every token  (batch, seq, num_labels)."""

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None, **kwargs):
        out = self.base_model(input_ids, attention_mask, token_type_ids, **kwargs)
        logits = self.classifier(self.dropout(out.last_hidden_state))
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.view(-1, self.num_labels).float(), labels.view(-1), ignore_index=-100)
        return TokenClassifierOutput(loss=loss, logits=logits, hidden_states=out.hidden_states,
                                     attentions=out.attentions)


# ----------------------------------------------------------------------------- the causal family (GPT)
# The same body under the causal mask; its own config class, so the Auto classes tell the families apart.

class EmbedLabGPTModel(EmbedLabBertModel):
    """ids (batch, seq) -> last_hidden_state (batch, seq, hidden), position i seeing positions <= i."""

    config_class = EmbedLabGPTConfig


class _GPTHead:
    config_class = EmbedLabGPTConfig
    base_model_prefix = "transformer"
    body = EmbedLabGPTModel


class EmbedLabGPTForCausalLM(_GPTHead, _Head, GenerationMixin):
    """Next-token LM (GPT, Radford et al. 2018): logits = h E_tok^T  (batch, seq, vocab), tied to the input table.

    Row i predicts token i + 1. ``labels`` are the input ids themselves (Hugging Face's convention):
    loss = mean_i CE(logits_i, labels_{i+1}) over i < seq - 1 and labels != -100.
    ``generate`` is transformers' (greedy, top-k / temperature sampling); there is no key/value
    cache, so each new token re-reads the whole sequence (fine at teaching sizes).
    """

    def __init__(self, config):
        super().__init__(config)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None, **kwargs):
        out = self.base_model(input_ids, attention_mask, token_type_ids, **kwargs)
        logits = F.linear(out.last_hidden_state, self._embedding_matrix())
        loss = None
        if labels is not None:
            # row i's target is token i + 1 and the last row has none (-100): no copy of the sliced logits
            targets = F.pad(labels[:, 1:], (0, 1), value=-100)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), targets.reshape(-1), ignore_index=-100)
        return CausalLMOutput(loss=loss, logits=logits, hidden_states=out.hidden_states, attentions=out.attentions)


class EmbedLabGPTForSequenceClassification(_GPTHead, EmbedLabBertForSequenceClassification):
    """logits = W dropout(h_last) + b: the last real token is the only one that has read the whole text (GPT)."""

    def pooled(self, hidden, attention_mask):
        if attention_mask is None:
            return hidden[:, -1]
        last = attention_mask.long().sum(dim=1).clamp(min=1) - 1  # right padding: the last 1 of each row
        return hidden[torch.arange(hidden.shape[0], device=hidden.device), last]


class EmbedLabGPTForTokenClassification(_GPTHead, EmbedLabBertForTokenClassification):
    """logits = W dropout(h_p) + b for every token; each token's tag reads only its left context."""
