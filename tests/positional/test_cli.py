"""``python -m core positional`` writes the matrix and says its shape."""
from __future__ import annotations

import numpy as np
import pytest

from core import positional as pe
from core.cli import main


@pytest.mark.parametrize("kind, extra, shape", [
    ("sinusoidal", [], (128, 64)),
    ("rope", ["--dim", "32"], (128, 32)),
    ("learned", ["--seq-len", "512"], (512, 384)),
    ("alibi", ["--heads", "12", "--seq-len", "40"], (12, 40, 40)),
    ("t5", ["--seq-len", "50"], (50, 50)),
    ("t5", ["--seq-len", "50", "--num-buckets", "8", "--max-distance", "16"], (50, 50)),
    ("none", ["--seq-len", "7"], (7, 7)),
])
def test_cli_writes_a_npy_of_the_right_shape(tmp_path, capsys, kind, extra, shape):
    out = tmp_path / "x.npy"
    assert main(["positional", "--kind", kind, "--out", str(out), *extra]) == 0
    values = np.load(out)
    assert values.shape == shape
    assert str(shape) in capsys.readouterr().out


def test_cli_sinusoidal_equals_the_library(tmp_path):
    out = tmp_path / "s.npy"
    main(["positional", "--kind", "sinusoidal", "--seq-len", "20", "--dim", "8", "--base", "100", "--out", str(out)])
    assert np.array_equal(np.load(out), pe.sinusoidal(20, 8, base=100.0).numpy())


@pytest.mark.parametrize("args, message", [
    (["--kind", "sinusoidal", "--dim", "63"], "dim must be even"),
    (["--kind", "learned", "--seq-len", "600"], "only 512 positions"),
    (["--kind", "rope", "--seq-len", "0"], "seq_len must be a positive"),
])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    assert main(["positional", *args, "--out", str(tmp_path / "x.npy")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("kind", pe.names())
def test_cli_writes_what_the_kind_computes(tmp_path, capsys, kind):
    out = tmp_path / f"{kind}.npy"
    assert main(["positional", "--kind", kind, "--seq-len", "24", "--out", str(out)]) == 0
    expected = pe.make(pe.EncodingSpec(kind=kind, seq_len=24)).matrix(24).numpy()
    assert np.array_equal(np.load(out), expected, equal_nan=True)
    assert f"shape {expected.shape}" in capsys.readouterr().out
