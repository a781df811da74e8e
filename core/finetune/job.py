"""The "finetune" job for core.jobs: ``run(config, ctx)`` in a worker process.

``config`` is :class:`core.finetune.FinetuneConfig` as a dict; a ``resume_from`` that
names a run id (not a path) is looked up in the runs directory.
"""
from __future__ import annotations

from pathlib import Path

LAUNCHER = True  # core.jobs: may run on several processes (GPUs) of one machine, submit(..., processes=N)


def run(config: dict, ctx) -> None:
    """Train in ``ctx.run_dir``; step/eval records go to ``ctx.log``, progress to ``ctx.progress``."""
    from core.finetune.config import FinetuneConfig
    from core.finetune.trainer import early_stop_message, train

    values = dict(config)
    resume = values.get("resume_from") or ""
    if resume and not Path(resume).is_dir():
        values["resume_from"] = str(Path(ctx.run_dir).parent / resume)
    cfg = FinetuneConfig.from_dict(values)

    def log(record: dict) -> None:
        ctx.log(record)
        if hasattr(ctx, "write_log") and record.get("type") in ("eval", "info"):
            ctx.write_log(_describe(record))

    summary = train(cfg, ctx.run_dir, log=log, progress=ctx.progress, should_stop=ctx.should_stop)
    scores = summary.get("scores") or {}
    if scores and hasattr(ctx, "set_summary"):
        ctx.set_summary(scores)  # headline numbers for the runs table
    text = " · ".join(f"{k} {v:.3f}" for k, v in scores.items())
    message = "cancelled; model saved" if summary["cancelled"] else f"done: {text}"
    stop = summary.get("stop") or {}
    if stop.get("code") == "early_stopping":
        message = f"{message}; {early_stop_message(stop)}"
    ctx.progress(1.0, eta_s=0.0, message=message)


def _describe(record: dict) -> str:
    """One log line for an eval or info record (log.txt, and the terminal for a CLI run)."""
    if record.get("type") == "info":
        return f"note: {record.get('message', '')}"
    scores = " ".join(f"{k}={v:.4f}" for k, v in record.items()
                      if isinstance(v, float) and k not in ("epoch", "time"))
    return f"[eval {record.get('split')}] step {record.get('step')}: {scores}"
