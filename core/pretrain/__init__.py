"""Masked-LM pretraining of a small BERT from zero, with a choice of position encoding.

Public names:

- ``PretrainConfig`` (frozen, validated) and ``PRESETS`` / ``POSITIONS``
  (``core.pretrain.config``; no torch import);
- ``register()``: make transformers' Auto classes know ``model_type
  "embedlab-bert"`` (``AutoConfig``, ``AutoModel``, ``AutoModelForMaskedLM``,
  ``AutoModelForSequenceClassification``, ``AutoModelForTokenClassification``);
- ``train(config, run_dir, log=, progress=, should_stop=) -> dict`` (``core.pretrain.trainer``)
  and the job entry ``core.pretrain.job:run``.

Registration is lazy: importing ``core`` or ``core.pretrain`` imports neither
torch nor transformers. ``register()`` is called by ``core.models.load_model`` /
``load_tokenizer`` / ``list_models`` (so the fine-tune runner and the
input-layer walk load an EmbedLab model through the usual Auto classes), and by
this package's trainer; it is idempotent and in-process only (no remote code:
the classes live in ``core.pretrain.model``).
"""
from __future__ import annotations

from core.pretrain.config import POSITIONS, PRESETS, PretrainConfig, field_help

_registered = False


def register() -> None:
    """Register the EmbedLab BERT with transformers' Auto classes (once per process)."""
    global _registered
    if _registered:
        return
    from transformers import (
        AutoConfig, AutoModel, AutoModelForMaskedLM, AutoModelForSequenceClassification,
        AutoModelForTokenClassification,
    )

    from core.pretrain import model as m

    AutoConfig.register(m.MODEL_TYPE, m.EmbedLabBertConfig, exist_ok=True)
    AutoModel.register(m.EmbedLabBertConfig, m.EmbedLabBertModel, exist_ok=True)
    AutoModelForMaskedLM.register(m.EmbedLabBertConfig, m.EmbedLabBertForMaskedLM, exist_ok=True)
    AutoModelForSequenceClassification.register(m.EmbedLabBertConfig, m.EmbedLabBertForSequenceClassification,
                                                exist_ok=True)
    AutoModelForTokenClassification.register(m.EmbedLabBertConfig, m.EmbedLabBertForTokenClassification,
                                             exist_ok=True)
    _registered = True


__all__ = ["POSITIONS", "PRESETS", "PretrainConfig", "field_help", "register"]
