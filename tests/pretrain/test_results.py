"""core.pretrain.results: the extrapolation rows a run left, and which finished runs make a fair shoot-out."""
from __future__ import annotations

import json

from core.pretrain.results import comparable_runs, read_extrapolation


def test_extrapolation_rows_are_read_and_a_missing_or_broken_file_is_no_rows(tmp_path):
    assert read_extrapolation(tmp_path) == []
    (tmp_path / "extrapolation.json").write_text("{not json", encoding="utf-8")
    assert read_extrapolation(tmp_path) == []
    rows = [{"factor": 1, "seq_len": 16, "accuracy": 0.3}, {"factor": 2, "seq_len": 32, "accuracy": 0.2}]
    (tmp_path / "extrapolation.json").write_text(json.dumps({"rows": rows}), encoding="utf-8")
    assert read_extrapolation(tmp_path) == rows


def test_a_shootout_takes_finished_runs_with_the_newest_ones_corpus_size_and_budget():
    base = {"corpus": "zh", "preset": "tiny", "seq_len": 64, "steps": 100, "batch_size": 8}
    runs = [{"id": "new", "state": "done", "config": {**base, "position_encoding": "rope"}},
            {"id": "running", "state": "running", "config": base},
            {"id": "other-corpus", "state": "done", "config": {**base, "corpus": "lee"}},
            {"id": "old", "state": "done", "config": {**base, "position_encoding": "alibi"}}]
    assert comparable_runs(runs) == ["new", "old"]
    assert comparable_runs([r for r in runs if r["state"] != "done"]) == []
