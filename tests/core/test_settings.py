"""core.settings: one schema per config field gives the validation, the CLI flag and its help the same bounds."""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import ClassVar

import pytest

from core import settings
from core.settings import setting


def _choices():
    return ("a", "b")


@dataclass(frozen=True)
class Toy:
    STRINGS: ClassVar[str] = "toy"
    epochs: int = setting(5, low=1, high=100, unit="passes")
    rate: float = setting(0.1, low=0.0, high=1.0, step=0.05, zero="off", advanced=True, flags=("-r",))
    mode: str = setting("a", choices=_choices)
    fast: bool = setting(False)
    note: str = setting("", cli=False, form=False)
    seed: int = setting(0, low=0)
    plain: int = 3  # no setting: not part of the schema

    def __post_init__(self):
        settings.validate(self)


def test_schema_fills_in_name_type_default_and_locale_keys():
    specs = {s.name: s for s in settings.schema(Toy)}
    assert list(specs) == ["epochs", "rate", "mode", "fast", "note", "seed"]
    assert (specs["epochs"].type, specs["epochs"].default, specs["epochs"].label, specs["epochs"].help) == (
        int, 5, "toy.hp.epochs", "toy.help.epochs")
    assert specs["rate"].type is float and specs["rate"].advanced and specs["rate"].step == 0.05
    assert specs["mode"].options() == ("a", "b") and specs["fast"].type is bool


@pytest.mark.parametrize("values, message", [
    ({"epochs": 0}, "epochs must be between 1 and 100 passes (try 5), not 0."),
    ({"epochs": 101}, "between 1 and 100"),
    ({"epochs": 2.5}, "epochs must be a whole number, not 2.5."),
    ({"epochs": True}, "epochs must be a whole number"),
    ({"rate": 1.5}, "rate must be between 0 (off) and 1 (try 0.1), not 1.5."),
    ({"rate": float("nan")}, "rate must be a number"),
    ({"mode": "c"}, "mode must be one of a, b, not 'c'."),
    ({"fast": "yes"}, "fast must be True or False"),
    ({"seed": -1}, "seed must be at least 0 (try 0), not -1."),
])
def test_validation_uses_the_declared_bounds_and_says_what_to_change(values, message):
    with pytest.raises(ValueError) as err:
        Toy(**values)
    assert message in str(err.value)


def test_bounds_are_inclusive():
    Toy(epochs=1, rate=0.0)
    Toy(epochs=100, rate=1.0)
    Toy(rate=1)  # an int is a fine float


def test_cli_flags_come_from_the_schema_with_bounds_in_the_help_and_the_same_refusals():
    parser = argparse.ArgumentParser(formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    settings.add_arguments(parser, Toy)
    text = " ".join(parser.format_help().split())
    assert "--epochs INT" in text and "[1 to 100]" in text and "-r FLOAT, --rate FLOAT" in text
    assert "[0 (off) to 1]" in text and "--mode {a,b}" in text and "--fast " in text and "--no-fast" not in text
    assert "--note" not in text and "--plain" not in text
    args = parser.parse_args(["--epochs", "7", "-r", "0.5", "--mode", "b", "--fast"])
    assert settings.values_from_args(Toy, args) == {"epochs": 7, "rate": 0.5, "mode": "b", "fast": True, "seed": 0}
    assert Toy(**settings.values_from_args(Toy, args)).epochs == 7
    for flags, message in ((["--epochs", "0"], "epochs must be between 1 and 100 passes"),
                           (["--epochs", "2.5"], "epochs must be a whole number, not 2.5"),
                           (["--epochs", "many"], "epochs must be a whole number, not 'many'"),
                           (["--mode", "c"], None)):
        if message is None:  # choices are argparse's own check
            with pytest.raises(SystemExit):
                parser.parse_args(flags)
            continue
        with pytest.raises(ValueError, match=message):  # the config refuses it in one line, as the CLI prints it
            Toy(**settings.values_from_args(Toy, parser.parse_args(flags)))


def test_unknown_keywords_are_a_programming_error():
    with pytest.raises(TypeError, match="unknown keywords: hgih"):
        setting(1, hgih=3)


def test_help_text_reads_the_locale_string():
    spec = settings.Setting(name="x", help="common.bad_input")
    assert settings.help_text(spec, "en") and settings.help_text(spec, "zh") != settings.help_text(spec, "en")
    assert settings.help_text(settings.Setting(name="x", help="no.such.key")) == ""


def test_a_registry_as_choices_gives_its_names_and_its_own_miss_message():
    from core.registry import Registry

    reg = Registry("flavour")
    reg.register(type("V", (), {"name": "vanilla"}))

    @dataclass(frozen=True)
    class Ice:
        flavour: str = setting("vanilla", choices=reg)

        def __post_init__(self):
            settings.validate(self)

    assert settings.schema(Ice)[0].options() == ("vanilla",)
    with pytest.raises(ValueError, match=r"unknown flavour 'mint'; known flavours: vanilla\."):
        Ice(flavour="mint")
