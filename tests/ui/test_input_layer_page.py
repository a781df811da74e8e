"""The input-layer page runs in English and Chinese, with a Chinese sentence, a pair and every position swap."""
from pathlib import Path

import pytest
from tests.ui.test_classroom_ui import klass  # noqa: F401  (the class-mode fixture)
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
    assert len(headers) == 8 and headers[0].startswith("1")
    assert len(at.success) == 2  # embeddings and attention checked against the model itself


def test_chinese_sentence_shows_unk_and_position_swaps():
    at = _run("en")
    at.radio(key="il_pick_en").set_value("zh").run()
    assert not at.exception
    assert at.text_input(key="il_text_zh").value == "我们在北京学习中文。"
    at.selectbox(key="il_model").set_value("all-MiniLM-L6-v2").run()  # keep the English model on Chinese text
    assert not at.exception
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


# ----------------------------------------------------------------------------- the model picker, EmbedLab models

WHERE_HEADER = {"learned": "5 · Swap the position part", "sinusoidal": "5 · Swap the position part",
                "rope": "5 · Where position enters: inside attention",
                "alibi": "5 · Where position enters: inside attention", "none": "5 · Where position enters: nowhere"}


@pytest.fixture
def fresh_caches():
    """The model lists are cached for 20 s; each test here makes its own models."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _pretrain_run(runs_root, position: str, language: str = "zh", objective: str = "mlm") -> str:
    """A finished "pretrain" run holding a tiny model, as ``core.models.list_models`` finds it."""
    import json

    from tests.input_layer.tiny_models import save_tiny_embedlab

    run_id = f"pretrain-test-{objective}-{position}"
    folder = runs_root / run_id
    save_tiny_embedlab(folder / "model", position, objective=objective)
    (folder / "config.json").write_text(json.dumps({"kind": "pretrain", "name": f"tiny {position}", "config": {}}))
    (folder / "status.json").write_text(json.dumps({"state": "done"}))
    (folder / "summary.json").write_text(json.dumps({"language": language, "position_encoding": position}))
    return run_id


def test_the_picker_shows_minilm_by_default_and_says_it_cannot_guess(fresh_caches):
    at = _run("en")
    picker = at.selectbox(key="il_model")
    assert picker.value == "all-MiniLM-L6-v2" and "position: learned" in picker.format_func(picker.value)
    assert any("English text: using the English model all-MiniLM-L6-v2" in c.value for c in at.caption)
    assert any("has no masked-LM head" in i.value for i in at.info)
    assert not at.dataframe  # no guesses without a head


def test_chinese_text_picks_the_chinese_model_and_it_guesses(runs_root, fresh_caches):
    from core.models import DEFAULT_MODEL_NAME, model_for_language

    _pretrain_run(runs_root, "alibi")
    chinese = model_for_language("zh")  # the shipped Chinese model once it exists, else this run
    assert chinese.name != DEFAULT_MODEL_NAME and chinese.mlm_head
    at = _run("zh")  # the Chinese example sentence
    assert at.selectbox(key="il_model").value == chinese.name
    assert any("已选用中文模型" in c.value and chinese.name in c.value for c in at.caption)
    assert len(at.success) == 2  # the walk still equals the model's own outputs
    assert not any("掩码语言模型头" in i.value for i in at.info)  # it has a head: no "cannot guess" line
    assert [h.value for h in at.subheader][-1] == "模型猜的是什么"


@pytest.mark.parametrize("position", sorted(WHERE_HEADER))
def test_every_encoding_walks_and_shows_where_position_enters(tmp_path, fresh_caches, position):
    from tests.input_layer.tiny_models import save_tiny_embedlab

    folder = str(save_tiny_embedlab(tmp_path / position, position))
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.session_state["lang"] = "en"
    at.session_state["il_model"] = folder  # a folder typed into the picker
    at.run()
    assert not at.exception, at.exception
    assert not at.error
    headers = [h.value for h in at.header]
    assert len(headers) == 8 and headers[4] == WHERE_HEADER[position]
    assert len(at.success) == 2  # embeddings and attention checked against the model itself
    assert any(f"position: {position}" in c.value for c in at.caption)
    if position in ("learned", "sinusoidal"):  # the swap offers the model's own part, marked as such
        swap = at.radio(key="il_position_en")
        assert swap.value == position and "(the model's own)" in swap.format_func(position)


def test_the_mask_guesses_of_an_embedlab_model(runs_root, fresh_caches):
    run_id = _pretrain_run(runs_root, "rope", language="en")
    at = _run("en")
    at.selectbox(key="il_model").set_value(run_id).run()
    assert not at.exception and not at.error
    at.slider(key="il_prob").set_value(0.5).run()  # select many tokens of the demo sentence
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table.columns[:3]) == ["position", "model reads", "original"]
    assert [c for c in table.columns if c.startswith("guess")] == [f"guess {i}" for i in range(1, 6)]
    assert len(table) >= 2 and len(at.get("plotly_chart")) > 0
    at.radio(key="il_guess_en").set_value("own").run()  # a sentence written with [MASK]
    assert not at.exception and not at.error
    assert at.text_input(key="il_guess_text_en").value == "The cat sat on the [MASK]."
    table = at.dataframe[0].value
    assert len(table) == 1 and table["model reads"][0] == "[MASK]"
    probs = [float(cell.rsplit("(", 1)[1].rstrip(")")) for cell in table.iloc[0, 2:]]
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1.0 + 1e-6
    at.text_input(key="il_guess_text_en").input("no mask here").run()
    assert not at.exception
    assert at.error and "write [MASK]" in at.error[0].value


def test_a_causal_model_walks_with_its_mask_and_guesses_the_next_token(runs_root, fresh_caches):
    """A GPT-style run: one text (no pair), the causal mask, next-token guesses; beside a BERT-style run."""
    bert = _pretrain_run(runs_root, "learned", language="en")
    gpt = _pretrain_run(runs_root, "learned", language="en", objective="clm")
    at = _run("en")
    at.selectbox(key="il_model").set_value(gpt).run()
    assert not at.exception, at.exception
    assert not at.error
    assert any("reads one text, so sentence B is left out" in i.value for i in at.info)
    headers = [h.value for h in at.header]
    assert len(headers) == 8 and headers[-1] == "8 · Causal language modelling: the next token"
    assert headers[6].startswith("7 · BERT and GPT side by side")
    assert len(at.success) == 2  # its own embeddings and (masked) attention equal our sums
    table = at.dataframe[-1].value
    assert list(table.columns[:3]) == ["position", "last token read", "really next"]
    gpt_label = "tiny learned · learned · English · position: learned"  # by its name, as in the page's own picker
    assert any(o.startswith(gpt_label) for o in at.selectbox(key="il_cmp_gpt").options), at.selectbox(key="il_cmp_gpt").options
    at.selectbox(key="il_cmp_bert").set_value(bert).run()
    at.selectbox(key="il_cmp_gpt").set_value(gpt).run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) >= 6  # two attention maps, the mask, two guess panels, the next-token panels
    assert sum("Checked: our attention weights" in c.value for c in at.caption) == 2  # both models verified
    assert any("reads: " in c.value and "[MASK]" in c.value for c in at.caption)


def test_a_student_in_class_mode_walks_the_chinese_bert_beside_the_gpt(klass, fresh_caches):
    """Class mode: the page loads the models as the signed-in student (no "sign in" refusal on the walk)."""
    from tests.ui.test_classroom_ui import app

    at = app(klass["alice"], lang="zh", page="input_layer")
    assert not at.error, [e.value for e in at.error]
    headers = [h.value for h in at.header]
    assert len(headers) == 8 and headers[6].startswith("7 · BERT 与 GPT 并排")
    assert sum("已核对" in c.value for c in at.caption) >= 2  # both models' attention checked against their own


def test_the_bert_vs_gpt_view_is_computed_once_for_all_sessions():
    """A second visitor on the default Chinese sentence reads both walks from the server's shared cache."""
    from ui.input_layer_data import compare_walk

    def compare_walks() -> dict:
        cache = compare_walk.cache
        return {"entries": len(cache.values), "hits": cache.hits, "misses": cache.misses}

    _run("zh")
    first = compare_walks()
    assert first["entries"] >= 2  # the shipped BERT and GPT on the example sentence
    _run("zh")
    second = compare_walks()
    assert second["misses"] == first["misses"] and second["hits"] >= first["hits"] + 2



def test_a_one_token_sentence_says_the_gpt_needs_two_and_a_long_one_is_refused_with_its_limit():
    """QA: "好" was told the two models split it differently; 1,000 characters got an untranslated message.
    English UI (AppTest formats a Chinese radio's labels in English); the message's key is checked below."""
    at = _run("en")
    at.radio(key="il_pick_en").set_value("own").run()
    at.text_input(key="il_text_own").input("好").run()
    assert not at.exception, at.exception
    assert any("needs at least two tokens" in i.value for i in at.info), [i.value for i in at.info]
    assert not any("into different tokens" in i.value for i in at.info)
    at.text_input(key="il_text_own").input("我们在北京学习中文。" * 20).run()
    assert not at.exception, at.exception
    assert any("at most 128 are shown here" in e.value for e in at.error), [e.value for e in at.error]


def test_the_too_long_message_is_said_in_chinese():
    from core import input_layer as il
    from core.i18n import translate
    from core.models import load_tokenizer

    with pytest.raises(ValueError) as refused:
        il.tokenize(load_tokenizer(), "我们在北京学习中文。" * 20, None, max_tokens=128)
    assert refused.value.key == "errors.too_many_tokens"
    assert translate(refused.value.key, "zh", **refused.value.fields).startswith("这句话有 ")
