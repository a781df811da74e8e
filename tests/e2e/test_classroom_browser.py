"""Class mode end to end: three browsers (two students and the teacher) on the real app in Chromium.

Student A's run is invisible to student B, visible and cancellable for the teacher, and a refresh keeps
each of them signed in (the session cookie). Skipped without Chromium, as tests/e2e/test_browser.py.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from screenshot import serve_app, wait_idle  # noqa: E402  (Chromium and `browser`: tests/e2e/conftest.py)

pytestmark = pytest.mark.e2e

PASSWORDS = {"teach": "teacher-pass", "alice": "alice-pass", "bob": "bob-pass"}


@pytest.fixture(scope="module")
def class_runs(tmp_path_factory):
    """A runs folder with a class: teacher ``teach``, students ``alice`` and ``bob``, and a long teacher's
    run holding the only CPU slot, so a student's run stays queued (cancellable) while we look at it."""
    import core.jobs as jobs
    from core.classroom import ClassSettings, add_user, save_settings
    from tests.jobs.tiny_jobs import TARGETS

    root = tmp_path_factory.mktemp("class-runs")
    save_settings(ClassSettings(name="Year 10", code="open-sesame"), root)
    add_user("teach", PASSWORDS["teach"], role="teacher", display="Ms Li", runs_root=root)
    add_user("alice", PASSWORDS["alice"], display="Alice", runs_root=root)
    add_user("bob", PASSWORDS["bob"], display="Bob", runs_root=root)
    jobs.register_kind("t_sleep", TARGETS["t_sleep"])
    old = os.environ.get("EMBEDLAB_MAX_CPU_JOBS")
    os.environ["EMBEDLAB_MAX_CPU_JOBS"] = "1"
    blocker = jobs.submit("t_sleep", {"seconds": 600, "device": "cpu"}, name="teacher's demo", runs_root=root,
                          user=jobs.SHELL)
    yield root
    for run in jobs.list_runs(runs_root=root, user=jobs.SHELL):
        if run["state"] in jobs.ACTIVE:
            jobs.cancel(run["id"], root, user=jobs.SHELL)
    jobs.wait(blocker, timeout=30, runs_root=root, user=jobs.SHELL)
    if old is None:
        os.environ.pop("EMBEDLAB_MAX_CPU_JOBS", None)
    else:
        os.environ["EMBEDLAB_MAX_CPU_JOBS"] = old


@pytest.fixture(scope="module")
def class_url(class_runs):
    with serve_app(env={"EMBEDLAB_RUNS": str(class_runs), "EMBEDLAB_MAX_CPU_JOBS": "1",
                        "EMBEDLAB_WARM_UMAP": "0"}) as url:
        yield url


def sign_in(browser, url: str, name: str):
    """A new browser context (its own cookies) signed in as ``name``; returns its page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}/?lang=en")
    wait_idle(page, timeout_s=120)
    assert page.locator("h1").first.inner_text() == "Sign in"
    form = page.locator("[data-testid='stForm']").first
    form.get_by_role("textbox", name="User name").fill(name)
    form.get_by_role("textbox", name="Password").fill(PASSWORDS[name])
    form.locator("[data-testid='stFormSubmitButton'] button").click()
    signed_in(page)
    deadline = time.time() + 10  # the cookie is written by a script in the page, a moment after it draws
    while time.time() < deadline and not any(c["name"] == "embedlab_session" for c in context.cookies()):
        time.sleep(0.1)
    return page


def signed_in(page, timeout_ms: int = 60_000) -> str:
    """Wait until the sidebar says who is signed in; return that line."""
    line = page.locator("[data-testid='stSidebar']").get_by_text("Signed in as")
    line.wait_for(timeout=timeout_ms)
    return line.inner_text()


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def test_two_students_and_a_teacher(browser, class_url, class_runs):
    import core.jobs as jobs

    alice = sign_in(browser, class_url, "alice")
    bob = sign_in(browser, class_url, "bob")
    teacher = sign_in(browser, class_url, "teach")
    assert "Cookie" not in main_text(alice)
    assert any(c["name"] == "embedlab_session" for c in alice.context.cookies())

    # Alice starts a word2vec run on the shipped sample; with the slot taken it waits in the queue.
    alice.goto(f"{class_url}/train_word2vec?lang=en")
    wait_idle(alice, timeout_s=180)
    alice.locator("label").filter(has_text="gensim (CPU").click()
    wait_idle(alice, timeout_s=120)
    alice.get_by_test_id("stBaseButton-primary").filter(has_text="Train").click()
    alice.wait_for_function("() => location.search.includes('run=')", timeout=120_000)
    run_id = alice.url.split("run=")[1].split("&")[0]
    assert jobs.read_config(run_id, class_runs, user="alice")["owner"] == "alice"
    assert jobs.get_status(run_id, class_runs, user="alice")["state"] == "queued"

    # A refresh keeps Alice signed in and on her run.
    alice.reload()
    wait_idle(alice, timeout_s=180)
    assert "Alice" in signed_in(alice)
    assert run_id in main_text(alice)

    # Bob does not see it in his runs table, and its link is refused.
    bob.goto(f"{class_url}/train_word2vec?lang=en")
    wait_idle(bob, timeout_s=180)
    assert run_id not in main_text(bob)
    bob.goto(f"{class_url}/train_word2vec?lang=en&run={run_id}")
    wait_idle(bob, timeout_s=180)
    assert "belongs to someone else" in main_text(bob)
    bob.reload()
    wait_idle(bob, timeout_s=180)
    assert "Bob" in signed_in(bob)
    assert bob.locator("[data-testid='stException']").count() == 0

    # The teacher sees it on the teacher's page and cancels it.
    teacher.goto(f"{class_url}/classroom?lang=en")
    wait_idle(teacher, timeout_s=180)
    teacher.reload()
    wait_idle(teacher, timeout_s=180)
    assert "Ms Li" in signed_in(teacher)
    # the runs table draws on a canvas: pick the run in the box under it, whose options name owner and id
    teacher.locator("[data-testid='stSelectbox']").filter(has_text="Run").click()
    option = teacher.get_by_role("option").filter(has_text=run_id)
    assert "Alice" in option.inner_text()
    option.click()
    wait_idle(teacher, timeout_s=120)
    teacher.get_by_role("button", name="Cancel").click()
    deadline = time.time() + 60
    while time.time() < deadline and jobs.get_status(run_id, class_runs, user="teach")["state"] != "cancelled":
        time.sleep(0.5)
    assert jobs.get_status(run_id, class_runs, user="teach")["state"] == "cancelled"
    for page in (alice, bob, teacher):
        assert page.locator("[data-testid='stException']").count() == 0
        page.context.close()
