"""The shared metrics reader behind live pages: incremental, one per run, thinned, memoised, access-checked."""
from __future__ import annotations

import json

import pytest

import core.jobs as jobs
from core.jobs import queue, store, tail


def _append(path, records, *, newline=True):
    with open(path / "metrics.jsonl", "a", encoding="utf-8") as fh:
        text = "\n".join(json.dumps(r) for r in records)
        fh.write(text + ("\n" if newline else ""))


def _run(root, name="r"):
    run_id, path = queue.create_run("finetune", {"task": "classification"}, name, root)
    return run_id, path


def test_tail_reads_only_what_was_appended_and_leaves_a_half_written_line(runs_root):
    run_id, path = _run(runs_root)
    shared = jobs.metrics_tail(run_id)
    assert shared.poll() == 0 and shared.records == []
    _append(path, [{"type": "step", "step": 1}, {"type": "step", "step": 2}])
    assert shared.poll() == 1 and [r["step"] for r in shared.records] == [1, 2]
    first = shared.records
    offset = shared.offset
    with open(path / "metrics.jsonl", "a") as fh:
        fh.write('{"type": "step", "st')  # the job is still writing this line
    assert shared.poll() == 1 and shared.offset == offset  # nothing complete: same version, same bytes read
    with open(path / "metrics.jsonl", "a") as fh:
        fh.write('ep": 3}\n')
    assert shared.poll() == 2 and [r["step"] for r in shared.records] == [1, 2, 3]
    assert [r["step"] for r in first] == [1, 2]  # a list handed out earlier never changes under its reader


def test_every_watcher_of_a_run_shares_one_tail_and_polls_are_rate_limited(runs_root):
    run_id, path = _run(runs_root)
    a, b = jobs.metrics_tail(run_id), jobs.metrics_tail(run_id)
    assert a is b
    other, _ = _run(runs_root, "other")
    assert jobs.metrics_tail(other) is not a
    a.poll()
    _append(path, [{"type": "step", "step": 1}])
    assert b.poll(min_interval_s=60) == 0  # polled a moment ago: no file access at all
    assert b.poll() == 1


def test_snapshot_thins_steps_keeps_evals_and_the_last_step():
    records = [{"type": "step", "step": i} for i in range(1, 5001)]
    records.insert(2500, {"type": "eval", "step": 2500, "accuracy": 0.5})
    thin = tail.thin_steps(records, max_steps=600)
    steps = [r for r in thin if r["type"] == "step"]
    assert len(steps) <= 601 and steps[-1]["step"] == 5000 and steps[0]["step"] == 1
    assert [r for r in thin if r["type"] == "eval"] == [records[2500]]
    assert tail.thin_steps(records[:100], 600) == records[:100]


def test_memo_builds_once_per_version_for_everyone(runs_root):
    run_id, path = _run(runs_root)
    shared = jobs.metrics_tail(run_id)
    _append(path, [{"type": "step", "step": 1}])
    shared.poll()
    calls = []

    def build(records):
        calls.append(len(records))
        return object()

    first = shared.memo(("chart", "en"), build, shared.snapshot())
    assert shared.memo(("chart", "en"), build, shared.snapshot()) is first  # a second tab: no rebuild
    assert shared.memo(("chart", "zh"), build, shared.snapshot()) is not first  # another language: its own
    _append(path, [{"type": "step", "step": 2}])
    shared.poll()
    assert shared.memo(("chart", "en"), build, shared.snapshot()) is not first
    assert calls == [1, 1, 2]


def test_a_deleted_run_is_forgotten_and_a_shorter_file_read_again(runs_root):
    run_id, path = _run(runs_root)
    shared = jobs.metrics_tail(run_id)
    _append(path, [{"type": "step", "step": s} for s in range(10)])
    shared.poll()
    (path / "metrics.jsonl").write_text(json.dumps({"type": "step", "step": 0}) + "\n")
    shared.poll()
    assert [r["step"] for r in shared.records] == [0]
    store.update_status(path, state="done")
    jobs.delete_run(run_id)
    assert str(path.resolve()) not in tail._TAILS


def test_class_mode_gives_a_tail_only_to_who_may_read_the_run(runs_root):
    from core.classroom import ClassSettings, Limits, add_user, save_settings

    save_settings(ClassSettings(name="c", code="open-sesame", limits=Limits(active_runs=10)), runs_root)
    add_user("teach", "teacher-pass", role="teacher", runs_root=runs_root)
    add_user("alice", "alice-pass", runs_root=runs_root)
    add_user("bob", "bob-pass", runs_root=runs_root)
    run_id, _ = queue.create_run("finetune", {"task": "classification"}, "mine", runs_root, user="alice")
    assert jobs.metrics_tail(run_id, user="alice") is jobs.metrics_tail(run_id, user="teach")
    with pytest.raises(jobs.AccessError):
        jobs.metrics_tail(run_id, user="bob")


def test_memo_rebuilds_at_a_bounded_rate(runs_root, monkeypatch):
    run_id, path = _run(runs_root)
    shared = jobs.metrics_tail(run_id)
    clock = [100.0]
    monkeypatch.setattr(tail.time, "monotonic", lambda: clock[0])
    builds = []
    for step in range(1, 11):  # a record every second for ten seconds
        _append(path, [{"type": "step", "step": step}])
        shared.poll()
        shared.memo("chart", lambda records: builds.append(len(records)), shared.snapshot(), min_interval_s=5.0)
        clock[0] += 1.0
    assert builds == [1, 6]  # built at once, then once 5 s later: not ten times
