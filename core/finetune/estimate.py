"""How long a fine-tune will take on this machine, said before Train is pressed.

time = overhead + epochs x train tokens / rate + evaluation tokens / (3 x rate)

- **rate** (training tokens per second, on this machine, for this model): the median of
  the model's last finished runs in the runs folder (``train_summary.json`` timing:
  training tokens over training seconds), each corrected for the machine's load when it
  ran; with no such run, a prior from the model's size (:func:`prior_rate`, fitted to two
  measured models on one thread of the quiet 2-core CPU, sequence positions with padding, as
  ``timing.train_tokens`` counts them: the shipped MiniLM's 22.7M weights ~1,500 tokens/s
  (``benchmarks/watchers.py``), the Chinese model's 5.4M ~3,700 (``benchmarks/zh_model.py``),
  so tokens/s ~ weights^-0.63: a small model is not proportionally faster).
- **load**: a machine whose load average is above its cores shares them; the rate is
  scaled by ``cores / load`` now (and unscaled by the load a past run saw).
- **evaluation** is a forward pass only, about a third of a training step's cost
  (Kaplan et al. 2020: backward ~ 2x forward); it runs on the validation split once per
  epoch and on the test split at the end.
- **overhead**: starting the worker, reading the data, loading the model, saving it.

The answer is an :class:`Estimate` (seconds, the rate, what it is based on, the load), so a
page can say "about 2 min (from your last 3 runs of this model; server load 1.2 on 2 cores)".
"""
from __future__ import annotations

import json
import os
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path

PRIOR_RATE = 1500.0  # training tokens/s (padding included) of a 22.7M-weight model on one quiet CPU thread
PRIOR_WEIGHTS = 22.7e6
PRIOR_EXPONENT = 0.63  # tokens/s ~ weights^-0.63, from MiniLM (22.7M, ~1,500/s) and embedlab-bert-zh (5.4M, ~3,700/s)
OVERHEAD_S = 20.0  # worker start, reading, model load and save on a quiet machine
EVAL_COST = 1 / 3  # a forward pass costs about a third of forward + backward
HISTORY_RUNS = 5  # the last runs of the model that the rate is taken from


@dataclass(frozen=True)
class Estimate:
    seconds: float  # the whole run, start to report
    train_s: float
    eval_s: float
    tokens_per_s: float  # training rate assumed, at today's load
    basis: str  # "history" (runs of this model here) or "size" (the model's size only)
    runs: int  # how many past runs the rate comes from
    load: float  # 1-minute load average now
    cores: int

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def busy(self) -> bool:
        """The machine is shared right now (load above its cores): the estimate already includes it."""
        return self.load > self.cores


def _load_factor(load: float, cores: int) -> float:
    return max(1.0, load / max(1, cores))


def past_rates(model: str, runs_root=None, limit: int = HISTORY_RUNS) -> list[float]:
    """Training tokens/s of the last ``limit`` finished fine-tunes of ``model`` here, each at load 0.

    Reads run folders directly (a machine's speed is not anyone's data); runs without timing are skipped.
    """
    from core.jobs import store

    root = store.runs_root(runs_root)
    found = []
    for folder in sorted((p for p in root.glob("finetune-*") if p.is_dir()), reverse=True):
        try:
            meta = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            summary = json.loads((folder / "train_summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (meta.get("config") or {}).get("model") != model:
            continue
        timing = summary.get("timing") or {}
        tokens, seconds = timing.get("train_tokens") or 0, timing.get("train_s") or 0.0
        if tokens <= 0 or seconds <= 1.0:
            continue
        found.append(tokens / seconds * _load_factor(float(timing.get("load_avg") or 0.0), os.cpu_count() or 1))
        if len(found) >= limit:
            break
    return found


def prior_rate(parameters: int) -> float:
    """Training tokens/s of a model of ``parameters`` weights on one quiet CPU thread, from its size alone."""
    return PRIOR_RATE * (PRIOR_WEIGHTS / max(1e6, float(parameters))) ** PRIOR_EXPONENT


def estimate(*, model: str, parameters: int, n_train: int, n_valid: int, n_test: int, tokens_per_example: float,
             epochs: int, runs_root=None, load: float | None = None, cores: int | None = None) -> Estimate:
    """The time a fine-tune of ``model`` with these sizes takes here (see the module docstring).

    ``tokens_per_example``: mean input length after cutting at max_length (the data section
    knows it); ``load`` / ``cores`` default to this machine's now.
    """
    cores = cores or os.cpu_count() or 1
    load = os.getloadavg()[0] if load is None else load
    history = past_rates(model, runs_root)
    base = statistics.median(history) if history else prior_rate(parameters)
    rate = base / _load_factor(load, cores)
    train_tokens = max(0, epochs) * n_train * tokens_per_example
    eval_tokens = (max(1, epochs) * n_valid + n_test) * tokens_per_example
    train_s = train_tokens / rate
    eval_s = EVAL_COST * eval_tokens / rate
    overhead = OVERHEAD_S * _load_factor(load, cores)
    return Estimate(seconds=overhead + train_s + eval_s, train_s=train_s, eval_s=eval_s, tokens_per_s=rate,
                    basis="history" if history else "size", runs=len(history), load=round(load, 2), cores=cores)


def examples_for(seconds: float, *, model: str, parameters: int, tokens_per_example: float, epochs: int,
                 n_valid: int, n_test: int, runs_root=None, load: float | None = None,
                 cores: int | None = None) -> int:
    """How many training examples fit in ``seconds`` with these settings (0 when not even one does)."""
    one = estimate(model=model, parameters=parameters, n_train=1000, n_valid=n_valid, n_test=n_test,
                   tokens_per_example=tokens_per_example, epochs=epochs, runs_root=runs_root, load=load, cores=cores)
    fixed = one.seconds - one.train_s
    per_example = one.train_s / 1000
    return max(0, int((seconds - fixed) / per_example)) if per_example > 0 else 0


def note_load(timing: dict) -> dict:
    """``timing`` with the machine's 5-minute load average added (``load_avg``), for later estimates."""
    try:
        return {**timing, "load_avg": round(os.getloadavg()[1], 2)}
    except OSError:
        return dict(timing)
