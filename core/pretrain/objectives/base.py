"""What every pretraining objective declares and does; each kind (one file) overrides what differs.

An objective is the part of pretraining that is not the Transformer itself or the loop:

    declares   name, family (autoencoding | autoregressive), the model class and the Auto
               class that loads it with its head, whether attention is causal, the held-out
               scores it reports, what the page shows for a prompt (``view``), its source
    prepare    the training and held-out data it needs from the corpus     (:class:`PretrainText`)
    batch      the batch of step s, drawn from a generator seeded by (seed, s), so a
               resumed run sees exactly the batches of an uninterrupted one
    loss       batch -> (mean loss, stats summed over a log window: correct, count, ...)
    step_fields  a ``step`` record's extra fields (accuracy, perplexity, ...) from those sums
    evaluate   held-out scores at the training length, or ``factor`` x it (extrapolation)

The trainer (``core/pretrain/trainer.py``) wraps an objective in the shared loop's
``Recipe``; pages, CLI, jobs and tests ask ``core.pretrain.objectives`` for kinds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

FAMILIES = ("autoencoding", "autoregressive")
VIEWS = ("masks", "pair", "generate")  # the page's prompt box of each objective


@dataclass
class PretrainText:
    """The corpus as every objective sees it: lines split into training / held-out, the tokenizer, the ids.

    train_lines / valid_lines: text lines (see ``core.pretrain.data.corpus_lines``); info: the
    reader's facts plus ``train_runs`` (where each run of consecutive training text starts).
    Token ids are computed once and shared (``ids``, ``stream``).
    """

    train_lines: list[str]
    valid_lines: list[str]
    info: dict
    tokenizer: object
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def vocab(self):
        from core.pretrain.data import Vocab

        return Vocab.of(self.tokenizer)

    def ids(self, split: str) -> list:
        """Each line's token ids (int32 arrays) of ``split`` ("train" or "valid")."""
        if ("ids", split) not in self._cache:
            from core.pretrain.data import encode_lines

            lines = self.train_lines if split == "train" else self.valid_lines
            self._cache[("ids", split)] = encode_lines(self.tokenizer, lines)
        return self._cache[("ids", split)]

    def stream(self, split: str, separator: int | None = None):
        """The lines' ids of ``split`` concatenated, ``(n,)`` int32; ``separator`` after every line when given."""
        import numpy as np

        key = ("stream", split, separator)
        if key not in self._cache:
            parts = [ids for ids in self.ids(split) if len(ids)]
            if separator is not None:
                end = np.asarray([separator], dtype=np.int32)
                parts = [piece for ids in parts for piece in (ids, end)]
            self._cache[key] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        return self._cache[key]


class Objective:
    """Base: the shared verbs. A kind sets the declarations and overrides ``prepare``, ``batch``,
    ``loss``, ``evaluate`` (and ``step_fields`` when it reports more than accuracy and perplexity)."""

    name: str = ""  # registry key, CLI choice, locale key pretrain.objective.<name>
    order: int = 100  # place in pages and tables (teaching order)
    family: str = "autoencoding"  # autoencoding (BERT: reads the whole text) or autoregressive (GPT: left to right)
    model_class: str = "EmbedLabBertForMaskedLM"  # the class in core.pretrain.model that it trains
    config_class: str = "EmbedLabBertConfig"
    head: str = "AutoModelForMaskedLM"  # the transformers Auto class that loads the model with this head
    architectures: tuple[str, ...] = ("ForMaskedLM",)  # head class suffixes of other libraries' models (of_model)
    view: str = "masks"  # what the page shows for a prompt: masks (top-5 per [MASK]), pair (NSP), generate
    scores: tuple[str, ...] = ("loss", "accuracy", "top5", "perplexity")  # held-out scores (the shoot-out's columns)
    source: str = ""  # the paper
    formula: str = ""  # the loss in LaTeX, drawn next to the curves
    accuracy_name: str = "masked-token accuracy"  # what "accuracy" counts (CLI output; pages use the locale strings)
    nan_message = "the loss became NaN: lower the learning rate (e.g. 5e-4) or use mixed_precision 'no'."

    @property
    def causal(self) -> bool:
        """Whether the model's attention is masked to the past (autoregressive)."""
        return self.family == "autoregressive"

    # ------------------------------------------------------------------ the model

    def model_config(self, config, vocab_size: int, pad_token_id: int | None = 0):
        """The Hugging Face config of this objective's model for a ``PretrainConfig``."""
        from core.pretrain import model as m

        cls = getattr(m, self.config_class)
        return cls(**config.model_config(vocab_size), pad_token_id=pad_token_id, causal=self.causal,
                   objective=self.name)

    def build(self, config, tokenizer):
        """A fresh model for ``config`` (seeded by ``config.seed``) sized to the tokenizer's vocabulary."""
        import torch

        from core.pretrain import model as m
        from core.pretrain import register

        register()
        torch.manual_seed(config.seed)
        return getattr(m, self.model_class)(self.model_config(config, len(tokenizer), tokenizer.pad_token_id))

    def count_parameters(self, config, vocab_size: int | None = None) -> int:
        """Parameters of the model of ``config`` (built on the meta device: no memory, no time)."""
        import torch

        from core.pretrain import model as m

        with torch.device("meta"):
            model = getattr(m, self.model_class)(self.model_config(config, vocab_size or config.vocab_size))
        return sum(p.numel() for p in model.parameters())

    # ------------------------------------------------------------------ data and steps

    def prepare(self, text: PretrainText, config) -> dict:
        """``{"train": ..., "valid": ...}``: what :meth:`batch` and :meth:`evaluate` read. ValueError if too little text."""
        raise NotImplementedError

    def batch(self, data: dict, step: int, seed: int, config) -> dict:
        """The batch (tensors on the CPU) of step ``step`` for a run seeded by ``seed``."""
        raise NotImplementedError

    def loss(self, model, batch: dict):
        """``(mean loss, {"correct": ..., "count": ...})`` of one batch."""
        raise NotImplementedError

    def step_fields(self, loss: float, sums: dict) -> dict:
        """``accuracy`` of the window's predictions and ``perplexity`` = e^loss."""
        return {"accuracy": sums.get("correct", 0.0) / max(1.0, sums.get("count", 0.0)),
                "perplexity": math.exp(min(loss, 50.0))}

    def evaluate(self, model, data: dict, config, device, factor: int | None = None) -> dict | None:
        """Held-out scores (``scores``), or None when the held-out text is too short.

        ``factor`` None: the held-out set at the training length (``eval_tokens`` tokens), the
        curve's points; an int: the extrapolation test at ``factor`` x the training length, each
        length on the same first :func:`extrapolation_budget` held-out tokens.
        """
        raise NotImplementedError


def extrapolation_budget(config) -> int:
    """Held-out tokens each length of the extrapolation test reads: eval_tokens, at least 4 training lengths."""
    return max(config.eval_tokens, 4 * config.seq_len)


def top_k_scores(logits, gold, k: int = 5) -> tuple[float, int, int, int]:
    """``(summed cross-entropy, top-1 hits, top-k hits, count)`` of ``logits (n, vocab)`` against ``gold (n,)``."""
    import torch

    loss = torch.nn.functional.cross_entropy(logits.float(), gold, reduction="sum").item()
    best = logits.topk(min(k, logits.shape[-1]), dim=-1).indices
    return loss, int((best[:, 0] == gold).sum()), int((best == gold[:, None]).any(dim=-1).sum()), int(gold.numel())


def scores_of(loss_sum: float, correct: int, topk: int, count: int) -> dict | None:
    """``{"loss", "accuracy", "top5", "perplexity", "predicted_tokens"}`` per predicted token, None if none."""
    if not count:
        return None
    loss = loss_sum / count
    return {"loss": loss, "accuracy": correct / count, "top5": topk / count, "perplexity": math.exp(min(loss, 50.0)),
            "predicted_tokens": count}
