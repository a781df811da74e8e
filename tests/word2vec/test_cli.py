"""python -m core word2vec: a run of the runs directory like an app run, one-line errors with exit code 2."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import core.jobs as jobs
from core.cli import main
from core.word2vec import engines

CASES = Path(__file__).resolve().parents[1] / "cases"


@pytest.mark.parametrize("engine", engines.names())
def test_cli_run_is_a_run_like_the_apps(runs_root, tmp_path, engine, capsys):
    out = tmp_path / "copies"
    code = main(["word2vec", "--corpus", "zh", "--engine", engine, "--epochs", "2", "--min-count", "2",
                 "--vector-size", "16", "--batch-size", "2048", "--out", str(out), "--no-progress"])
    assert code == 0
    printed = capsys.readouterr().out
    [run] = jobs.list_runs()
    assert run["kind"] == "word2vec" and run["state"] == "done"
    # config.json has the app's shape: the job config, with the engine and the hyperparameters
    assert run["config"]["engine"] == engine and run["config"]["train"]["vector_size"] == 16
    assert run["config"]["corpus"] == "zh" and run["name"] == "zh"
    summary = run["summary"]
    assert summary["engine"] == engine and summary["vocab_size"] > 100
    assert {"wordsim353_coverage", "analogies_coverage", "diagnosis"} <= set(summary)
    # the explorer reads it back like an app run
    from core.vectors.io import load_run_vectors

    kv = load_run_vectors(jobs.run_dir(run["id"]))
    assert "北京" in kv.key_to_index and kv.vector_size == 16
    for name in ("vectors.bin", "vocab.txt", "vectors.txt", "projector_vectors.tsv", "evaluation.json"):
        assert (out / name).exists(), name
    assert set(json.loads((out / "evaluation.json").read_text())) >= {"wordsim353", "simlex999", "analogies"}
    assert "Reading report for zh" in printed and "Rows read: 496" in printed  # the reading report (#11)
    assert run["id"] in printed and f"/explorer?run={run['id']}" in printed
    # every score printed carries its coverage, or says why it is withheld
    score_lines = [line for line in printed.splitlines() if line.startswith("  - ")]
    assert score_lines and all("coverage" in line or "withheld" in line for line in score_lines), score_lines
    assert "wordsim353" not in "".join(score_lines)  # English sets cover no Chinese word: not shown
    assert main(["runs", "list"]) == 0
    listed = capsys.readouterr().out
    assert run["id"] in listed and "zh_analogies=" in listed and "wordsim353" not in listed.split(run["id"])[1]


def test_default_engine_on_a_cpu_is_gensim_and_the_cli_says_why(runs_root, capsys, monkeypatch):
    monkeypatch.setattr(engines, "device_type", lambda device=None: "cpu")
    assert main(["word2vec", "--corpus", "zh", "--epochs", "1", "--min-count", "2", "--vector-size", "8",
                 "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert jobs.list_runs()[0]["config"]["engine"] == "gensim"
    first = printed.splitlines()[0]
    assert first.startswith("engine gensim (the default on this machine's cpu)")
    assert "torch offers higher quality" in first and "WordSim353 0.41-0.47 vs 0.24-0.25" in first


@pytest.mark.parametrize(
    "args, message",
    [
        (["--corpus", "/no/such/file.txt"], "does not exist"),
        (["--corpus", "zh", "--window", "0"], "window must be between 1 and 50"),
        (["--corpus", "zh", "--min-count", "100000"], "lower min_count"),
        (["--corpus", "zh", "--engine", "gensim", "--device", "cuda"], "CPU only"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(runs_root, capsys, args, message):
    code = main(["word2vec", *args, "--no-progress", "--epochs", "1"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("error: ") and message in err and "\n" not in err


def test_empty_vocabulary_case_says_what_to_change(runs_root, capsys):
    """shared case w2v-empty-vocab: 23 tokens, default min_count=5: no word reaches it."""
    path = CASES / "w2v-empty-vocab" / "tiny.txt"
    for engine in engines.names():
        code = main(["word2vec", "--corpus", str(path), "--engine", engine, "--no-progress"])
        err = capsys.readouterr().err.strip()
        assert code == 2 and "\n" not in err
        # "the" occurs 3 times, every other word once: at min_count=1 there are words to train on
        assert "No word occurs at least min_count=5 times in 23 tokens (the most frequent word occurs 3 times)" in err
        assert "lower min_count to 1 or less, or use a larger corpus" in err
    # the failed runs are recorded with the same message (the app shows them too)
    assert {run["state"] for run in jobs.list_runs()} == {"failed"}
    assert all("No word occurs at least min_count=5" in run["error"] for run in jobs.list_runs())


def test_empty_vocabulary_case_through_the_api():
    from core.text import read_corpus
    from core.word2vec import TrainConfig, train

    corpus = read_corpus(str(CASES / "w2v-empty-vocab" / "tiny.txt"))
    for engine in engines.names():
        with pytest.raises(ValueError, match=r"No word occurs at least min_count=5 times in 23 tokens "
                                             r"\(the most frequent word occurs \d times\)"):
            train(corpus, TrainConfig(), engine=engine)


def test_cli_rejects_binary_upload(runs_root, tmp_path, capsys):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert main(["word2vec", "--corpus", str(path), "--no-progress"]) == 2
    assert "PNG image" in capsys.readouterr().err


def test_datasets_are_offered_with_source_and_licence(runs_root, capsys):
    from core.datasets import list_datasets

    corpora = list_datasets(task="corpus")
    parser_help = " ".join(_word2vec_help().split())
    for ds in corpora:
        assert f"dataset:{ds.name} (" in parser_help and "licence:" in parser_help
    assert main(["word2vec", "--corpus", "dataset:nope", "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "unknown dataset 'nope'; known datasets:" in err
    assert jobs.list_runs() == []


def _word2vec_help() -> str:
    import argparse

    from core.cli import word2vec

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    word2vec.register(sub)
    return sub.choices["word2vec"].format_help()
