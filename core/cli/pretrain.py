"""``python -m core pretrain``: pretrain a small BERT (MLM, MLM + NSP) or GPT (causal LM) from zero, headless.

    python -m core pretrain --corpus zh --position rope --preset tiny --steps 2000 --out models/zh-rope
    python -m core pretrain --corpus zh --objective clm --position rope       # a GPT: next-token LM
    python -m core pretrain --corpus dataset:peoples_daily --objective mlm_nsp # BERT 2018: MLM + next sentence
    python -m core pretrain --corpus novel.txt --position alibi --init-vectors word2vec
    python -m core pretrain --resume pretrain-20261201-020000-abc123 --corpus zh --position rope

Every :class:`core.pretrain.PretrainConfig` field is an option (help, bounds and choices from its schema).
The run goes through ``core.jobs.run_foreground``: a run folder in the runs directory
(``--runs`` or ``$EMBEDLAB_RUNS``), the same as the app's, listed by ``python -m core runs``
and on the page. ``--out`` also copies the finished model folder (a Hugging Face folder
with its tokenizer) there. Ctrl-C once stops cleanly and saves a checkpoint to resume from.
The training loop is Accelerate's (bf16 on a GPU). On several GPUs:

    accelerate launch --num_processes 8 -m core pretrain --corpus dataset:peoples_daily --preset small

All processes share one run folder (``core.jobs.launched``): one run in the runs list,
rank 0 writes the curves and the model, each rank trains on its own batches
(``batch_size`` is per process, so a step reads batch_size x processes sequences).
"""
from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

def register(subparsers) -> None:
    from core import settings
    from core.pretrain import objectives
    from core.pretrain.config import PretrainConfig

    parser = subparsers.add_parser(
        "pretrain", help="pretrain a small BERT or GPT from zero with a chosen objective and position encoding",
        description="Train a WordPiece tokenizer and a small Transformer on a corpus (a sample, a text file or "
                    "dataset:<name>) with a pretraining objective (" + ", ".join(objectives.names()) + ") and "
                    "learned, sinusoidal, RoPE, ALiBi or no position encoding; evaluate the objective's held-out "
                    "accuracy at 1x, 2x and 4x the training length.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    settings.add_arguments(parser, PretrainConfig)  # one flag per field: help, bounds and choices from the schema
    parser.add_argument("--name", default="", help="a name for the run (shown in the runs table)")
    parser.add_argument("--runs", default=None, help="runs directory (default: $EMBEDLAB_RUNS or ./runs)")
    parser.add_argument("--out", default=None, help="also copy the finished model folder (with its tokenizer) here")
    parser.add_argument("--quiet", action="store_true", help="no progress bar; print only the result")
    parser.set_defaults(func=run_cli)


def run_cli(args) -> int:
    from core import jobs
    from core.jobs.launched import launched, run_launched
    from core.pretrain.config import PretrainConfig
    from core.pretrain.job import build_job_config
    from core.pretrain.results import read_extrapolation

    from core import settings

    values = settings.values_from_args(PretrainConfig, args)
    resume = values.get("resume_from") or ""
    if resume and not Path(resume).is_dir():
        values["resume_from"] = str(jobs.run_dir(resume, args.runs, must_exist=True, user=jobs.SHELL))
    config = build_job_config(values)  # ValueError -> one line, exit 2
    out = Path(args.out).expanduser() if args.out else None
    if out is not None and out.exists() and any(out.iterdir()):
        raise ValueError(f"--out {out} exists and is not empty; choose a new folder (nothing is overwritten).")
    name = args.name or (f"{config['objective']} · {config['position_encoding']} · {config['preset']} · "
                         f"{Path(config['corpus']).name}")
    if launched():  # accelerate launch / torchrun: every process runs this; they share one run
        run_id = run_launched("pretrain", config, name=name, runs_root=args.runs, show_progress=not args.quiet,
                              cpu=True if config["device"] == "cpu" else None, user=jobs.SHELL)
        if int(os.environ.get("RANK", "0")) != 0:
            return 0  # rank 0 reports
    else:
        run_id = jobs.run_foreground("pretrain", config, name=name, runs_root=args.runs,
                                     show_progress=not args.quiet, user=jobs.SHELL)
    status = jobs.get_status(run_id, args.runs, user=jobs.SHELL)
    folder = jobs.run_dir(run_id, args.runs, user=jobs.SHELL)
    summary = jobs.read_summary(run_id, args.runs, user=jobs.SHELL)
    print(f"run {run_id}: {status.get('state')} -> {folder}")
    if out is not None and (folder / "model").is_dir():
        shutil.copytree(folder / "model", out, dirs_exist_ok=True)
        print(f"model folder copied to {out}")
    rows = read_extrapolation(folder)
    if rows:
        fmt = lambda x: "n/a" if x is None else f"{x:.3f}"  # noqa: E731
        from core.pretrain import objectives

        accuracy_name = objectives.get(config["objective"]).accuracy_name
        for row in rows:
            print(f"  {row['factor']}x ({row['seq_len']} tokens): {accuracy_name} {fmt(row.get('accuracy'))}, "
                  f"top-5 {fmt(row.get('top5'))}")
        if all(row.get("accuracy") is None for row in rows):
            print("  no length could be measured: the held-out text has no window this long with a token to guess; "
                  "hold out a larger share (--valid-fraction) or use a longer corpus")
        baseline = summary.get("baseline") or {}
        if baseline.get("accuracy") is not None:
            print(f"  unigram baseline (always {baseline.get('token')!r}): {baseline['accuracy']:.3f}")
    if summary.get("tokens_per_s"):
        print(f"  {summary.get('parameters', 0):,} parameters, {summary.get('tokens', 0):,} tokens, "
              f"{summary['tokens_per_s']:,.0f} tokens/s")
    return 0 if status.get("state") in ("done", "cancelled") else 1
