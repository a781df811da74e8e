"""Shared case jsonl-list-labels (set 2): a JSONL with "labels" lists is multi-label data.

Right value: the single-label classifier refuses it, naming the multi-label task, and never
turns label combinations into classes; the multi-label task reads it and says so in the
reading report ("multi-label: 16 texts, 3 labels"). (The case's README counts 7 rows with
more than one label; the file has 5: rows 3, 5, 8, 11 and 15.)
"""
from __future__ import annotations

from pathlib import Path

import pytest

from core.finetune import data as fd

CASE = Path(__file__).resolve().parent / "jsonl-list-labels" / "train.jsonl"


def test_the_single_label_classifier_refuses_lists_and_names_the_multilabel_task():
    with pytest.raises(ValueError) as err:
        fd.load(CASE, "classification")
    message = str(err.value)
    assert "holds lists of labels (5 of 16 rows have several)" in message
    assert "--task multilabel" in message and '["business"' not in message


def test_the_multilabel_task_reads_16_texts_with_3_labels_and_says_so():
    data, report = fd.load(CASE, "multilabel")
    assert len(data) == 16 and sum(len(s) > 1 for s in data.label_sets) == 5
    assert sorted({label for s in data.label_sets for label in s}) == ["business", "politics", "sports"]
    assert data.label_sets[10] == ["politics", "sports", "business"]
    lines = report.lines()
    assert "multi-label: 16 texts, 3 labels" in lines and "labels read as JSON lists" in lines
    assert report.label_column == "labels" and report.rows_dropped == 0


def test_the_page_and_the_cli_show_the_report_line_in_both_languages():
    from core.i18n import translate

    _, report = fd.load(CASE, "multilabel")
    zh = report.lines(lambda key, **fields: translate(key, "zh", **fields))
    assert "多标签：16 段文本，3 个标签" in zh
