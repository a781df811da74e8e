"""The job layer's behaviour, the same through both executors: this machine ("local") and a real Ray cluster
("ray": a head and a worker node on 127.0.0.1, started once for this module, see tests/jobs/ray_cluster.py).

Every test takes ``executor`` and runs twice. What only one executor has (a node to lose, a runs folder a node
cannot see) is a test that says so. The Ray half is skipped, with the reason, where Ray cannot start.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import core.jobs as jobs
from core.jobs import executors, store
from tests.jobs.ray_cluster import LocalCluster, RayStartError
from tests.jobs import watching
from tests.jobs.watching import watch

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 120.0  # a Ray job on this shared 2-core machine takes seconds to start; never minutes


@pytest.fixture(scope="module")
def ray_cluster():
    cluster = LocalCluster(num_cpus=1)
    try:
        cluster.start()
    except RayStartError as err:
        pytest.skip(f"Ray cannot start a local cluster here: {err}")
    try:
        bad = cluster.non_loopback()
        if bad:  # fail closed: nothing of the test cluster may be reachable from, or reach, the network
            pytest.fail("the test Ray cluster uses more than 127.0.0.1: " + "; ".join(bad[:5]))
        yield cluster
        bad = cluster.non_loopback()
        assert not bad, "the test Ray cluster used more than 127.0.0.1: " + "; ".join(bad[:5])
    finally:
        cluster.shutdown()
        left = cluster.processes()
        assert not left, f"Ray processes left behind: {[p.pid for p in left]}"


@pytest.fixture(params=["local", "ray"])
def executor(request, jobs_root, monkeypatch):
    """The executor under test, on a fresh runs root (``jobs_root``); yields its name.

    Ray: the module's cluster, one logical CPU per CPU run, so each node holds one run.
    """
    if request.param == "ray":
        cluster = request.getfixturevalue("ray_cluster")
        if cluster.worker is None:  # a test took the worker node away: bring a new one
            cluster.add_worker()
            cluster.wait_for_jobs_api()
        monkeypatch.setenv("EMBEDLAB_EXECUTOR", "ray")
        monkeypatch.setenv("EMBEDLAB_RAY_ADDRESS", cluster.address)
        monkeypatch.setenv("EMBEDLAB_RAY_CPUS", "1")
    else:
        monkeypatch.delenv("EMBEDLAB_EXECUTOR", raising=False)
    yield request.param
    _stop_everything(jobs_root)


def _stop_everything(root: Path) -> None:
    """Stop what a test left running: its Ray jobs, and every process working on one of its runs."""
    ids = [p.name for p in root.iterdir() if (p / "config.json").is_file()]
    for run_id in ids:
        status = store.read_status(root / run_id)
        if status.get("ray_job") and status.get("state") in jobs.ACTIVE:
            try:
                executors.get("ray").api(status.get("ray_address")).stop(status["ray_job"])
            except ValueError:
                pass
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(run_id in (proc.info["cmdline"] or []) for run_id in ids):
                proc.kill()
        except psutil.Error:
            pass


def submit(kind, config=None, **kwargs):
    return jobs.submit(kind, {"device": "cpu", **(config or {})}, **kwargs)


def wait_for(predicate, timeout=RUN_TIMEOUT):
    return watching.wait_for(predicate, timeout, poll=0.1)


def finish(run_id, timeout=RUN_TIMEOUT, **kwargs):
    status = jobs.wait(run_id, timeout=timeout, poll=0.2, **kwargs)
    assert status["state"] in jobs.FINAL, status
    return status


def settled(run_id, root):
    """Final, and its worker wrote its last line (where it ran, how it ended)."""
    status = finish(run_id)
    ended = ("[worker] job process ended", "[foreground] job ran in process")
    wait_for(lambda: any(line in (root / run_id / "log.txt").read_text() for line in ended))
    return jobs.get_status(run_id)


def started(run_id, root):
    """Wait until the job function itself is running (it wrote its pid); return the status then."""
    wait_for(lambda: (root / run_id / "job.pid").exists())
    return jobs.get_status(run_id)


# ---------------------------------------------------------------- the same on both

def test_submit_runs_to_done_with_live_metrics_and_its_node(executor, jobs_root):
    run_id = submit("t_stream", {"steps": 25, "every": 0.1}, name="live")
    assert jobs.get_status(run_id)["executor"] == executor
    seen, counts, records = watch(run_id, RUN_TIMEOUT)
    assert seen[-1] == "done" and seen[0] in ("queued", "running"), seen
    assert len(set(counts)) >= 4  # the metrics arrived while it ran, not all at the end
    assert [r["step"] for r in records] == list(range(25))
    final = jobs.get_status(run_id)
    assert final["progress"] == 1.0 and final["error"] is None
    assert final["node"]  # where it ran is recorded, and listed
    listed = {run["id"]: run for run in jobs.list_runs()}
    assert listed[run_id]["node"] == final["node"] and listed[run_id]["executor"] == executor
    assert listed[run_id]["summary"] == {"final_loss": pytest.approx(1 / 25)}
    wait_for(lambda: "job process ended with code 0" in (jobs_root / run_id / "log.txt").read_text())


def test_cancel_mid_run_keeps_partial_results(executor, jobs_root):
    run_id = submit("t_stream", {"steps": 100_000, "every": 0.02})
    started(run_id, jobs_root)
    wait_for(lambda: (jobs_root / run_id / "partial.txt").exists())
    jobs.cancel(run_id)
    status = finish(run_id)
    assert status["state"] == "cancelled"
    assert "forcefully" not in status["message"]  # it stopped by itself and saved what it had
    steps_done = int((jobs_root / run_id / "partial.txt").read_text())
    assert 1 <= steps_done < 100_000
    assert len(jobs.read_metrics(run_id)[0]) >= 1


def test_a_job_that_ignores_cancel_is_stopped_wherever_it_runs(executor, jobs_root):
    run_id = submit("t_stubborn", {"seconds": 120})
    wait_for(lambda: jobs.get_status(run_id)["state"] == "running" and jobs.get_status(run_id).get("node"))
    time.sleep(1.0)
    jobs.cancel(run_id)
    status = finish(run_id)
    assert status["state"] == "cancelled" and "forcefully" in status["message"]


def test_crash_fails_with_its_message_and_traceback(executor, jobs_root):
    run_id = submit("t_crash")
    status = settled(run_id, jobs_root)
    assert status["state"] == "failed"
    assert status["error"] == "RuntimeError: boom: the tiny job crashed on purpose"
    assert "Traceback" in (jobs_root / run_id / "log.txt").read_text()


def test_delete_refuses_an_active_run_then_removes_it(executor, jobs_root):
    run_id = submit("t_stream", {"steps": 100_000, "every": 0.02})
    started(run_id, jobs_root)
    with pytest.raises(ValueError, match="cancel it first"):
        jobs.delete_run(run_id)
    jobs.cancel(run_id)
    status = finish(run_id)
    jobs.delete_run(run_id)
    assert not (jobs_root / run_id).exists()
    with pytest.raises(ValueError, match="no run"):
        jobs.get_status(run_id)
    if executor == "ray":  # the cluster forgot it too
        from core.jobs.executors.ray_api import NotFound

        with pytest.raises(NotFound):
            executors.get("ray").api(status["ray_address"]).job(status["ray_job"])


def test_list_shows_every_run_newest_first_with_kind_and_state(executor, jobs_root, capsys):
    first = submit("t_sleep", {"seconds": 0.1}, name="first")
    second = submit("t_crash", name="second")
    for run_id in (first, second):
        settled(run_id, jobs_root)
    listed = jobs.list_runs()
    assert [run["id"] for run in listed] == [second, first]
    assert [(run["kind"], run["state"], run["name"]) for run in listed] == [
        ("t_crash", "failed", "second"), ("t_sleep", "done", "first")]
    assert [run["id"] for run in jobs.list_runs(kind="t_sleep")] == [first]
    assert all(run["executor"] == executor and run["node"] for run in listed)
    from core.cli import main

    assert main(["runs", "list"]) == 0  # the CLI's table names each run's node
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert all(run["node"] in lines[run["id"]] for run in listed)


def test_runs_survive_an_app_restart_and_recover_leaves_them_running(executor, jobs_root):
    """The app's machine restarts: the worker that supervised a run is gone; a new app process calls recover().
    The run is still running (locally its job process lives on; on Ray the cluster keeps it and a new worker
    attaches), its metrics keep coming, and a cancel still ends it "cancelled" with its partial results."""
    run_id = submit("t_stream", {"steps": 100_000, "every": 0.05})
    status = started(run_id, jobs_root)
    os.kill(status["pid"], signal.SIGKILL)  # the supervising worker dies with the "old app"
    wait_for(lambda: not jobs.queue.process_alive(status["pid"], run_id))
    code = ("import json, core.jobs as jobs; r = jobs.recover(); s = jobs.get_status(%r); "
            "print(json.dumps([r, s['state']]))" % run_id)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    recovered, state = json.loads(out.stdout.strip().splitlines()[-1])
    assert recovered == [] and state == "running"
    if executor == "ray":  # a new worker attached to the cluster's job
        new = wait_for(lambda: (s := jobs.get_status(run_id))["pid"] != status["pid"] and s)
        assert jobs.queue.process_alive(new["pid"], run_id)
    before = len(jobs.read_metrics(run_id)[0])
    wait_for(lambda: len(jobs.read_metrics(run_id)[0]) > before + 3)  # still training
    jobs.cancel(run_id)
    final = finish(run_id)
    assert final["state"] == "cancelled"
    assert int((jobs_root / run_id / "partial.txt").read_text()) >= 1


def test_two_runs_at_once_each_where_its_executor_puts_it(executor, jobs_root, request):
    """Two CPU runs at the same time: locally both on this machine; on Ray one on each node (each node holds
    one run), as the job processes' real parent raylets confirm."""
    runs = [submit("t_stream", {"steps": 100_000, "every": 0.05}) for _ in range(2)]
    statuses = [started(run_id, jobs_root) for run_id in runs]
    wait_for(lambda: all(jobs.get_status(r).get("node") for r in runs))
    statuses = [jobs.get_status(r) for r in runs]
    assert all(s["state"] == "running" for s in statuses)
    nodes = [s["node"] for s in statuses]
    if executor == "local":
        from core.jobs.executors.local import this_node

        assert nodes[0] == nodes[1] == this_node()
    else:
        assert nodes[0] != nodes[1], nodes
        cluster = request.getfixturevalue("ray_cluster")
        raylets = {node.node_id: node.all_processes["raylet"][0].process.pid
                   for node in cluster.cluster.list_all_nodes()}
        for run_id, status in zip(runs, statuses):
            pid = int((jobs_root / run_id / "job.pid").read_text())
            ancestors = {p.pid for p in psutil.Process(pid).parents()}
            assert raylets[status["node_id"]] in ancestors  # it really runs on the node the status names
    for run_id in runs:
        jobs.cancel(run_id)
    assert [finish(r)["state"] for r in runs] == ["cancelled", "cancelled"]


def test_fair_share_and_limits_hold_on_both(executor, jobs_root, monkeypatch):
    """Class mode, one slot: alice queues 3 runs, then bob 1: bob's starts second. A student over the
    limit is refused before anything is queued."""
    from core.classroom import ClassSettings, Limits, add_user, save_settings
    from core.jobs import LimitError

    monkeypatch.setenv("EMBEDLAB_MAX_CPU_JOBS", "1")
    save_settings(ClassSettings(name="Test class", code="open-sesame", limits=Limits(active_runs=3)), jobs_root)
    add_user("teach", "teacher-pass", role="teacher", runs_root=jobs_root)
    for name in ("alice", "bob"):
        add_user(name, f"{name}-pass", runs_root=jobs_root)
    try:
        a_runs = [submit("t_sleep", {"seconds": 0.3}, name=f"a{i}", user="alice") for i in range(3)]
        with pytest.raises(LimitError, match="You already have 3 runs"):
            submit("t_sleep", {"seconds": 0.1}, user="alice")
        b_run = submit("t_sleep", {"seconds": 0.3}, name="b0", user="bob")
        for run_id in a_runs + [b_run]:
            assert finish(run_id, user="teach")["state"] == "done"
        intervals = {r: json.loads((jobs_root / r / "interval.json").read_text()) for r in a_runs + [b_run]}
        order = sorted(intervals, key=lambda r: intervals[r][0])
        names = {r: n for r, n in zip(a_runs + [b_run], ["a0", "a1", "a2", "b0"])}
        assert order == [a_runs[0], b_run, *a_runs[1:]], ([names[r] for r in order], {
            names[r]: (jobs.get_status(r, user="teach")["started"], intervals[r]) for r in order})
        spans = sorted(intervals.values())
        assert all(later[0] >= earlier[1] - 0.05 for earlier, later in zip(spans, spans[1:])), {  # one at a time
            names[r]: (jobs.get_status(r, user="teach"), intervals[r]) for r in order}
    finally:
        (jobs_root / ".class" / "settings.json").unlink(missing_ok=True)


def test_a_run_on_several_processes_runs_under_the_launcher_on_one_machine(executor, jobs_root):
    run_id = submit("t_ranks", {}, processes=2)
    status = finish(run_id, timeout=300)
    assert status["state"] == "done", (status, (jobs_root / run_id / "log.txt").read_text()[-2000:])
    assert status["processes"] == 2
    assert sorted(p.name for p in (jobs_root / run_id).glob("rank-*.txt")) == ["rank-0.txt", "rank-1.txt"]
    records, _ = jobs.read_metrics(run_id)
    assert [r["step"] for r in records] == [0, 1, 2] and {r["world_size"] for r in records} == {2}  # rank 0 only
    with pytest.raises(ValueError, match="cannot use several processes"):
        submit("t_sleep", {}, processes=2)


# ---------------------------------------------------------------- only Ray has nodes to lose

def test_a_killed_worker_node_ends_its_run_failed_node_lost(executor, jobs_root, request):
    if executor != "ray":
        pytest.skip("a local run has no node to lose (a killed job process: test_jobs.py)")
    cluster = request.getfixturevalue("ray_cluster")
    runs = [submit("t_stream", {"steps": 100_000, "every": 0.05}) for _ in range(2)]
    for run_id in runs:
        started(run_id, jobs_root)
    wait_for(lambda: all(jobs.get_status(r).get("node_id") for r in runs))
    worker_id = cluster.worker.node_id
    on_worker = next(r for r in runs if jobs.get_status(r)["node_id"] == worker_id)
    on_head = next(r for r in runs if r != on_worker)
    cluster.kill_worker()
    status = wait_for(lambda: (s := jobs.get_status(on_worker))["state"] in jobs.FINAL and s, timeout=90)
    assert status["state"] == "failed" and status["error"].startswith("node lost:"), status
    assert (jobs_root / on_worker / "partial.txt").exists()  # what it had written is kept
    assert jobs.get_status(on_head)["state"] == "running"  # the other node's run is untouched
    jobs.cancel(on_head)
    assert finish(on_head)["state"] == "cancelled"


def test_a_node_that_cannot_see_the_runs_folder_fails_the_run_with_that_said(executor, jobs_root, tmp_path,
                                                                               monkeypatch):
    if executor != "ray":
        pytest.skip("a local job always sees the runs folder of its own machine")
    elsewhere = tmp_path / "not-the-runs-folder"
    elsewhere.mkdir()
    monkeypatch.setenv("EMBEDLAB_RAY_RUNS", str(elsewhere))  # what a node without the shared folder sees
    run_id = submit("t_sleep", {"seconds": 0.1})
    status = finish(run_id)
    assert status["state"] == "failed"
    assert "cannot see the runs folder" in status["error"] and "same path" in status["error"], status["error"]
    assert not list(elsewhere.iterdir())  # the node wrote nothing of its own there
    assert "has no run" in (jobs_root / run_id / "log.txt").read_text()  # the node's own words, kept


def test_an_unreachable_cluster_is_refused_at_submit_with_its_address(executor, jobs_root, monkeypatch):
    if executor != "ray":
        pytest.skip("the local executor has no cluster to reach")
    from tests.jobs.ray_cluster import free_port

    address = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("EMBEDLAB_RAY_ADDRESS", address)
    with pytest.raises(ValueError, match="does not answer") as info:
        submit("t_sleep", {"seconds": 0.1})
    assert address in str(info.value)
    assert jobs.list_runs() == []  # nothing was queued


def test_the_clis_foreground_run_goes_where_new_runs_go(executor, jobs_root):
    """``python -m core word2vec ...`` runs through run_foreground: on this machine locally, submitted to the
    cluster and followed from the terminal on Ray; either way one run, done, its job's lines printed."""
    import io

    out = io.StringIO()
    run_id = jobs.run_foreground("t_stream", {"device": "cpu", "steps": 5, "every": 0.05}, name="from the shell",
                                 show_progress=False, notes=out)
    status = settled(run_id, jobs_root)
    assert status["state"] == "done" and status["executor"] == executor and status["node"]
    assert run_id in out.getvalue()
    assert [r["step"] for r in jobs.read_metrics(run_id)[0]] == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="min_count must be at least 1"):
        jobs.run_foreground("t_bad", {"device": "cpu"}, show_progress=False, notes=io.StringIO())
