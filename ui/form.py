"""A page's form drawn from a config class's settings schema, kept across a refresh and seeded from a run.

One :class:`Form` per page holds the widgets of one config dataclass (its
fields' :class:`core.settings.Setting`: label and help keys, bounds, step,
choices, "advanced") plus any ``extra`` widgets the page draws itself (the
corpus choice, the engine). It keeps the form in ``st.session_state`` under
``<name>_<field>`` (extras under their own keys), and does the three things
every training page needs, in this order, once each::

    form = Form("train_hp", TrainConfig, extra={"train_engine": "gensim"})
    form.start(run_id, lambda: run_settings(run_id))   # defaults, then the run's settings, then ?form=
    values = form.draw(["vector_size", "window", ...], columns=2)
    ...
    form.keep_in_url()                                  # last: non-default values into ?form=

- defaults: each widget starts at its field's default (never given a second default);
- a reattached run (``?run=``): its settings are written into the form once per run,
  so Train starts "again with changes" from what the run shows;
- a refresh: the form's non-default values live in ``?form=`` (compact JSON) and come
  back once per session, on top of the run's settings. Values that no longer fit the
  schema (a bound changed, a choice went away) are skipped, never crash the page.

The widget a field gets follows its declaration: a checkbox (bool), a selectbox or
radio (choices), a number input with the schema's ``low``/``high``/``step``, or a text
input; so the page, the CLI (``core.settings.add_arguments``) and the validation
give the same bounds.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import streamlit as st

from core import settings
from core.settings import Setting
from ui.i18n import t

URL_PARAM = "form"
SCALARS = (bool, int, float, str)


class Form:
    """The form of one page: ``cls``'s schema fields (keys ``<name>_<field>``) and the page's ``extra`` keys.

    ``fields``: only these schema fields (default: every field whose ``form`` is True).
    ``extra``: ``{session key: default}`` of widgets the page draws itself, kept and seeded
    like the schema's; ``allowed``: ``{key: function returning the values a restored key
    may take}`` (values outside are skipped).
    """

    def __init__(self, name: str, cls=None, *, fields: tuple[str, ...] | None = None,
                 extra: dict[str, Any] | None = None, allowed: dict[str, Callable[[], Any]] | None = None):
        self.name = name
        specs = settings.schema(cls) if cls is not None else ()
        self.specs: dict[str, Setting] = {s.name: s for s in specs
                                          if (s.name in fields if fields is not None else s.form)}
        self.extra = dict(extra or {})
        self.allowed = dict(allowed or {})

    # ------------------------------------------------------------------ keys and values

    def key(self, field: str) -> str:
        """The session-state key of a schema field (an extra's key is itself)."""
        return f"{self.name}_{field}" if field in self.specs else field

    def keys(self) -> list[str]:
        return [self.key(f) for f in self.specs] + list(self.extra)

    def value(self, field: str):
        return st.session_state.get(self.key(field))

    def values(self, fields=None) -> dict:
        """``{field: value}`` of the schema fields (all, or ``fields``), as the config takes them."""
        return {f: self.value(f) for f in (fields or self.specs)}

    def set(self, field: str, value) -> None:
        """Write a value into the form (before its widget is drawn in this run)."""
        st.session_state[self.key(field)] = value

    # ------------------------------------------------------------------ seeding

    def start(self, run_id: str | None = None, run_values: Callable[[], dict] | None = None) -> None:
        """Defaults (once per session), then ``run_values()`` of ``run_id`` (once per run), then ``?form=`` (once)."""
        self._defaults()
        if run_id and run_values is not None:
            self.from_run(run_id, run_values)
        self._from_url()

    def _defaults(self) -> None:
        state = st.session_state
        for field, spec in self.specs.items():
            state.setdefault(self.key(field), _as_widget_value(spec, spec.default))
        for key, default in self.extra.items():
            state.setdefault(key, default)
        state.setdefault(self._marker("baseline"), {key: state.get(key) for key in self.keys()})

    def from_run(self, run_id: str, run_values: Callable[[], dict]) -> None:
        """Once per attached run: write its settings (``{field or extra key: value}``) into the form."""
        if st.session_state.get(self._marker("run")) == run_id:
            return
        self.mark_seeded(run_id)
        self.restore(run_values() or {})

    def mark_seeded(self, run_id: str) -> None:
        """The form already shows ``run_id``'s settings (it was just started from them)."""
        st.session_state[self._marker("run")] = run_id

    def restore(self, values: dict) -> list[str]:
        """Write ``{field or key: value}`` into the form where each value fits; returns the names skipped."""
        skipped = []
        for name, value in values.items():
            key = self.key(name)
            fitted = self._fit(name, value)
            if fitted is _MISFIT:
                skipped.append(name)
            elif key in self.keys():
                st.session_state[key] = fitted
        return skipped

    def _fit(self, name: str, value):
        """``value`` as the widget of ``name`` holds it, or ``_MISFIT``."""
        if name in self.specs:
            spec = self.specs[name]
            try:
                return _as_widget_value(spec, spec.check(_cast(spec, value)))
            except (TypeError, ValueError):
                return _MISFIT
        if name not in self.extra or not _same_type(self.extra[name], value):
            return _MISFIT
        if name in self.allowed and value not in self.allowed[name]():
            return _MISFIT
        return float(value) if isinstance(self.extra[name], float) else value

    def _from_url(self) -> None:
        if st.session_state.get(self._marker("url")):
            return
        st.session_state[self._marker("url")] = True
        try:
            saved = json.loads(st.query_params.get(URL_PARAM) or "{}")
        except ValueError:
            return
        if isinstance(saved, dict):
            by_key = {self.key(f): f for f in self.specs}
            self.restore({by_key.get(key, key): value for key, value in saved.items()})

    def keep_in_url(self) -> None:
        """Put the form's non-default values in ``?form=`` (removed when everything is at its default)."""
        state, baseline = st.session_state, st.session_state.get(self._marker("baseline"), {})
        changed = {key: state[key] for key in self.keys()
                   if key in state and state[key] != baseline.get(key) and isinstance(state[key], SCALARS)
                   and state[key] != ""}
        text = json.dumps(changed, ensure_ascii=False, separators=(",", ":"), sort_keys=True) if changed else ""
        if text and st.query_params.get(URL_PARAM) != text:
            st.query_params[URL_PARAM] = text
        elif not text and URL_PARAM in st.query_params:
            del st.query_params[URL_PARAM]

    def _marker(self, what: str) -> str:
        return f"_form_{self.name}_{what}"

    # ------------------------------------------------------------------ widgets

    def widget(self, field: str, where=None, **overrides):
        """Draw the widget of schema field ``field`` in ``where`` (default: the page); returns its value.

        ``overrides``: ``label``, ``help``, ``format_func`` (choice labels), ``options`` (the
        choices a page offers for a free text field, e.g. this machine's devices), ``horizontal``
        (radio), or any other keyword of the Streamlit widget.
        """
        where = where if where is not None else st
        spec = self.specs[field]
        key = self.key(field)
        label = overrides.pop("label", None) or t(spec.label)
        help_text = overrides.pop("help", None) or _translated(spec.help)
        options = overrides.pop("options", None) or spec.options()  # a page may offer what this machine has
        # Written back every run, so the browser is told the value each time. Told once, a number box the
        # browser redraws (the section above it changed) came back at its minimum and was sent back so.
        st.session_state[key] = st.session_state.get(key, _as_widget_value(spec, spec.default))
        if spec.type is bool and spec.widget != "radio":
            return where.checkbox(label, key=key, help=help_text, **overrides)
        if spec.type is bool:
            options = (True, False)
        if options is not None:
            options = tuple(options)
            if st.session_state.get(key) not in options:
                st.session_state[key] = spec.default if spec.default in options else options[0]
            # labels translated now, not in format_func (AppTest formats outside the page's session)
            format_func = overrides.pop("format_func", None) or {v: _choice_label(spec, v) for v in options}.get
            draw = where.radio if spec.widget == "radio" else where.selectbox
            if spec.widget == "radio":
                overrides.setdefault("horizontal", True)
            return draw(label, list(options), key=key, help=help_text, format_func=format_func, **overrides)
        if spec.type in (int, float):
            return where.number_input(label, key=key, help=help_text, **number_bounds(spec), **overrides)
        return where.text_input(label, key=key, help=help_text, **overrides)

    def draw(self, fields, *, columns: int = 2, advanced: str | None = None, where=None) -> dict:
        """Draw ``fields`` in a grid of ``columns``; advanced ones inside an expander titled ``advanced``."""
        where = where if where is not None else st
        fields = list(fields)
        plain = [f for f in fields if not (advanced and self.specs[f].advanced)]
        hidden = [f for f in fields if f not in plain]
        values = self._grid(plain, columns, where)
        if hidden:
            with where.expander(advanced):
                values.update(self._grid(hidden, columns, st))
        return values

    def _grid(self, fields: list[str], columns: int, where) -> dict:
        if not fields:
            return {}
        cells = where.columns(columns)
        return {f: self.widget(f, cells[i % columns]) for i, f in enumerate(fields)}


def number_bounds(spec: Setting) -> dict:
    """The number input's ``min_value``/``max_value``/``step``/``format`` for ``spec`` (the schema's own numbers)."""
    kind = spec.type
    out = {"min_value": None if spec.low is None else kind(spec.low),
           "max_value": None if spec.high is None else kind(spec.high),
           "step": kind(spec.step) if spec.step is not None else (1 if kind is int else None)}
    if spec.fmt:
        out["format"] = spec.fmt
    return {k: v for k, v in out.items() if v is not None or k in ("min_value", "max_value")}


_MISFIT = object()


def _cast(spec: Setting, value):
    """A JSON value as the field's type (an int where a float is wanted; a whole float where an int is)."""
    if spec.type is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if spec.type is int and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _as_widget_value(spec: Setting, value):
    return float(value) if spec.type is float and value is not None else value


def _same_type(default, value) -> bool:
    if default is None or value is None:
        return True
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return type(value) is type(default)


def _translated(key: str) -> str | None:
    text = t(key)
    return None if text == key else text


def _choice_label(spec: Setting, value) -> str:
    """``<prefix>.choice.<field>.<value>`` translated, else the value itself."""
    prefix = spec.label.rsplit(".hp.", 1)[0] if ".hp." in spec.label else spec.label.split(".", 1)[0]
    key = f"{prefix}.choice.{spec.name}.{value}"
    text = t(key)
    return str(value) if text == key else text
