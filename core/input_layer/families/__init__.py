"""The model-family axis of the input-layer walk: one file per family, one registry.

    from core.input_layer.families import as_family
    family = as_family(model)        # the first family (in declared order) whose ``fits`` says yes
    families.names()                 # ("bert", "embedlab-bert")

A family is a :class:`~core.input_layer.families.base.EncoderFamily` subclass in
its own file here, decorated with :func:`register`; the registry (a
:class:`core.registry.Registry`) finds the file the first time it is asked.
"""
from __future__ import annotations

from core.input_layer.families.base import EncoderFamily
from core.registry import Registry

FAMILIES: Registry[type[EncoderFamily]] = Registry("model family", "model families", package=__name__)
register, unregister, get, names = FAMILIES.register, FAMILIES.unregister, FAMILIES.get, FAMILIES.names


def as_family(model) -> EncoderFamily:
    """``model`` wrapped in the first registered family that fits it (a family passes through).

    ``model`` may be a base encoder or one with a head (e.g. ``...ForMaskedLM``).
    ValueError naming what is supported otherwise.
    """
    if isinstance(model, EncoderFamily):
        return model
    cls = FAMILIES.first(lambda family: family.fits(model))
    if cls is None:
        raise ValueError(
            f"{type(model).__name__} is not a BERT-style encoder the input-layer walk knows; it walks "
            f"{', '.join(family.description for family in FAMILIES.values())}.")
    return cls(model)


__all__ = ["FAMILIES", "EncoderFamily", "as_family", "get", "names", "register", "unregister"]
