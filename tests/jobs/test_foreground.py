"""core.jobs.run_foreground: the CLI's runs are runs like the app's (same folder, same listing)."""
from __future__ import annotations

import io
import os

import pytest

import core.jobs as jobs
from core.jobs import store


def test_a_foreground_run_looks_like_a_submitted_one(jobs_root):
    out, bar = io.StringIO(), io.StringIO()
    run_id = jobs.run_foreground("t_stream", {"device": "cpu", "steps": 4, "every": 0.01}, name="from the shell",
                                 stream=bar, notes=out)
    status = jobs.get_status(run_id)
    assert status["state"] == "done" and status["progress"] == 1.0 and status["finished"]
    submitted = jobs.submit("t_stream", {"device": "cpu", "steps": 4, "every": 0.01}, name="from the app")
    jobs.wait(submitted, timeout=60)
    ours, theirs = jobs.read_config(run_id), jobs.read_config(submitted)
    assert set(ours) == set(theirs) and ours["target"] == theirs["target"] and ours["resource"] == "cpu"
    assert sorted(p.name for p in jobs.run_dir(run_id).iterdir() if not p.name.startswith(".")) == \
        sorted(p.name for p in jobs.run_dir(submitted).iterdir() if not p.name.startswith("."))
    records, _ = jobs.read_metrics(run_id)
    assert [r["step"] for r in records] == [0, 1, 2, 3]
    listed = {run["id"]: run for run in jobs.list_runs()}
    assert listed[run_id]["name"] == "from the shell" and listed[run_id]["summary"] == {"final_loss": 0.25}
    assert "100%" in bar.getvalue()  # the progress bar was drawn
    assert run_id in out.getvalue()
    assert not list((jobs_root / ".queue").iterdir())  # nothing left waiting
    jobs.delete_run(run_id)  # a finished foreground run is deleted like any other
    assert not jobs.run_dir(run_id).exists()


def test_ctrl_c_cancels_cleanly_and_keeps_what_was_done(jobs_root):
    run_id = jobs.run_foreground("t_interrupt", {"device": "cpu", "interrupt_at": 3}, show_progress=False,
                                 notes=io.StringIO())
    status = jobs.get_status(run_id)
    assert status["state"] == "cancelled", status
    assert int((jobs.run_dir(run_id) / "partial.txt").read_text()) >= 4  # it stopped soon after, by itself


def test_job_errors_end_the_run_failed_and_reach_the_caller(jobs_root):
    with pytest.raises(ValueError, match="min_count must be at least 1"):
        jobs.run_foreground("t_bad", {"device": "cpu"}, show_progress=False, notes=io.StringIO())
    with pytest.raises(RuntimeError, match="boom"):
        jobs.run_foreground("t_crash", {"device": "cpu"}, show_progress=False, notes=io.StringIO())
    runs = {run["kind"]: run for run in jobs.list_runs()}
    assert runs["t_bad"]["state"] == "failed" and runs["t_bad"]["error"] == "min_count must be at least 1"
    assert runs["t_crash"]["state"] == "failed" and "RuntimeError: boom" in runs["t_crash"]["error"]
    assert "Traceback" in (jobs.run_dir(runs["t_crash"]["id"]) / "log.txt").read_text()
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.run_foreground("nope", {})
    assert len(jobs.list_runs()) == 2  # a refused kind leaves no folder


def test_a_running_foreground_run_is_not_taken_for_dead(jobs_root):
    """Workers check the head of the queue for a dead worker; a CLI process is alive though the run id
    is not on its command line."""
    seen = {}

    def peek(run_dir):
        status = store.read_status(run_dir)
        seen["gone"] = jobs.queue._worker_gone(run_dir.name, status)
        seen["pid"] = status.get("pid")

    jobs.register_kind("t_peek", "tests.jobs.tiny_jobs:sleep_job")
    import tests.jobs.tiny_jobs as tiny

    original = tiny.sleep_job
    try:
        tiny.sleep_job = lambda config, ctx: peek(ctx.run_dir)
        run_id = jobs.run_foreground("t_peek", {"device": "cpu"}, show_progress=False, notes=io.StringIO())
    finally:
        tiny.sleep_job = original
    assert seen == {"gone": False, "pid": os.getpid()}
    assert jobs.get_status(run_id)["state"] == "done"
