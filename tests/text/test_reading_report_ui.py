"""ui.reading_report.show draws a reading report in the page's language (AppTest, no browser)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

CASES = Path(__file__).resolve().parents[1] / "cases"


def _page(path: str, lang: str) -> None:
    import streamlit as st

    from core.text import read_table
    from ui.reading_report import show

    st.session_state["lang"] = lang
    show(read_table(path).report)


@pytest.mark.parametrize("lang, expected", [("en", ["Encoding: gb18030", "Delimiter: comma", "Rows read: 6"]),
                                            ("zh", ["编码：gb18030", "分隔符：逗号", "读取行数：6"])])
def test_show_draws_the_report_in_both_languages(lang, expected):
    at = AppTest.from_function(_page, args=(str(CASES / "gbk-short" / "reviews_gbk.csv"), lang)).run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    for piece in expected:
        assert piece in text.replace("\\", "")
    assert at.expander[0].label.endswith(("reviews_gbk.csv", "reviews_gbk.csv 的读取报告"))


def test_dropped_rows_are_shown_as_a_warning(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("text,label\ngood,pos\nbad row\n", encoding="utf-8")
    at = AppTest.from_function(_page, args=(str(path), "en")).run()
    assert not at.exception
    assert "rows dropped: 1" in at.warning[0].value
    assert "Line 3 dropped" in "\n".join(m.value for m in at.markdown).replace("\\", "")
