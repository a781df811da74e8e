"""``python -m core inspect`` prints every step's shape and writes matching .npy files."""
import re

import numpy as np
import pytest

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


WHERE_LINE = {"learned": "enters at the input", "sinusoidal": "enters at the input",
              "rope": "enters inside attention", "alibi": "enters inside attention", "none": "enters nowhere"}


@pytest.mark.parametrize("position", sorted(WHERE_LINE))
def test_inspect_an_embedlab_model_says_where_position_enters(embedlab_folder, capsys, position):
    folder = embedlab_folder(position)
    assert main(["inspect", "the [MASK] sat on the mat .", "--model", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "(embedlab-bert)" in out and "MLM head: yes" in out
    assert f"position: {position} (" in out and WHERE_LINE[position] in out
    assert ("position_scores" in out) == (position in ("rope", "alibi"))
    assert float(re.search(r"model.embeddings\|: (\S+)", out).group(1)) < 1e-5
    assert float(re.search(r"output_attentions\[0\]\|: (\S+)", out).group(1)) < 1e-5
    guesses = re.search(r"^\[MASK\] at 2: (.+)$", out, re.M).group(1).split(", ")
    probs = [float(g.rsplit(" ", 1)[1]) for g in guesses]
    assert len(probs) == 5 and probs == sorted(probs, reverse=True)


def test_inspect_minilm_says_it_has_no_head(capsys):
    assert main(["inspect", "The cat sat on the [MASK]."]) == 0
    out = capsys.readouterr().out
    assert "(bert)" in out and "position: learned (" in out and "enters at the input" in out
    assert "no masked-LM head" in out
