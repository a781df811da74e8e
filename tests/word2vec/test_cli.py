"""python -m core word2vec: files written, evaluation JSON, one-line errors with exit code 2."""
from __future__ import annotations

import json

import pytest

from core.cli import main


@pytest.mark.parametrize("engine", ["torch", "gensim"])
def test_cli_trains_and_writes_vectors_and_evaluation(tmp_path, engine, capsys):
    out = tmp_path / "run"
    code = main(["word2vec", "--corpus", "zh", "--engine", engine, "--epochs", "2", "--min-count", "2",
                 "--vector-size", "16", "--batch-size", "2048", "--out", str(out), "--no-progress"])
    assert code == 0
    for name in ("vectors.bin", "vocab.txt", "vectors.txt", "vectors.tsv", "metadata.tsv", "config.json"):
        assert (out / name).exists(), name
    scores = json.loads((out / "evaluation.json").read_text())
    assert set(scores) == {"wordsim353", "simlex999", "analogies"}
    config = json.loads((out / "config.json").read_text())
    assert config["config"]["vector_size"] == 16 and config["engine"] == engine
    from core.vectors.io import load_run_vectors

    kv = load_run_vectors(out)
    assert "北京" in kv.key_to_index and kv.vector_size == 16
    assert "language zh" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--corpus", "/no/such/file.txt"], "File not found"),
        (["--corpus", "zh", "--window", "0"], "window must be between 1 and 50"),
        (["--corpus", "zh", "--min-count", "100000"], "lower min_count"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    code = main(["word2vec", *args, "--out", str(tmp_path / "o"), "--no-progress", "--epochs", "1"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: ") and message in err and "\n" not in err


def test_cli_rejects_binary_upload(tmp_path, capsys):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert main(["word2vec", "--corpus", str(path), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert "PNG image" in capsys.readouterr().err
