"""The positional page runs in both languages and survives every control a student can touch."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import positional as pe
from tests.positional.conftest import Constant

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "positional.py")
APP = str(ROOT / "app.py")
KINDS = pe.names()


def run_page(lang: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    return at


def open_tab(at: AppTest, view: str, lang: str = "en") -> AppTest:
    """Open the tab of ``view`` (tabs run lazily: only the open one computes and draws)."""
    from core.i18n import translate

    at.session_state[f"positional_view_{lang}"] = translate(f"positional.tab.{view}", lang)
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_and_switches_through_every_encoding_and_view(lang):
    at = run_page(lang)
    assert at.title[0].value == ("Positional encodings" if lang == "en" else "位置编码")
    assert len(at.tabs) == 6
    for kind in [*KINDS[1:], KINDS[0]]:
        at.selectbox(key=f"positional_kind_{lang}").set_value(kind).run()
        assert not at.exception, kind
        assert len(at.tabs) == len(pe.get(kind).views)  # one tab per view the kind declares
        params = {p.name for p in pe.get(kind).params if p.widget or p.choices}
        shown = {w.key.removeprefix("positional_") for w in (*at.slider, *at.select_slider)}
        assert params <= shown and not (shown - params - {"seq_len", "head"}), (kind, shown)  # its own widgets only
        for view in pe.get(kind).views:
            open_tab(at, view, lang)
            assert not at.exception, (kind, view)
            assert not at.error, (kind, view, [e.value for e in at.error])
            assert at.get("plotly_chart") or at.dataframe, (kind, view)  # the view drew something
            # no message key leaked through untranslated
            shown_text = [m.value for m in (*at.markdown, *at.caption)]
            assert not [s for s in shown_text if s.startswith("positional.")], shown_text
        open_tab(at, "matrix", lang)
    if lang == "zh":
        assert "正弦" in at.selectbox(key=f"positional_kind_{lang}").options[0]


def test_only_the_open_view_is_drawn():
    at = run_page("en")
    assert len(at.get("plotly_chart")) == 1  # the encoding matrix; the other tabs have not run
    open_tab(at, "beyond")
    assert len(at.get("plotly_chart")) == 3


def test_sliders_compare_and_heads():
    at = run_page("en")
    at.slider(key="positional_seq_len").set_value(512).run()
    at.slider(key="positional_dim").set_value(128).run()
    at.select_slider(key="positional_base").set_value(500_000).run()
    assert not at.exception
    open_tab(at, "compare")
    at.selectbox(key="positional_compare_kind_en").set_value("alibi").run()
    assert not at.exception
    at.selectbox(key="positional_kind_en").set_value("alibi").run()
    open_tab(at, "matrix")
    at.slider(key="positional_heads").set_value(12).run()
    at.slider(key="positional_head").set_value(12).run()
    assert not at.exception
    assert any("head 12" in str(c.proto.spec) for c in at.get("plotly_chart"))
    # same kind on both sides: a hint, not an error
    open_tab(at, "compare")
    at.selectbox(key="positional_compare_kind_en").set_value("alibi").run()
    assert not at.exception and at.info


def test_chosen_dimensions_are_drawn():
    at = open_tab(run_page("en"), "dimensions")
    at.multiselect(key="positional_dims_64").set_value([3, 40]).run()
    assert not at.exception
    specs = [str(c.proto.spec) for c in at.get("plotly_chart")]
    assert any('"name":"dim 3"' in s and '"name":"dim 40"' in s for s in specs)
    assert not any('"name":"dim 16"' in s for s in specs)  # a default that was deselected


def test_a_bad_model_folder_shows_an_error_not_a_traceback(tmp_path):
    at = run_page("zh")
    at.selectbox(key="positional_kind_zh").set_value("learned").run()
    at.text_input(key="positional_model_dir").input(str(tmp_path)).run()
    assert not at.exception
    assert at.error and "config.json" in at.error[0].value and "请检查输入" in at.error[0].value


def test_large_settings_run():
    at = run_page("en")
    at.slider(key="positional_seq_len").set_value(4096).run()
    at.slider(key="positional_dim").set_value(1024).run()
    assert not at.exception
    assert any("average of 8" in c.value for c in at.caption) and any("every 2" in c.value for c in at.caption)


def test_switching_language_keeps_the_chosen_encoding():
    at = run_page("en")
    at.selectbox(key="positional_kind_en").set_value("t5").run()
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    box = at.selectbox(key="positional_kind_zh")
    assert box.value == "t5" and box.options[4].startswith("T5 相对位置分桶")
    assert at.title[0].value == "位置编码"


@pytest.fixture
def toy_kind():
    pe.register(Constant)
    try:
        yield Constant
    finally:
        pe.unregister(Constant.kind)


def test_a_registered_toy_kind_is_offered_and_drawn_through_the_app(toy_kind):
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("app_pages/positional.py").run()
    assert not at.exception
    box = at.selectbox(key="positional_kind_en")
    assert "toyconstant" in box.options[-1]  # registered last in order: the last option
    box.set_value("toyconstant").run()
    assert not at.exception and not at.error
    at.slider(key="positional_level").set_value(0.3).run()  # its own setting is a widget
    assert not at.exception and not at.error
    assert any(r"PE_p = c\,\mathbf{1}" in latex.value for latex in at.latex)  # its own formula
    assert len(at.tabs) == len(Constant.views)


def test_an_unknown_kind_on_the_page_is_an_error_naming_the_known_ones():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = "en"
    at.session_state["positional_kind"] = "xpos"  # e.g. a kind that is no longer registered
    at.run()
    assert not at.exception
    assert at.error and "known positional encodings: sinusoidal, learned" in at.error[0].value
    assert at.selectbox(key="positional_kind_en").value == KINDS[0]  # the page still works, on the default


def test_t5_settings_change_the_buckets():
    at = run_page("en")
    at.selectbox(key="positional_kind_en").set_value("t5").run()
    at.slider(key="positional_num_buckets").set_value(16).run()
    assert not at.exception and not at.error
    assert any("16 buckets (8 per direction)" in c.value for c in at.caption)
