"""The pretraining-objective axis: one :class:`~core.pretrain.objectives.base.Objective` per file.

    from core.pretrain import objectives
    objectives.names()            # ("mlm", "mlm_nsp", "clm"): CLI choices, page options, test parameters
    objectives.get("clm")         # ValueError naming the known ones otherwise
    objectives.of_model(config)   # the objective a saved model was trained with (its config.json)

Each kind is a subclass of ``Objective`` in its own module of this package, decorated
with :func:`register` (``core.registry.Registry``: the package's kind files are found on
first use, so a new file is picked up with no other edit). :func:`names` is in teaching
order (``order``). Nothing outside a kind's file compares an objective's name to a string.
"""
from __future__ import annotations

from core.pretrain.objectives.base import Objective, PretrainText
from core.registry import Registry

OBJECTIVES: Registry[Objective] = Registry("pretraining objective", package=__name__, instances=True)
register, unregister, get, names = OBJECTIVES.register, OBJECTIVES.unregister, OBJECTIVES.get, OBJECTIVES.names


def of_model(config: dict) -> Objective | None:
    """The objective a model folder's ``config.json`` (a dict) was pretrained with, or None when unknown.

    EmbedLab models say it (``"objective"``); for any other model the head class in
    ``architectures`` decides (``...ForMaskedLM`` -> mlm, ``...ForPreTraining`` -> mlm_nsp,
    ``...ForCausalLM`` / ``...LMHeadModel`` -> clm); a bare encoder (MiniLM) has none.
    """
    named = config.get("objective")
    if named in OBJECTIVES:
        return OBJECTIVES.get(named)
    heads = config.get("architectures") or []
    return OBJECTIVES.first(lambda kind: any(head.endswith(kind.architectures) for head in heads))


__all__ = ["OBJECTIVES", "Objective", "PretrainText", "get", "names", "of_model", "register", "unregister"]
