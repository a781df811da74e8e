"""The registry: every kind declares what it owns, lookups fail loudly, and a new kind needs no other edit."""
from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
import torch

from core import positional as pe
from core.cli import build_parser, main

BUILT_IN = ("sinusoidal", "learned", "rope", "alibi", "t5", "none")


def test_the_built_in_kinds_are_registered_in_teaching_order():
    assert pe.names()[: len(BUILT_IN)] == BUILT_IN
    assert pe.KINDS == BUILT_IN  # the old public name still works


@pytest.mark.parametrize("kind", pe.names())
def test_every_kind_declares_where_formula_source_views_and_parameters(kind):
    cls = pe.get(kind)
    assert cls.kind == kind and cls.where in pe.WHERE
    enc = pe.make(pe.EncodingSpec(kind=kind))
    for latex in (enc.formula, enc.distance_formula):
        assert latex and latex.count("{") == latex.count("}")  # shown with st.latex: balanced braces
    assert re.search(r"(19|20)\d\d", cls.source)  # a citation with its year
    assert cls.views[0] == "matrix" and "compare" in cls.views and "distance" in cls.views
    assert set(cls.views) <= set(pe.base.VIEWS)
    spec_defaults = {f.name: f.default for f in dataclasses.fields(pe.EncodingSpec)}
    for param in cls.params:
        assert param.help and param.validate(param.default) == param.default
        if param.name in spec_defaults:  # EncodingSpec's field and the kind agree on the default
            assert spec_defaults[param.name] == param.default


@pytest.mark.parametrize("kind", pe.names())
def test_where_matches_what_the_kind_computes(kind):
    enc = pe.make(pe.EncodingSpec(kind=kind, seq_len=16, dim=16))
    rows = pe.get(kind).input_part(10, 384) if enc.where != "attention" else None
    if enc.where == "input":  # a vector per position, added to the token embeddings
        assert enc.has_vectors and rows.shape == (10, 384) and rows.abs().sum() > 0
    elif enc.where == "none":  # nothing anywhere: zero rows and zero scores
        assert torch.equal(rows, torch.zeros(10, 384))
        assert torch.equal(enc.scores(torch.arange(5), torch.arange(5)), torch.zeros(1, 5, 5))
    else:
        with pytest.raises(ValueError, match="inside attention"):
            pe.get(kind).input_part(10, 384)


@pytest.mark.parametrize("kind", pe.names())
def test_matrix_is_the_vectors_or_the_scores(kind):
    enc = pe.make(pe.EncodingSpec(kind=kind, seq_len=12, dim=8))
    out = enc.matrix(12)
    pos = torch.arange(12)
    if enc.has_vectors:
        assert out.shape == (12, enc.dim) and torch.equal(out, enc.vectors(pos))
    else:
        assert out.shape[-2:] == (12, 12)
        assert torch.equal(out.reshape(-1, 12, 12).float(), enc.scores(pos, pos).reshape(-1, 12, 12))


def test_unknown_kind_is_a_value_error_naming_the_known_kinds():
    for call in (lambda: pe.get("xpos"), lambda: pe.EncodingSpec(kind="xpos"),
                 lambda: pe.make(pe.EncodingSpec.of("xpos"))):
        with pytest.raises(ValueError, match="unknown positional encoding .xpos.; known positional encodings: sinusoidal, learned, rope, alibi, t5, none"):
            call()


def test_bad_settings_name_the_setting():
    with pytest.raises(ValueError, match="heads must be at most 1,024"):
        pe.EncodingSpec(kind="alibi", heads=2000)
    with pytest.raises(ValueError, match="num_buckets must be at least 4"):
        pe.EncodingSpec(kind="t5", num_buckets=2)
    with pytest.raises(ValueError, match="dim must be even"):
        pe.EncodingSpec(kind="rope", dim=9)
    pe.EncodingSpec(kind="alibi", dim=9)  # a setting the kind does not take is not checked


def test_registering_a_second_kind_under_a_taken_name_fails():
    class Impostor(pe.Sinusoidal):
        pass

    with pytest.raises(ValueError, match="already registered"):
        pe.register(Impostor)
    assert pe.get("sinusoidal") is pe.Sinusoidal


def test_a_toy_kind_is_picked_up_everywhere_with_no_other_edit(toy_kind, tmp_path, capsys):
    assert "toyconstant" in pe.names()
    # API: its own setting travels through EncodingSpec, the views follow its declaration
    spec = pe.EncodingSpec.of("toyconstant", 32, dim=6, level=0.25)
    view = pe.lab_view(spec)
    assert view.table.values.shape == (32, 6) and np.allclose(view.table.values, 0.25)
    assert np.allclose(view.distance.curves[0].values, 1.0)
    # CLI: a choice and a flag in --help, and it writes its matrix
    helptext = build_parser()._subparsers._group_actions[0].choices["positional"].format_help()
    assert "toyconstant" in helptext and "--level" in helptext and "a constant table" in helptext
    out = tmp_path / "c.npy"
    assert main(["positional", "--kind", "toyconstant", "--level", "0.75", "--dim", "4", "--seq-len", "5",
                 "--out", str(out)]) == 0
    assert np.array_equal(np.load(out), np.full((5, 4), 0.75, dtype=np.float32))
    # the input layer can swap it in for BERT's position rows (it enters at the input)
    from core.input_layer import position_kinds

    assert "toyconstant" in position_kinds()
    capsys.readouterr()


def test_cli_unknown_kind_is_one_line_exit_2(tmp_path, capsys):
    assert main(["positional", "--kind", "xpos", "--out", str(tmp_path / "x.npy")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "known positional encodings: sinusoidal, learned, rope, alibi, t5, none" in err


def test_cli_refuses_a_setting_the_kind_does_not_take(tmp_path, capsys):
    assert main(["positional", "--kind", "learned", "--dim", "64", "--out", str(tmp_path / "x.npy")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--dim does not apply to learned" in err and "sinusoidal, rope" in err
