"""Every page in Chinese says nothing in English: no run of five English words in its text, labels or help.

What a page draws with its defaults (AppTest); paper titles in citations stay as published.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = re.compile(r"(?:\b[A-Za-z][a-z]+\b[ ,;:]+){4,}[A-Za-z][a-z]+")
CITED_TITLES = ("Attention Is All You Need", "On lines and planes of closest fit")
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "text")
WIDGETS = ("selectbox", "multiselect", "radio", "number_input", "text_input", "slider", "checkbox", "button")


def english_runs(at: AppTest) -> list[str]:
    shown = [str(e.value) for kind in TEXT_ELEMENTS for e in getattr(at, kind)]
    shown += [str(getattr(w, attr, "") or "") for kind in WIDGETS for w in getattr(at, kind) for attr in ("label", "help")]
    for title in CITED_TITLES:
        shown = [text.replace(title, "") for text in shown]
    return sorted({m.group(0) for text in shown for m in ENGLISH.finditer(text)})


@pytest.mark.parametrize("page", [None, "input_layer", "positional", "train_word2vec", "explorer", "finetune", "pretrain"])
def test_a_page_in_chinese_has_no_english_sentence(runs_root, monkeypatch, page):
    monkeypatch.setenv("EMBEDLAB_WARM_PAGES", "0")
    monkeypatch.setenv("EMBEDLAB_WARM_UMAP", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state["lang"] = "zh"
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert english_runs(at) == []


def test_the_check_finds_an_english_sentence():
    """The check itself: an English caption on a Chinese page is found, a cited title is not."""
    at = AppTest.from_string(
        "import streamlit as st\n"
        "st.caption('位置编码：see the figure below for details')\n"
        "st.caption('Vaswani 等：Attention Is All You Need, sec. 3.5')\n")
    at.run()
    assert english_runs(at) == ["see the figure below for details"]
