"""The schema test (issue 21): for every field of every config, the page's widget, the CLI's --help and the
validation give the same bounds and choices, because all three are read from the field's one declaration."""
from __future__ import annotations

import argparse
import dataclasses
import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import settings
from core.finetune.config import FinetuneConfig
from core.pretrain.config import PretrainConfig
from core.vectors.projection import ProjectionConfig
from core.word2vec.config import TrainConfig

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = [TrainConfig, FinetuneConfig, PretrainConfig, ProjectionConfig]
# The CLI command whose flags a config's fields are (ProjectionConfig runs through the explorer page only).
COMMANDS = {TrainConfig: "word2vec", FinetuneConfig: "finetune", PretrainConfig: "pretrain"}
# Fields whose bound can only be reached with a companion value (rules that tie two fields together).
COMPANIONS = {
    (TrainConfig, "min_alpha", "high"): {"alpha": 1.0}, (TrainConfig, "alpha", "low"): {"min_alpha": 0.0},
    (FinetuneConfig, "valid_fraction", "high"): {"test_fraction": 0.0},
    (FinetuneConfig, "test_fraction", "high"): {"valid_fraction": 0.01},
    (FinetuneConfig, "valid_fraction", "low"): {"valid_file": "v.csv"},
}
FIELDS = [(cls, spec) for cls in CONFIGS for spec in settings.schema(cls)]
IDS = [f"{cls.__name__}.{spec.name}" for cls, spec in FIELDS]


def test_every_field_of_every_config_declares_its_schema_and_its_strings():
    from core.i18n import catalog

    for cls in CONFIGS:
        declared = {spec.name for spec in settings.schema(cls)}
        fields = {f.name for f in dataclasses.fields(cls) if f.name != "params"}  # params: the method's own Params
        assert declared == fields, cls.__name__
        for spec in settings.schema(cls):
            keys = (spec.label, spec.help) if spec.form else (spec.help,)  # the page labels its own widgets
            if cls is ProjectionConfig:
                keys = (spec.label,)  # the explorer's widgets; it has no CLI
            for key in keys:
                assert all(catalog().get(key, {}).get(lang) for lang in ("en", "zh")), (cls.__name__, spec.name, key)


def _outside(spec, bound: float, side: int):
    """A value just past ``bound`` on ``side`` (-1 below, +1 above) that the widget could never hold."""
    if spec.type is int:
        return int(bound) + side
    return bound + side * max(abs(bound) * 1e-3, 1e-9)


@pytest.mark.parametrize("cls, spec", FIELDS, ids=IDS)
def test_validation_accepts_the_bounds_and_refuses_just_past_them(cls, spec):
    for side, bound in ((-1, spec.low), (1, spec.high)):
        if bound is None:
            continue
        companion = COMPANIONS.get((cls, spec.name, "low" if side < 0 else "high"), {})
        cls(**{spec.name: spec.type(bound), **companion})
        with pytest.raises(ValueError, match=spec.name):
            cls(**{spec.name: _outside(spec, bound, side), **companion})
    options = spec.options()
    if options is not None:
        for option in options:
            cls(**{spec.name: option})
        with pytest.raises(ValueError, match=spec.name if not hasattr(spec.choices, "get") else "unknown"):
            cls(**{spec.name: "no-such-choice" if spec.type is str else 99})


def _subparser(command: str) -> argparse.ArgumentParser:
    from core.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[command]


@pytest.mark.parametrize("cls", list(COMMANDS), ids=lambda c: c.__name__)
def test_the_cli_help_says_the_same_bounds_and_choices(cls):
    parser = _subparser(COMMANDS[cls])
    text = " ".join(parser.format_help().split())
    for spec in settings.schema(cls):
        if not spec.cli:
            continue
        action = next(a for a in parser._actions if spec.flag in a.option_strings)
        assert action.dest == spec.name
        if spec.bounds_text():
            assert f"[{spec.bounds_text()}]" in " ".join((action.help or "").split()), spec.name
            assert f"[{spec.bounds_text()}]" in text
            assert action.type.setting == spec
        if spec.options() is not None and spec.type is not bool:
            assert tuple(action.choices) == spec.options(), spec.name


def _form(cls) -> AppTest:
    at = AppTest.from_file(str(ROOT / "tests" / "ui" / "form_script.py"), default_timeout=60)
    at.query_params["config"] = f"{cls.__module__}.{cls.__name__}"
    return at.run()


def _assert_widgets_match(at, specs: dict, key_of) -> int:
    """Every widget keyed like a schema field has the field's bounds, step and choices; returns how many."""
    checked = 0
    for box in at.number_input:
        spec = specs.get(key_of(box.key))
        if spec is None:
            continue
        assert (box.min, box.max) == (spec.low, spec.high), box.key
        if spec.step is not None:
            assert math.isclose(box.step, spec.step), box.key
        checked += 1
    for kind in ("selectbox", "radio"):
        for widget in getattr(at, kind):
            spec = specs.get(key_of(widget.key))
            if spec is None or spec.options() is None:
                continue
            assert tuple(widget.options) == tuple(widget.format_func(o) for o in spec.options()) or \
                len(widget.options) == len(spec.options()), widget.key
            checked += 1
    return checked


@pytest.mark.parametrize("cls", [TrainConfig, FinetuneConfig, PretrainConfig], ids=lambda c: c.__name__)
def test_the_generic_form_draws_every_field_with_the_schemas_bounds(cls):
    at = _form(cls)
    assert not at.exception, [e.value for e in at.exception]
    specs = {spec.name: spec for spec in settings.schema(cls) if spec.form}
    checked = _assert_widgets_match(at, specs, lambda key: str(key).removeprefix("schema_"))
    numbers = [s for s in specs.values() if s.type in (int, float) and s.options() is None]
    assert checked >= len(numbers)  # every number field was drawn and checked


@pytest.mark.parametrize("page, cls, prefix", [
    ("train_word2vec.py", TrainConfig, "train_hp_"),
    ("finetune.py", FinetuneConfig, "ft_"),
    ("pretrain.py", PretrainConfig, "pretrain_hp_"),
])
def test_the_pages_widgets_have_the_schemas_bounds(runs_root, page, cls, prefix):
    at = AppTest.from_file(str(ROOT / "app_pages" / page), default_timeout=180)
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    specs = {spec.name: spec for spec in settings.schema(cls) if spec.form}
    checked = _assert_widgets_match(at, specs, lambda key: str(key).removeprefix(prefix))
    assert checked >= 5, f"only {checked} {cls.__name__} widgets found on {page}"


def test_the_explorers_projection_widgets_have_the_schemas_bounds(runs_root, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_WARM_UMAP", "0")
    at = AppTest.from_file(str(ROOT / "app_pages" / "explorer.py"), default_timeout=300)
    at.session_state["lang"] = "en"
    at.run()  # no runs yet: the shipped MiniLM table
    assert not at.exception, [e.value for e in at.exception]
    specs = {spec.name: spec for spec in settings.schema(ProjectionConfig)}
    checked = _assert_widgets_match(at, specs, lambda key: str(key).removeprefix("explorer_"))
    assert checked >= 3  # seed, metric, dims
