"""The positional page runs in both languages and survives every control a student can touch."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.positional import KINDS

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "positional.py")


def run_page(lang: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_and_switches_through_every_encoding(lang):
    at = run_page(lang)
    assert at.title[0].value == ("Positional encodings" if lang == "en" else "位置编码")
    assert len(at.tabs) == 6
    for kind in [*KINDS[1:], KINDS[0]]:
        at.selectbox(key=f"positional_kind_{lang}").set_value(kind).run()
        assert not at.exception, kind
        assert not at.error, (kind, [e.value for e in at.error])
        # no message key leaked through untranslated
        shown = [m.value for m in (*at.markdown, *at.caption)]
        assert not [s for s in shown if s.startswith("positional.")], shown
    if lang == "zh":
        assert "正弦" in at.selectbox(key=f"positional_kind_{lang}").options[0]


def test_sliders_compare_and_heads():
    at = run_page("en")
    at.slider(key="positional_seq_len").set_value(512).run()
    at.slider(key="positional_dim").set_value(128).run()
    at.select_slider(key="positional_base").set_value(500_000).run()
    assert not at.exception
    at.selectbox(key="positional_compare_kind_en").set_value("alibi").run()
    assert not at.exception
    at.selectbox(key="positional_kind_en").set_value("alibi").run()
    at.slider(key="positional_heads").set_value(12).run()
    at.slider(key="positional_head").set_value(12).run()
    assert not at.exception
    assert any("head 12" in str(c.proto.spec) for c in at.get("plotly_chart"))
    # same kind on both sides: a hint, not an error
    at.selectbox(key="positional_compare_kind_en").set_value("alibi").run()
    assert not at.exception and at.info


def test_chosen_dimensions_are_drawn():
    at = run_page("en")
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
    assert any("average of 6" in c.value for c in at.caption) and any("every 2" in c.value for c in at.caption)


def test_switching_language_keeps_the_chosen_encoding():
    at = run_page("en")
    at.selectbox(key="positional_kind_en").set_value("t5").run()
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    box = at.selectbox(key="positional_kind_zh")
    assert box.value == "t5" and box.options[4].startswith("T5 相对位置分桶")
    assert at.title[0].value == "位置编码"
