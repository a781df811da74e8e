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
    at.number_input(key="ft_vfrac").set_value(0.5)
    at.number_input(key="ft_tfrac").set_value(0.45)
    at.button[[b.label for b in at.button].index("Train")].click().run()
    assert not at.exception
    assert any("valid_fraction + test_fraction" in e.value for e in at.error)
    assert not list(runs_root.glob("finetune*"))  # nothing was submitted


def _finished_run(runs_root, tmp_path):
    from core.finetune import FinetuneConfig, train
    from tests.finetune.helpers import make_tiny_model, write_separable_csv

    model = make_tiny_model(tmp_path / "tiny")
    data = write_separable_csv(tmp_path / "sep.csv")
    config = FinetuneConfig(train_file=str(data), valid_file=str(data), test_fraction=0.0, model=str(model),
                            epochs=6, batch_size=4, learning_rate=3e-3, warmup_ratio=0.0, max_length=32, log_every=1, device="cpu")
    run_dir = runs_root / "finetune-test-1"
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
    return "finetune-test-1"


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
