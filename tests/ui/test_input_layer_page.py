"""The input-layer page runs in English and Chinese, with a Chinese sentence, a pair and every position swap."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "input_layer.py")


def _run(lang: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_runs_in_both_languages(lang):
    at = _run(lang)
    assert not at.error
    headers = [h.value for h in at.header]
    assert len(headers) == 7 and headers[0].startswith("1")
    assert len(at.success) == 2  # embeddings and attention checked against the model itself


def test_chinese_sentence_shows_unk_and_position_swaps():
    at = _run("en")
    at.radio(key="il_pick_en").set_value("zh").run()
    assert not at.exception
    assert at.text_input(key="il_text_zh").value == "我们在北京学习中文。"
    assert any("[UNK]" in w.value for w in at.warning)
    for kind in ("sinusoidal", "none"):
        at.radio(key="il_position_en").set_value(kind).run()
        assert not at.exception and not at.error
    at.radio(key="il_corpus_en").set_value("zh").run()  # train the tokenizers on the shipped Chinese sample
    assert not at.exception and not at.error
    assert at.text_input(key="il_probe_zh").value


def test_own_sentence_pair_and_bad_input():
    # English: AppTest formats radio options outside the page run, where t() falls back to English
    at = _run("en")
    at.radio(key="il_pick_en").set_value("own").run()
    at.text_input(key="il_text_own").input("机器学习 is fun").run()
    at.text_input(key="il_pair_own").input("Dogs bark.").run()
    assert not at.exception and not at.error
    at.text_input(key="il_text_own").input("   ").run()
    assert not at.exception
    assert at.error and "Please check your input" in at.error[0].value and "empty" in at.error[0].value


def test_choices_survive_a_language_switch():
    at = _run("en")
    at.radio(key="il_position_en").set_value("none").run()
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception and not at.error
    assert at.radio(key="il_position_zh").value == "none"  # the zh widget starts from the English choice
    assert any("位置部分：无" in m.value for m in at.markdown)  # attention section uses the "none" input


def test_chinese_ui_starts_every_text_box_in_chinese():
    at = _run("zh")
    assert at.text_input(key="il_text_zh").value == "我们在北京学习中文。"
    assert at.text_input(key="il_pair_zh").value == "天天学中文。"
    assert at.radio(key="il_corpus_zh").value == "zh"  # the tokenizer section trains on the Chinese sample
    assert at.text_input(key="il_probe_zh").value.startswith("我们")
    # (AppTest formats radio options in English outside a run and cannot rerun a zh radio: start afresh)
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.session_state["lang"] = "zh"
    at.session_state["il_corpus"] = "upload"
    at.run()
    assert not at.exception
    assert at.text_input(key="il_probe_upload_zh").value.startswith("我们")  # an upload: the UI's language


def test_english_ui_starts_in_english():
    at = _run("en")
    assert at.radio(key="il_corpus_en").value == "lee"
    assert at.text_input(key="il_probe_lee").value.startswith("The government")
