"""The engine registry is the one list of engines: a new engine shows up everywhere by being registered."""
from __future__ import annotations

import pytest

from core.word2vec import TrainConfig, engines, train
from tests.word2vec.toy_engine import ToyEngine


@pytest.fixture
def toy():
    engines.register(ToyEngine)
    yield engines.get("toy")
    engines.unregister("toy")


def _word2vec_parser():
    import argparse

    from core.cli import word2vec

    parser = argparse.ArgumentParser()
    word2vec.register(parser.add_subparsers())
    return parser


def _help_of(parser, command: str) -> str:
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sub.choices[command].format_help()


def test_a_registered_engine_is_offered_by_the_cli_and_trains(toy, runs_root):
    text = " ".join(_help_of(_word2vec_parser(), "word2vec").split())
    assert "{torch,gensim,toy}" in text and "toy: random vectors, for tests of the engine registry" in text
    import argparse

    from core.cli import runs

    parser = argparse.ArgumentParser()
    runs.register(parser.add_subparsers())
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    submit_help = " ".join(_help_of(sub.choices["runs"], "submit").split())
    assert "word2vec engine: torch, gensim, toy" in submit_help
    kv = train([["a", "b", "c"]] * 5, TrainConfig(vector_size=4, min_count=1, epochs=1), engine="toy")
    assert kv.vectors.shape == (3, 4)
    from core.word2vec.job import build_job_config, resource

    config = build_job_config("zh", {"epochs": 1}, engine="toy")
    assert config["engine"] == "toy" and resource(config) == "cpu"


def test_unknown_engine_is_one_line_and_exit_2_in_the_cli(runs_root, capsys, tmp_path):
    from core.cli import main

    code = main(["word2vec", "--corpus", "zh", "--engine", "fast", "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err
    assert err.startswith("error: unknown word2vec engine 'fast'; known engines: ")
    assert all(name in err for name in engines.names())


def test_unknown_engine_in_a_job_config_names_the_known_ones():
    from core.word2vec.job import build_job_config

    with pytest.raises(ValueError, match="known engines: " + ", ".join(engines.names())):
        build_job_config("zh", engine="fast")
