"""The job layer as a user relies on it: runs finish, the queue is bounded and fair,
cancel keeps partial work, crashes and kills end in a readable "failed", nothing is lost."""
from __future__ import annotations

import json
import os
import signal
import time

import pytest

import core.jobs as jobs
from core.jobs import store
from tests.jobs.watching import wait_for, watch


def submit(kind, config=None, **kwargs):
    return jobs.submit(kind, {"device": "cpu", **(config or {})}, **kwargs)


def finish(run_id, timeout=30.0):
    status = jobs.wait(run_id, timeout=timeout, poll=0.05)
    assert status["state"] in jobs.FINAL, status
    return status


def test_lifecycle_queued_running_done_and_metrics_stream(jobs_root, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_MAX_CPU_JOBS", "1")
    blocker = submit("t_sleep", {"seconds": 1.0})
    run_id = submit("t_stream", {"steps": 15, "every": 0.1}, name="stream  me\n")
    first = jobs.get_status(run_id)
    assert first["state"] == "queued" and first["position"] in (1, 2)
    seen, counts, records = watch(run_id)
    assert seen == ["queued", "running", "done"]
    assert finish(blocker)["state"] == "done"
    # the stream grew while the job ran (several distinct sizes), and reading by offset lost nothing
    assert len(set(counts)) >= 4
    assert [r["step"] for r in records] == list(range(15))
    assert all(r["type"] == "step" and isinstance(r["time"], float) for r in records)
    final = jobs.get_status(run_id)
    assert final["progress"] == 1.0 and final["started"] and final["finished"] and final["error"] is None
    listed = {run["id"]: run for run in jobs.list_runs()}
    assert listed[run_id]["name"] == "stream me"  # one clean line, never a path
    assert listed[run_id]["summary"] == {"final_loss": pytest.approx(1 / 15)}
    assert [run["id"] for run in jobs.list_runs()][:2] == [run_id, blocker]  # newest first
    assert [run["id"] for run in jobs.list_runs(kind="t_sleep")] == [blocker]


def test_queue_positions_follow_submission_order(jobs_root, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_MAX_CPU_JOBS", "1")
    blocker = submit("t_stream", {"steps": 200, "every": 0.05})
    wait_for(lambda: jobs.get_status(blocker)["state"] == "running")
    waiting = [submit("t_sleep", {"seconds": 0.05}) for _ in range(3)]
    assert [jobs.get_status(r)["position"] for r in waiting] == [1, 2, 3]
    assert jobs.get_status(blocker)["position"] is None
    jobs.cancel(blocker)
    for run_id in waiting:
        assert finish(run_id)["state"] == "done"


def test_thirty_jobs_all_finish_never_more_than_the_limit(jobs_root, monkeypatch):
    limit = 3
    monkeypatch.setenv("EMBEDLAB_MAX_CPU_JOBS", str(limit))
    ids = [submit("t_sleep", {"seconds": 0.15}, name=f"student {i}") for i in range(30)]
    assert len(set(ids)) == 30
    statuses = [finish(run_id, timeout=120) for run_id in ids]
    assert [s["state"] for s in statuses] == ["done"] * 30
    intervals = [json.loads((jobs_root / run_id / "interval.json").read_text()) for run_id in ids]
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals],
                    key=lambda e: (e[0], e[1]))
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    assert 1 <= peak <= limit
    assert not os.listdir(jobs_root / ".queue")  # the queue drained


def test_cancel_running_job_keeps_partial_work(jobs_root):
    run_id = submit("t_stream", {"steps": 10_000, "every": 0.02})
    wait_for(lambda: (jobs_root / run_id / "partial.txt").exists())
    jobs.cancel(run_id)
    status = finish(run_id)
    assert status["state"] == "cancelled"
    assert "forcefully" not in status["message"]  # it stopped by itself, cooperatively
    steps_done = int((jobs_root / run_id / "partial.txt").read_text())
    assert 1 <= steps_done < 10_000
    records, _ = jobs.read_metrics(run_id)
    assert len(records) >= 1


def test_cancel_queued_job_never_starts(jobs_root, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_MAX_CPU_JOBS", "1")
    blocker = submit("t_sleep", {"seconds": 0.8})
    queued = submit("t_sleep", {"seconds": 0.1})
    status = jobs.cancel(queued)
    assert status["state"] == "cancelled" and status["started"] is None
    assert finish(blocker)["state"] == "done"
    time.sleep(0.5)
    assert jobs.get_status(queued)["state"] == "cancelled"
    assert not (jobs_root / queued / "interval.json").exists()


def test_job_ignoring_cancel_is_stopped_forcefully(jobs_root):
    run_id = submit("t_stubborn", {"seconds": 60})
    wait_for(lambda: jobs.get_status(run_id)["job_pid"])
    jobs.cancel(run_id)
    status = finish(run_id, timeout=20)  # grace is 1 s in tests, then SIGTERM
    assert status["state"] == "cancelled"
    assert "forcefully" in status["message"]


def test_crashing_job_fails_with_its_message(jobs_root):
    crash, bad = submit("t_crash"), submit("t_bad")
    crashed, refused = finish(crash), finish(bad)
    assert crashed["state"] == "failed"
    assert crashed["error"] == "RuntimeError: boom: the tiny job crashed on purpose"
    assert "Traceback" in (jobs_root / crash / "log.txt").read_text()
    assert refused["state"] == "failed" and refused["error"] == "min_count must be at least 1"


def test_killed_job_fails_with_reason_and_others_finish(jobs_root):
    victim = submit("t_die", {"seconds": 60})
    others = [submit("t_sleep", {"seconds": 0.1}) for _ in range(3)]
    pid = int(wait_for(lambda: (jobs_root / victim / "job.pid").exists()
                       and (jobs_root / victim / "job.pid").read_text()))
    os.kill(pid, signal.SIGKILL)
    status = finish(victim)
    assert status["state"] == "failed"
    assert "killed" in status["error"] and "SIGKILL" in status["error"] and "memory" in status["error"]
    assert [finish(r)["state"] for r in others] == ["done"] * 3


def test_dead_worker_is_noticed_and_recover_marks_interrupted(jobs_root):
    run_id = submit("t_die", {"seconds": 60})
    wait_for(lambda: (jobs_root / run_id / "job.pid").exists())
    status = jobs.get_status(run_id)
    # the supervisor dies first: the job keeps running, so the run is not "gone"
    os.kill(status["pid"], signal.SIGKILL)
    time.sleep(0.3)
    assert jobs.recover() == []
    assert jobs.get_status(run_id)["state"] == "running"
    # then the job: nobody is left, and the next app start calls it interrupted
    os.kill(status["job_pid"], signal.SIGKILL)
    wait_for(lambda: not jobs.queue.process_alive(status["job_pid"], run_id))
    assert jobs.recover() == [run_id]
    after = jobs.get_status(run_id)
    assert after["state"] == "interrupted" and "Start it again" in after["error"]


def test_recover_handles_a_run_left_running_by_a_crashed_server(jobs_root):
    run_dir = jobs_root / "word2vec-left-over"
    run_dir.mkdir()
    store.write_json(run_dir / "config.json", {"kind": "word2vec", "name": "", "config": {}, "seq": 1})
    store.write_json(run_dir / "status.json", {**store.new_status(), "state": "running", "pid": 2**22 + 7})
    assert jobs.recover() == ["word2vec-left-over"]
    assert jobs.get_status("word2vec-left-over")["state"] == "interrupted"
    assert jobs.recover() == []  # idempotent


def test_get_status_marks_a_vanished_queued_worker_failed(jobs_root):
    run_dir = jobs_root / "t_sleep-vanished"
    run_dir.mkdir()
    store.write_json(run_dir / "config.json", {"kind": "t_sleep", "config": {}, "resource": "cpu", "seq": 5})
    store.write_json(run_dir / "status.json", {**store.new_status(), "pid": 2**22 + 9})
    (jobs_root / ".queue").mkdir(exist_ok=True)
    (jobs_root / ".queue" / "000000005-cpu-t_sleep-vanished").touch()
    status = jobs.get_status("t_sleep-vanished")
    assert status["state"] == "failed" and "stopped unexpectedly" in status["error"]
    assert not os.listdir(jobs_root / ".queue")
    # a dead head of the queue does not block the runs behind it
    assert finish(submit("t_sleep", {"seconds": 0.05}))["state"] == "done"


def test_delete_refuses_active_runs(jobs_root):
    run_id = submit("t_stream", {"steps": 10_000, "every": 0.02})
    wait_for(lambda: jobs.get_status(run_id)["state"] == "running")
    with pytest.raises(ValueError, match="cancel it first"):
        jobs.delete_run(run_id)
    jobs.cancel(run_id)
    finish(run_id)
    jobs.delete_run(run_id)
    assert not (jobs_root / run_id).exists()
    with pytest.raises(ValueError, match="no run"):
        jobs.get_status(run_id)


@pytest.mark.parametrize("bad", [
    "../etc", "..", "a/../b", "/etc/passwd", "a/b", "", ".hidden", "x" * 81, "run\n", "a..b",
    "~root", "run id", "run;rm -rf", "C:\\x", "运行",
])
def test_run_ids_never_become_unchecked_paths(jobs_root, bad):
    before = sorted(os.listdir(jobs_root))
    with pytest.raises(ValueError, match="not a valid run id"):
        jobs.run_dir(bad)
    for call in (jobs.get_status, jobs.cancel, jobs.delete_run, jobs.read_metrics):
        with pytest.raises(ValueError):
            call(bad)
    assert sorted(os.listdir(jobs_root)) == before  # nothing created
    assert not (jobs_root.parent / "etc").exists()


def test_good_ids_resolve_inside_the_root(jobs_root):
    assert jobs.run_dir("word2vec-20260101-000000-abc123") == jobs_root / "word2vec-20260101-000000-abc123"
    assert jobs.run_dir("a.b_c-1").parent == jobs_root


def test_only_registered_kinds_and_allowed_targets(jobs_root):
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.submit("os.system", {"device": "cpu"})
    with pytest.raises(ValueError, match="not an allowed"):
        jobs.register_kind("evil", "os:system")
    with pytest.raises(ValueError, match="JSON"):
        jobs.submit("t_sleep", {"device": "cpu", "x": object()})
    assert jobs.list_runs() == []  # refused submissions leave nothing behind


def test_resource_inference_by_device():
    assert jobs.infer_resource({"device": "cpu"}) == "cpu"
    assert jobs.infer_resource({"device": "cuda:0"}) == "gpu"
    assert jobs.infer_resource({"device": "mps"}) == "gpu"


def test_the_kind_says_which_resource_its_job_needs(jobs_root):
    """The queue asks the kind: the word2vec kind asks its engine (a CPU-only engine on "cuda" is refused,
    not queued as a GPU job), a kind with a resource function answers through it."""
    from core.word2vec import engines

    for name in engines.names():
        config = {"engine": name, "device": "cpu"}
        assert jobs.infer_resource(config, "word2vec") == engines.get(name).resource("cpu") == "cpu"
    assert jobs.infer_resource({"device": "cuda"}, "t_gpu_only") == "gpu"  # tiny_jobs.gpu_resource
    run_id = jobs.submit("t_gpu_only", {"device": "cpu", "seconds": 0.1})
    assert jobs.read_config(run_id)["resource"] == "gpu"
    jobs.cancel(run_id)
    jobs.register_kind("t_other", "tests.jobs.tiny_jobs:sleep_job", resource="tests.jobs.tiny_jobs:gpu_resource")
    assert jobs.resource_for("t_other", {"device": "cpu"}) == "gpu"
    jobs.register_kind("t_liar", "tests.jobs.tiny_jobs:sleep_job", resource="tests.jobs.tiny_jobs:bad_resource")
    with pytest.raises(ValueError, match="expected 'cpu' or 'gpu'"):
        jobs.submit("t_liar", {"device": "cpu"})
