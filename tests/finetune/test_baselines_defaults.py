"""What a fine-tuned model must beat, and the settings each model offers (its own lr, epochs, max length)."""
from __future__ import annotations

import json

import pytest

from core.finetune import baselines, defaults, estimate


def test_majority_class_scores_the_most_frequent_training_label():
    result = baselines.majority_class(["pos", "pos", "neg"], ["pos", "neg", "neg", "neg"])
    assert result["label"] == "pos" and result["accuracy"] == pytest.approx(0.25)
    assert result["macro_f1"] == pytest.approx(0.2)  # F1 of pos = 2*.25*1/(1.25) = .4, of neg 0


def test_tfidf_baseline_learns_words_and_chinese_characters():
    en = ["great film", "great acting", "awful film", "awful plot"] * 10
    y = ["pos", "pos", "neg", "neg"] * 10
    result = baselines.tfidf_logistic(en, y, ["great plot", "awful acting"], ["pos", "neg"])
    assert result["accuracy"] == 1.0 and result["features"] == "word 1-2-grams"
    zh = ["质量很好", "非常满意", "质量太差", "非常失望"] * 10
    result = baselines.tfidf_logistic(zh, y, ["很好满意", "太差失望"], ["pos", "neg"])
    assert result["accuracy"] == 1.0 and result["features"] == "char 1-2-grams"
    assert baselines.tfidf_logistic(en, ["pos"] * 40, en[:2], ["pos", "pos"]) is None  # one label: nothing to fit


def test_dictionary_baseline_tags_words_seen_in_training():
    train = [["Barack", "Obama", "visited", "Seattle"], ["Seattle", "rains"]]
    tags = [["B-person", "I-person", "O", "B-geo-loc"], ["B-geo-loc", "O"]]
    result = baselines.majority_tag(train, tags, [["Obama", "left", "Seattle"]], [["B-person", "O", "B-geo-loc"]])
    # "Obama" was I-person in training: an entity starting with I- still counts (seqeval's default), type right.
    assert result["f1"] == pytest.approx(1.0) and result["known_words"] > 0
    unseen = baselines.majority_tag(train, tags, [["Paris", "is", "big"]], [["B-geo-loc", "O", "O"]])
    assert unseen["f1"] == 0.0


@pytest.mark.parametrize("score,code", [(0.50, "below"), (0.625, "at"), (0.80, "above")])
def test_verdict_compares_with_the_best_baseline(score, code):
    found = baselines.verdict(score, {"majority": {"accuracy": 0.52}, "tfidf": {"accuracy": 0.62}},
                              metric="accuracy")
    assert found["code"] == code and found["baseline"] == "tfidf" and found["baseline_score"] == 0.62
    assert baselines.verdict(0.5, {"majority": {"f1": 0.1}}, metric="accuracy") is None


def test_advice_for_the_issue_runs_names_the_model_lr_and_epochs():
    # The issue: Chinese reviews, 1,000 examples x 1 epoch at 1e-4 with embedlab-bert-zh -> 0.627.
    config = {"model": "embedlab-bert-zh", "learning_rate": 1e-4, "epochs": 1, "max_train_samples": 1000,
              "max_length": 128}
    summary = {"steps": 63, "total_steps": 63, "n_train": 1000, "truncated": {"train": 0}}
    codes = {tip["code"]: tip for tip in baselines.advice(summary, config)}
    assert codes["learning_rate"]["suggested"] == 5e-4
    assert codes["epochs"]["suggested"] == 3 and "more_examples" in codes


def test_each_model_offers_its_own_defaults():
    zh = defaults.for_model("embedlab-bert-zh")
    assert zh.learning_rate == 5e-4 and zh.source == "card" and zh.positions == 512 and zh.max_length == 128
    minilm = defaults.for_model("all-MiniLM-L6-v2")
    assert minilm.learning_rate == 1e-4 and minilm.source == "size" and minilm.max_length <= minilm.positions


def test_max_length_default_never_passes_the_models_positions(tmp_path):
    folder = tmp_path / "short-bert"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "bert", "max_position_embeddings": 64}))
    found = defaults.for_model(str(folder))
    assert found.positions == 64 and found.max_length == 64


def test_estimate_uses_this_machines_past_runs_and_its_load(runs_root):
    args = dict(model="m", parameters=22_700_000, n_train=1000, n_valid=150, n_test=150, tokens_per_example=40,
                epochs=2, runs_root=runs_root, cores=2)
    quiet = estimate.estimate(load=0.5, **args)
    busy = estimate.estimate(load=8.0, **args)
    assert quiet.basis == "size" and busy.seconds == pytest.approx(4 * quiet.seconds, rel=1e-6)
    run = runs_root / "finetune-20260101-000000-aaaaaa"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"kind": "finetune", "config": {"model": "m"}}))
    (run / "train_summary.json").write_text(json.dumps({"timing": {"train_tokens": 40_000, "train_s": 100.0,
                                                                  "load_avg": 4.0}}))
    learned = estimate.estimate(load=0.5, **args)
    assert learned.basis == "history" and learned.runs == 1
    assert learned.tokens_per_s == pytest.approx(800.0)  # 400 tokens/s at load 4 on 2 cores = 800 unloaded
    n = estimate.examples_for(learned.seconds, **{k: v for k, v in args.items() if k != "n_train"}, load=0.5)
    assert n == pytest.approx(1000, abs=2)


def test_quick_preset_fits_its_budget_with_new_examples_before_a_second_epoch(runs_root):
    from core.finetune import presets

    summary = {"n": 20_000, "lengths": [40] * 20_000}
    values = {"task": "classification", "train_file": "reviews.csv", "model": "all-MiniLM-L6-v2",
              "valid_fraction": 0.15, "test_fraction": 0.15}
    quick = presets.quick(values, summary, runs_root=runs_root, load=0.0)
    assert quick["values"]["epochs"] == 1 and 0 < quick["values"]["max_train_samples"] < 14_000
    assert quick["plan"].estimate.seconds <= presets.QUICK_BUDGET_S * 1.05 and quick["learns"]
    small = presets.quick(values, {"n": 200, "lengths": [40] * 200}, runs_root=runs_root, load=0.0)
    assert small["values"]["max_train_samples"] == 0 and small["values"]["epochs"] == 2  # all of it, twice
    ner = presets.quick({**values, "task": "ner"}, summary, runs_root=runs_root, load=0.0)
    assert not ner["learns"] and ner["full"].estimate.seconds > ner["plan"].estimate.seconds


def test_an_example_costs_its_batchs_longest_input():
    from core.finetune.presets import tokens_per_example

    assert tokens_per_example([10] * 15 + [100], 128, batch_size=16) == 100  # one long review pads the batch
    assert tokens_per_example([10] * 15 + [100], 64, batch_size=16) == 64
