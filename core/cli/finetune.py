"""``python -m core finetune``: fine-tune a BERT-family model from the command line.

    python -m core finetune --task classification --train sample:sentiment --name first-try
    python -m core finetune --task ner --train data/ner_sample/ner_sample.conll --epochs 3
    python -m core finetune --train reviews.csv --text-col review --label-col stars
    python -m core finetune --resume finetune-20260101-...   # continue a stopped run from its checkpoint
    accelerate launch -m core finetune --train reviews.csv   # several processes, one run (core.jobs.launched)

Every :class:`core.finetune.FinetuneConfig` field is an option (help = the field's comment);
``--task`` choices come from the task registry. The reading report of the training file is
printed first; the run then goes through ``core.jobs.run_foreground``, so it lands in the
runs directory (``--runs-dir`` or ``$EMBEDLAB_RUNS``) like a run started in the app and is
listed by ``python -m core runs list``. Ctrl-C once stops cleanly and saves.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

MODEL_FIELDS = ("learning_rate", "epochs", "max_length", "batch_size")  # each model offers its own


def register(subparsers) -> None:
    from core import settings
    from core.finetune import tasks
    from core.finetune.config import FinetuneConfig

    parser = subparsers.add_parser(
        "finetune", help=f"fine-tune a BERT-family model ({', '.join(tasks.names())})",
        description="Fine-tune a BERT-family model (default: the shipped MiniLM) on labelled data.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    # "": the data's language decides the model; None: the model's own value (core.finetune.defaults)
    settings.add_arguments(parser, FinetuneConfig, defaults={"model": "", **{f: None for f in MODEL_FIELDS}})
    actions = {action.dest: action for action in parser._actions}
    for field in MODEL_FIELDS:
        actions[field].help += " Default (None): the model's own (its model card, else a rule on its size)."
    actions["task"].help = "; ".join(f"{name}: {tasks.get(name).help}" for name in tasks.names()).replace("%", "%%")
    actions["model"].help += (" Default: the shipped model for the data's language (Chinese: embedlab-bert-zh; "
                              "else all-MiniLM-L6-v2), said in a line.")
    parser.add_argument("--name", default="", help="run name shown in the runs table (default: the training file's name)")
    parser.add_argument("--runs-dir", default=None, help="runs directory (default: $EMBEDLAB_RUNS or ./runs)")
    parser.add_argument("--resume", default="", metavar="RUN_ID",
                        help="continue the run RUN_ID from its checkpoint (a new run with the same settings)")
    parser.add_argument("--out", default="", help="also copy the finished model folder (with its tokenizer) here")
    parser.add_argument("--quiet", action="store_true", help="no progress bar; print only the final scores")
    parser.set_defaults(func=run_cli)


def _launched() -> bool:
    return "LOCAL_RANK" in os.environ or int(os.environ.get("WORLD_SIZE", "1")) > 1


def _config(args):
    """The run's config from the flags (or from the run being resumed, with the flags given on top)."""
    import core.jobs as jobs
    from core import settings
    from core.finetune.config import FinetuneConfig, resumed

    values = settings.values_from_args(FinetuneConfig, args)
    chosen_model = values.pop("model") or ""
    own = [f for f in MODEL_FIELDS if values.get(f) is None]  # not given: the model's own value, once it is known
    values = {k: v for k, v in values.items() if k not in own}
    if args.resume:
        saved = jobs.read_config(args.resume, runs_root=args.runs_dir, user=jobs.SHELL).get("config") or {}
        defaults = FinetuneConfig().to_dict()
        changed = {k: v for k, v in values.items() if v != defaults[k]}  # the flags given on top of the run's
        chosen_model = chosen_model or saved.get("model", "")
        config = resumed(saved, args.resume, {**changed, **({"model": chosen_model} if chosen_model else {})})
    else:
        config = FinetuneConfig.from_dict({**values, **({"model": chosen_model} if chosen_model else {})})
    if not chosen_model:  # ValueError above -> one line, exit 2
        config = _model_for_the_data(config, quiet=args.quiet or int(os.environ.get("RANK", "0")) != 0)
    if own and not args.resume:
        from core.finetune.presets import model_settings

        found = model_settings(config.model, user=jobs.SHELL)
        config = FinetuneConfig.from_dict({**config.to_dict(), **{f: found[f] for f in own}})
    return config


def _model_for_the_data(config, quiet: bool = False):
    """``config`` with the shipped model for its training data's language (``core.models.model_for_language``)."""
    from core.finetune.data import inspect
    from core.finetune.trainer import read_options
    from core.models import model_for_language

    view = inspect(config.task, config.train_file, read_options(config), n_preview=50)
    from core.jobs import SHELL

    picked = model_for_language(view.language, user=SHELL)
    if picked.name != config.model:
        config = dataclasses.replace(config, model=picked.name)
        if not quiet:
            names = {"zh": "Chinese", "ja": "Japanese", "ko": "Korean"}
            language = names.get(view.language, "English")
            missing = (f" (no {language} model ships; it reads most of the text as [UNK])"
                       if view.language in ("ja", "ko") else "")
            print(f"{language} data: fine-tuning {picked.name}{missing} (pass --model to choose another)", flush=True)
    return config


def print_reading(config, quiet: bool = False) -> None:
    """The training file's reading report and the columns used (ValueError when it cannot be used)."""
    from core.finetune.data import load_with_info
    from core.finetune.trainer import read_options
    from core.text.report import format_report

    _, report, info = load_with_info(config.train_file, config.task, read_options(config))
    if quiet:
        return
    print(format_report(report), flush=True)
    why = (info.get("guess") or {}).get("why") or {}
    for role, column, given in (("text", report.text_column, config.text_col),
                                ("label", report.label_column, config.label_col)):
        if why.get(role) and not given:
            how = "by its name" if why[role] == "name" else "as the column with the longest texts"
            print(f"  {role} column {column!r} chosen {how}; pass --{role}-col to choose another", flush=True)


def run_cli(args) -> int:
    if _launched():
        return _run_launched(args)
    if args.out and Path(args.out).exists() and any(Path(args.out).iterdir()):
        raise ValueError(f"--out {args.out} exists and is not empty; choose a new folder (nothing is overwritten).")
    import core.jobs as jobs
    from core.finetune import read_run
    from core.finetune.data import display_name

    config = _config(args)
    print_reading(config, args.quiet)
    name = args.name or display_name(config.train_file, {config.train_file: config.train_name} if config.train_name else None)
    if args.resume and not args.name:
        name = f"{jobs.read_config(args.resume, runs_root=args.runs_dir, user=jobs.SHELL).get('name') or args.resume} (resumed)"
    run_id = jobs.run_foreground("finetune", config.to_dict(), name=name, runs_root=args.runs_dir,
                                 show_progress=not args.quiet, user=jobs.SHELL)
    status = jobs.get_status(run_id, runs_root=args.runs_dir, user=jobs.SHELL)
    folder = jobs.run_dir(run_id, args.runs_dir, user=jobs.SHELL)
    summary = read_run(folder)["summary"] or {}
    print(_final_line(summary, status, folder), flush=True)
    _copy_model(folder, args.out)
    return 0


def _final_line(summary: dict, status: dict, folder: Path) -> str:
    scores = summary.get("scores") or {}
    text = ", ".join(f"{k} {v:.4f}" for k, v in scores.items())
    state = status.get("state", "done")
    from core.finetune.baselines import describe

    return "\n  ".join([f"{state}: {summary.get('steps', 0)} steps; {summary.get('scores_split', 'valid')} {text}; "
                        f"run {folder.name}; model saved in {folder / 'model'}", *describe(summary)])


def _run_launched(args) -> int:
    """Several processes (accelerate launch / torchrun): one run for all of them (``core.jobs.launched``); rank 0 prints."""
    import core.jobs as jobs
    from core.finetune import read_run
    from core.finetune.data import display_name
    from core.jobs.launched import run_launched

    config = _config(args)
    main = int(os.environ.get("RANK", "0")) == 0
    if main:
        print_reading(config, args.quiet)
    name = args.name or display_name(config.train_file, {config.train_file: config.train_name} if config.train_name else None)
    run_id = run_launched("finetune", config.to_dict(), name=name, runs_root=args.runs_dir,
                          show_progress=not args.quiet, cpu=True if config.device == "cpu" else None,
                          user=jobs.SHELL)
    if main:
        folder = jobs.run_dir(run_id, args.runs_dir, user=jobs.SHELL)
        summary = read_run(folder)["summary"] or {}
        print(_final_line(summary, jobs.get_status(run_id, runs_root=args.runs_dir, user=jobs.SHELL), folder), flush=True)
        _copy_model(folder, args.out)
    return 0


def _copy_model(folder: Path, out: str) -> None:
    """``--out``: also copy the run's model folder there (the run itself stays in the runs directory)."""
    import shutil

    if out and (folder / "model").is_dir():
        shutil.copytree(folder / "model", Path(out), dirs_exist_ok=True)
        print(f"model folder copied to {out}", flush=True)
