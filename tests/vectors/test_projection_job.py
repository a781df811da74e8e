"""The "projection" job: computes into the page's cache file, reports progress, stops on cancel."""
from __future__ import annotations

import numpy as np
import pytest

from core.jobs.registry import resource_for, target_for
from core.vectors.projection import ProjectionConfig, cache_path, load_cached, project
from core.vectors.projection.job import run


class FakeContext:
    def __init__(self, run_dir, stop_after=None):
        self.run_dir, self.records, self.fractions, self.stop_after = run_dir, [], [], stop_after

    def log(self, record):
        self.records.append(record)

    def progress(self, fraction, eta_s=None, message=""):
        self.fractions.append(fraction)

    def should_stop(self):
        return self.stop_after is not None and len(self.fractions) > self.stop_after


def _job(tmp_path, method="tsne", n=300):
    x = np.random.default_rng(0).normal(size=(n, 16)).astype(np.float32)
    source = tmp_path / "input.npy"
    np.save(source, x)
    config = ProjectionConfig(method=method, n_words=n)
    output = cache_path("fp", config, tmp_path / "cache")
    return x, config, {"input": str(source), "output": str(output), "projection": config.to_dict(), "source": "t"}


def test_the_kind_is_registered_and_runs_on_the_cpu():
    assert target_for("projection") == "core.vectors.projection.job:run"
    assert resource_for("projection", {}) == "cpu"


def test_job_writes_the_cache_file_the_page_reads(tmp_path):
    x, config, job = _job(tmp_path)
    (tmp_path / "run").mkdir()
    ctx = FakeContext(tmp_path / "run")
    run(job, ctx)
    coords = load_cached(cache_path("fp", config, tmp_path / "cache"), 300, 2)
    np.testing.assert_array_equal(coords, project(x, config))  # same seed, same picture as in the page
    assert ctx.fractions[-1] == 1.0 and len(ctx.fractions) > 3
    assert not (tmp_path / "input.npy").exists()  # the job's input file is removed


def test_cancel_stops_the_fit_and_writes_nothing(tmp_path):
    _, config, job = _job(tmp_path)
    (tmp_path / "run").mkdir()
    ctx = FakeContext(tmp_path / "run", stop_after=2)
    run(job, ctx)  # returns normally: the run then ends "cancelled"
    assert ctx.records[-1].get("stopped") is True
    assert not cache_path("fp", config, tmp_path / "cache").exists()


def test_missing_input_is_a_clear_error(tmp_path):
    _, _, job = _job(tmp_path)
    (tmp_path / "input.npy").unlink()
    with pytest.raises(ValueError, match="vectors to project are gone"):
        run(job, FakeContext(tmp_path))
