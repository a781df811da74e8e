"""End to end: the real app served by Streamlit, driven in headless Chromium.

Skipped where Debian's chromium is not installed, except under CI (CI=true),
where a missing browser is a failure: `.ci/run` installs it.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from screenshot import wait_idle

from ui.pages import PAGES

pytestmark = pytest.mark.e2e


def _heading(page) -> str:
    return page.locator("h1").first.inner_text()


def test_language_switch_survives_refresh(app_url, page):
    page.goto(app_url + "/")
    wait_idle(page)
    assert _heading(page) == "EmbedLab"
    page.locator("[data-testid='stSidebar'] label").filter(has_text="中文").click()
    page.wait_for_function("() => document.querySelector('h1')?.innerText.includes('嵌入实验室')", timeout=30000)
    assert "lang=zh" in page.url
    page.reload()
    wait_idle(page)
    assert "嵌入实验室" in _heading(page)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "位置编码" in nav and "训练 word2vec" in nav


@pytest.mark.parametrize("path", [p.name for p in PAGES if not p.default])
def test_every_page_opens_without_exception(app_url, page, path):
    page.goto(f"{app_url}/{path}?lang=en")
    wait_idle(page, timeout_s=120)
    time.sleep(1)
    wait_idle(page, timeout_s=120)
    assert page.locator("[data-testid='stException']").count() == 0
    assert _heading(page)


def test_train_in_chinese_survives_refresh_and_opens_in_explorer(app_url, page):
    """A student's path: pick the Chinese sample, train one epoch, refresh, open the explorer."""
    page.goto(f"{app_url}/train_word2vec?lang=zh")
    wait_idle(page, timeout_s=120)
    # A Chinese UI opens on People's Daily; the student switches to the (quicker) shipped sample.
    page.locator("label").filter(has_text="自带样例").click()
    wait_idle(page, timeout_s=120)
    page.locator("[data-testid='stSelectbox']").filter(has_text="样例").click()
    page.get_by_role("option").filter(has_text="中文样例句子").click()
    wait_idle(page, timeout_s=120)
    epochs = page.get_by_role("spinbutton", name="训练轮数")
    epochs.fill("1")
    epochs.press("Enter")
    wait_idle(page, timeout_s=120)
    page.get_by_role("button", name="开始训练").click()

    # The job runs in a worker process; the live block polls and then shows the results.
    page.wait_for_function("() => location.search.includes('run=')", timeout=60_000)
    results = page.locator("h3").filter(has_text="结果")
    results.wait_for(timeout=240_000)
    run_id = page.url.split("run=")[1].split("&")[0]
    assert page.locator("[data-testid='stException']").count() == 0

    page.reload()
    wait_idle(page, timeout_s=120)
    page.locator("h3").filter(has_text="结果").wait_for(timeout=60_000)
    assert run_id in page.locator("[data-testid='stMain']").inner_text()

    page.get_by_text("在词向量浏览器中打开这些向量").click()
    page.wait_for_function("() => location.pathname.endsWith('/explorer')", timeout=60_000)
    wait_idle(page, timeout_s=180)
    assert f"run={run_id}" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator(".js-plotly-plot").count() >= 1


def test_choices_stay_selected_across_a_language_switch(app_url, page):
    """Streamlit stores a radio's state as its label; translated labels must not lose the choice."""
    page.goto(f"{app_url}/train_word2vec?lang=en")
    wait_idle(page, timeout_s=120)
    page.locator("label").filter(has_text="gensim (CPU").click()
    wait_idle(page, timeout_s=60)
    page.locator("[data-testid='stSidebar'] label").filter(has_text="中文").click()
    page.wait_for_function("() => document.querySelector('h1')?.innerText.includes('训练')", timeout=30_000)
    wait_idle(page, timeout_s=60)
    assert page.locator("label").filter(has_text="gensim（CPU").locator("input").is_checked()


def _expect_number(page, label: str, value: str, timeout_ms: int = 30_000) -> None:
    """The number box ``label`` shows ``value`` (waits while a live page redraws it; fails if it never does)."""
    from playwright.sync_api import expect

    expect(page.get_by_role("spinbutton", name=label)).to_have_value(value, timeout=timeout_ms)


def _set_number(page, label: str, value: int) -> None:
    box = page.get_by_role("spinbutton", name=label)
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page, timeout_s=120)


def _start_training(page, runs_root, kind: str) -> str:
    """Press Train once the page is idle and return the id of the run it submitted (read from the runs folder)."""
    import core.jobs as jobs

    before = {r["id"] for r in jobs.list_runs(kind, runs_root=runs_root)}
    wait_idle(page, timeout_s=180)
    page.get_by_test_id("stBaseButton-primary").filter(has_text="Train").click()
    deadline = time.time() + 240
    while time.time() < deadline:
        new = [r["id"] for r in jobs.list_runs(kind, runs_root=runs_root) if r["id"] not in before]
        if new:
            return new[0]
        time.sleep(1)
    page.screenshot(path=str(Path(runs_root) / f"no_{kind}_run.png"), full_page=True)
    raise AssertionError(f"pressing Train submitted no {kind} run; page text: "
                         + page.locator("[data-testid='stMain']").inner_text()[-1500:])


def test_reload_shows_the_word2vec_runs_own_settings(app_url, app_runs, page):
    """Issue 15: after a reload the form is the run's form, so Train does not start a different job."""
    import core.jobs as jobs

    page.goto(f"{app_url}/train_word2vec?lang=en")
    wait_idle(page, timeout_s=180)
    _set_number(page, "Epochs", 3)
    _set_number(page, "Window", 3)
    run_id = _start_training(page, app_runs, "word2vec")
    try:
        page.goto(f"{app_url}/train_word2vec?lang=en&run={run_id}")  # a fresh load of the shared link
        wait_idle(page, timeout_s=180)
        assert page.locator("[data-testid='stException']").count() == 0
        _expect_number(page, "Epochs", "3")
        _expect_number(page, "Window", "3")
        assert jobs.read_config(run_id, app_runs)["config"]["train"]["epochs"] == 3
    finally:
        jobs.cancel(run_id, app_runs)


def test_reload_shows_the_finetune_runs_own_settings(app_url, app_runs, page):
    """Issue 15: an NER run reattached after a reload shows NER and its own epochs, not the defaults."""
    import core.jobs as jobs

    page.goto(f"{app_url}/finetune?lang=en")
    wait_idle(page, timeout_s=180)
    page.locator("label").filter(has_text="Named entities (NER)").click()
    wait_idle(page, timeout_s=180)
    _set_number(page, "Epochs", 1)
    run_id = _start_training(page, app_runs, "finetune")
    try:
        page.wait_for_function("() => location.search.includes('run=')", timeout=120_000)
        page.reload()
        wait_idle(page, timeout_s=180)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("label").filter(has_text="Named entities (NER)").locator("input").is_checked()
        _expect_number(page, "Epochs", "1")
        assert jobs.read_config(run_id, app_runs)["config"]["task"] == "ner"
    finally:
        jobs.cancel(run_id, app_runs)


def test_reload_shows_the_pretrain_runs_own_settings(app_url, app_runs, page):
    """Issue 21: the pretraining page keeps its form the same way (ui.form): a reload shows the run's settings."""
    import core.jobs as jobs

    page.goto(f"{app_url}/pretrain?lang=en")
    wait_idle(page, timeout_s=180)
    _set_number(page, "Steps", 30)
    _set_number(page, "Sequence length", 32)
    run_id = _start_training(page, app_runs, "pretrain")
    try:
        page.goto(f"{app_url}/pretrain?lang=en&run={run_id}")  # a fresh load of the shared link
        wait_idle(page, timeout_s=180)
        assert page.locator("[data-testid='stException']").count() == 0
        _expect_number(page, "Steps", "30")
        _expect_number(page, "Sequence length", "32")
        assert jobs.read_config(run_id, app_runs)["config"]["steps"] == 30
    finally:
        jobs.cancel(run_id, app_runs)
