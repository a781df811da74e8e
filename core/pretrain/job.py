"""The "pretrain" job for core.jobs: ``run(config, ctx)`` in a worker process (or the CLI's foreground).

``config`` is :class:`core.pretrain.PretrainConfig` as a dict (build it with
:func:`build_job_config`, which checks it before anything is queued). A
``resume_from`` naming a run id (not a folder) is looked up in the runs directory.
Writes in the run folder: ``tokenizer/``, ``model/`` (a Hugging Face model folder),
``checkpoint/``, ``extrapolation.json``, ``train_summary.json``, ``summary.json``
and ``metrics.jsonl`` (see :mod:`core.pretrain.trainer` for the records).
"""
from __future__ import annotations

from pathlib import Path

LAUNCHER = True  # core.jobs: may run on several processes (GPUs) of one machine, submit(..., processes=N)


def build_job_config(values: dict | None = None) -> dict:
    """A validated job config: ``PretrainConfig`` fields, the corpus checked to exist.

    Raises ``ValueError`` with a message for the user (unknown setting, a bad value,
    a corpus file that does not exist).
    """
    from core.pretrain.config import PretrainConfig

    config = PretrainConfig.from_dict(dict(values or {}))
    corpus = config.corpus
    if ":" not in corpus or Path(corpus).expanduser().exists():
        from core.text import SAMPLES

        if corpus not in SAMPLES:
            path = Path(corpus).expanduser()
            if not path.is_file():
                raise ValueError(f"the corpus {corpus!r} is neither a sample ({', '.join(SAMPLES)}) nor an "
                                 "existing file; pick a sample or upload a file.")
            corpus = str(path.resolve())
            from core.text import sniff

            sniff(path, encoding=config.encoding or None)  # an encoding it cannot tell is asked now, not in the job
    return {**config.to_dict(), "corpus": corpus}


def device_choices() -> list[str]:
    """Devices a run can ask for here: ``auto``, ``cpu``, each ``cuda:i``, ``mps``."""
    from core.device import available

    return available()


def run(config: dict, ctx) -> None:
    """Pretrain in ``ctx.run_dir``; step/eval records go to ``ctx.log``, progress to ``ctx.progress``."""
    from core.pretrain.config import PretrainConfig
    from core.pretrain.trainer import train

    values = dict(config)
    resume = values.get("resume_from") or ""
    if resume and not Path(resume).is_dir():
        from core.jobs import check_run_id

        values["resume_from"] = str(Path(ctx.run_dir).parent / check_run_id(resume))
    cfg = PretrainConfig.from_dict(values)
    summary = train(cfg, ctx.run_dir, log=ctx.log, progress=ctx.progress, should_stop=ctx.should_stop)
    scores = summary.get("valid_scores") or {}
    headline = {
        "objective": summary["objective"], "valid_accuracy": summary.get("valid_accuracy"), "valid_top5": summary.get("valid_top5"),
        "valid_loss": summary.get("valid_loss"), "position_encoding": summary["position_encoding"],
        "preset": summary["preset"], "init_vectors": summary["init_vectors"], "parameters": summary["parameters"],
        "steps": summary["steps"], "tokens": summary["tokens"], "tokens_per_s": summary["tokens_per_s"],
        "corpus": (summary.get("corpus") or {}).get("name"), "language": (summary.get("corpus") or {}).get("language"),
        "cancelled": summary["cancelled"], "baseline": summary.get("baseline"),
        **{f"valid_{k}": v for k, v in scores.items() if k not in ("loss", "accuracy", "top5", "predicted_tokens")},
    }
    if hasattr(ctx, "set_summary"):
        ctx.set_summary(headline)
    acc = summary.get("valid_accuracy")
    ctx.progress(1.0, eta_s=0.0, message=("cancelled; model saved" if summary["cancelled"] else
                                          f"done: held-out masked-token accuracy {acc:.3f}" if acc is not None
                                          else "done"))
