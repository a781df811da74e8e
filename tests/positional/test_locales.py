"""Every key the positional page builds at run time (f-string keys) exists in both languages."""
from core.i18n import catalog
from core.positional import EncodingSpec, get, lab_view, names
from core.positional.base import VIEWS, PositionalEncoding

VIEW_KEYS = {  # the kind's own sentences each view shows (page: kind_text(group, view))
    "matrix": ("kind", "explain", "info"),
    "dimensions": ("explain.wavelength",),
    "similarity": ("explain.similarity",),
    "distance": ("distance.y", "explain.distance"),
    "beyond": ("beyond",),
}


def kind_keys(kind: str) -> list[str]:
    cls = get(kind)
    keys = [f"positional.{group}.{kind}" for view in cls.views for group in VIEW_KEYS.get(view, ())]
    if cls.vectors is PositionalEncoding.vectors:  # no vectors: the matrix tab shows its (query, key) scores
        keys.append(f"positional.matrix.pairs.{kind}")
    if "beyond" in cls.views and lab_view(EncodingSpec(kind=kind, seq_len=32, dim=16)).extrapolation.nearest is None:
        keys.append(f"positional.beyond.note.{kind}")  # shown instead of a nearest-position curve
    keys += [f"positional.{p.name}{suffix}" for p in cls.params for suffix in ("", "_help")]
    keys += [f"positional.{p.name}_expander" for p in cls.params if p.type is str]
    keys.append(f"positional.where.{cls.where}")
    return keys


KEYS = [
    *(key for kind in names() for key in kind_keys(kind)),
    *(f"positional.tab.{view}" for view in VIEWS),
    *(f"positional.axis.{get(kind).score_axis}" for kind in names()),
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
