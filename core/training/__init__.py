"""One training loop for every trainer that updates a torch model: fine-tuning and pretraining.

A kind of training plugs in a :class:`Recipe` (its batches, "batch -> loss, metrics",
"evaluate"); :class:`Loop` owns everything else, written once:

- the Accelerate set-up and its rules (:mod:`core.training.setup`): the device, one
  "auto" precision rule, CPU threads, AdamW with one weight-decay rule and a linear
  warm-up / decay schedule;
- steps, gradient accumulation, clipping, evaluation and its cadence, best weights and
  early stopping, checkpoints and resume, cancel, NaN and out-of-memory messages,
  samples/s and tokens/s, the metrics stream (:mod:`core.training.loop`);
- saving: model folders and checkpoints written beside their target and renamed into
  place (:mod:`core.training.saving`);
- one TensorBoard writer per run (:mod:`core.training.events`), so
  ``tensorboard --logdir runs`` shows the same curves as the app.

Importing this package is cheap: torch, accelerate and tensorboardX load inside the
functions that use them.
"""
from __future__ import annotations

from core.training.loop import Loop, LoopSettings, Recipe, friendly_errors
from core.training.saving import load_checkpoint, save_checkpoint, save_model
from core.training.setup import decay_groups, make_accelerator, make_optimizer, make_schedule, precision_for

__all__ = ["Loop", "LoopSettings", "Recipe", "decay_groups", "friendly_errors", "load_checkpoint",
           "make_accelerator", "make_optimizer", "make_schedule", "precision_for", "save_checkpoint", "save_model"]
