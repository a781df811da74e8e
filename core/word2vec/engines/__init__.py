"""The one registry of word2vec engines.

Each module of this package (except ``base``) defines one engine, a subclass
of :class:`core.word2vec.engines.base.Engine` decorated with :func:`register`;
the registry (:data:`ENGINES`, a :class:`core.registry.Registry`) imports them
the first time it is asked, so adding an engine is adding a file. Everything that offers a choice of engine asks here: ``train()``, the
word2vec job, ``python -m core word2vec --engine`` and the training page.

    names()                 # ("torch", "gensim")
    get("gensim")           # the engine object; ValueError naming the known ones
    default_engine("cpu")   # "gensim": the engine preferred on that device type
"""
from __future__ import annotations

from core.registry import Registry
from core.word2vec.engines.base import Engine



def _check(engine) -> None:
    if not isinstance(engine, Engine):
        raise ValueError(f"{engine!r} is not a word2vec Engine.")


ENGINES: Registry[Engine] = Registry("word2vec engine", "engines", package=__name__, instances=True, check=_check)
register, unregister, get, names = ENGINES.register, ENGINES.unregister, ENGINES.get, ENGINES.names


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
        if kind in get(name).preferred_on:
            return name
    for name in names():
        try:
            get(name).check_device(device)
            return name
        except ValueError:
            continue
    return names()[0]


__all__ = ["ENGINES", "Engine", "default_engine", "device_type", "get", "names", "register", "unregister"]
