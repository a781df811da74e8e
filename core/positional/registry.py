"""The registry of positional-encoding kinds (one :class:`core.registry.Registry`): pages, CLI and tests ask it.

Each kind is a :class:`~core.positional.base.PositionalEncoding` subclass in its
own module of ``core/positional/``, decorated with :func:`register`. Every
module of the package is imported the first time the registry is asked, so a
new file is picked up with no other edit; :func:`names` lists the kinds in
teaching order (``order``) and :func:`get` turns a name into its class, or
raises a ``ValueError`` that lists the known kinds.
"""
from __future__ import annotations

from core.positional.base import VIEWS, WHERE, Param, PositionalEncoding
from core.registry import Registry


def _check(cls: type[PositionalEncoding]) -> None:
    """Refuse a declaration the page could not draw (ValueError naming what is wrong)."""
    name = cls.kind
    if not isinstance(name, str) or not name.isidentifier() or name == PositionalEncoding.kind:
        raise ValueError(f"a positional encoding needs a kind name that is an identifier, got {name!r}")
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


ENCODINGS: Registry[type[PositionalEncoding]] = Registry(
    "positional encoding", key="kind", package="core.positional", check=_check,
    skip=("analysis", "base", "registry", "spec"))
register, unregister, get, names = ENCODINGS.register, ENCODINGS.unregister, ENCODINGS.get, ENCODINGS.names


def all_params() -> dict[str, tuple[Param, tuple[str, ...]]]:
    """Every parameter name any kind takes: ``{name: (first Param seen, kinds that take it)}``."""
    out: dict[str, tuple[Param, tuple[str, ...]]] = {}
    for name, cls in ENCODINGS.items():
        for param in cls.params:
            first, users = out.get(param.name, (param, ()))
            out[param.name] = (first, users + (name,))
    return out


def where(kind: str) -> str:
    """Where ``kind`` enters the model: "input", "attention" or "none"."""
    return get(kind).where
