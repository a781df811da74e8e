"""Settings a page offers in one click: the model's own defaults, and a quick run that still learns something.

- :func:`model_settings`: the form fields :func:`core.finetune.defaults.for_model` fills
  (learning rate, epochs, max length within the model's positions, batch size).
- :func:`plan`: what a run of these settings on this data costs here (``estimate``, from the
  data's size and token lengths, this machine's past runs and its load) and the examples
  that go in (:func:`data_sizes`).
- :func:`quick`: the "quick (about 2 min)" preset: the model's learning rate, at most
  :data:`QUICK_EPOCHS` epochs, inputs cut at :data:`QUICK_MAX_LENGTH` tokens, evaluation on a
  seeded sample (``max_eval_samples``), and as many training examples as fit in
  :data:`QUICK_BUDGET_S` on this machine now (all of them for up to :data:`QUICK_EPOCHS` epochs when
  they fit, else one epoch over as many as fit: new examples teach more than a second pass). Measured (``benchmarks/RESULTS.md``, issue 25):
  the shipped Chinese model reaches the accuracy given there on Chinese reviews in that time;
  entity recognition learns too slowly for two minutes, so for NER ``learns`` is False and the
  page says so, with the time the model's own defaults take.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from core.finetune import defaults as model_defaults
from core.finetune.estimate import Estimate, estimate

QUICK_BUDGET_S = 120.0
QUICK_EPOCHS = 2
QUICK_MAX_LENGTH = 64
QUICK_EVAL = 500  # validation and test examples a quick run scores (a seeded sample; +-2 points at 0.8)
MIN_QUICK_EXAMPLES = 400  # below this a quick classification run stays near chance (measured, issue 25)
SLOW_TASKS = ("ner",)  # tasks whose quick run does not learn in QUICK_BUDGET_S (WNUT-16: entity F1 ~0)


@dataclass(frozen=True)
class Plan:
    """What a fine-tune of some settings on some data costs here."""

    estimate: Estimate
    n_train: int  # examples trained on (after max_train_samples)
    n_valid: int
    n_test: int
    tokens_per_example: float  # sequence positions per example (padded to the batch's longest, cut at max_length)


def model_settings(model: str, *, user=None) -> dict:
    """``{field: value}`` of the fine-tune form that ``model`` sets (its :class:`~core.finetune.defaults.ModelDefaults`)."""
    found = model_defaults.for_model(model, user=user)
    return {"learning_rate": found.learning_rate, "epochs": found.epochs, "max_length": found.max_length,
            "batch_size": found.batch_size}


@functools.lru_cache(maxsize=32)
def _split_sizes(train_file: str, task: str) -> tuple[int, int]:
    """(validation, test) examples a named dataset brings with it; (0, 0) for a plain file."""
    from core.finetune import data as data_mod
    from core.finetune.tasks import ReadOptions

    files = data_mod.dataset_files(train_file) or {}
    sizes = []
    for split in ("valid", "test"):
        path = files.get(split)
        sizes.append(len(data_mod.load(str(path), task, ReadOptions())[0]) if path else 0)
    return sizes[0], sizes[1]


def data_sizes(n: int, values: dict) -> tuple[int, int, int]:
    """(train, valid, test) examples of a run on a training file of ``n`` examples with the form's ``values``
    (``task``, ``train_file``, ``valid_file``/``test_file``, the fractions, ``max_train_samples``, ``max_eval_samples``)."""
    named_valid, named_test = _split_sizes(str(values.get("train_file") or ""), str(values.get("task") or ""))
    vf = 0.0 if (values.get("valid_file") or named_valid) else float(values.get("valid_fraction") or 0.0)
    tf = 0.0 if (values.get("test_file") or named_test) else float(values.get("test_fraction") or 0.0)
    n_valid = named_valid or round(n * vf)
    n_test = named_test or round(n * tf)
    n_train = n - (0 if named_valid else round(n * vf)) - (0 if named_test else round(n * tf))
    if values.get("valid_file"):
        n_valid = max(n_valid, round(n * 0.15))  # a separate file: about a split's worth (not read here)
    cap = int(values.get("max_train_samples") or 0)
    if cap:
        n_train = min(n_train, cap)
    evals = int(values.get("max_eval_samples") or 0)
    if evals:
        n_valid, n_test = min(n_valid, evals), min(n_test, evals)
    return max(0, n_train), max(0, n_valid), max(0, n_test)


def tokens_per_example(lengths: list[int], max_length: int, batch_size: int = 16) -> float:
    """Sequence positions one example costs: batches are padded to their longest input, so the mean over
    seeded random batches of ``batch_size`` of the longest (cut at ``max_length``) length; 32 when unknown.
    The same count as a run's ``timing.train_tokens`` (padding included), which past runs' rates are in."""
    import random

    if not lengths:
        return float(min(32, max_length))
    rng = random.Random(0)
    size = max(1, min(int(batch_size), len(lengths)))
    batches = [max(rng.sample(lengths, size)) for _ in range(64)]
    return sum(min(int(x), max_length) for x in batches) / len(batches)


def _parameters(model: str, user=None) -> int:
    from pathlib import Path

    from core.models import count_safetensors_parameters, resolve_model

    try:
        folder = Path(resolve_model(model or None, user=user))
        return count_safetensors_parameters(folder) if folder.is_dir() else 22_700_000
    except (OSError, ValueError):
        return 22_700_000


def plan(values: dict, summary: dict, *, runs_root=None, user=None, load: float | None = None) -> Plan:
    """The cost of ``values`` (the form's settings and data choice) on the data ``summary`` describes
    (``core.finetune.data.DataView.summary``: ``n`` and token ``lengths``)."""
    n_train, n_valid, n_test = data_sizes(int(summary.get("n") or 0), values)
    tokens = tokens_per_example(summary.get("lengths") or [], int(values.get("max_length") or 128),
                                int(values.get("batch_size") or 16))
    model = str(values.get("model") or "")
    found = estimate(model=model, parameters=_parameters(model, user), n_train=n_train, n_valid=n_valid,
                     n_test=n_test, tokens_per_example=tokens, epochs=int(values.get("epochs") or 1),
                     runs_root=runs_root, load=load)
    return Plan(found, n_train, n_valid, n_test, tokens)


def quick(values: dict, summary: dict, *, runs_root=None, user=None, load: float | None = None,
          budget_s: float = QUICK_BUDGET_S) -> dict:
    """The quick preset for this model and data: ``{"values": {field: value}, "plan": Plan, "learns": bool,
    "full": Plan}``; ``full`` is the plan of the model's own defaults on all the data (what a run that
    learns takes), ``learns`` False for a task that needs longer or too few examples fitting the budget."""
    model = str(values.get("model") or "")
    own = model_settings(model, user=user)
    positions = model_defaults.for_model(model, user=user).positions
    max_length = min(QUICK_MAX_LENGTH, own["max_length"], positions or QUICK_MAX_LENGTH)
    lengths = summary.get("lengths") or []
    if lengths:  # no longer than the data needs (rounded up to a multiple of 8)
        p95 = sorted(lengths)[int(0.95 * (len(lengths) - 1))]
        max_length = max(16, min(max_length, int(math.ceil(p95 / 8.0) * 8)))
    chosen = {**own, "max_length": max_length, "max_eval_samples": QUICK_EVAL, "early_stopping": 0,
              "max_train_samples": 0}
    # New examples teach more than a second pass over the same ones: all the data for as many epochs
    # (up to QUICK_EPOCHS) as fit the budget, else one epoch over as many examples as fit.
    for epochs in range(min(QUICK_EPOCHS, own["epochs"]), 0, -1):
        everything = plan({**values, **chosen, "epochs": epochs}, summary, runs_root=runs_root, user=user, load=load)
        fit = _examples_within(budget_s, everything)
        if fit >= everything.n_train or epochs == 1:
            break
    chosen["epochs"] = epochs
    chosen["max_train_samples"] = 0 if fit >= everything.n_train else max(1, int(fit // 100 * 100) or fit)
    quick_plan = plan({**values, **chosen}, summary, runs_root=runs_root, user=user, load=load)
    full = plan({**values, **own, "max_train_samples": 0, "max_eval_samples": 0}, summary, runs_root=runs_root,
                user=user, load=load)
    learns = str(values.get("task")) not in SLOW_TASKS and quick_plan.n_train >= min(MIN_QUICK_EXAMPLES,
                                                                                      everything.n_train)
    return {"values": chosen, "plan": quick_plan, "learns": learns, "full": full}


def _examples_within(budget_s: float, whole: Plan) -> int:
    """Training examples that fit ``budget_s`` with ``whole``'s settings (time is linear in them)."""
    fixed = whole.estimate.seconds - whole.estimate.train_s
    if whole.n_train <= 0 or whole.estimate.train_s <= 0:
        return 0
    per_example = whole.estimate.train_s / whole.n_train
    return max(0, int((budget_s - fixed) / per_example))
