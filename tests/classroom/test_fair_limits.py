"""Fair use: the next slot goes to whoever waited longest; limits refuse with a message, lose nothing."""
from __future__ import annotations

import io
import json
import os

import pytest

import core.jobs as jobs
from core.classroom import update_settings
from core.jobs import LimitError, store
from core.jobs.fair import entry_name, fair_order, parse_entry
from core.jobs.uploads import save_upload
from tests.classroom.conftest import submit


def test_fair_order_puts_whoever_waited_longest_first():
    entries = [(1, "cpu", "a2", "alice"), (2, "cpu", "a3", "alice"), (3, "cpu", "b1", "bob"), (4, "cpu", "c1", "carl")]
    # alice was served a moment ago, carl long ago, bob never: bob, carl, then alice's in order
    order = fair_order(entries, running={}, last_start={"alice": 100.0, "carl": 10.0})
    assert [e[2] for e in order] == ["b1", "c1", "a2", "a3"]
    # someone with a run already running waits behind everyone with none
    order = fair_order(entries, running={"bob": 1}, last_start={"alice": 100.0, "carl": 10.0})
    assert [e[2] for e in order] == ["c1", "a2", "a3", "b1"]
    # alone (no owners) it is FIFO
    alone = [(5, "cpu", "x", ""), (3, "cpu", "y", ""), (4, "cpu", "z", "")]
    assert [e[2] for e in fair_order(alone, {}, {})] == ["y", "z", "x"]


def test_queue_entry_names_round_trip():
    assert parse_entry(entry_name(12, "gpu", "word2vec-20261201-101010-abcdef", "alice")) == (
        12, "gpu", "word2vec-20261201-101010-abcdef", "alice")
    assert parse_entry(entry_name(3, "cpu", "t_sleep-1")) == (3, "cpu", "t_sleep-1", "")
    assert parse_entry("garbage") is None


def test_a_queues_five_b_queues_one_one_slot_b_starts_second(klass, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_MAX_CPU_JOBS", "1")
    a_runs = [submit("t_sleep", {"seconds": 0.4}, name=f"a{i}", user="alice") for i in range(5)]
    b_run = submit("t_sleep", {"seconds": 0.4}, name="b0", user="bob")
    for run_id in a_runs + [b_run]:
        assert jobs.wait(run_id, timeout=120, poll=0.1, user="teach")["state"] == "done"
    starts = {r["id"]: store.parse_iso(r["started"]) for r in jobs.list_runs(user="teach")}
    intervals = {rid: json.loads((klass / rid / "interval.json").read_text()) for rid in starts}
    order = sorted(starts, key=lambda rid: intervals[rid][0])
    assert order[0] == a_runs[0] and order[1] == b_run, order
    assert order[2:] == a_runs[1:]  # alice's others keep their own order
    # one slot: no two ran at once
    spans = sorted(intervals.values())
    assert all(later[0] >= earlier[1] - 0.05 for earlier, later in zip(spans, spans[1:]))


def _run_ids(root):
    return sorted(p.name for p in root.iterdir() if (p / "config.json").is_file())


def test_active_runs_limit_refuses_the_third_and_keeps_the_others(klass):
    update_settings(klass, limits={"active_runs": 2})
    first = submit("t_sleep", {"seconds": 30}, user="alice")
    second = submit("t_sleep", {"seconds": 30}, user="alice")
    before = _run_ids(klass)
    queue_before = sorted(os.listdir(klass / ".queue"))
    with pytest.raises(LimitError, match="You already have 2 runs queued or running") as info:
        submit("t_sleep", {"seconds": 0.1}, user="alice")
    assert info.value.key == "classroom.limit.active_runs" and info.value.fields == {"n": 2, "limit": 2}
    assert _run_ids(klass) == before and sorted(os.listdir(klass / ".queue")) == queue_before
    assert {jobs.get_status(r, user="alice")["state"] for r in (first, second)} <= {"queued", "running"}
    # bob is not held back by alice, and the teacher is never limited
    bob = submit("t_sleep", {"seconds": 0.05}, user="bob")
    teacher_runs = [submit("t_sleep", {"seconds": 0.05}, user="teach") for _ in range(3)]
    # once alice cancels one, she may start another
    jobs.cancel(first, user="alice")
    jobs.wait(first, timeout=60, user="alice")
    third = submit("t_sleep", {"seconds": 0.05}, user="alice")
    for run_id in (second,):
        jobs.cancel(run_id, user="alice")
    for run_id in [bob, third, second, *teacher_runs]:
        jobs.wait(run_id, timeout=90, user="teach")


def test_class_queue_limit(klass):
    update_settings(klass, limits={"queue_total": 2})
    runs = [submit("t_sleep", {"seconds": 30}, user=who) for who in ("alice", "bob")]
    with pytest.raises(LimitError, match="The class already has 2 runs") as info:
        submit("t_sleep", {"seconds": 0.1}, user="alice")
    assert info.value.key == "classroom.limit.queue_total"
    for run_id in runs:
        jobs.cancel(run_id, user="teach")
        jobs.wait(run_id, timeout=60, user="teach")


def test_upload_and_disk_limits_refuse_and_keep_nothing(klass):
    update_settings(klass, limits={"upload_mb": 1, "disk_mb": 2})
    kept = save_upload(io.BytesIO(b"small file\n" * 10), "small.txt", user="alice")
    with pytest.raises(LimitError, match="upload limit of 1 MiB") as info:
        save_upload(io.BytesIO(b"x" * (1024 * 1024 + 10)), "big.txt", user="alice")
    assert info.value.key == "classroom.limit.upload"
    folder = klass / ".uploads" / "alice"
    assert sorted(p.name for p in folder.iterdir()) == [kept.name]  # no temp file, the old upload intact
    # fill alice's disk with a run's artifacts: then new uploads and new runs are refused
    run_id = submit("t_sleep", {"seconds": 0.05}, user="alice")
    jobs.wait(run_id, timeout=60, user="alice")
    (klass / run_id / "big.bin").write_bytes(b"0" * (2 * 1024 * 1024))
    with pytest.raises(LimitError, match="of your 2 MiB") as info:
        save_upload(io.BytesIO(b"another\n"), "more.txt", user="alice")
    assert info.value.key == "classroom.limit.disk"
    with pytest.raises(LimitError, match="delete runs you no longer need"):
        submit("t_sleep", {"seconds": 0.05}, user="alice")
    assert save_upload(io.BytesIO(b"bob's\n"), "b.txt", user="bob").is_file()  # bob has his own quota
    jobs.delete_run(run_id, user="alice")
    assert save_upload(io.BytesIO(b"another\n"), "more.txt", user="alice").is_file()


def test_a_run_that_writes_past_twice_the_disk_limit_is_stopped_and_says_why(klass, monkeypatch):
    """Disk is watched while a run writes, not only at submit: past 2x the limit it is cancelled, files kept."""
    monkeypatch.setenv("EMBEDLAB_DISK_CHECK_S", "0.2")  # the worker process reads it
    update_settings(klass, limits={"disk_mb": 2})
    run_id = submit("t_fill", {"mib": 1, "files": 40}, user="alice")
    status = jobs.wait(run_id, timeout=60, user="alice")
    assert status["state"] == "cancelled", status
    assert status["limit"]["key"] == "classroom.limit.disk_running"
    assert "more than 2 times your 2 MiB" in status["limit"]["message"]
    written = sorted((klass / run_id).glob("part*.bin"))
    assert 4 <= len(written) < 40 and (klass / run_id / "stopped.txt").is_file()  # stopped early, files kept
    teachers = submit("t_fill", {"mib": 1, "files": 8}, user="teach")  # the teacher's runs are not limited
    assert jobs.wait(teachers, timeout=60, user="teach")["state"] == "done"
