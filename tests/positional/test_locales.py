"""Every key the positional page builds at run time (f-string keys) exists in both languages."""
from core.i18n import catalog
from core.positional import KINDS

KEYS = [
    *(f"positional.{group}.{kind}" for kind in KINDS for group in (
        "kind", "formula", "explain", "info", "tab.parts", "distance.y", "formula.distance",
        "explain.distance", "beyond")),
    *(f"positional.explain.{group}.{kind}" for kind in ("sinusoidal", "learned", "rope")
      for group in ("wavelength", "similarity")),
    *(f"positional.beyond.note.{kind}" for kind in ("learned", "alibi", "t5")),
    *(f"positional.curve.{label}" for label in
      ("anchor", "bound", "head", "after", "before", "dim", "nearest", "wavelength")),
]


def test_dynamic_keys_exist_in_both_languages():
    messages = catalog()
    missing = [key for key in KEYS if key not in messages or not all(messages[key].get(l) for l in ("en", "zh"))]
    assert not missing, missing


def test_chinese_is_really_chinese():
    messages = catalog()
    same = [k for k, v in messages.items() if k.startswith("positional.") and v["en"] == v["zh"]
            and not k.startswith(("positional.formula", "positional.distance.y.rope"))]
    assert not same, same
