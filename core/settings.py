"""The settings schema every config dataclass declares: one place for help, bounds, step, choices.

A config field says everything a form, a CLI flag and the validation need::

    @dataclass(frozen=True)
    class FinetuneConfig:
        STRINGS: ClassVar[str] = "finetune"       # locale prefix of labels and help texts
        epochs: int = setting(6, low=1, high=10_000)
        learning_rate: float = setting(1e-4, low=1e-8, high=1.0, step=1e-5, fmt="%.0e")
        mixed_precision: str = setting("auto", choices=("auto", "no", "fp16", "bf16"), advanced=True)

        def __post_init__(self):
            settings.validate(self)                # types, bounds and choices from the fields above
            ...                                    # then the rules that tie fields together

:func:`schema` lists the :class:`Setting` of each field; ``ui/form.py`` draws the
widgets from it (bounds, step, choices, "advanced" expander, labels and help),
:func:`add_arguments` makes the argparse flags (``--epochs``, range in the help,
refused out of range by argparse), and :func:`validate` checks a config with
the same numbers, so page, CLI and validation cannot disagree. Bounds are
inclusive. A field's label is ``<STRINGS>.hp.<name>`` and its help
``<STRINGS>.help.<name>`` in ``locales/<STRINGS>.json`` (en and zh), unless the
field names other keys.
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import re
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

META = "setting"  # the key under which a field's metadata holds its Setting
TYPES = (bool, int, float, str)


@dataclass(frozen=True)
class Setting:
    """What one config field declares (``name``, ``type`` and ``default`` are filled in by :func:`schema`).

    ``low``/``high``: inclusive bounds of a number (None: unbounded on that side).
    ``step``: the widget's step. ``choices``: the allowed values of a text field: a tuple,
    a function returning one, or a :class:`core.registry.Registry` (its names; a miss is
    the registry's own message). ``advanced``: drawn inside the
    form's "advanced" expander. ``unit``: said after the bounds in messages ("words").
    ``zero``: what 0 means ("off", "no cap"), said in messages. ``fmt``: the number
    format of the widget ("%.0e"). ``widget``: "radio" draws choices (or a bool) as a
    radio instead of a selectbox (checkbox). ``flags``: extra CLI flags ("--lr"). ``cli``/``form``:
    False leaves the field out of the CLI's flags / the generic form (a page draws it
    itself). ``optional``: None is allowed (no value). ``label``/``help``: locale keys
    that override the derived ones.
    """

    name: str = ""
    type: type | None = None
    default: Any = None
    low: float | int | None = None
    high: float | int | None = None
    step: float | int | None = None
    choices: Any = None
    advanced: bool = False
    unit: str = ""
    zero: str = ""
    fmt: str | None = None
    widget: str = ""
    flags: tuple[str, ...] = ()
    cli: bool = True
    form: bool = True
    optional: bool = False
    label: str = ""
    help: str = ""

    # ------------------------------------------------------------------ facts

    def options(self) -> tuple | None:
        """The allowed values (a registry or a function of choices is asked now), or None when any value goes."""
        if self.choices is None:
            return None
        if _is_registry(self.choices):
            return tuple(self.choices.names())
        return tuple(self.choices() if callable(self.choices) else self.choices)

    @property
    def flag(self) -> str:
        """The CLI flag: ``--vector-size`` for ``vector_size``."""
        return "--" + self.name.replace("_", "-")

    def bounds_text(self) -> str:
        """The bounds as the CLI help and messages say them: ``1 to 10000``, ``at least 1``, ``at most 2``, ``""``."""
        low = _number(self.low) + (f" ({self.zero})" if self.zero and self.low == 0 else "")
        if self.low is not None and self.high is not None:
            return f"{low} to {_number(self.high)}"
        if self.low is not None:
            return f"at least {low}"
        if self.high is not None:
            return f"at most {_number(self.high)}"
        return ""

    # ------------------------------------------------------------------ checking

    def check(self, value):
        """``value`` if it fits this setting; ``ValueError`` with a message a user can act on otherwise."""
        if value is None and self.optional:
            return value
        self._check_type(value)
        if _is_registry(self.choices):
            self.choices.get(value)  # the registry's own message: "unknown task 'x'; known tasks: ..."
            return value
        options = self.options()
        if options is not None and value not in options:
            raise ValueError(f"{self.name} must be one of {', '.join(map(str, options))}, not {value!r}.")
        if self.type in (int, float):
            too_low = self.low is not None and value < self.low
            too_high = self.high is not None and value > self.high
            if too_low or too_high:
                raise ValueError(f"{self.name} must be {self._range_phrase()}{self._try()}, not {_number(value)}.")
        return value

    def _check_type(self, value) -> None:
        if self.type is bool:
            ok = isinstance(value, bool)
        elif self.type is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif self.type is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)
        else:
            ok = isinstance(value, self.type)
        if not ok:
            what = {bool: "True or False", int: "a whole number", float: "a number", str: "text"}.get(
                self.type, f"a {self.type.__name__}")
            raise ValueError(f"{self.name} must be {what}, not {value!r}.")

    def _range_phrase(self) -> str:
        text = self.bounds_text()
        if self.low is not None and self.high is not None:
            low, high = text.split(" to ")
            return f"between {low} and {high}{' ' + self.unit if self.unit else ''}"
        return text + (f" {self.unit}" if self.unit else "")

    def _try(self) -> str:
        return f" (try {_number(self.default)})" if self.type in (int, float) and self.default is not None else ""


def setting(default=MISSING, *, default_factory=MISSING, type: type | None = None, **declared) -> Any:
    """A dataclass field carrying its :class:`Setting` (see the module docstring for the keywords)."""
    unknown = set(declared) - {f.name for f in fields(Setting)} - {"name", "default"}
    if unknown:
        raise TypeError(f"setting() got unknown keywords: {', '.join(sorted(unknown))}")
    spec = Setting(**declared, type=type)
    return dataclasses.field(default=default, default_factory=default_factory, metadata={META: spec})


def schema(cls) -> tuple[Setting, ...]:
    """The :class:`Setting` of every field of the config class ``cls`` that declares one, in field order.

    ``name``, ``type`` (that of the default unless declared) and ``default`` are filled
    in; labels and help default to ``<cls.STRINGS>.hp.<name>`` / ``<cls.STRINGS>.help.<name>``.
    """
    prefix = getattr(cls, "STRINGS", "")
    out = []
    for f in fields(cls):
        spec = f.metadata.get(META)
        if spec is None:
            continue
        default = f.default if f.default is not MISSING else (
            f.default_factory() if f.default_factory is not MISSING else None)
        kind = spec.type or (type(default) if type(default) in TYPES else str)
        out.append(dataclasses.replace(
            spec, name=f.name, type=kind, default=default,
            label=spec.label or f"{prefix}.hp.{f.name}", help=spec.help or f"{prefix}.help.{f.name}"))
    return tuple(out)


def setting_of(cls, name: str) -> Setting:
    """The :class:`Setting` of field ``name`` of ``cls``; ``KeyError`` if it declares none."""
    for spec in schema(cls):
        if spec.name == name:
            return spec
    raise KeyError(name)


def validate(config) -> None:
    """Check every declared field of the dataclass instance ``config`` (types, choices, bounds).

    Called first in ``__post_init__``; raises the first field's ``ValueError``.
    """
    for spec in schema(type(config)):
        spec.check(getattr(config, spec.name))


def help_text(spec: Setting, lang: str = "en") -> str:
    """The field's help in ``lang`` (the locale string ``spec.help``), or "" when there is none."""
    from core.i18n import translate

    text = translate(spec.help, lang)
    return "" if text == spec.help else text


# ------------------------------------------------------------------ the CLI


def add_arguments(parser: argparse.ArgumentParser, cls, *, skip: tuple[str, ...] = (),
                  defaults: dict | None = None) -> None:
    """One argparse option per declared field of ``cls`` (``--field-name`` plus its ``flags``).

    The help is the field's English help text and its bounds (``[1 to 10000]``).
    Values are converted, not judged: the config's validation refuses a bad one
    with its own one-line message (the CLI prints it and exits 2). ``defaults`` overrides a field's default on the CLI
    (e.g. "" for "choose for me").
    """
    defaults = defaults or {}
    says_defaults = issubclass(parser.formatter_class, argparse.ArgumentDefaultsHelpFormatter)
    for spec in schema(cls):
        if not spec.cli or spec.name in skip:
            continue
        default = defaults.get(spec.name, spec.default)
        text = help_text(spec)
        if spec.bounds_text():
            text = f"{text} [{spec.bounds_text()}]".strip()
        text = text.replace("%", "%%") + ("" if says_defaults else " (default: %(default)s)")
        kwargs = {"dest": spec.name, "default": default, "help": text}
        if spec.type is bool:  # off by default: a plain switch (--no-header); on: --sg / --no-sg
            kwargs["action"] = "store_true" if default is False else argparse.BooleanOptionalAction
        else:
            kwargs["type"] = _cli_type(spec)
            kwargs["choices"] = spec.options()
            if spec.type in (int, float):
                kwargs["metavar"] = spec.type.__name__.upper()
        parser.add_argument(*spec.flags, spec.flag, **kwargs)


def values_from_args(cls, args, *, skip: tuple[str, ...] = ()) -> dict:
    """``{field: value}`` of the declared fields of ``cls`` from parsed ``args`` (see :func:`add_arguments`)."""
    return {spec.name: getattr(args, spec.name) for spec in schema(cls)
            if spec.cli and spec.name not in skip and hasattr(args, spec.name)}


def _cli_type(spec: Setting):
    """Text -> the field's type; what does not convert stays text, so the validation names it in one line."""
    def parse(text: str):
        if spec.optional and text == "":
            return None
        if spec.type not in (int, float):
            return text
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if spec.type is int and number.is_integer() else number

    parse.__name__ = spec.type.__name__
    parse.setting = spec  # the schema test reads the bounds back from here
    return parse


# ------------------------------------------------------------------ config.json

_FIELD_COMMENT = re.compile(r"^    (\w+): [^=]+=.*?  # (.+)$")


def field_help(source: str | Path) -> dict[str, str]:
    """``{field name: the comment after it}`` of a config module not yet on the schema (to be removed)."""
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


def _is_registry(choices) -> bool:
    """A :class:`core.registry.Registry` (or anything with ``names()`` and ``get(name)``) as the choices."""
    return hasattr(choices, "names") and hasattr(choices, "get") and not isinstance(choices, (tuple, list, dict))


def _number(value) -> str:
    """A bound as people write it: 10000, 0.5, 1e-08."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
