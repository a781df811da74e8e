"""The word2vec job writes what the explorer and the page rely on (docs/CONTRACTS.md)."""
from __future__ import annotations

import json
import random
from collections import Counter

import numpy as np
import pytest

from core.word2vec import engines, exports, job, results
from core.word2vec import preview as corpus_preview


class FakeContext:
    """A JobContext stand-in that keeps records in memory; ``stop_after`` step records it asks to stop."""

    def __init__(self, run_dir, stop_after=None):
        self.run_dir, self.records, self.summary, self.stop_after = run_dir, [], None, stop_after

    def log(self, record):
        self.records.append({"type": "step", **record})

    def progress(self, fraction, eta_s=None, message=""):
        assert 0.0 <= fraction <= 1.0

    def should_stop(self):
        steps = sum(r["type"] == "step" for r in self.records)
        return self.stop_after is not None and steps >= self.stop_after

    def set_summary(self, scores):
        self.summary = scores

    def write_log(self, text):
        pass


@pytest.fixture
def tiny_corpus(tmp_path):
    """~4k tokens of two topics, so neighbours have something to find."""
    rng = random.Random(0)
    animals, numbers = ["cat", "dog", "horse", "cow", "sheep"], ["one", "two", "three", "four", "five"]
    lines = []
    for _ in range(400):
        topic = animals if rng.random() < 0.5 else numbers
        lines.append(" ".join(rng.choice(topic) for _ in range(10)))
    path = tmp_path / "tiny.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", engines.names())
def test_run_writes_the_contract_artifacts(tmp_path, tiny_corpus, engine):
    from core.vectors.io import load_run_vectors

    config = job.build_job_config(str(tiny_corpus), {"epochs": 2, "vector_size": 8, "min_count": 1,
                                                     "batch_size": 256}, engine=engine, device="cpu",
                                  snapshot_words=6)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    ctx = FakeContext(run_dir)
    job.run(config, ctx)
    evals = [r for r in ctx.records if r["type"] == "eval"]
    assert [r["epoch"] for r in evals] == [1, 2]
    assert {"wordsim353", "simlex999", "analogies", "analogies_coverage", "wordsim353_n",
            "wordsim353_total"} <= set(evals[0])
    assert any(r["type"] == "step" and "loss" in r for r in ctx.records)
    kv = load_run_vectors(run_dir)
    assert len(kv.index_to_key) == 10 and kv.vector_size == 8
    first = np.load(run_dir / "snapshots" / "epoch_001.npz", allow_pickle=False)
    last = np.load(run_dir / "snapshots" / "epoch_002.npz", allow_pickle=False)
    assert list(first["words"]) == list(last["words"]) == kv.index_to_key[:6]  # same order every epoch
    assert last["vectors"].dtype == np.float32 and last["vectors"].shape == (6, 8)
    np.testing.assert_allclose(last["vectors"], kv[list(last["words"])], rtol=1e-5, atol=1e-6)
    assert not np.allclose(first["vectors"], last["vectors"])  # the second epoch moved them
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    assert "pairs" in evaluation["wordsim353"]  # detail=True
    assert ctx.summary["vocab_size"] == 10 and ctx.summary["engine"] == engine
    assert ctx.summary["cancelled"] is False
    assert ctx.summary["wordsim353_total"] == 353 and ctx.summary["wordsim353_n"] == 0
    assert set(ctx.summary["diagnosis"]) == {"words", "mean_cosine", "neighbour_cosine", "degenerate", "advice"}
    assert ctx.summary["diagnosis"]["advice"][0] == {"code": "more_epochs", "epochs": 2, "suggested": 20}
    # neighbours and downloads of the finished run
    near = results.neighbours_of(kv, ["cat", "zebra"], k=3)
    assert list(near) == ["cat"] and len(near["cat"]) == 3
    assert results.neighbours_table(near)["cat"][0] == f"{near['cat'][0][0]} ({near['cat'][0][1]:.2f})"
    paths = exports.export_files(run_dir)
    text = paths["word2vec_text"].read_text(encoding="utf-8").splitlines()
    assert text[0] == "10 8"
    assert len(paths["projector_vectors"].read_text().splitlines()) == 10


def test_cancel_saves_what_was_trained(tmp_path, tiny_corpus):
    config = job.build_job_config(str(tiny_corpus), {"epochs": 50, "vector_size": 8, "min_count": 1},
                                  engine="gensim")
    ctx = FakeContext(tmp_path, stop_after=1)
    job.run(config, ctx)
    assert (tmp_path / "vectors.bin").exists() and (tmp_path / "evaluation.json").exists()
    assert ctx.summary["cancelled"] is True
    assert len(list((tmp_path / "snapshots").glob("*.npz"))) < 50


@pytest.mark.parametrize("kwargs, message", [
    ({"engine": "fast"}, "unknown word2vec engine 'fast'; known engines: "),
    ({"engine": "gensim", "device": "cuda"}, "CPU only"),
    ({"train": {"window": 0}}, "window must be between"),
    ({"train": {"windows": 3}}, "Unknown word2vec setting"),
    ({"language": "fr"}, "language must be"),
])
def test_build_job_config_refuses_bad_settings(tiny_corpus, kwargs, message):
    with pytest.raises(ValueError, match=message):
        job.build_job_config(str(tiny_corpus), **kwargs)


def test_build_job_config_needs_an_existing_corpus(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        job.build_job_config(str(tmp_path / "missing.txt"))
    config = job.build_job_config("lee")
    assert config["corpus"] == "lee" and config["train"]["vector_size"] == 100
    assert config["engine"] == engines.default_engine()


def test_preview_counts_like_an_independent_counter(tiny_corpus):
    preview = corpus_preview.preview_corpus(job.build_job_config(str(tiny_corpus)))
    tokens = tiny_corpus.read_text().split()
    counts = Counter(tokens)
    assert preview.tokens == len(tokens) and not preview.truncated
    assert dict(preview.counts) == dict(counts)
    assert [c for _, c in preview.counts] == sorted(counts.values(), reverse=True)
    assert preview.vocab_size(1) == 10
    cut = sorted(counts.values())[4]
    assert preview.vocab_size(cut + 1) == sum(c > cut for c in counts.values())
    assert preview.sentences[0] == tiny_corpus.read_text().splitlines()[0].split()
    lines = preview.token_lines(max_tokens=4).splitlines()
    assert len(lines) == 5 and lines[0] == " | ".join(preview.sentences[0][:4]) + " …"
    short = corpus_preview.preview_corpus(job.build_job_config(str(tiny_corpus)), max_tokens=100)
    assert short.truncated and 100 <= short.tokens < 110


def test_probe_words_skip_the_most_frequent():
    class KV:
        index_to_key = [f"w{i}" for i in range(100)]

    assert results.probe_words(KV(), n_words=3, skip=20) == ["w20", "w40", "w80"]
    KV.index_to_key = ["a", "b"]
    assert results.probe_words(KV(), n_words=3) == ["b"]


def test_scores_carry_their_coverage_and_thin_ones_are_withheld():
    flat = results.flatten({
        "wordsim353": {"spearman": 0.771, "coverage": 6 / 353, "n_pairs": 6, "n_total": 353},
        "simlex999": {"spearman": 0.31, "coverage": 500 / 999, "n_pairs": 500, "n_total": 999},
        "analogies": {"accuracy": None, "coverage": 0.0, "n_questions": 0, "n_total": 19544},
    })
    scores = {s.benchmark: s for s in results.scores(flat)}
    thin = scores["wordsim353"]
    assert thin.withheld and thin.coverage_text() == "6/353 (1.7%)"
    assert "only 6/353 (1.7%)" in thin.reason() and "withheld" in thin.text()
    assert not scores["simlex999"].withheld and scores["simlex999"].text() == "0.310 (coverage 500/999 (50.1%))"
    assert scores["analogies"].withheld and "no item" in scores["analogies"].reason()
    # enough coverage but too few items is withheld too
    assert results.Score("x", 0.5, 0.5, covered=10, total=20).withheld
    assert results.covered_benchmarks([{"type": "eval", **flat}]) == ["simlex999"]  # only scores not withheld


def test_degenerate_vectors_are_detected_with_advice():
    from core.vectors.keyed import make_keyed_vectors

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    collapsed = make_keyed_vectors(words, np.ones((300, 16)) + 0.01 * rng.normal(size=(300, 16)))
    diagnosis = results.diagnose(collapsed)
    assert diagnosis.degenerate and diagnosis.mean_cosine > 0.99
    message = diagnosis.message()
    assert "degenerate" in message and "more epochs" in message and "lower min_count" in message \
        and "larger corpus" in message
    healthy = make_keyed_vectors(words, rng.normal(size=(300, 16)))
    assert not results.diagnose(healthy).degenerate and results.diagnose(healthy).message() == ""
    assert results.diagnose(make_keyed_vectors(["a", "b"], np.eye(2))) is None


def test_degenerate_advice_fits_the_epochs_the_run_already_did():
    # The issue: a 50-epoch run was told to "train longer (20-50 epochs)".
    long_run = [tip["code"] for tip in results.degenerate_advice(50, min_count=5, words=40_000)]
    assert "more_epochs" not in long_run and "more_epochs_any" not in long_run
    assert long_run[0] == "larger_corpus" and "lower_min_count" in long_run
    message = results.degenerate_message(0.95, 0.99, results.degenerate_advice(50, 5, 40_000))
    assert "longer" not in message and "epochs" not in message
    short_run = results.degenerate_advice(3, min_count=1, words=5_000_000)
    assert short_run[0] == {"code": "more_epochs", "epochs": 3, "suggested": 20}
    assert "lower_min_count" not in [tip["code"] for tip in short_run]
    assert "3 epochs so far" in results.degenerate_message(0.95, 0.99, short_run)


def test_a_dataset_corpus_is_named_as_the_user_knows_it():
    from core.datasets import list_datasets

    for ds in list_datasets(task="corpus"):
        config = job.build_job_config(f"dataset:{ds.name}")
        assert config["corpus"] == f"dataset:{ds.name}" and config["corpus_name"] == ds.title_en
    with pytest.raises(ValueError, match="known datasets"):
        job.build_job_config("dataset:nope")
