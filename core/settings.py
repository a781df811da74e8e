"""What the frozen config dataclasses share: help text from field comments, building from config.json.

A config module writes one field per line with its help as a trailing comment
(``epochs: int = 6  # Passes over the training data; ...``); the page shows
that comment next to the widget and the CLI prints it in ``--help``.
"""
from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

_FIELD_COMMENT = re.compile(r"^    (\w+): [^=]+=.*?  # (.+)$")


def field_help(source: str | Path) -> dict[str, str]:
    """``{field name: the comment after it}``, read from the config module's source file ``source``."""
    text = Path(source).read_text(encoding="utf-8")
    return {m.group(1): m.group(2).strip() for m in map(_FIELD_COMMENT.match, text.splitlines()) if m}


def from_dict(cls, values: dict, what: str):
    """Build the dataclass ``cls`` from a plain dict (config.json, form values).

    Each value is cast to its field's default's type (``"true"``/``"1"`` read as
    True for booleans; None keeps the default). Raises ``ValueError`` naming
    ``what`` settings for unknown keys (never dropped silently) and for values of
    the wrong type, e.g. a fractional number for a whole-number field.
    """
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"unknown {what} settings: {', '.join(unknown)}; known ones: {', '.join(known)}.")
    cast = {}
    for name, value in values.items():
        kind = type(known[name].default)
        if value is None:
            cast[name] = known[name].default
            continue
        if kind is bool and isinstance(value, str):
            value = value.strip().lower() in ("1", "true", "yes", "on")
        if kind is int and isinstance(value, float) and value != int(value):
            raise ValueError(f"{name} must be a whole number, not {value!r}.")
        try:
            cast[name] = kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a {kind.__name__}, not {value!r}.") from None
    return cls(**cast)
