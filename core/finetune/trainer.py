"""Fine-tuning a Hugging Face model for any task, on the shared training loop (``core.training``).

The same code runs on a CPU, one GPU (mixed precision), Apple MPS, and several
GPUs under ``accelerate launch -m core finetune ...``. Four steps, read top to
bottom; everything that depends on the task is a call on the task object
(:mod:`core.finetune.tasks`), never a branch here:

1. :func:`prepare` reads the files, splits them (stratified, seeded) and checks labels.
2. :func:`build` loads the model with the task's head, encodes every split, builds the
   collator and the loaders, AdamW and the schedule (``core.training.setup``: one rule for
   weight decay, precision and warm-up in every trainer).
3. :class:`FinetuneRecipe` is what fine-tuning plugs into ``core.training.Loop``: batches
   from the shuffled loader (one pass per epoch), loss = the head's own loss, evaluation =
   the task's scores on the validation split. The loop does the updates (gradient
   accumulation, clipping), ``step`` / ``eval`` records, early stopping on the task's
   validation score with the best weights kept, checkpoints and resume, cancel.
4. :func:`finish` saves the best weights with ``save_pretrained`` (safetensors, label map in
   ``config.json``) with the tokenizer, and writes ``report.json`` (the test-set report).

Files written in ``run_dir``: ``model/``, ``checkpoint/`` (model + optimizer + scheduler + RNG +
``trainer_state.json``), ``labels.json``, ``report.json``, ``train_summary.json``, TensorBoard
event files (``summary.json``, the runs table's headline scores, is written by the job).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from core.atomic import atomic_write_json
from core.finetune import data as data_mod
from core.finetune import tasks
from core.finetune.config import FinetuneConfig
from core.finetune.encode import check_max_length
from core.finetune.estimate import note_load
from core.finetune.tasks import ReadOptions
from core.training import Loop, LoopSettings, Recipe, friendly_errors, make_accelerator as _make_accelerator
from core.training import make_optimizer, make_schedule, save_model
from core.training.saving import drop_checkpoint

OOM_MESSAGE = "out of GPU memory: lower batch size or max_length (or use gradient accumulation)."
NAN_MESSAGE = "loss became NaN: lower the learning rate (e.g. 2e-5) or use mixed_precision 'no'."
SPLITS = ("train", "valid", "test")


def _noop(*args, **kwargs):
    return None


def read_options(config: FinetuneConfig) -> ReadOptions:
    """How the config says to read its files."""
    return ReadOptions(fmt=config.file_format, text_col=config.text_col, label_col=config.label_col,
                       pair_col=config.text_pair_col, delimiter=config.delimiter.replace("\\t", "\t"),
                       no_header=config.no_header, encoding=config.encoding)


# ---------------------------------------------------------------- 1. prepare


def _sample(data, n: int, seed: int):
    """A seeded sample of ``n`` examples of ``data`` (in their order), or ``data`` itself when it has no more."""
    if data is None or len(data) <= n:
        return data
    return data.subset(sorted(random.Random(seed + 1).sample(range(len(data)), n)))


def prepare(config: FinetuneConfig) -> dict:
    """``{"task", "train", "valid", "test", "labels", "notes", "reports"}`` from the config's files.

    ``valid``/``test`` come from the files when given, else from a stratified, seeded
    split of the training file; ``test`` may be None. Raises ValueError for labels in
    the validation/test data that the training data never shows (before any training).
    """
    task = tasks.get(config.task)
    options = read_options(config)
    train, report = data_mod.load(config.train_file, config.task, options)
    reports = {"train": report}
    valid = test = None
    named = data_mod.dataset_files(config.train_file) or {}  # a named dataset brings its own splits
    valid_file = config.valid_file or str(named.get("valid") or "")
    test_file = config.test_file or str(named.get("test") or "")
    if valid_file:
        valid, reports["valid"] = data_mod.load(valid_file, config.task, options)
    if test_file:
        test, reports["test"] = data_mod.load(test_file, config.task, options)
    notes = list(train.notes)
    valid_fraction = 0.0 if valid is not None else config.valid_fraction
    test_fraction = 0.0 if test is not None else config.test_fraction
    if valid_fraction or test_fraction:
        train, held_valid, held_test = data_mod.split(train, valid_fraction, test_fraction, config.seed)
        valid = valid if valid is not None else held_valid
        test = test if test is not None else held_test
    if config.max_train_samples and len(train) > config.max_train_samples:
        keep = sorted(random.Random(config.seed).sample(range(len(train)), config.max_train_samples))
        train = train.subset(keep)
    if config.max_eval_samples:  # a quick run scores a seeded sample of the validation and test data
        valid, test = (_sample(part, config.max_eval_samples, config.seed) for part in (valid, test))
    labels = task.label_list(train)
    if len(labels) < 2:
        raise ValueError(f"the training data has only one class ({labels[0] if labels else 'none'}); "
                         "a classifier needs at least two.")
    data_mod.check_labels(labels, task.labels_in(valid), "validation")
    if test is not None:
        data_mod.check_labels(labels, task.labels_in(test), "test")
    return {"task": task, "train": train, "valid": valid, "test": test, "labels": labels, "notes": notes,
            "reports": reports}


prepare_data = prepare  # the earlier name


# ---------------------------------------------------------------- 2. build


@dataclass
class Setup:
    """Everything :class:`Loop` needs, built by :func:`build`."""

    config: FinetuneConfig
    task: object
    parts: dict
    accelerator: object
    tokenizer: object
    model: object
    optimizer: object
    scheduler: object
    encoded: dict  # split -> tasks.Encoded
    loaders: dict  # split -> DataLoader (train and valid prepared by Accelerate)
    updates_per_epoch: int
    total_updates: int

    @property
    def labels(self) -> list[str]:
        return self.parts["labels"]


def build(config: FinetuneConfig, parts: dict, accelerator) -> Setup:
    """Model with the task's head, encoded splits, loaders, optimizer and schedule."""
    import torch
    from accelerate.utils import set_seed
    from torch.utils.data import DataLoader

    from core.models import load_model, load_tokenizer

    task, labels = parts["task"], parts["labels"]
    set_seed(config.seed)
    tokenizer = load_tokenizer(config.model)
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("this model has no fast tokenizer (tokenizer.json); EmbedLab needs one for word alignment.")
    model = load_model(config.model, task.head, **task.model_kwargs(labels), ignore_mismatched_sizes=True)
    check_max_length(config.max_length, model.config)
    label2id = {lab: i for i, lab in enumerate(labels)}
    encoded = {name: task.encode(tokenizer, parts[name], label2id, config.max_length)
               for name in SPLITS if parts[name] is not None}
    collator = task.collator(tokenizer, pad_to_multiple_of=8 if accelerator.mixed_precision != "no" else None)
    generator = torch.Generator().manual_seed(config.seed)
    loaders = {"train": DataLoader(encoded["train"].features, batch_size=config.batch_size, shuffle=True,
                                   collate_fn=collator, generator=generator)}
    for name in ("valid", "test"):
        if name in encoded:
            loaders[name] = DataLoader(encoded[name].features, batch_size=config.batch_size * 2, collate_fn=collator)

    optimizer = make_optimizer(model, learning_rate=config.learning_rate, weight_decay=config.weight_decay)
    model, optimizer, loaders["train"], loaders["valid"] = accelerator.prepare(
        model, optimizer, loaders["train"], loaders["valid"])
    updates_per_epoch = max(1, math.ceil(len(loaders["train"]) / config.grad_accum))
    total_updates = updates_per_epoch * config.epochs
    scheduler = accelerator.prepare(make_schedule(optimizer, warmup_ratio=config.warmup_ratio,
                                                  total_updates=total_updates, num_processes=accelerator.num_processes))
    return Setup(config, task, parts, accelerator, tokenizer, model, optimizer, scheduler, encoded, loaders,
                 updates_per_epoch, total_updates)


# ---------------------------------------------------------------- 3. loop


def evaluate(setup: Setup, name: str, loader=None) -> tuple[dict, dict]:
    """Scores (with ``loss``) and details of split ``name``; the task turns predictions into scores."""
    import torch

    accelerator, model, task = setup.accelerator, setup.model, setup.task
    loader = loader if loader is not None else setup.loaders[name]
    model.eval()
    preds, confs, loss_sum, batches = [], [], 0.0, 0
    with torch.no_grad():
        for batch in loader:
            out = model(**batch)
            loss_sum += accelerator.gather_for_metrics(out.loss.detach().reshape(1)).float().mean().item()
            batches += 1
            p, c = task.gather(accelerator, out.logits.float(), batch)
            preds.extend(p)
            confs.extend(c)
    scores, details = task.scores(setup.parts[name], setup.encoded[name], preds, confs, setup.labels)
    return {**scores, "loss": loss_sum / max(1, batches)}, details


class FinetuneRecipe(Recipe):
    """Fine-tuning's part of the shared loop: epochs over the shuffled loader, the head's loss, the task's scores."""

    nan_message = NAN_MESSAGE
    oom_message = OOM_MESSAGE
    resume_hint = "resume with the same model, task and data"

    def __init__(self, setup: Setup):
        self.setup = setup
        self.epochs = setup.config.epochs

    def batches(self, epoch, skip):
        accelerator, loader = self.setup.accelerator, self.setup.loaders["train"]
        loader.set_epoch(epoch)
        return accelerator.skip_first_batches(loader, skip) if skip else loader

    def loss(self, model, batch):
        return model(**batch).loss, {}

    def record_fields(self, step):
        return {"epoch": round(step / self.setup.updates_per_epoch, 4)}

    def evaluate(self, model):
        scores, _ = evaluate(self.setup, "valid")
        return scores


def make_loop(setup: Setup, run_dir: Path, log, progress, should_stop) -> Loop:
    """The shared loop with fine-tuning's recipe and the config's cadence (early stopping on the task's metric)."""
    config = setup.config
    settings = LoopSettings(total_updates=setup.total_updates, max_grad_norm=config.max_grad_norm,
                            log_every=config.log_every, eval_every=config.eval_every, eval_each_epoch=True,
                            checkpoint_every=config.checkpoint_every, best_metric=setup.task.metric,
                            early_stopping=config.early_stopping)
    return Loop(setup.accelerator, setup.model, setup.optimizer, setup.scheduler, FinetuneRecipe(setup), settings,
                run_dir, log=log, progress=progress, should_stop=should_stop)


def stop_reason(loop: Loop, setup: Setup) -> dict | None:
    """Why the run ended before its last epoch: ``{"code": "early_stopping"|"cancelled", ...}`` or None."""
    config, best_step = setup.config, loop.state["best_step"]
    kept = {"best_step": best_step, "best_epoch": (math.ceil(best_step / setup.updates_per_epoch)
                                                   if best_step else None),
            "best_score": loop.state["best"], "metric": setup.task.metric}
    if loop.early:
        return {"code": "early_stopping", "epoch": loop.stop_epoch, "epochs": config.epochs,
                "patience": config.early_stopping, **kept}
    if loop.cancelled:
        return {"code": "cancelled", "step": loop.state["step"], **kept}
    return None


# ---------------------------------------------------------------- 4. finish


def finish(loop: Loop, setup: Setup, run_dir: Path) -> dict:
    """Save the best weights as the model, write the report and the summary; returns the summary."""
    config, accelerator = setup.config, setup.accelerator
    parts, labels, task, main = setup.parts, setup.labels, setup.task, accelerator.is_main_process
    loop.progress(0.99, message="saving the model")
    unwrapped = accelerator.unwrap_model(setup.model)
    if loop.best_weights is not None:
        unwrapped.load_state_dict(loop.best_weights)
    save_model(accelerator, unwrapped, setup.tokenizer, run_dir / "model")
    truncated = {name: enc.n_truncated for name, enc in setup.encoded.items()}
    notes = [n for enc in setup.encoded.values() for n in enc.notes]
    summary = {"task": config.task, "labels": labels, "steps": loop.state["step"], "total_steps": setup.total_updates,
               "best_step": loop.state["best_step"], "best_valid": loop.state["best"], "stopped_early": loop.early,
               "stop": stop_reason(loop, setup), "cancelled": loop.cancelled, "truncated": truncated,
               "timing": note_load(loop.timing),
               "samples_per_s": loop.timing["train_samples"] / max(1e-9, loop.timing["train_s"]),
               "n_train": len(parts["train"]), "n_valid": len(parts["valid"]),
               "n_test": len(parts["test"]) if parts["test"] is not None else 0,
               "example": task.example(parts["valid"])}
    if not loop.cancelled:
        loop.progress(0.995, message="writing the report")
        report = {"task": config.task, "labels": labels, "truncated": truncated, "notes": notes}
        for name in ("valid", "test"):
            if parts[name] is None:
                continue
            loader = None if name == "valid" else accelerator.prepare(setup.loaders["test"])
            scores, details = evaluate(setup, name, loader)
            report[name], report[f"{name}_details"] = scores, details
            if name == "test":
                loop.log({"type": "eval", "split": "test", "step": loop.state["step"],
                          "epoch": loop.state["step"] / setup.updates_per_epoch,
                          **{k: v for k, v in scores.items() if isinstance(v, float)}})
        summary["scores"] = task.headline(report.get("test") or report.get("valid"))
        summary["scores_split"] = "test" if "test" in report else "valid"
        loop.progress(0.997, message="scoring the baselines")
        report.update(baseline_report(task, parts, report, summary, config))
        summary.update({key: report[key] for key in ("baselines", "verdict", "advice")})
        if main:
            atomic_write_json(run_dir / "report.json", report, indent=1, default=float)
    if main:
        atomic_write_json(run_dir / "labels.json", {"id2label": {str(i): v for i, v in enumerate(labels)},
                                                    "label2id": {v: i for i, v in enumerate(labels)}})
        atomic_write_json(run_dir / "train_summary.json", summary, indent=1, default=float)
    if not loop.cancelled and not config.keep_checkpoint:  # a cancelled run keeps it: the page offers to resume
        drop_checkpoint(accelerator, run_dir)
    accelerator.wait_for_everyone()
    accelerator.end_training()
    return summary


def baseline_report(task, parts: dict, report: dict, summary: dict, config: FinetuneConfig) -> dict:
    """``{"baselines", "verdict", "advice"}``: the task's baselines fitted on the training split and scored
    on the split the headline comes from, how the model compares (``core.finetune.baselines.verdict``), and
    what to change when it is not above them (``advice``, [] otherwise)."""
    from core.finetune import baselines

    split = summary["scores_split"]
    found = task.baselines(parts["train"], parts[split])
    verdict = baselines.verdict((report.get(split) or {}).get(task.metric), found, metric=task.metric)
    advice = baselines.advice(summary, config.to_dict()) if verdict and verdict["code"] != "above" else []
    return {"baselines": found, "verdict": verdict, "advice": advice}


# ---------------------------------------------------------------- the whole run


def train(config: FinetuneConfig, run_dir: str | Path, *, log: Callable[[dict], None] | None = None,
          progress: Callable[..., None] | None = None, should_stop: Callable[[], bool] | None = None) -> dict:
    """Fine-tune ``config.model`` on ``config``'s data; returns the summary dict.

    ``log(record)`` receives ``{"type": "step", step, epoch, loss, lr, samples_per_s}`` and
    ``{"type": "eval", step, epoch, split, loss, <the task's scores>}``;
    ``progress(fraction, eta_s=..., message=...)``; ``should_stop()`` ends the run early with the
    model and a checkpoint saved. Raises ValueError for anything a user can fix.
    """
    with friendly_errors(OOM_MESSAGE):
        return _train(config, Path(run_dir), log or _noop, progress or _noop, should_stop or (lambda: False))


def _train(config: FinetuneConfig, run_dir: Path, log, progress, should_stop) -> dict:
    import transformers

    transformers.logging.set_verbosity_error()  # "newly initialized weights" is expected for a new head
    run_dir.mkdir(parents=True, exist_ok=True)
    accelerator = make_accelerator(config)
    main = accelerator.is_main_process
    log, progress = (log, progress) if main else (_noop, _noop)
    progress(0.0, message="reading data")
    parts = prepare(config)
    progress(0.0, message="loading model")
    setup = build(config, parts, accelerator)
    train_enc = setup.encoded["train"]
    if train_enc.n_truncated:
        log({"type": "info", "message": f"{train_enc.n_truncated} training examples are longer than "
             f"max_length={config.max_length} tokens and were cut", "truncated": train_enc.n_truncated})
    loop = make_loop(setup, run_dir, log, progress, should_stop)
    if config.resume_from:
        loop.resume(Path(config.resume_from))
    loop.run()
    reason = stop_reason(loop, setup)
    if reason and reason["code"] == "early_stopping":
        loop.log({"type": "info", "message": early_stop_message(reason), **reason})
    return finish(loop, setup, run_dir)


def early_stop_message(reason: dict) -> str:
    """One English sentence: when and why training stopped early, and which checkpoint was kept."""
    kept = (f"kept the model from epoch {reason['best_epoch']} (step {reason['best_step']}, "
            f"validation {reason['metric']} {reason['best_score']:.3f})" if reason.get("best_step") else "kept the last model")
    return (f"stopped early in epoch {reason['epoch']} of {reason['epochs']}: the validation {reason['metric']} did not "
            f"improve for {reason['patience']} evaluations; {kept}.")


# ---------------------------------------------------------------- pieces


def make_accelerator(config: FinetuneConfig):
    """The shared rule (``core.training.make_accelerator``) with this config's device, precision and accumulation."""
    return _make_accelerator(config.device, config.mixed_precision, grad_accum=config.grad_accum)
