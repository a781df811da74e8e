"""``python -m core inspect`` prints every step's shape and writes matching .npy files."""
import re

import numpy as np

from core.cli import main


def test_inspect_writes_npy_with_printed_shapes(tmp_path, capsys):
    assert main(["inspect", "我们在北京学习中文。", "--pair", "The cat.", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    printed = {m.group(1): tuple(int(x) for x in m.group(2).split(",") if x.strip())
               for m in re.finditer(r"^(\w+)\s+\(([\d, ]+)\)\s+\(", out, re.M)}
    assert {"one_hot", "word", "position", "token_type", "sum", "layernorm", "q", "k", "v", "scores", "probs"} <= set(printed)
    for name, shape in printed.items():
        arr = np.load(tmp_path / f"{name}.npy")
        assert arr.shape == shape, name
    seq = printed["input_ids"][0]
    assert printed["layernorm"] == (seq, 384) and printed["probs"] == (12, seq, seq)
    tokens = (tmp_path / "tokens.txt").read_text(encoding="utf-8").split()
    assert len(tokens) == seq and "[UNK]" in tokens
    assert (np.load(tmp_path / "one_hot.npy").argmax(1) == np.load(tmp_path / "input_ids.npy")).all()
    assert "max |ours - model.embeddings|" in out


def test_inspect_empty_sentence_exits_2(capsys):
    assert main(["inspect", "  "]) == 2
    assert "empty" in capsys.readouterr().err


def test_inspect_unknown_position_is_one_line_exit_2(capsys):
    assert main(["inspect", "The cat sat.", "--position", "rope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rope acts inside attention" in err and "sinusoidal, learned, none" in err
