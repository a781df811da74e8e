"""The one registry of word2vec engines.

Each module of this package (except ``base``) defines one engine, a subclass
of :class:`core.word2vec.engines.base.Engine` decorated with :func:`register`;
the modules are imported when this package is, so adding an engine is adding
a file. Everything that offers a choice of engine asks here: ``train()``, the
word2vec job, ``python -m core word2vec --engine`` and the training page.

    names()                 # ("torch", "gensim")
    get("gensim")           # the engine object; ValueError naming the known ones
    default_engine("cpu")   # "gensim": the engine preferred on that device type
"""
from __future__ import annotations

import importlib
import pkgutil

from core.word2vec.engines.base import Engine

ENGINES: dict[str, Engine] = {}


def register(cls):
    """Class decorator: add an instance of the :class:`Engine` subclass ``cls`` to :data:`ENGINES`."""
    engine = cls() if isinstance(cls, type) else cls
    if not isinstance(engine, Engine) or not engine.name or not engine.name.isidentifier():
        raise ValueError(f"{cls!r} is not a word2vec Engine with a name made of letters, digits and '_'.")
    ENGINES[engine.name] = engine
    return cls


def unregister(name: str) -> None:
    """Remove an engine (tests that register a toy engine clean up with this)."""
    ENGINES.pop(name, None)


def names() -> tuple[str, ...]:
    """Registered engine names, in display order."""
    return tuple(sorted(ENGINES, key=lambda n: (ENGINES[n].order, n)))


def get(name: str) -> Engine:
    """The engine called ``name``; ``ValueError`` naming the known engines otherwise."""
    try:
        return ENGINES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown word2vec engine {name!r}; known engines: {', '.join(names())}.") from None


def device_type(device=None) -> str:
    """``"cpu"``, ``"cuda"`` or ``"mps"``: what ``device`` (``None``/``"auto"`` = best here) means."""
    from core.device import resolve

    return resolve(None if device in (None, "", "auto") else device).type


def default_engine(device=None) -> str:
    """The engine a run on ``device`` uses unless the user picks one (issue #14).

    The first engine (in display order) whose ``preferred_on`` holds the
    device type: gensim on a CPU (its C code is 6-20x faster there), torch on
    a GPU. Falls back to the first engine that accepts the device.
    """
    kind = device_type(device)
    for name in names():
        if kind in ENGINES[name].preferred_on:
            return name
    for name in names():
        try:
            ENGINES[name].check_device(device)
            return name
        except ValueError:
            continue
    return names()[0]


def _discover() -> None:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


_discover()

__all__ = ["ENGINES", "Engine", "default_engine", "device_type", "get", "names", "register", "unregister"]
