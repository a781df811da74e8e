"""The app's entry point routes to every page, in both languages, without an exception."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")

PAGES = [
    "app_pages/home.py",
    "app_pages/input_layer.py",
    "app_pages/positional.py",
    "app_pages/train_word2vec.py",
    "app_pages/explorer.py",
    "app_pages/finetune.py",
]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_home_renders_in_language(lang):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    expected = {"en": "EmbedLab", "zh": "EmbedLab 嵌入实验室"}[lang]
    assert at.title[0].value == expected
    assert at.sidebar.radio[0].value == lang


@pytest.mark.parametrize("page", PAGES[1:])
def test_switch_page_through_app(page):
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
