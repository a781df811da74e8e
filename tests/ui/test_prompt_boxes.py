"""The pretraining page's prompt boxes (ui.pretrain_objectives.prompt_box) on tiny saved models."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


@pytest.fixture(scope="module")
def nsp_model(tmp_path_factory):
    from tests.input_layer.tiny_models import save_tiny_embedlab

    return str(save_tiny_embedlab(tmp_path_factory.mktemp("nsp") / "model", "learned", objective="mlm_nsp"))


def _box_page(model_dir: str):
    from core.models import load_model, load_tokenizer
    from ui.pretrain_objectives import prompt_box

    prompt_box(model_dir, "t", "mlm_nsp", "en",
               load=lambda path, head, finished: (load_model(path, head).eval(), load_tokenizer(path)))


@pytest.mark.parametrize("lang, said", [("en", "Write both sentences"), ("zh", "请写出句子 A 和句子 B")])
def test_an_empty_sentence_b_keeps_the_mask_box_and_says_what_is_missing(nsp_model, lang, said):
    """QA: on an NSP run, one empty sentence hid the [MASK] box too, with an English error in the Chinese UI."""
    at = AppTest.from_function(_box_page, args=(nsp_model,), default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception and not at.error and at.metric  # both sentences: p(B follows A)
    at.text_input(key="pretrain_pair_b").set_value("  ").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not at.metric and any(said in i.value for i in at.info)
    assert at.text_input(key="pretrain_try").value and at.dataframe  # the [MASK] guesses are still there
