"""The fine-tune loop: an Accelerate-driven PyTorch loop over a Hugging Face model, for any task.

The same code runs on a CPU, one GPU (mixed precision), Apple MPS, and several
GPUs under ``accelerate launch -m core finetune ...``. Four steps, read top to
bottom; everything that depends on the task is a call on the task object
(:mod:`core.finetune.tasks`), never a branch here:

1. :func:`prepare` reads the files, splits them (stratified, seeded) and checks labels.
2. :func:`build` loads the model with the task's head, encodes every split, builds the
   collator, AdamW (no decay on biases/LayerNorm) with linear warmup and decay.
3. :class:`Loop` runs the updates: forward, backward (gradient accumulation), clip, step;
   a ``step`` record every ``log_every`` updates; an ``eval`` record each epoch (or every
   ``eval_every``); early stopping on the task's validation score; a resumable checkpoint.
4. :func:`finish` saves the best weights with ``save_pretrained`` (safetensors, label map in
   ``config.json``) with the tokenizer, and writes ``report.json`` (the test-set report).

Files written in ``run_dir``: ``model/``, ``checkpoint/`` (model + optimizer + scheduler + RNG +
``trainer_state.json``), ``labels.json``, ``report.json``, ``train_summary.json`` (``summary.json``,
the runs table's headline scores, is written by the job).
"""
from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from core.atomic import atomic_write_json
from core.finetune import data as data_mod
from core.finetune import tasks
from core.finetune.config import FinetuneConfig
from core.finetune.encode import check_max_length
from core.finetune.tasks import ReadOptions
from core.jobs.launched import stop_requested

OOM_MESSAGE = "out of GPU memory: lower batch size or max_length (or use gradient accumulation)."
NAN_MESSAGE = "loss became NaN: lower the learning rate (e.g. 2e-5) or use mixed_precision 'no'."
SPLITS = ("train", "valid", "test")


def _noop(*args, **kwargs):
    return None


def read_options(config: FinetuneConfig) -> ReadOptions:
    """How the config says to read its files."""
    return ReadOptions(fmt=config.file_format, text_col=config.text_col, label_col=config.label_col,
                       pair_col=config.text_pair_col, delimiter=config.delimiter.replace("\\t", "\t"),
                       no_header=config.no_header)


# ---------------------------------------------------------------- 1. prepare


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
    import transformers
    from accelerate.utils import set_seed
    from torch.utils.data import DataLoader

    from core.models import load_model, load_tokenizer

    task, labels = parts["task"], parts["labels"]
    set_seed(config.seed)
    tokenizer = load_tokenizer(config.model)
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("this model has no fast tokenizer (tokenizer.json); EmbedLab needs one for word alignment.")
    model = load_model(config.model, task.head, num_labels=len(labels), id2label=dict(enumerate(labels)),
                       label2id={lab: i for i, lab in enumerate(labels)}, ignore_mismatched_sizes=True)
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

    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
         "weight_decay": config.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    model, optimizer, loaders["train"], loaders["valid"] = accelerator.prepare(
        model, optimizer, loaders["train"], loaders["valid"])
    updates_per_epoch = max(1, math.ceil(len(loaders["train"]) / config.grad_accum))
    total_updates = updates_per_epoch * config.epochs
    # AcceleratedScheduler steps once per process on each update, hence the factor.
    scheduler = accelerator.prepare(transformers.get_linear_schedule_with_warmup(
        optimizer, int(config.warmup_ratio * total_updates) * accelerator.num_processes,
        total_updates * accelerator.num_processes))
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


@dataclass
class Loop:
    """The update loop's state and verbs; ``state`` is what a checkpoint saves and a resume restores."""

    setup: Setup
    run_dir: Path
    log: Callable[[dict], None]
    progress: Callable[..., None]
    should_stop: Callable[[], bool]
    state: dict = field(default_factory=lambda: {"step": 0, "epoch": 0, "batch_in_epoch": 0, "best": None,
                                                 "best_step": None, "bad_evals": 0})
    best_weights: dict | None = None
    timing: dict = field(default_factory=lambda: {"train_s": 0.0, "train_cpu_s": 0.0, "train_samples": 0,
                                                  "eval_s": 0.0, "checkpoint_s": 0.0})
    early: bool = False  # stopped by early stopping
    cancelled: bool = False  # stopped because should_stop() said so
    stop_epoch: int | None = None  # epoch (1-based) in which early stopping ended the run

    def resume(self, source: Path) -> None:
        self.state, self.best_weights = _resume(self.setup.accelerator, source, self.run_dir, self.setup.model)
        self.log({"type": "info", "message": f"resumed from step {self.state['step']}", "resumed_step": self.state["step"]})

    def run_eval(self) -> None:
        """Evaluate on the validation split, keep the best weights, count evaluations without improvement."""
        setup, config = self.setup, self.setup.config
        t0 = time.perf_counter()
        scores, _ = evaluate(setup, "valid")
        self.timing["eval_s"] += time.perf_counter() - t0
        self.log({"type": "eval", "split": "valid", "step": self.state["step"],
                  "epoch": self.state["step"] / setup.updates_per_epoch,
                  **{k: v for k, v in scores.items() if isinstance(v, float)}})
        score = scores[setup.task.metric]
        if self.state["best"] is None or score > self.state["best"]:
            self.state.update(best=score, best_step=self.state["step"], bad_evals=0)
            model = setup.accelerator.unwrap_model(setup.model)
            self.best_weights = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        else:
            self.state["bad_evals"] += 1
            self.early = bool(config.early_stopping) and self.state["bad_evals"] >= config.early_stopping
        setup.model.train()

    def checkpoint(self) -> None:
        t0 = time.perf_counter()
        save_checkpoint(self.setup.accelerator, self.run_dir, self.state, self.best_weights)
        self.timing["checkpoint_s"] += time.perf_counter() - t0

    def run(self) -> None:
        """Epochs of updates until the last epoch, early stopping, or a stop request."""
        setup, config = self.setup, self.setup.config
        accelerator, model, train_dl = setup.accelerator, setup.model, setup.loaders["train"]
        self.start_step, self.loop_start = self.state["step"], time.perf_counter()
        import torch

        self.loss_sum, self.loss_count = torch.zeros((), device=accelerator.device), 0
        self.samples_since, self.since = 0, time.perf_counter()
        model.train()
        for epoch in range(self.state["epoch"], config.epochs):
            train_dl.set_epoch(epoch)
            skip = self.state["batch_in_epoch"]
            loader = accelerator.skip_first_batches(train_dl, skip) if skip else train_dl
            tick, tick_cpu = time.perf_counter(), time.process_time()
            for batch in loader:
                if not self._update(batch):
                    continue
                step = self.state["step"]
                if step % config.log_every == 0 or step == setup.total_updates:
                    self._log_step(epoch)
                if config.eval_every and step % config.eval_every == 0:
                    self.timing["train_s"] += time.perf_counter() - tick
                    self.timing["train_cpu_s"] += time.process_time() - tick_cpu
                    self.run_eval()
                    tick, tick_cpu = time.perf_counter(), time.process_time()
                if config.checkpoint_every and step % config.checkpoint_every == 0:
                    self.checkpoint()
                if stop_requested(accelerator, self.should_stop):
                    self.cancelled = True
                    break
                if self.early:
                    break
            self.timing["train_s"] += time.perf_counter() - tick
            self.timing["train_cpu_s"] += time.process_time() - tick_cpu  # CPU seconds: robust on a busy machine
            if self.cancelled or self.early:
                self.stop_epoch = epoch + 1
                break
            self.state["epoch"], self.state["batch_in_epoch"] = epoch + 1, 0
            if not config.eval_every:
                self.run_eval()
            if not config.checkpoint_every or self.early:
                self.checkpoint()
            if self.early:
                self.stop_epoch = epoch + 1
                break
        self.timing["train_samples"] += self.samples_since
        if self.early and self.state["step"] >= setup.total_updates:
            self.early = False  # patience ran out at the very last update: the run simply ended
        if self.cancelled:
            self.checkpoint()

    def _update(self, batch) -> bool:
        """One forward/backward; True when it completed an optimizer update (not mid-accumulation)."""
        setup, accelerator, model = self.setup, self.setup.accelerator, self.setup.model
        with accelerator.accumulate(model):
            loss = model(**batch).loss
            accelerator.backward(loss)
            if accelerator.sync_gradients:
                accelerator.clip_grad_norm_(model.parameters(), setup.config.max_grad_norm)
            setup.optimizer.step()
            setup.scheduler.step()
            setup.optimizer.zero_grad()
        self.state["batch_in_epoch"] += 1
        self.loss_sum += loss.detach()
        self.loss_count += 1
        self.samples_since += batch["input_ids"].shape[0] * accelerator.num_processes
        if not accelerator.sync_gradients:
            return False
        self.state["step"] += 1
        return True

    def _log_step(self, epoch: int) -> None:
        setup, config, step = self.setup, self.setup.config, self.state["step"]
        mean_loss = setup.accelerator.reduce(self.loss_sum, "mean").item() / max(1, self.loss_count)
        if not math.isfinite(mean_loss):
            raise ValueError(NAN_MESSAGE)
        now = time.perf_counter()
        self.log({"type": "step", "step": step, "epoch": round(step / setup.updates_per_epoch, 4), "loss": mean_loss,
                  "lr": setup.scheduler.get_last_lr()[0], "samples_per_s": self.samples_since / max(1e-9, now - self.since)})
        self.timing["train_samples"] += self.samples_since
        self.loss_sum.zero_()
        self.loss_count, self.samples_since, self.since = 0, 0, now
        elapsed = now - self.loop_start - self.timing["eval_s"] - self.timing["checkpoint_s"]
        done = step - self.start_step
        eta = elapsed / done * (setup.total_updates - step) if done else None
        self.progress(min(0.99, step / setup.total_updates), eta_s=eta,
                      message=f"epoch {epoch + 1}/{config.epochs} · step {step}/{setup.total_updates} · loss {mean_loss:.4f}")

    def stop_reason(self) -> dict | None:
        """Why the run ended before its last epoch: ``{"code": "early_stopping"|"cancelled", ...}`` or None."""
        setup, config = self.setup, self.setup.config
        best_step = self.state["best_step"]
        kept = {"best_step": best_step, "best_epoch": (math.ceil(best_step / setup.updates_per_epoch)
                                                       if best_step else None),
                "best_score": self.state["best"], "metric": setup.task.metric}
        if self.early:
            return {"code": "early_stopping", "epoch": self.stop_epoch, "epochs": config.epochs,
                    "patience": config.early_stopping, **kept}
        if self.cancelled:
            return {"code": "cancelled", "step": self.state["step"], **kept}
        return None


# ---------------------------------------------------------------- 4. finish


def finish(loop: Loop, run_dir: Path) -> dict:
    """Save the best weights as the model, write the report and the summary; returns the summary."""
    setup, config, accelerator = loop.setup, loop.setup.config, loop.setup.accelerator
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
               "stop": loop.stop_reason(), "cancelled": loop.cancelled, "truncated": truncated, "timing": loop.timing,
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
        if main:
            atomic_write_json(run_dir / "report.json", report, indent=1, default=float)
    if main:
        atomic_write_json(run_dir / "labels.json", {"id2label": {str(i): v for i, v in enumerate(labels)},
                                                    "label2id": {v: i for i, v in enumerate(labels)}})
        atomic_write_json(run_dir / "train_summary.json", summary, indent=1, default=float)
    accelerator.wait_for_everyone()
    accelerator.end_training()
    return summary


# ---------------------------------------------------------------- the whole run


def train(config: FinetuneConfig, run_dir: str | Path, *, log: Callable[[dict], None] | None = None,
          progress: Callable[..., None] | None = None, should_stop: Callable[[], bool] | None = None) -> dict:
    """Fine-tune ``config.model`` on ``config``'s data; returns the summary dict.

    ``log(record)`` receives ``{"type": "step", step, epoch, loss, lr, samples_per_s}`` and
    ``{"type": "eval", step, epoch, split, loss, <the task's scores>}``;
    ``progress(fraction, eta_s=..., message=...)``; ``should_stop()`` ends the run early with the
    model and a checkpoint saved. Raises ValueError for anything a user can fix.
    """
    import torch

    try:
        return _train(config, Path(run_dir), log or _noop, progress or _noop, should_stop or (lambda: False))
    except torch.cuda.OutOfMemoryError:
        raise ValueError(OOM_MESSAGE) from None
    except RuntimeError as err:
        if _is_oom(err):
            raise ValueError(OOM_MESSAGE) from None
        raise


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
    loop = Loop(setup, run_dir, log, progress, should_stop)
    if config.resume_from:
        loop.resume(Path(config.resume_from))
    loop.run()
    reason = loop.stop_reason()
    if reason and reason["code"] == "early_stopping":
        log({"type": "info", "message": early_stop_message(reason), **reason})
    return finish(loop, run_dir)


def early_stop_message(reason: dict) -> str:
    """One English sentence: when and why training stopped early, and which checkpoint was kept."""
    kept = (f"kept the model from epoch {reason['best_epoch']} (step {reason['best_step']}, "
            f"validation {reason['metric']} {reason['best_score']:.3f})" if reason.get("best_step") else "kept the last model")
    return (f"stopped early in epoch {reason['epoch']} of {reason['epochs']}: the validation {reason['metric']} did not "
            f"improve for {reason['patience']} evaluations; {kept}.")


# ---------------------------------------------------------------- pieces


#H1
def _precision(choice: str) -> str:
    import torch

    if choice != "auto":
        return choice
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "no"


def _launched() -> bool:
    """True under ``accelerate launch`` / torchrun, where the launcher picks devices."""
    return "LOCAL_RANK" in os.environ or int(os.environ.get("WORLD_SIZE", "1")) > 1


def make_accelerator(config: FinetuneConfig):
    from accelerate import Accelerator
    from accelerate.utils import DataLoaderConfiguration

    from core.device import pick

    if _launched():
        # The launcher places each process; without a GPU, processes talk over gloo (MULTI_CPU).
        import torch

        cpu = config.device == "cpu" or not torch.cuda.is_available()
    else:
        cpu = pick(config.device).type == "cpu"  # ValueError when a missing device is asked for
    precision = "no" if cpu else _precision(config.mixed_precision)
    return Accelerator(
        mixed_precision=precision,
        gradient_accumulation_steps=config.grad_accum,
        cpu=cpu,
        dataloader_config=DataLoaderConfiguration(use_seedable_sampler=True),
    )


def _is_oom(err: BaseException) -> bool:
    import torch

    return isinstance(err, torch.cuda.OutOfMemoryError) or "out of memory" in str(err).lower()


def save_model(accelerator, unwrapped, tokenizer, path: Path) -> None:
    """``save_pretrained`` (safetensors, id2label/label2id in config.json) plus the tokenizer."""
    accelerator.wait_for_everyone()
    tmp = path.with_name(path.name + ".tmp")
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
    unwrapped.save_pretrained(tmp, is_main_process=accelerator.is_main_process, save_function=accelerator.save,
                              safe_serialization=True)
    if accelerator.is_main_process:
        tokenizer.save_pretrained(tmp)
        shutil.rmtree(path, ignore_errors=True)
        tmp.rename(path)
    accelerator.wait_for_everyone()


def save_checkpoint(accelerator, run_dir: Path, state: dict, best_weights) -> None:
    """model + optimizer + scheduler + RNG (``accelerator.save_state``) and ``trainer_state.json``.

    Written to ``checkpoint.tmp`` then renamed, so a crash mid-save keeps the previous checkpoint.
    """
    final, tmp = run_dir / "checkpoint", run_dir / "checkpoint.tmp"
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(tmp))
    if accelerator.is_main_process:
        atomic_write_json(tmp / "trainer_state.json", state)
        if best_weights is not None:
            from safetensors.torch import save_file

            save_file({k: v.contiguous() for k, v in best_weights.items()}, str(tmp / "best_weights.safetensors"))
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    accelerator.wait_for_everyone()


def _resume(accelerator, source: Path, run_dir: Path, model):
    folder = source / "checkpoint"
    if not (folder / "trainer_state.json").is_file():
        raise ValueError(f"{source} has no checkpoint to resume from (it stopped before its first checkpoint); "
                         "start a new run instead.")
    try:
        accelerator.load_state(str(folder))
    except (RuntimeError, KeyError, ValueError) as err:
        raise ValueError(f"the checkpoint in {source} does not fit this model and settings ({str(err)[:200]}); "
                         "resume with the same model, task and data.") from None
    state = json.loads((folder / "trainer_state.json").read_text())
    best = None
    if (folder / "best_weights.safetensors").is_file():
        from safetensors.torch import load_file

        best = load_file(str(folder / "best_weights.safetensors"))
    return state, best
