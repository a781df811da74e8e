"""The shipped Chinese causal LM ``models/embedlab-gpt-zh``: small, documented, listed, and continues Chinese text."""
from __future__ import annotations

import json

import torch

from core import models

FOLDER = models.SHIPPED_MODELS_DIR / "embedlab-gpt-zh"


def test_it_is_under_30_mb_with_its_tokenizer_and_card():
    assert (FOLDER / "config.json").is_file() and (FOLDER / "tokenizer.json").is_file()
    size = sum(p.stat().st_size for p in FOLDER.iterdir() if p.is_file())
    assert size <= 30 * 2**20
    card = (FOLDER / "README.md").read_text(encoding="utf-8")
    for fact in ("## Licence", "People's Daily", "parameters", "held-out", "tokens/s", "bigram", "perplexity",
                 "hours on cpu"):
        assert fact in card, fact
    assert json.loads((FOLDER / "embedlab.json").read_text(encoding="utf-8"))["language"] == "zh"


def test_it_is_listed_as_a_chinese_causal_lm_and_never_picked_as_the_default():
    listed = {m.name: m for m in models.list_models()}
    info = listed["embedlab-gpt-zh"]
    assert (info.language, info.objective, info.mlm_head, info.source) == ("zh", "clm", False, "shipped")
    assert models.model_for_language("zh", list(listed.values())).name == models.ZH_MODEL_NAME  # the BERT stays


def test_it_reads_text_as_the_chinese_bert_does():
    """The same tokenizer as embedlab-bert-zh, so the two families can be compared token for token."""
    gpt, bert = models.load_tokenizer("embedlab-gpt-zh"), models.load_tokenizer(models.ZH_MODEL_NAME)
    assert gpt.get_vocab() == bert.get_vocab()
    text = "我们在北京学习中文。"
    assert gpt.tokenize(text) == bert.tokenize(text) == list(text)


def test_it_predicts_obvious_next_characters():
    from core.pretrain.objectives.clm import next_tokens

    model = models.load_model("embedlab-gpt-zh", "AutoModelForCausalLM").eval()
    tokenizer = models.load_tokenizer("embedlab-gpt-zh")
    for prompt, answer in (("中华人民共和", "国"), ("经济发", "展"), ("国家主", "席"), ("北", "京")):
        assert answer in [tok for tok, _ in next_tokens(model, tokenizer, prompt, top_k=5)], prompt


def test_its_attention_is_causal_through_the_auto_class():
    model = models.load_model("embedlab-gpt-zh", "AutoModelForCausalLM").eval()
    tokenizer = models.load_tokenizer("embedlab-gpt-zh")
    ids = torch.tensor([tokenizer("今天天气很好", add_special_tokens=False)["input_ids"]])
    changed = ids.clone()
    changed[0, -1] = tokenizer.convert_tokens_to_ids("坏")
    with torch.no_grad():
        a, b = model(input_ids=ids).logits, model(input_ids=changed).logits
    assert torch.allclose(a[0, :-1], b[0, :-1], atol=1e-5) and not torch.allclose(a[0, -1], b[0, -1])
