"""ui.runs: durations read in the page's language (a Chinese page must not say "2 min 38 s")."""
import pytest
from streamlit.testing.v1 import AppTest


def _durations_page():
    import streamlit as st

    from ui.runs import format_duration

    for seconds in (None, 12, 158, 3725):
        st.text(format_duration(seconds))


@pytest.mark.parametrize("lang, expected", [
    ("en", ["–", "12 s", "2 min 38 s", "1 h 02 min"]),
    ("zh", ["–", "12 秒", "2 分 38 秒", "1 小时 02 分"]),
])
def test_durations_are_written_in_the_page_language(lang, expected):
    at = AppTest.from_function(_durations_page)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    assert [el.value for el in at.text] == expected
