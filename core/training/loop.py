"""The training loop, written once: updates, logging, evaluation, best weights, checkpoints, resume, cancel.

A trainer builds the model, optimizer and schedule (``core.training.setup``), prepares
them with Accelerate, and hands them to :class:`Loop` with a :class:`Recipe`, the part
that differs between fine-tuning a classifier and pretraining a language model:

    Recipe.batches(epoch, skip)   the micro-batches of one pass, the first ``skip`` left out (resume)
    Recipe.loss(model, batch)     -> (mean loss, stats summed over a log window: e.g. correct, count)
    Recipe.size(batch)            -> (samples, tokens) of a micro-batch, for samples/s and tokens/s
    Recipe.step_fields(loss, sums) -> extra fields of a ``step`` record (accuracy, perplexity...)
    Recipe.evaluate(model)        -> the held-out scores of an ``eval`` record, or None

One update (Accelerate's ``accumulate``): forward, backward, and on the last micro-batch
of ``grad_accum`` a gradient clip to ``max_grad_norm``, an optimizer and a scheduler step.
Then, by the update count ``step``:

- every ``log_every`` updates (and the last): a ``step`` record ``{step, steps, loss, lr,
  samples_per_s, tokens_per_s, tokens, progress, ...}``; loss = the window's mean
  micro-batch loss; a non-finite loss stops the run with the recipe's NaN message;
- every ``eval_every`` updates, or at the end of each pass when ``eval_each_epoch``, and
  once at the end unless the last update was just evaluated: an ``eval`` record (split
  ``"valid"``); with ``best_metric`` the weights with the highest score are kept, and
  ``early_stopping`` evaluations without improvement end the run;
- every ``checkpoint_every`` updates (else at the end of each pass), on cancel and at the
  end: a checkpoint that a resumed run continues from exactly (same batches, RNG,
  optimizer and schedule);
- after every update the cancel flag (all ranks agree, ``core.jobs.launched``).

Times: samples/s and tokens/s count training only (evaluation and checkpoints are timed
apart in ``timing``); ``state["train_seconds"]`` carries over a resume. Every record also
goes to the run's TensorBoard writer (``core.training.events``).
"""
from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from core.jobs.launched import stop_requested
from core.training.events import EventWriter
from core.training.saving import load_checkpoint, save_checkpoint

STATE = {"step": 0, "epoch": 0, "batch_in_epoch": 0, "tokens": 0, "samples": 0, "train_seconds": 0.0,
         "best": None, "best_step": None, "bad_evals": 0}


class Recipe:
    """What one kind of training plugs into :class:`Loop`. Subclasses override what differs.

    ``epochs``: passes over the data (``batches`` is called once per pass); None for a
    stream indexed by micro-batch (pretraining draws the batch of step s from a seeded
    generator), which the loop ends after ``total_updates``.
    """

    epochs: int | None = 1
    nan_message = "the loss became NaN: lower the learning rate or use mixed_precision 'no'."
    oom_message = "out of GPU memory: lower the batch size or the sequence length."
    resume_hint = "resume with the same model, settings and data"

    def batches(self, epoch: int, skip: int) -> Iterable:
        """The micro-batches of pass ``epoch`` (0-based), without its first ``skip``."""
        raise NotImplementedError

    def loss(self, model, batch):
        """``(mean loss of the micro-batch, {name: tensor or number summed over a log window})``."""
        raise NotImplementedError

    def size(self, batch) -> tuple[int, int]:
        """``(samples, tokens)`` in a micro-batch (tokens: sequence positions, padding included)."""
        ids = batch["input_ids"]
        return int(ids.shape[0]), int(ids.numel())

    def step_fields(self, loss: float, sums: dict[str, float]) -> dict:
        """Extra fields of a ``step`` record from the window's mean loss and summed stats."""
        return {}

    def record_fields(self, step: int) -> dict:
        """Fields every ``step`` and ``eval`` record of update ``step`` carries (e.g. the epoch)."""
        return {}

    def evaluate(self, model) -> dict | None:
        """The scores of an ``eval`` record on held-out data (``loss`` and others), or None."""
        return None

    def progress_message(self, step: int, total: int, loss: float, epoch: int) -> str:
        passes = f"epoch {epoch + 1}/{self.epochs} · " if self.epochs and self.epochs > 1 else ""
        return f"{passes}step {step}/{total} · loss {loss:.4f}"


@dataclass(frozen=True)
class LoopSettings:
    """How often the loop does what; counts are optimizer updates."""

    total_updates: int
    max_grad_norm: float = 1.0
    log_every: int = 10
    eval_every: int = 0  # 0: at the end of each pass when eval_each_epoch, else only at the end
    eval_each_epoch: bool = False
    checkpoint_every: int = 0  # 0: at the end of each pass (and at the end)
    best_metric: str | None = None  # keep the weights with the highest value of this eval score
    early_stopping: int = 0  # stop after this many evaluations without improvement (0 = never)


@contextlib.contextmanager
def friendly_errors(oom_message: str):
    """Turn out-of-memory errors into ``ValueError(oom_message)`` (what the page and CLI show)."""
    import torch

    try:
        yield
    except torch.cuda.OutOfMemoryError:
        raise ValueError(oom_message) from None
    except RuntimeError as err:
        if "out of memory" in str(err).lower():
            raise ValueError(oom_message) from None
        raise


def _noop(*args, **kwargs):
    return None


class Loop:
    """The update loop's state and verbs; ``state`` is what a checkpoint saves and a resume restores."""

    def __init__(self, accelerator, model, optimizer, scheduler, recipe: Recipe, settings: LoopSettings,
                 run_dir: str | Path, *, log: Callable[[dict], None] | None = None,
                 progress: Callable[..., None] | None = None, should_stop: Callable[[], bool] | None = None,
                 events: bool = True):
        self.accelerator, self.model, self.optimizer, self.scheduler = accelerator, model, optimizer, scheduler
        self.recipe, self.settings, self.run_dir = recipe, settings, Path(run_dir)
        main = accelerator.is_main_process
        self._log = (log or _noop) if main else _noop
        self.progress = (progress or _noop) if main else _noop
        self.should_stop = should_stop or (lambda: False)
        self.events = EventWriter(self.run_dir, enabled=events and main)
        self.state = dict(STATE)
        self.best_weights: dict | None = None
        self.timing = {"train_s": 0.0, "train_cpu_s": 0.0, "train_samples": 0, "train_tokens": 0, "eval_s": 0.0,
                       "checkpoint_s": 0.0}
        self.early = False  # stopped by early stopping
        self.cancelled = False  # stopped because should_stop() said so
        self.stop_epoch: int | None = None  # pass (1-based) in which the run stopped early or was cancelled
        self.last_scores: dict | None = None  # the scores of the latest evaluation
        self._evaluated_at: int | None = None
        self._saved_at: int | None = None

    # ------------------------------------------------------------------ records

    def log(self, record: dict) -> None:
        """Append a metrics record (and write it to TensorBoard); the main process only."""
        if not self.accelerator.is_main_process:
            return
        self._log(record)
        self.events.write(record)

    # ------------------------------------------------------------------ resume, evaluate, checkpoint

    def resume(self, source: str | Path) -> None:
        """Continue from ``source``'s checkpoint (a run folder); ValueError when it has none or it does not fit."""
        state, self.best_weights = load_checkpoint(self.accelerator, Path(source), self.recipe.resume_hint)
        if "batch_in_epoch" not in state:  # checkpoints of step-indexed runs written before the shared loop
            state["batch_in_epoch"] = state.get("step", 0) * self.accelerator.gradient_accumulation_steps
        self.state.update(state)
        self.log({"type": "info", "message": f"resumed from step {self.state['step']}",
                  "resumed_step": self.state["step"]})

    def evaluate(self) -> dict | None:
        """Evaluate now; log the record, keep the best weights, count evaluations without improvement."""
        settings, step = self.settings, self.state["step"]
        t0 = time.perf_counter()
        model = self.accelerator.unwrap_model(self.model)
        scores = self.recipe.evaluate(self.model)
        self.timing["eval_s"] += time.perf_counter() - t0
        self._evaluated_at = step
        self.model.train()
        if not scores:
            return None
        self.last_scores = scores
        numbers = {k: v for k, v in scores.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        self.log({"type": "eval", "split": "valid", "step": step, **self.recipe.record_fields(step),
                  "tokens": self.state["tokens"], **numbers})
        if settings.best_metric:
            score = scores[settings.best_metric]
            if self.state["best"] is None or score > self.state["best"]:
                self.state.update(best=score, best_step=step, bad_evals=0)
                self.best_weights = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
            else:
                self.state["bad_evals"] += 1
                self.early = bool(settings.early_stopping) and self.state["bad_evals"] >= settings.early_stopping
        return scores

    def checkpoint(self) -> None:
        t0 = time.perf_counter()
        save_checkpoint(self.accelerator, self.run_dir, self.state, self.best_weights)
        self._saved_at = self.state["step"]
        self.timing["checkpoint_s"] += time.perf_counter() - t0

    # ------------------------------------------------------------------ the loop

    def run(self) -> None:
        """Passes of updates until ``total_updates``, early stopping, or a stop request; then the last eval and checkpoint."""
        import torch

        recipe, settings, accelerator = self.recipe, self.settings, self.accelerator
        total, stream = settings.total_updates, recipe.epochs is None
        self._start_step, self._loop_start = self.state["step"], time.perf_counter()
        self._window = {"loss": torch.zeros((), device=accelerator.device), "micro": 0, "samples": 0, "tokens": 0,
                        "stats": {}, "since": time.perf_counter(), "cpu_since": time.process_time()}
        self.model.train()
        for epoch in range(self.state["epoch"], recipe.epochs or 1):
            for batch in recipe.batches(epoch, self.state["batch_in_epoch"]):
                if not self._update(batch):
                    continue
                step = self.state["step"]
                if step % settings.log_every == 0 or step == total:
                    self._log_step(epoch)
                if settings.eval_every and step % settings.eval_every == 0:
                    self._pause(self.evaluate)
                if settings.checkpoint_every and step % settings.checkpoint_every == 0:
                    self._pause(self.checkpoint)
                if stop_requested(accelerator, self.should_stop):
                    self.cancelled = True
                    break
                if self.early or step >= total:
                    break
            if self.cancelled or self.early or stream:
                self.stop_epoch = epoch + 1 if (self.cancelled or self.early) else None
                break
            self.state["epoch"], self.state["batch_in_epoch"] = epoch + 1, 0
            if settings.eval_each_epoch and not settings.eval_every:
                self._pause(self.evaluate)
            if not settings.checkpoint_every:
                self._pause(self.checkpoint)
            if self.early:
                self.stop_epoch = epoch + 1
                break
        self._close_window()
        if self.early and self.state["step"] >= total:
            self.early = False  # patience ran out at the very last update: the run simply ended
        if not self.cancelled and self._evaluated_at != self.state["step"]:
            self.evaluate()
        if self._saved_at != self.state["step"] or self.cancelled:
            self.checkpoint()
        self.events.close()

    def _update(self, batch) -> bool:
        """One forward/backward; True when it completed an optimizer update (not mid-accumulation)."""
        accelerator, model, window = self.accelerator, self.model, self._window
        with accelerator.accumulate(model):
            loss, stats = self.recipe.loss(model, batch)
            accelerator.backward(loss)
            if accelerator.sync_gradients:
                accelerator.clip_grad_norm_(model.parameters(), self.settings.max_grad_norm)
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
        samples, tokens = self.recipe.size(batch)
        procs = accelerator.num_processes
        self.state["batch_in_epoch"] += 1
        self.state["samples"] += samples * procs
        self.state["tokens"] += tokens * procs
        self.timing["train_samples"] += samples * procs
        self.timing["train_tokens"] += tokens * procs
        window["loss"] += loss.detach().float()
        window["micro"] += 1
        window["samples"] += samples * procs
        window["tokens"] += tokens * procs
        for key, value in stats.items():
            window["stats"][key] = window["stats"].get(key, 0) + value
        if not accelerator.sync_gradients:
            return False
        self.state["step"] += 1
        return True

    def _pause(self, action: Callable[[], object]) -> None:
        """Run an evaluation or a checkpoint outside the training clock."""
        self._close_window()
        action()
        self._window["since"], self._window["cpu_since"] = time.perf_counter(), time.process_time()

    def _close_window(self) -> None:
        """Add the training time since the window's start to the clocks (the window's sums stay)."""
        window, now = self._window, time.perf_counter()
        seconds = now - window["since"]
        self.timing["train_s"] += seconds
        self.timing["train_cpu_s"] += time.process_time() - window["cpu_since"]
        self.state["train_seconds"] += seconds
        window["seconds"] = window.get("seconds", 0.0) + seconds
        window["since"], window["cpu_since"] = now, time.process_time()

    def _log_step(self, epoch: int) -> None:
        import torch

        accelerator, window, step, total = self.accelerator, self._window, self.state["step"], self.settings.total_updates
        self._close_window()
        keys = sorted(window["stats"])
        local = torch.stack([window["loss"]] + [torch.as_tensor(window["stats"][k], dtype=torch.float32,
                                                                device=accelerator.device) for k in keys])
        sums = accelerator.reduce(local, "sum") if accelerator.num_processes > 1 else local
        values = sums.tolist()
        loss = values[0] / max(1, window["micro"] * accelerator.num_processes)
        if not math.isfinite(loss):
            raise ValueError(self.recipe.nan_message)
        seconds = max(1e-9, window.pop("seconds", 0.0))
        record = {"type": "step", "step": step, "steps": total, **self.recipe.record_fields(step), "loss": loss,
                  "lr": self.scheduler.get_last_lr()[0], "samples_per_s": window["samples"] / seconds,
                  "tokens_per_s": window["tokens"] / seconds, "tokens": self.state["tokens"],
                  "progress": step / total}
        record.update(self.recipe.step_fields(loss, dict(zip(keys, values[1:]))))
        self.log(record)
        window["loss"] = torch.zeros((), device=accelerator.device)
        window.update(micro=0, samples=0, tokens=0, stats={})
        done = step - self._start_step
        elapsed = self.timing["train_s"]
        eta = elapsed / done * (total - step) if done else None
        self.progress(min(0.99, step / total), eta_s=eta,
                      message=self.recipe.progress_message(step, total, loss, epoch))
