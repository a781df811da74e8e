"""A class on a fresh runs root: a teacher and two students, the tiny job kinds registered."""
from __future__ import annotations

import pytest

import core.jobs as jobs
from core.classroom import ClassSettings, Limits, add_user, save_settings
from tests.jobs.conftest import jobs_root  # noqa: F401  (the fixture: fresh root, workers killed afterwards)

PASSWORDS = {"teach": "teacher-pass", "alice": "alice-pass", "bob": "bob-pass"}


@pytest.fixture
def klass(jobs_root):  # noqa: F811
    """Class mode on ``jobs_root``: teacher ``teach``, students ``alice`` and ``bob``; returns the root."""
    save_settings(ClassSettings(name="Test class", code="open-sesame", limits=Limits(active_runs=10)), jobs_root)
    add_user("teach", PASSWORDS["teach"], role="teacher", display="Ms Li", runs_root=jobs_root)
    add_user("alice", PASSWORDS["alice"], display="Alice <b>", runs_root=jobs_root)
    add_user("bob", PASSWORDS["bob"], display="Bob", runs_root=jobs_root)
    yield jobs_root
    (jobs_root / ".class" / "settings.json").unlink(missing_ok=True)  # so the jobs fixture can list and kill workers


def submit(kind, config=None, **kwargs):
    return jobs.submit(kind, {"device": "cpu", **(config or {})}, **kwargs)
