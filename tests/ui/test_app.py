"""The app's entry point routes to every page, in both languages, without an exception."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import pages as ui_pages

APP = str(Path(__file__).resolve().parents[2] / "app.py")

PAGES = [page.path for page in ui_pages.PAGES]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_home_renders_in_language(lang):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    expected = {"en": "EmbedLab", "zh": "EmbedLab 嵌入实验室"}[lang]
    assert at.title[0].value == expected
    assert at.sidebar.radio[0].value == lang


def test_every_page_file_is_routed_and_named_in_both_languages():
    from core.i18n import translate

    routed = {Path(p).name for p in PAGES}
    assert routed == {p.name for p in (Path(APP).parent / "app_pages").glob("*.py")}
    for page in ui_pages.PAGES:
        for lang in ("en", "zh"):
            assert translate(f"nav.{page.name}", lang) != f"nav.{page.name}"
            if not page.default:
                assert translate(f"home.{page.name}", lang) != f"home.{page.name}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES[1:])
def test_switch_page_through_app(page, lang):
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
