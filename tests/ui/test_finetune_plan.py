"""The fine-tune page before and after Train (issue 25): each model's own defaults, the time a run takes here,
the quick preset, Train off for inputs that cannot succeed, one click = one run, and the baselines in the report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import core.jobs as jobs
from tests.ui.test_finetune_page import PAGE, _finished_run, _run_on_file


def page(language="en", run=None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.session_state["lang"] = language
    if run:
        at.query_params["run"] = run
    return at


def train_button(at):
    return next(b for b in at.button if b.label in ("Train", "开始训练"))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_each_model_brings_its_own_learning_rate_and_says_where_it_comes_from(runs_root, language):
    at = page(language)
    at.run()
    assert not at.exception
    assert at.number_input(key="ft_learning_rate").value == pytest.approx(1e-4)  # MiniLM: the size rule
    assert at.number_input(key="ft_max_length").value <= 512
    at.session_state["ft_model"] = "embedlab-bert-zh"  # the Chinese model's card says 5e-4
    at.run()
    assert not at.exception
    assert at.number_input(key="ft_learning_rate").value == pytest.approx(5e-4)
    said = "来自它的模型卡" if language == "zh" else "from its model card"
    assert any(said in c.value and "5e-04" in c.value for c in at.caption), [c.value for c in at.caption]


def test_cli_takes_the_models_own_learning_rate_unless_told(runs_root):
    import argparse

    from core.cli import finetune as cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    own = cli._config(parser.parse_args(["finetune", "--model", "embedlab-bert-zh", "--quiet"]))
    told = cli._config(parser.parse_args(["finetune", "--model", "embedlab-bert-zh", "--lr", "2e-5", "--quiet"]))
    assert own.learning_rate == pytest.approx(5e-4) and told.learning_rate == pytest.approx(2e-5)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_estimate_and_a_quick_preset_that_fills_the_form(runs_root, language):
    at = page(language)
    at.run()
    said = "在这台机器上预计用时" if language == "zh" else "Estimated time on this machine"
    assert any(said in c.value for c in at.caption), [c.value for c in at.caption]
    quick = next(b for b in at.button if b.key == "ft_quick")
    assert ("快速运行" if language == "zh" else "Quick run") in quick.label
    quick.click().run()
    assert not at.exception
    assert at.number_input(key="ft_max_eval_samples").value == 500 and at.number_input(key="ft_epochs").value <= 2
    assert at.number_input(key="ft_max_length").value <= 64
    assert not train_button(at).disabled


def test_ner_quick_preset_says_honestly_that_it_needs_longer(runs_root):
    at = page()
    at.session_state["ft_task"] = "ner"
    at.run()
    assert not at.exception
    assert any("Entity recognition learns slowly" in c.value and "about" in c.value for c in at.caption)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_train_is_off_for_a_one_row_file_and_for_lengths_past_the_models_positions(runs_root, tmp_path, language):
    one_row = tmp_path / "one row.csv"
    one_row.write_text("text,label\nonly one review,pos\n", encoding="utf-8")
    at = page(language, run=_run_on_file(runs_root, "finetune-one-1", one_row))
    at.run()
    assert not at.exception
    assert train_button(at).disabled
    said = "训练数据只有 1 个样本" if language == "zh" else "the training data has 1 examples"
    assert any(said in w.value for w in at.warning), [w.value for w in at.warning]

    at = page(language)
    at.run()
    assert not train_button(at).disabled
    at.number_input(key="ft_max_length").set_value(8192).run()
    assert train_button(at).disabled
    assert any("8192" in w.value and "512" in w.value for w in at.warning), [w.value for w in at.warning]


def test_a_double_click_on_train_makes_one_run(runs_root):
    at = page()
    at.run()
    train_button(at).click().run()
    at.query_params.pop("run", None)  # the second click comes from the same form, before the first run shows
    train_button(at).click().run()
    assert not at.exception
    runs = jobs.list_runs("finetune")
    for run in runs:
        jobs.cancel(run["id"])
    assert len(runs) == 1


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_report_shows_the_baselines_beside_the_score_with_a_sentence(runs_root, tmp_path, language):
    import torch

    torch.set_num_threads(1)
    run_id = _finished_run(runs_root, tmp_path, epochs=1, learning_rate=1e-5)  # a run that learns little
    report = json.loads((Path(runs_root) / run_id / "report.json").read_text())
    assert set(report["baselines"]) == {"majority", "tfidf"} and report["verdict"]["code"] in ("at", "below")
    at = page(language, run=run_id)
    at.run()
    assert not at.exception
    table = next(df for df in at.dataframe if ("model or baseline" in df.value.columns or "模型或基线" in df.value.columns))
    assert len(table.value) == 3
    said = ("基线" if language == "zh" else "baseline")
    change = ("可以这样改" if language == "zh" else "To change")
    assert any(said in w.value and change in w.value for w in at.warning), [w.value for w in at.warning]


def test_a_reload_keeps_the_run_name_and_settings_typed(runs_root):
    """The issue: after a reload the run-name box was blank on the fine-tune page."""
    at = page()
    at.run()
    at.text_input(key="ft_name").set_value("reviews, quick").run()
    at.number_input(key="ft_epochs").set_value(2).run()
    link = at.query_params["form"]
    again = page()
    again.query_params["form"] = link[0] if isinstance(link, list) else link
    again.run()
    assert not again.exception
    assert again.text_input(key="ft_name").value == "reviews, quick"
    assert again.number_input(key="ft_epochs").value == 2
