"""The task registry: every registered task passes the same tests; a new task shows up everywhere by registering."""
from __future__ import annotations

import pytest

from core.finetune import data as fd
from core.finetune import tasks
from core.finetune.config import FinetuneConfig
from core.finetune.tasks.classification import Classification


@pytest.fixture(params=list(tasks.names()))
def task(request):
    return tasks.get(request.param)


def test_every_task_describes_itself(task):
    from core.i18n import catalog

    assert task.head.startswith("AutoModelFor") and task.formats and task.upload_types
    assert task.metric in task.headline_keys
    for language in ("en", "zh"):  # the page's strings for this task exist in both languages
        for key in (f"finetune.task.{task.name}", f"finetune.sample_note.{task.name}",
                    f"finetune.upload_hint.{task.name}", f"finetune.try_default.{task.report_view}",
                    *task.display().values()):
            assert catalog()[key][language]


def test_every_task_reads_its_sample_and_encodes_it(task):
    from core.models import load_tokenizer

    data, report = fd.load(task.sample, task.name)
    assert len(data) >= 100 and report.rows_read == len(data) and report.format in task.formats
    labels = task.label_list(data)
    assert len(labels) >= 2 and task.labels_in(data) <= set(labels)
    tokenizer = load_tokenizer()
    part = data.subset(range(8))
    encoded = task.encode(tokenizer, part, {lab: i for i, lab in enumerate(labels)}, max_length=64)
    assert len(encoded.features) == 8
    assert all(len(f["input_ids"]) <= 64 and "labels" in f for f in encoded.features)
    summary = task.summarize(part, tokenizer, 64)
    assert summary["n"] == 8 and len(summary["lengths"]) == 8
    assert len(task.preview(data, 3)) == 3
    assert task.example(part) and task.example(part) in " ".join(str(r) for r in task.preview(part, 8))


def test_every_task_scores_perfect_predictions_as_perfect(task):
    """Feeding the gold labels back as predictions gives the top score of the task's metric."""
    from core.models import load_tokenizer

    data, _ = fd.load(task.sample, task.name)
    part = data.subset(range(0, len(data), len(data) // 20))  # spread over the file: every class present
    labels = task.label_list(data)
    label2id = {lab: i for i, lab in enumerate(labels)}
    encoded = task.encode(load_tokenizer(), part, label2id, max_length=128)
    gold = [f["labels"] for f in encoded.features]
    preds = [g if isinstance(g, int) else [x for x in g if x != tasks.IGNORE] for g in gold]
    scores, _ = task.scores(part, encoded, preds, [1.0] * len(preds), labels)
    assert scores[task.metric] == pytest.approx(1.0)
    assert set(task.headline(scores)) == set(task.headline_keys)


def test_an_unknown_task_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown task 'regression'; known tasks: classification, ner"):
        tasks.get("regression")
    with pytest.raises(ValueError, match="known tasks: classification, ner"):
        FinetuneConfig(task="regression")
    with pytest.raises(ValueError, match="known tasks"):
        fd.load("sample:sentiment", "regression")


def test_an_unknown_task_on_the_command_line_exits_2(capsys):
    from core.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["finetune", "--task", "regression", "--train", "sample:sentiment"])
    assert stop.value.code == 2
    assert "invalid choice: 'regression'" in capsys.readouterr().err


class Toy(Classification):
    """A toy task: classification under another name (what a new task file would register)."""

    name = "toy"
    help = "a toy task registered by a test"


@pytest.fixture
def toy_task():
    task = tasks.register(Toy())
    yield task
    tasks.unregister("toy")


def test_a_registered_task_appears_in_the_cli_and_the_config_with_no_other_edit(toy_task, capsys):
    from core.cli import build_parser

    assert FinetuneConfig(task="toy").task == "toy"
    parser = build_parser()
    args = parser.parse_args(["finetune", "--task", "toy", "--train", "sample:sentiment"])
    assert args.task == "toy"
    with pytest.raises(SystemExit):
        parser.parse_args(["finetune", "--help"])
    assert "toy: a toy task registered by a test" in " ".join(capsys.readouterr().out.split())
    data, _ = fd.load("sample:sentiment", "toy")
    assert len(data) == 200


def test_a_registered_task_appears_in_the_page_options(toy_task, runs_root):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    page = str(Path(__file__).resolve().parents[2] / "app_pages" / "finetune.py")
    at = AppTest.from_file(page, default_timeout=180)
    at.run()
    assert not at.exception
    assert "toy" in at.radio(key="ft_task").options
    at.radio(key="ft_task").set_value("toy").run()
    assert not at.exception
    assert any(m.value == "200" for m in at.metric)  # the toy task reads its sample like any task


def test_the_saved_model_knows_its_task():
    assert tasks.for_architectures(["BertForTokenClassification"]).name == "ner"
    assert tasks.for_architectures(["BertForSequenceClassification"]).name == "classification"
    with pytest.raises(ValueError, match="none of the fine-tune tasks"):
        tasks.for_architectures(["BertForMaskedLM"])
