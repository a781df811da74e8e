"""The training loop on a tiny random BERT: it learns, it resumes, it explains its failures."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from core.finetune import FinetuneConfig, export_zip, load_predictor, read_run, train
from core.finetune.trainer import NAN_MESSAGE


class FakeContext:
    """What core.jobs hands a job function (see CONTRACTS.md), recorded in memory."""

    def __init__(self, run_dir: Path, stop_after_step: int | None = None):
        self.run_dir = Path(run_dir)
        self.records, self.updates = [], []
        self.stop_after_step = stop_after_step

    def log(self, record):
        self.records.append(dict(record))

    def progress(self, fraction, eta_s=None, message=""):
        self.updates.append((fraction, eta_s, message))

    def should_stop(self):
        steps = [r["step"] for r in self.records if r.get("type") == "step"]
        return self.stop_after_step is not None and bool(steps) and steps[-1] >= self.stop_after_step


def tiny_config(model, train_file, **overrides) -> FinetuneConfig:
    values = dict(train_file=str(train_file), valid_file=str(train_file), test_fraction=0.0, model=str(model),
                  epochs=6, batch_size=4, learning_rate=3e-3, warmup_ratio=0.0, max_length=32, log_every=1,
                  early_stopping=0, device="cpu")
    values.update(overrides)
    return FinetuneConfig(**values)


def test_tiny_finetune_learns_a_separable_task_through_the_job(tiny_model, separable_csv, tmp_path):
    from core.finetune.job import run

    ctx = FakeContext(tmp_path / "run")
    run(tiny_config(tiny_model, separable_csv).to_dict(), ctx)
    steps = [r for r in ctx.records if r["type"] == "step"]
    evals = [r for r in ctx.records if r["type"] == "eval"]
    assert [r["step"] for r in steps] == list(range(1, 37))  # 24 rows / batch 4 = 6 updates x 6 epochs
    assert steps[-1]["loss"] < 0.3 < steps[0]["loss"]
    assert steps[0]["lr"] == pytest.approx(3e-3 * 35 / 36)  # linear decay, no warmup
    assert len(evals) == 6 and evals[-1]["accuracy"] == 1.0
    assert ctx.updates[-1][0] == 1.0 and ctx.updates[-1][2].startswith("done")
    assert any(eta is not None and eta >= 0 for _, eta, _ in ctx.updates)
    saved = read_run(ctx.run_dir)
    assert saved["has_model"] and not saved["has_checkpoint"]  # done: the model stays, the checkpoint (4x it) goes
    assert saved["report"]["valid"]["accuracy"] == 1.0 and saved["report"]["valid_details"]["misclassified"] == []
    model_config = json.loads((ctx.run_dir / "model" / "config.json").read_text())
    assert model_config["id2label"] == {"0": "neg", "1": "pos"}
    assert (ctx.run_dir / "model" / "model.safetensors").is_file()
    assert (ctx.run_dir / "model" / "tokenizer.json").is_file()

    predictor = load_predictor(ctx.run_dir)
    probs = predictor.classify("happy sunny joy")
    assert probs[0][0] == "pos" and sum(p for _, p in probs) == pytest.approx(1.0)
    assert predictor.classify("sad dark rain")[0][0] == "neg"
    with zipfile.ZipFile(export_zip(ctx.run_dir)) as zf:
        names = set(zf.namelist())
    assert {"model/config.json", "model/model.safetensors", "model/tokenizer.json", "labels.json"} <= names


def test_cancel_then_resume_continues_at_the_saved_step(tiny_model, separable_csv, tmp_path):
    import torch
    from safetensors.torch import load_file

    config = tiny_config(tiny_model, separable_csv, epochs=2, log_every=1)
    straight = FakeContext(tmp_path / "straight")
    train(config, straight.run_dir, log=straight.log, progress=straight.progress)

    first = FakeContext(tmp_path / "first", stop_after_step=4)
    summary = train(config, first.run_dir, log=first.log, progress=first.progress, should_stop=first.should_stop)
    assert summary["cancelled"] and summary["steps"] == 4
    assert json.loads((first.run_dir / "checkpoint" / "trainer_state.json").read_text())["step"] == 4

    second = FakeContext(tmp_path / "second")
    resumed = FinetuneConfig(**{**config.to_dict(), "resume_from": str(first.run_dir)})
    summary = train(resumed, second.run_dir, log=second.log, progress=second.progress)
    steps = [r["step"] for r in second.records if r["type"] == "step"]
    assert steps == list(range(5, 13))  # continues at step 5 of 12, no step repeated
    assert summary["steps"] == 12
    # Same data order, optimizer and schedule: the resumed run ends where the straight run ends.
    assert not (second.run_dir / "checkpoint").exists()  # it finished: nothing left to resume
    a = load_file(str(straight.run_dir / "model" / "model.safetensors"))
    b = load_file(str(second.run_dir / "model" / "model.safetensors"))
    assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)


def test_resume_without_checkpoint_says_so(tiny_model, separable_csv, tmp_path):
    with pytest.raises(ValueError, match="no checkpoint to resume from"):
        train(tiny_config(tiny_model, separable_csv, resume_from=str(tmp_path)), tmp_path / "run")


def test_nan_loss_gives_an_actionable_message(tiny_model, separable_csv, tmp_path):
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    weights = load_file(str(broken / "model.safetensors"))
    key = next(k for k in weights if "word_embeddings" in k)
    weights[key] = torch.full_like(weights[key], float("nan"))
    save_file(weights, str(broken / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(ValueError, match="loss became NaN: lower the learning rate"):
        train(tiny_config(broken, separable_csv, epochs=1), tmp_path / "run")
    assert NAN_MESSAGE.startswith("loss became NaN")


def test_too_long_max_length_and_unseen_labels(tiny_model, separable_csv, tmp_path):
    with pytest.raises(ValueError, match="longer than this model's 64 positions"):
        train(tiny_config(tiny_model, separable_csv, max_length=128), tmp_path / "a")
    other = tmp_path / "valid.csv"
    other.write_text("text,label\nmeh,neutral\nok,pos\n")
    with pytest.raises(ValueError, match="'neutral'"):
        train(tiny_config(tiny_model, separable_csv, valid_file=str(other)), tmp_path / "b")


def test_tiny_ner_run_reports_entities_and_tags_text(tiny_model, tiny_conll, tmp_path):
    config = tiny_config(tiny_model, tiny_conll, task="ner", epochs=8, valid_file=str(tiny_conll))
    summary = train(config, tmp_path / "run")
    report = read_run(tmp_path / "run")["report"]
    assert summary["labels"] == ["O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PER", "I-PER"]
    assert {r["type"] for r in report["valid"]["per_type"]} == {"LOC", "ORG", "PER"}
    assert report["valid"]["f1"] > 0.5  # memorised from 16 sentences
    example = report["valid_details"]["examples"][0]
    assert len(example["tokens"]) == len(example["true"]) == len(example["predicted"])
    tagged = load_predictor(tmp_path / "run").tag("Maria lives in Paris .")
    assert [w["word"] for w in tagged["words"]] == ["Maria", "lives", "in", "Paris", "."]
    for entity in tagged["entities"]:
        assert "Maria lives in Paris ."[entity["start"]:entity["end"]] == entity["text"]


@pytest.mark.slow
def test_runs_through_core_jobs_and_cancels_with_a_checkpoint(tiny_model, separable_csv, runs_root, monkeypatch):
    """The real worker: submit, wait, summary for the runs table; then cancel a long run mid-way."""
    import time

    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # the workers inherit it; see conftest

    import core.jobs as jobs

    config = tiny_config(tiny_model, separable_csv, epochs=2).to_dict()
    run_id = jobs.submit("finetune", config, name="tiny")
    status = jobs.wait(run_id, timeout=300)
    assert status["state"] == "done", status
    assert set(jobs.read_summary(run_id)) == {"accuracy", "macro_f1"}
    records, _ = jobs.read_metrics(run_id)
    assert [r["step"] for r in records if r["type"] == "step"] == list(range(1, 13))

    long_id = jobs.submit("finetune", {**config, "epochs": 500, "checkpoint_every": 5}, name="long")
    deadline = time.time() + 300
    while time.time() < deadline:
        records, _ = jobs.read_metrics(long_id)
        if any(r["type"] == "step" and r["step"] >= 10 for r in records):
            break
        time.sleep(0.5)
    jobs.cancel(long_id)
    status = jobs.wait(long_id, timeout=300)
    assert status["state"] == "cancelled", status
    folder = jobs.run_dir(long_id)
    state = json.loads((folder / "checkpoint" / "trainer_state.json").read_text())
    assert 10 <= state["step"] < 3000
    assert (folder / "model" / "model.safetensors").is_file()


def test_out_of_memory_becomes_an_actionable_message(monkeypatch, tmp_path):
    import torch

    from core.finetune import trainer

    def boom(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(trainer, "_train", boom)
    with pytest.raises(ValueError, match="out of GPU memory: lower batch size or max_length"):
        trainer.train(FinetuneConfig(), tmp_path)


@pytest.mark.gpu
def test_tiny_finetune_on_the_gpu_with_mixed_precision(tiny_model, separable_csv, tmp_path):
    summary = train(tiny_config(tiny_model, separable_csv, device="cuda", mixed_precision="auto"), tmp_path / "run")
    assert summary["steps"] == 36
    assert read_run(tmp_path / "run")["report"]["valid"]["accuracy"] == 1.0
    assert load_predictor(tmp_path / "run").classify("happy sunny joy")[0][0] == "pos"


def test_job_resumes_from_a_run_id_in_the_same_runs_folder(tiny_model, separable_csv, tmp_path):
    from core.finetune.job import run

    config = tiny_config(tiny_model, separable_csv, epochs=2)
    first = FakeContext(tmp_path / "runs" / "first-run", stop_after_step=3)
    run(config.to_dict(), first)
    assert first.updates[-1][2].startswith("cancelled")
    second = FakeContext(tmp_path / "runs" / "second-run")
    run({**config.to_dict(), "resume_from": "first-run"}, second)
    assert [r["step"] for r in second.records if r["type"] == "step"][0] == 4
