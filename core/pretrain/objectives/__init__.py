"""The pretraining-objective axis: one :class:`~core.pretrain.objectives.base.Objective` per file.

    from core.pretrain import objectives
    objectives.names()            # ("mlm", "mlm_nsp", "clm"): CLI choices, page options, test parameters
    objectives.get("clm")         # ValueError naming the known ones otherwise
    objectives.of_model(config)   # the objective a saved model was trained with (its config.json)

Each kind is a subclass of ``Objective`` in its own module of this package, decorated
with :func:`register`; importing the package imports every module, so a new file is
picked up with no other edit. :func:`names` is in teaching order (``order``, then name).
Nothing outside a kind's file compares an objective's name to a string.
"""
from __future__ import annotations

import importlib
import pkgutil

from core.pretrain.objectives.base import Objective, PretrainText

_KINDS: dict[str, Objective] = {}


def register(cls: type[Objective]) -> type[Objective]:
    """Class decorator: add an instance of ``cls`` under ``cls.name``; ValueError on a clash or a bad name."""
    name = cls.name
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"an objective needs a name that is an identifier, got {name!r}")
    if name in _KINDS and type(_KINDS[name]) is not cls:
        raise ValueError(f"an objective named {name!r} is already registered ({type(_KINDS[name]).__name__})")
    _KINDS[name] = cls()
    return cls


def unregister(name: str) -> None:
    """Remove a kind (tests register toy kinds and take them out again)."""
    _KINDS.pop(name, None)


def names() -> tuple[str, ...]:
    """Every registered objective, in teaching order."""
    return tuple(sorted(_KINDS, key=lambda k: (_KINDS[k].order, k)))


def get(name: str) -> Objective:
    """The objective called ``name``; ValueError naming the known ones otherwise."""
    try:
        return _KINDS[name]
    except (KeyError, TypeError):
        raise ValueError(f"objective must be one of {', '.join(names())}, not {name!r}.") from None


def of_model(config: dict) -> Objective | None:
    """The objective a model folder's ``config.json`` (a dict) was pretrained with, or None when unknown.

    EmbedLab models say it (``"objective"``); for any other model the head class in
    ``architectures`` decides (``...ForMaskedLM`` -> mlm, ``...ForPreTraining`` -> mlm_nsp,
    ``...ForCausalLM`` / ``...LMHeadModel`` -> clm); a bare encoder (MiniLM) has none.
    """
    named = config.get("objective")
    if named in _KINDS:
        return _KINDS[named]
    heads = config.get("architectures") or []
    for name in names():
        if any(head.endswith(_KINDS[name].architectures) for head in heads):
            return _KINDS[name]
    return None


for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Objective", "PretrainText", "get", "names", "of_model", "register", "unregister"]
