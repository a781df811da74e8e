"""The CLI on a tiny file, the config's validation and help text, and the figure builders."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from core.finetune.config import FinetuneConfig, field_help


def test_every_config_field_has_help_and_the_page_shows_it():
    from core.i18n import catalog

    helps = field_help()
    assert set(helps) == {f.name for f in dataclasses.fields(FinetuneConfig)}
    for name, text in helps.items():  # the locale string is the page's help and the CLI's
        assert text and catalog()[f"finetune.help.{name}"]["en"] == text and catalog()[f"finetune.help.{name}"]["zh"]


@pytest.mark.parametrize("change,message", [
    ({"task": "regression"}, "unknown task .regression.; known tasks: classification, ner"),
    ({"delimiter": ";;"}, "delimiter must be one character"),
    ({"learning_rate": 5.0}, "learning_rate must be between 1e-08 and 1"),
    ({"batch_size": 0}, "batch_size must be between 1 and 65536"),
    ({"valid_fraction": 0.5, "test_fraction": 0.45}, "leaves less than 10%"),
    ({"max_length": 4}, "max_length must be between"),
])
def test_config_rejects_bad_values(change, message):
    with pytest.raises(ValueError, match=message):
        FinetuneConfig(**change)


def test_config_from_dict_round_trip_and_unknown_keys():
    config = FinetuneConfig(epochs=2, learning_rate=1e-4)
    assert FinetuneConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ValueError, match="unknown fine-tune settings: epoch"):
        FinetuneConfig.from_dict({"epoch": 3})
    with pytest.raises(ValueError, match="epochs must be a int"):
        FinetuneConfig.from_dict({"epochs": "three"})


def test_cli_run_goes_through_core_jobs_and_is_listed_like_an_app_run(tiny_model, separable_csv, runs_root, capsys):
    import core.jobs as jobs
    from core.cli import main

    code = main(["finetune", "--train", str(separable_csv), "--valid", str(separable_csv), "--test-fraction", "0",
                 "--model", str(tiny_model), "--epochs", "2", "--batch-size", "8", "--lr", "3e-3", "--max-length", "32",
                 "--device", "cpu", "--keep-checkpoint", "--quiet"])  # kept: the run is resumed below
    assert code == 0
    printed = capsys.readouterr().out
    assert "done: 6 steps" in printed and "model saved in" in printed
    runs = jobs.list_runs("finetune")
    assert len(runs) == 1
    run = runs[0]
    assert run["state"] == "done" and run["name"] == "sep.csv"  # the file's own name
    assert set(run["summary"]) == {"accuracy", "macro_f1"}  # scores in the runs table
    assert run["config"]["model"] == str(tiny_model)
    out = jobs.run_dir(run["id"])
    meta = json.loads((out / "config.json").read_text())
    assert meta["kind"] == "finetune" and meta["target"] == "core.finetune.job:run"  # the app's shape
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert {r["type"] for r in records} >= {"step", "eval"} and all("time" in r for r in records)
    assert (out / "model" / "model.safetensors").is_file()
    listed = main(["runs", "list"])
    assert listed == 0 and run["id"] in capsys.readouterr().out
    # --resume RUN_ID: a new run with the saved settings (flags given on top), continuing from the checkpoint.
    assert main(["finetune", "--resume", run["id"], "--epochs", "3", "--quiet"]) == 0
    resumed = jobs.list_runs("finetune")[0]
    assert resumed["name"] == "sep.csv (resumed)" and resumed["config"]["epochs"] == 3
    assert resumed["config"]["model"] == str(tiny_model)  # from the saved run, not the flag's default
    records, _ = jobs.read_metrics(resumed["id"])
    assert any(r.get("resumed_step") == 6 for r in records)  # 2 epochs x 3 updates were done
    assert [r["step"] for r in records if r["type"] == "step"] == [9]  # logged every 5 and at the last update


def test_cli_prints_the_reading_report_before_training(tiny_model, runs_root, capsys):
    import core.jobs as jobs
    from core.cli import main

    semicolon = Path(__file__).resolve().parents[1] / "cases" / "csv-semicolon" / "reviews.csv"
    # max_length 128 does not fit the tiny model (64 positions): the run fails after the file was read.
    code = main(["finetune", "--train", str(semicolon), "--model", str(tiny_model), "--max-length", "128",
                 "--device", "cpu", "--quiet"])
    captured = capsys.readouterr()
    assert code == 2 and "longer than this model's 64 positions" in captured.err
    assert "Reading report" not in captured.out  # --quiet
    main(["finetune", "--train", str(semicolon), "--model", str(tiny_model), "--max-length", "128", "--device", "cpu"])
    out = capsys.readouterr().out
    assert out.index("Reading report for reviews.csv") < out.index("run finetune-")
    assert "Delimiter: semicolon (;)" in out and "Label taken from: label" in out and "Rows read: 8" in out
    assert [r["state"] for r in jobs.list_runs("finetune")] == ["failed", "failed"]


def test_cli_bad_column_is_one_line_exit_2(separable_csv, runs_root, capsys):
    from core.cli import main

    code = main(["finetune", "--train", str(separable_csv), "--text-col", "review", "--device", "cpu"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "no column 'review'" in err and "'text', 'label'" in err
    assert len(err.splitlines()) == 1
    assert not list(runs_root.glob("finetune*"))  # refused before a run folder was made


def test_figures_have_labelled_axes_and_the_right_traces():
    from core.plots import finetune as plots

    records = [{"type": "step", "step": s, "loss": 1 / s, "lr": 1e-4} for s in range(1, 6)]
    records += [{"type": "eval", "split": "valid", "step": 5, "loss": 0.5, "accuracy": 0.8, "macro_f1": 0.75}]
    fig = plots.curves_figure(records)
    names = [tr.name for tr in fig.data]
    assert names == ["training loss", "learning rate", "validation loss", "accuracy", "macro f1"]
    assert list(fig.data[0].y) == [1 / s for s in range(1, 6)]
    conf = plots.confusion_figure([[3, 1], [0, 4]], ["neg", "pos"])
    assert list(conf.data[0].z[0]) == [0.75, 0.25] and conf.layout.xaxis.title.text == "predicted"
    bars = plots.per_class_figure([{"label": "a", "precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}])
    assert [tr.name for tr in bars.data] == ["precision", "recall", "f1"]
    assert len(plots.curves_figure([{"type": "step", "step": i, "loss": 1.0, "lr": 0.1} for i in range(9000)]).data[0].x) <= 2001


def test_entity_html_escapes_and_highlights():
    from core.plots.finetune import entity_html, tagged_words_html

    html = entity_html("<b>Ann</b> in Rome", [{"type": "LOC", "start": 14, "end": 18}])
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html and ">Rome <sup" in html and "LOC" in html
    html = tagged_words_html(["New", "York", "is", "big"], ["B-LOC", "I-LOC", "O", "O"])
    assert html.count("<span") == 1 and "New York <sup" in html


def test_live_curves_are_visible_from_the_first_step_and_the_lr_axis_is_never_negative():
    from core.plots import finetune as plots

    fig = plots.curves_figure([{"type": "step", "step": 1, "loss": 0.7, "lr": 1e-4}])
    assert "markers" in fig.data[0].mode  # one point is a dot, not an invisible line
    lr_axis = fig.layout.yaxis2
    assert lr_axis.range[0] == 0 and lr_axis.range[1] > 1e-4
    flat = plots.curves_figure([{"type": "step", "step": s, "loss": 0.5, "lr": 0.0} for s in range(1, 40)])
    assert flat.layout.yaxis2.range[0] == 0 and flat.data[0].mode == "lines"
    assert list(lr_axis.ticktext) == ["0", "5.0e-05", "1.0e-04"] and min(lr_axis.tickvals) == 0


def test_a_resumed_config_is_the_runs_own_with_changes_on_top_and_its_checkpoint_named():
    from core.finetune.config import resumed

    saved = FinetuneConfig(epochs=3, seed=7, task="ner", train_file="sample:ner").to_dict()
    config = resumed(saved, "finetune-1", {"epochs": 5})
    assert (config.task, config.seed, config.epochs, config.resume_from) == ("ner", 7, 5, "finetune-1")
    with pytest.raises(ValueError, match="epochs must be between 1 and 10000"):
        resumed(saved, "finetune-1", {"epochs": 0})
