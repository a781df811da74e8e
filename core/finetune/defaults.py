"""Fine-tune settings that fit the model: its own learning rate, epochs and a max length within its positions.

One learning rate does not suit every model: the shipped MiniLM (22.7M weights)
fine-tunes well at 1e-4, BERT-base (110M) at 2e-5 to 5e-5 (Devlin et al. 2019), and
the small Chinese model EmbedLab pretrained (5.4M) needs 5e-4 (its model card's runs;
at 1e-4 a 1,000-review run stays near chance). :func:`for_model` reads, in order:

1. the ``"finetune"`` entry of the model folder's ``embedlab.json`` (the model card's
   own settings, e.g. ``models/embedlab-bert-zh``);
2. else a rule on the model's size (weights counted from the safetensors header):
   below 15M weights 5e-4, below 60M 1e-4, else 3e-5;

and caps ``max_length`` at the positions the model declares (``max_position_embeddings``:
a learned table has no row past it, and the trainer refuses longer inputs). Nothing is
loaded but two small JSON files and a safetensors header.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

MAX_LENGTH = 128  # default input length when the model allows it: most sentences and reviews fit
SIZE_RULE = ((15e6, 5e-4), (60e6, 1e-4), (float("inf"), 3e-5))  # (weights below, learning rate)


@dataclass(frozen=True)
class ModelDefaults:
    """The fine-tune settings a model offers (the page's form starts from them, the CLI uses them unless told)."""

    learning_rate: float  # peak AdamW learning rate
    epochs: int  # passes over the training data
    max_length: int  # input length in sub-word tokens, at most ``positions``
    batch_size: int = 16
    positions: int | None = None  # the model's position-table size (None: no limit, e.g. RoPE)
    source: str = "size"  # "card" (the model folder says so) or "size" (the rule on its weights)

    def to_dict(self) -> dict:
        return asdict(self)


def model_positions(folder: str | Path) -> int | None:
    """How many positions a model folder's config.json declares (the limit the trainer enforces,
    :func:`core.finetune.encode.model_max_length`); None when it declares none or cannot be read."""
    from types import SimpleNamespace

    from core.finetune.encode import model_max_length

    try:
        config = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return model_max_length(SimpleNamespace(**config)) if isinstance(config, dict) else None


def _card(folder: Path) -> dict:
    try:
        card = json.loads((folder / "embedlab.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return card.get("finetune") if isinstance(card.get("finetune"), dict) else {}


def for_model(model: str, *, positions: int | None = None, user=None) -> ModelDefaults:
    """The fine-tune defaults of ``model`` (a name :func:`core.models.resolve_model` takes, or a folder).

    ``positions`` overrides what the folder says (tests, or a caller that loaded the model).
    A model that cannot be found gets the size rule's middle value (1e-4) and max length 128.
    """
    from core.models import count_safetensors_parameters, resolve_model

    try:
        folder = Path(resolve_model(model or None, user=user))
    except ValueError:
        folder = None
    if folder is None or not folder.is_dir():
        return ModelDefaults(learning_rate=1e-4, epochs=3, max_length=MAX_LENGTH, positions=positions, source="size")
    positions = positions if positions is not None else model_positions(folder)
    card = _card(folder)
    if card:
        lr, source = float(card.get("learning_rate", 1e-4)), "card"
    else:
        weights = count_safetensors_parameters(folder)
        lr, source = next(rate for limit, rate in SIZE_RULE if weights < limit), "size"
    max_length = int(card.get("max_length", MAX_LENGTH))
    if positions:
        max_length = min(max_length, positions)
    return ModelDefaults(learning_rate=lr, epochs=int(card.get("epochs", 3)), max_length=max_length,
                         batch_size=int(card.get("batch_size", 16)), positions=positions, source=source)
