"""Fixtures for the job tests: an isolated runs root with the tiny test kinds registered."""
from __future__ import annotations

import os
import signal

import pytest

import core.jobs as jobs
from tests.jobs.tiny_jobs import TARGETS


@pytest.fixture
def jobs_root(runs_root, monkeypatch):
    """A fresh runs root, 2 CPU slots, a 1 s cancel grace; every worker left is killed afterwards."""
    monkeypatch.setenv("EMBEDLAB_MAX_CPU_JOBS", "2")
    monkeypatch.setenv("EMBEDLAB_CANCEL_GRACE_S", "1")
    for kind, target in TARGETS.items():
        jobs.register_kind(kind, target)
    yield runs_root
    for run in jobs.list_runs(runs_root=runs_root):
        status = jobs.store.read_status(runs_root / run["id"])
        for key in ("job_pid", "pid"):
            if status.get("state") in jobs.ACTIVE and jobs.queue.process_alive(status.get(key), run["id"]):
                os.kill(status[key], signal.SIGKILL)

