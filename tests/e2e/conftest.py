"""What the end-to-end tests share: the real app served by Streamlit on a free port, and headless Chromium.

Without Debian's chromium the e2e tests are not collected, except under CI (CI=true), where a
missing browser is a failure: `.ci/run` installs it.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from screenshot import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: E402

if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"CI needs Chromium at {CHROMIUM}; .ci/run installs it")
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="module")
def app_runs(tmp_path_factory):
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="module")
def app_url(app_runs):
    with serve_app(env={"EMBEDLAB_RUNS": str(app_runs)}) as url:
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
