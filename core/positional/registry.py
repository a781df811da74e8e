"""The one registry of positional-encoding kinds: pages, CLI, analysis and tests ask it.

Each kind is a :class:`~core.positional.base.PositionalEncoding` subclass in
its own module of ``core/positional/``, decorated with :func:`register`.
``core.positional`` imports every module of the package, so a new file is
picked up with no other edit; :func:`kinds` lists the names in teaching order
(``order``, then name) and :func:`get` turns a name into its class, or raises
a ``ValueError`` that lists the known kinds.
"""
from __future__ import annotations

from core.positional.base import VIEWS, WHERE, Param, PositionalEncoding

_KINDS: dict[str, type[PositionalEncoding]] = {}


def register(cls: type[PositionalEncoding]) -> type[PositionalEncoding]:
    """Add ``cls`` under ``cls.kind`` (usable as a class decorator); ValueError on a clash or a bad declaration."""
    name = cls.kind
    if not isinstance(name, str) or not name.isidentifier() or name == PositionalEncoding.kind:
        raise ValueError(f"a positional encoding needs a kind name that is an identifier, got {name!r}")
    if name in _KINDS and _KINDS[name] is not cls:
        raise ValueError(f"a positional encoding named {name!r} is already registered ({_KINDS[name].__name__})")
    if cls.where not in WHERE:
        raise ValueError(f"{name}: where must be one of {', '.join(WHERE)}, got {cls.where!r}")
    unknown = [v for v in cls.views if v not in VIEWS]
    if unknown:
        raise ValueError(f"{name}: unknown views {unknown}; the page knows {', '.join(VIEWS)}")
    for param in cls.params:
        seen = all_params().get(param.name)
        if seen is not None and seen[0].type is not param.type:
            raise ValueError(f"{name}: parameter {param.name!r} is a {param.type.__name__} here but a "
                             f"{seen[0].type.__name__} in {', '.join(seen[1])}")
    _KINDS[name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a kind (tests register toy kinds and take them out again)."""
    _KINDS.pop(name, None)


def kinds() -> tuple[str, ...]:
    """Every registered kind name, in teaching order."""
    return tuple(sorted(_KINDS, key=lambda k: (_KINDS[k].order, k)))


def get(kind: str) -> type[PositionalEncoding]:
    """The class registered as ``kind``; ValueError listing the known kinds otherwise."""
    try:
        return _KINDS[kind]
    except (KeyError, TypeError):
        raise ValueError(f"kind must be one of {', '.join(kinds())}; got {kind!r}") from None


def all_params() -> dict[str, tuple[Param, tuple[str, ...]]]:
    """Every parameter name any kind takes: ``{name: (first Param seen, kinds that take it)}``."""
    out: dict[str, tuple[Param, tuple[str, ...]]] = {}
    for name in kinds():
        for param in _KINDS[name].params:
            first, users = out.get(param.name, (param, ()))
            out[param.name] = (first, users + (name,))
    return out


def where(kind: str) -> str:
    """Where ``kind`` enters the model: "input", "attention" or "none"."""
    return get(kind).where
