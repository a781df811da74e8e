"""What the training page reads of a run through core: scores from evaluation.json, runs-table cells, benchmark kinds."""
from __future__ import annotations

import json

from core.vectors.evaluate import benchmark_kind
from core.word2vec.preview import CorpusPreview
from core.word2vec.results import bench_scores, run_scores, score_cell


def test_run_scores_come_from_evaluation_json_else_the_summary(tmp_path):
    assert run_scores(tmp_path) == []  # nothing written yet
    (tmp_path / "summary.json").write_text(json.dumps({"wordsim353": 0.4, "wordsim353_coverage": 0.8,
                                                       "wordsim353_n": 280, "wordsim353_total": 353}))
    assert [s.benchmark for s in run_scores(tmp_path)] == ["wordsim353"]
    evaluation = {"wordsim353": {"spearman": 0.5, "pearson": 0.5, "coverage": 0.9, "n_pairs": 318},
                  "analogies": {"accuracy": 0.2, "coverage": 0.5, "n_questions": 9772}}
    (tmp_path / "evaluation.json").write_text(json.dumps(evaluation))
    scores = {s.benchmark: s for s in run_scores(tmp_path)}
    assert set(scores) == {"wordsim353", "analogies"} and scores["wordsim353"].value == 0.5


def test_a_runs_table_cell_shows_the_score_and_its_coverage_or_withholds_it():
    summary = {"wordsim353": 0.412, "wordsim353_coverage": 0.34, "wordsim353_n": 120, "wordsim353_total": 353,
               "simlex999": 0.3, "simlex999_coverage": 0.017, "simlex999_n": 17, "simlex999_total": 999}
    assert score_cell(summary, "wordsim353") == "0.412 · 34.0%"
    assert score_cell(summary, "simlex999") == "– · 1.7%"  # too few pairs: withheld
    assert score_cell({"analogies": 0.25}, "analogies") == "0.250 · ?" and score_cell({}, "analogies") is None


def test_benchmark_kinds_come_from_evaluate_not_from_the_shape_of_a_result():
    assert benchmark_kind("wordsim353") == benchmark_kind("simlex999") == "similarity"
    assert benchmark_kind("analogies") == benchmark_kind("zh_analogies") == "analogy"
    result = {"wordsim353": {"spearman": 0.5, "coverage": 0.9, "n_pairs": 300},
              "zh_analogies": {"accuracy": 0.1, "coverage": 0.4, "n_questions": 900}}
    assert [(kind, s.benchmark) for kind, s in bench_scores(result)] == [("similarity", "wordsim353"),
                                                                          ("analogy", "zh_analogies")]


def test_a_preview_says_when_min_count_leaves_too_few_words_and_what_would_keep_two():
    preview = CorpusPreview("c", "utf-8", "en", counts=[("the", 9), ("cat", 3), ("sat", 1)], tokens=13)
    assert preview.too_small(3) is None
    assert preview.too_small(4) == (1, 3)  # one word kept; min_count 3 keeps two
    preview.truncated = True
    assert preview.too_small(4) is None  # the whole corpus may have more
