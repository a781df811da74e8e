"""The CLI on a tiny file, the config's validation and help text, and the figure builders."""
from __future__ import annotations

import dataclasses
import json

import pytest

from core.finetune.config import FinetuneConfig, field_help


def test_every_config_field_has_help_and_the_page_shows_it():
    from core.i18n import catalog

    helps = field_help()
    assert set(helps) == {f.name for f in dataclasses.fields(FinetuneConfig)}
    for name, text in helps.items():
        assert catalog()[f"finetune.help.{name}"]["en"] == text  # the field comment is the page's help text


@pytest.mark.parametrize("change,message", [
    ({"task": "regression"}, "task must be one of"),
    ({"learning_rate": 5.0}, "learning_rate must be between 0 and 1"),
    ({"batch_size": 0}, "batch_size must be at least 1"),
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


def test_cli_trains_a_tiny_model_and_writes_a_run_folder(tiny_model, separable_csv, tmp_path, capsys):
    from core.cli import main

    out = tmp_path / "cli-run"
    code = main(["finetune", "--train", str(separable_csv), "--valid", str(separable_csv), "--test-fraction", "0",
                 "--model", str(tiny_model), "--epochs", "2", "--batch-size", "8", "--lr", "3e-3", "--max-length", "32",
                 "--device", "cpu", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "done: 6 steps" in printed and "model saved in" in printed
    assert json.loads((out / "status.json").read_text())["state"] == "done"
    assert json.loads((out / "config.json").read_text())["kind"] == "finetune"
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert {r["type"] for r in records} >= {"step", "eval"} and all("time" in r for r in records)
    assert set(json.loads((out / "summary.json").read_text())) == {"accuracy", "macro_f1"}
    assert (out / "model" / "model.safetensors").is_file()


def test_cli_bad_column_is_one_line_exit_2(separable_csv, tmp_path, capsys):
    from core.cli import main

    code = main(["finetune", "--train", str(separable_csv), "--text-col", "review", "--out", str(tmp_path / "x"),
                 "--device", "cpu"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "no column 'review'" in err and "'text', 'label'" in err
    assert len(err.splitlines()) == 1


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
