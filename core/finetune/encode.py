"""What every task's encoding shares: the model's position limit and the ignore label.

Each task's own encoding (tokenisation, label alignment) lives in its file under
``core/finetune/tasks/``; NER's word-to-sub-word alignment is
:func:`core.finetune.tasks.ner.align_labels`.
"""
from __future__ import annotations

from core.finetune.tasks.base import IGNORE  # noqa: F401  (label id that cross-entropy skips)


def model_max_length(model_config) -> int | None:
    """How many positions the model has (None when it does not say)."""
    for name in ("max_position_embeddings", "n_positions", "max_seq_len"):
        value = getattr(model_config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def check_max_length(max_length: int, model_config) -> None:
    """``ValueError`` when ``max_length`` exceeds the model's positions."""
    limit = model_max_length(model_config)
    if limit is not None and max_length > limit:
        raise ValueError(f"max_length {max_length} is longer than this model's {limit} positions; "
                         f"set max_length to {limit} or less.")
