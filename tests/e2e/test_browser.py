"""End to end: the real app served by Streamlit, driven in headless Chromium.

Skipped where Debian's chromium is not installed, except under CI (CI=true),
where a missing browser is a failure: `.ci/run` installs it.
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from screenshot import CHROMIUM, CHROMIUM_ARGS, serve_app, wait_idle  # noqa: E402

pytestmark = pytest.mark.e2e

if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"CI needs Chromium at {CHROMIUM}; .ci/run installs it")
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    with serve_app(8577, env={"EMBEDLAB_RUNS": str(runs)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield page
    page.close()


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


@pytest.mark.parametrize("path", ["positional", "input_layer", "train_word2vec", "explorer", "finetune"])
def test_every_page_opens_without_exception(app_url, page, path):
    page.goto(f"{app_url}/{path}?lang=en")
    wait_idle(page, timeout_s=120)
    time.sleep(1)
    wait_idle(page, timeout_s=120)
    assert page.locator("[data-testid='stException']").count() == 0
    assert _heading(page)
