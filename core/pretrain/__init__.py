"""Pretraining a small BERT or GPT from zero: a choice of objective (MLM, MLM + NSP, causal LM) and position encoding.

Public names:

- ``PretrainConfig`` (frozen, validated) and ``PRESETS`` / ``POSITIONS``
  (``core.pretrain.config``; no torch import);
- ``register()``: make transformers' Auto classes know ``model_type
  "embedlab-bert"`` and ``"embedlab-gpt"`` (see :func:`register`);
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
    """Register EmbedLab's two model types with transformers' Auto classes (once per process).

    ``embedlab-bert``: AutoModel, AutoModelForMaskedLM, AutoModelForPreTraining (MLM + NSP),
    AutoModelForSequenceClassification, AutoModelForTokenClassification.
    ``embedlab-gpt``: AutoModel, AutoModelForCausalLM, AutoModelForSequenceClassification,
    AutoModelForTokenClassification.
    """
    global _registered
    if _registered:
        return
    import transformers
    from transformers import AutoConfig

    from core.pretrain import model as m

    classes = {
        m.EmbedLabBertConfig: {"AutoModel": m.EmbedLabBertModel, "AutoModelForMaskedLM": m.EmbedLabBertForMaskedLM,
                               "AutoModelForPreTraining": m.EmbedLabBertForPreTraining,
                               "AutoModelForSequenceClassification": m.EmbedLabBertForSequenceClassification,
                               "AutoModelForTokenClassification": m.EmbedLabBertForTokenClassification},
        m.EmbedLabGPTConfig: {"AutoModel": m.EmbedLabGPTModel, "AutoModelForCausalLM": m.EmbedLabGPTForCausalLM,
                              "AutoModelForSequenceClassification": m.EmbedLabGPTForSequenceClassification,
                              "AutoModelForTokenClassification": m.EmbedLabGPTForTokenClassification},
    }
    for config_class, heads in classes.items():
        AutoConfig.register(config_class.model_type, config_class, exist_ok=True)
        for auto, cls in heads.items():
            getattr(transformers, auto).register(config_class, cls, exist_ok=True)
    _registered = True


__all__ = ["POSITIONS", "PRESETS", "PretrainConfig", "field_help", "register"]
