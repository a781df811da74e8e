"""The shared training loop on a toy recipe: cadence, accumulation, best weights, resume, NaN, TensorBoard."""
from __future__ import annotations

import json
import struct

import pytest
import torch

from core.training import Loop, LoopSettings, Recipe, decay_groups, make_accelerator, make_optimizer, make_schedule

torch.set_num_threads(1)


class Regression(Recipe):
    """y = 3 x1 - 2 x2 on 16 fixed points, 4 micro-batches of 4 per pass; eval score = -MSE."""

    nan_message = "toy loss became NaN"

    def __init__(self, epochs=3, poison=False):
        self.epochs = epochs
        gen = torch.Generator().manual_seed(0)
        self.x = torch.randn(16, 2, generator=gen)
        self.y = self.x @ torch.tensor([3.0, -2.0])
        self.poison = poison

    def batches(self, epoch, skip):
        order = torch.randperm(16, generator=torch.Generator().manual_seed(epoch))
        for i in range(skip, 4):
            rows = order[4 * i:4 * i + 4]
            yield {"input_ids": self.x[rows], "y": self.y[rows]}

    def loss(self, model, batch):
        pred = model(batch["input_ids"]).squeeze(-1)
        loss = ((pred - batch["y"]) ** 2).mean()
        if self.poison:
            loss = loss * float("nan")
        return loss, {"count": batch["y"].numel()}

    def step_fields(self, loss, sums):
        return {"seen": sums["count"]}

    def evaluate(self, model):
        with torch.no_grad():
            return {"loss": float(((model(self.x).squeeze(-1) - self.y) ** 2).mean()),
                    "score": -float(((model(self.x).squeeze(-1) - self.y) ** 2).mean())}


def make_loop(tmp_path, recipe, grad_accum=1, **settings):
    torch.manual_seed(0)
    accelerator = make_accelerator("cpu", "auto", grad_accum=grad_accum)
    model = torch.nn.Linear(2, 1)
    optimizer = make_optimizer(model, learning_rate=0.3, weight_decay=0.0)
    total = recipe.epochs * 4 // grad_accum
    scheduler = make_schedule(optimizer, warmup_ratio=0.0, total_updates=total)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    records = []
    loop = Loop(accelerator, model, optimizer, scheduler, recipe,
                LoopSettings(total_updates=total, log_every=1, **settings), tmp_path, log=records.append)
    return loop, records


def test_the_loop_logs_every_update_evaluates_each_pass_and_learns(tmp_path):
    loop, records = make_loop(tmp_path, Regression(), eval_each_epoch=True)
    loop.run()
    steps = [r for r in records if r["type"] == "step"]
    evals = [r for r in records if r["type"] == "eval"]
    assert [r["step"] for r in steps] == list(range(1, 13))
    assert all(r["seen"] == 4 and r["samples_per_s"] > 0 and r["tokens"] == 8 * r["step"] for r in steps)
    assert [r["step"] for r in evals] == [4, 8, 12]  # one per pass; the last update was just evaluated
    assert evals[-1]["loss"] < 0.5 * evals[0]["loss"]
    assert (tmp_path / "checkpoint" / "trainer_state.json").is_file()


def test_gradient_accumulation_counts_updates_not_micro_batches(tmp_path):
    loop, records = make_loop(tmp_path, Regression(epochs=2), grad_accum=2)
    loop.run()
    steps = [r for r in records if r["type"] == "step"]
    assert [r["step"] for r in steps] == [1, 2, 3, 4]
    assert all(r["seen"] == 8 for r in steps)  # two micro-batches of 4 per update
    assert [r["step"] for r in records if r["type"] == "eval"] == [4]  # only at the end: no eval cadence set


def test_best_weights_and_early_stopping(tmp_path):
    loop, records = make_loop(tmp_path, Regression(epochs=30), eval_every=1, best_metric="score", early_stopping=2)
    loop.optimizer.param_groups[0]["lr"] = 5.0  # diverges after a few updates, so the score stops improving
    loop.scheduler.scheduler.base_lrs = [5.0, 5.0]
    loop.run()
    evals = [r for r in records if r["type"] == "eval"]
    assert loop.early and len(evals) < 120
    best = max(evals, key=lambda r: r["score"])
    assert loop.state["best_step"] == best["step"] and loop.state["best"] == pytest.approx(best["score"])
    model = loop.accelerator.unwrap_model(loop.model)
    model.load_state_dict(loop.best_weights)
    assert loop.recipe.evaluate(model)["score"] == pytest.approx(best["score"])


def test_resume_equals_an_uninterrupted_run(tmp_path):
    whole, _ = make_loop(tmp_path / "whole", Regression())
    whole.run()
    part, _ = make_loop(tmp_path / "part", Regression())
    part.should_stop = lambda: part.state["step"] >= 5  # cancel mid-pass, after update 5
    part.run()
    assert part.cancelled and json.loads((tmp_path / "part" / "checkpoint" / "trainer_state.json").read_text())[
        "batch_in_epoch"] == 1
    rest, records = make_loop(tmp_path / "rest", Regression())
    rest.resume(tmp_path / "part")
    rest.run()
    assert [r["step"] for r in records if r["type"] == "step"] == list(range(6, 13))
    a = whole.accelerator.unwrap_model(whole.model).state_dict()
    b = rest.accelerator.unwrap_model(rest.model).state_dict()
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


def test_a_nan_loss_stops_with_the_recipes_message(tmp_path):
    loop, _ = make_loop(tmp_path, Regression(poison=True))
    with pytest.raises(ValueError, match="toy loss became NaN"):
        loop.run()


def test_resume_without_a_checkpoint_says_so(tmp_path):
    loop, _ = make_loop(tmp_path / "new", Regression())
    with pytest.raises(ValueError, match="no checkpoint to resume from"):
        loop.resume(tmp_path)


def read_scalars(folder):
    """``{tag: [(step, value), ...]}`` from the TensorBoard event files in ``folder`` (TFRecord framing)."""
    from tensorboardX.proto import event_pb2

    out = {}
    for path in sorted(folder.glob("events.out.tfevents.*")):
        data = path.read_bytes()
        at = 0
        while at < len(data):
            (length,) = struct.unpack("<Q", data[at:at + 8])
            event = event_pb2.Event.FromString(data[at + 12:at + 12 + length])
            at += 12 + length + 4
            for value in event.summary.value:
                out.setdefault(value.tag, []).append((event.step, value.simple_value))
    return out


def test_every_record_also_goes_to_tensorboard(tmp_path):
    loop, records = make_loop(tmp_path, Regression(), eval_each_epoch=True)
    loop.run()
    scalars = read_scalars(tmp_path)
    steps = [r for r in records if r["type"] == "step"]
    assert [s for s, _ in scalars["train/loss"]] == [r["step"] for r in steps]
    assert [v for _, v in scalars["train/loss"]] == pytest.approx([r["loss"] for r in steps], rel=1e-6)
    assert [s for s, _ in scalars["valid/score"]] == [4, 8, 12]


def test_weight_decay_skips_biases_and_layernorm_only():
    """One rule for every trainer: rank >= 2 decays. For a BERT it is the split of Hugging Face's name list."""
    from transformers import BertConfig, BertForSequenceClassification

    model = BertForSequenceClassification(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1,
                                                     num_attention_heads=2, intermediate_size=32))
    decay, no_decay = decay_groups(model, 0.01)
    names = {id(p): n for n, p in model.named_parameters()}
    by_names = {n for n, _ in model.named_parameters() if not any(k in n for k in ("bias", "LayerNorm.weight"))}
    assert {names[id(p)] for p in decay["params"]} == by_names
    assert decay["weight_decay"] == 0.01 and no_decay["weight_decay"] == 0.0
    assert all(p.dim() == 1 for p in no_decay["params"])


def test_precision_rule_and_bad_choices():
    from core.training import precision_for

    assert precision_for("auto", cpu=True) == "no" and precision_for("bf16", cpu=True) == "no"
    with pytest.raises(ValueError, match="mixed_precision must be one of"):
        precision_for("fp8", cpu=False)
