"""The multi-label task: labels read from lists or joined columns, a sigmoid head, micro/macro F1, a threshold."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from core.finetune import data as fd
from core.finetune import tasks
from core.finetune.tasks.multilabel import THRESHOLD, split_labels


@pytest.mark.parametrize("cells, sets, how", [
    (['["a", "b"]', '["c"]', "[]"], [["a", "b"], ["c"], []], "list"),
    (["a|b", "c", "b|c|a"], [["a", "b"], ["c"], ["b", "c", "a"]], "|"),
    (["a; b", "c"], [["a", "b"], ["c"]], ";"),
    (["pos", "neg"], [["pos"], ["neg"]], "single"),
    (['["x"]', "plain"], [["x"], ["plain"]], "list"),  # a stray plain cell is one label
])
def test_labels_are_split_as_the_file_holds_them(cells, sets, how):
    assert split_labels(cells) == (sets, how)


def test_a_joined_column_is_read_and_the_separator_is_said(tmp_path):
    path = tmp_path / "tags.csv"
    path.write_text("text,tags\nfast cheap car,price|speed\nslow ride,speed\nexpensive slow,price|speed\n"
                    "a fine day,\n", encoding="utf-8")
    data, report = fd.load(path, "multilabel")
    assert data.label_sets == [["price", "speed"], ["speed"], ["price", "speed"]]
    lines = report.lines()
    assert "multi-label: 3 texts, 2 labels" in lines and "labels split on |" in lines
    assert report.rows_dropped == 1  # the row without labels, counted


def test_perfect_label_sets_score_one_and_a_missed_label_costs_recall_not_precision():
    task = tasks.get("multilabel")
    data = SimpleNamespace(texts=["t1", "t2", "t3"], label_sets=[["a", "b"], ["b"], ["c"]])
    labels = ["a", "b", "c"]
    perfect = [[1.0, 1.0, 0.0], [0.0, 0.9, 0.1], [0.2, 0.0, 0.7]]
    scores, details = task.scores(data, None, perfect, [], labels)
    assert scores["micro_f1"] == scores["macro_f1"] == scores["accuracy"] == pytest.approx(1.0)
    missed = [[0.1, 1.0, 0.0], [0.0, 0.9, 0.1], [0.2, 0.0, 0.7]]  # "a" of t1 under the threshold
    scores, details = task.scores(data, None, missed, [], labels)
    assert scores["micro_precision"] == pytest.approx(1.0) and scores["micro_recall"] == pytest.approx(3 / 4)
    assert scores["accuracy"] == pytest.approx(2 / 3)
    assert details["misclassified"][0] == {"text": "t1", "true": "a, b", "predicted": "b", "confidence": 1.0}
    assert THRESHOLD == 0.5


def test_the_head_is_a_sigmoid_per_label_and_a_saved_model_is_found_again_as_multilabel():
    task = tasks.get("multilabel")
    kwargs = task.model_kwargs(["a", "b", "c"])
    assert kwargs["problem_type"] == "multi_label_classification" and kwargs["num_labels"] == 3
    saved = SimpleNamespace(architectures=["BertForSequenceClassification"], problem_type="multi_label_classification")
    assert tasks.for_model(saved) is task
    single = SimpleNamespace(architectures=["BertForSequenceClassification"], problem_type="single_label_classification")
    assert tasks.for_model(single).name == "classification"


def test_fine_tuning_end_to_end_learns_the_labels_and_the_playground_takes_a_threshold(tiny_model, tmp_path):
    """A tiny BERT on separable label sets: trains, saves a multi-label head, reports micro/macro F1, predicts sets."""
    from core.finetune import FinetuneConfig, load_predictor, read_run, train

    rows = [("sunny warm bright", ["weather"]), ("goal match striker", ["sport"]),
            ("sunny match striker warm", ["weather", "sport"]), ("bright goal sunny", ["weather", "sport"])] * 8
    path = tmp_path / "sets.jsonl"
    path.write_text("".join(json.dumps({"text": t, "labels": y}) + "\n" for t, y in rows), encoding="utf-8")
    config = FinetuneConfig(task="multilabel", train_file=str(path), valid_file=str(path), test_fraction=0.0,
                            model=str(tiny_model), epochs=25, batch_size=8, learning_rate=5e-3, warmup_ratio=0.0,
                            max_length=16, log_every=5, early_stopping=0, device="cpu")
    train(config, tmp_path / "run")
    run = read_run(tmp_path / "run")
    scores = run["report"]["valid"]
    assert run["summary"]["scores"]["micro_f1"] >= 0.9 and scores["macro_f1"] >= 0.9
    assert {row["label"] for row in scores["per_class"]} == {"sport", "weather"} and "confusion" not in scores
    predictor = load_predictor(tmp_path / "run")
    assert predictor.task == "multilabel" and predictor.inputs == ("text", "threshold")
    both = predictor.predict("sunny striker", threshold=0.5)
    assert set(both["predicted"]) == {"weather", "sport"}
    assert predictor.predict("sunny striker", threshold=0.999)["predicted"] != both["predicted"] or \
        min(p for _, p in both["probabilities"]) >= 0.999


def test_the_cli_fine_tunes_a_jsonl_with_label_lists_and_prints_the_reading_report(tiny_model, runs_root, capsys):
    from pathlib import Path

    from core.cli import main

    case = Path(__file__).resolve().parents[1] / "cases" / "jsonl-list-labels" / "train.jsonl"
    code = main(["finetune", "--task", "multilabel", "--train", str(case), "--valid", str(case), "--test-fraction",
                 "0", "--model", str(tiny_model), "--epochs", "2", "--batch-size", "8", "--max-length", "32",
                 "--device", "cpu", "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "done:" in printed and "micro_f1" in printed
