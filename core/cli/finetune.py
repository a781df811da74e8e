"""``python -m core finetune``: fine-tune a BERT-family model from the command line.

    python -m core finetune --task classification --train sample:sentiment --out runs/cli-sentiment
    python -m core finetune --task ner --train data/ner_sample/ner_sample.conll --epochs 3 --out runs/cli-ner
    accelerate launch -m core finetune --train reviews.csv --text-col review --label-col stars --out runs/x

Every :class:`core.finetune.FinetuneConfig` field is an option (help = the field's comment).
``--out`` is the run folder (config.json, status.json, metrics.jsonl, model/, report.json);
``--resume`` continues from the checkpoint in ``--out``. Ctrl-C once stops cleanly and saves.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ALIASES = {"train_file": "--train", "valid_file": "--valid", "test_file": "--test", "file_format": "--format",
           "learning_rate": "--lr"}


def register(subparsers) -> None:
    from core.finetune.config import FinetuneConfig, field_help

    helps = field_help()
    parser = subparsers.add_parser(
        "finetune", help="fine-tune a BERT-family model for classification or NER",
        description="Fine-tune a BERT-family model (default: the shipped MiniLM) on labelled data.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    for f in dataclasses.fields(FinetuneConfig):
        if f.name == "resume_from":
            continue
        flags = ["--" + f.name.replace("_", "-")]
        if f.name in ALIASES:
            flags.insert(0, ALIASES[f.name])
        kind = type(f.default)
        parser.add_argument(*flags, dest=f.name, type=kind, default=f.default, help=helps.get(f.name, "").replace("%", "%%"))
    parser.add_argument("--out", required=True, help="run folder to write (model/, report.json, metrics.jsonl, ...)")
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint saved in --out")
    parser.add_argument("--quiet", action="store_true", help="print only the final scores")
    parser.set_defaults(func=run_cli)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _RunFiles:
    """config.json, status.json and metrics.jsonl in the contract's format, so CLI runs show up on the page."""

    def __init__(self, out: Path, config: dict, enabled: bool, quiet: bool):
        self.out, self.enabled, self.quiet = out, enabled, quiet
        self.status = {"state": "running", "created": _now(), "started": _now(), "finished": None, "error": None,
                       "progress": 0.0, "eta_s": None, "message": "", "pid": None}
        if enabled:
            import os

            out.mkdir(parents=True, exist_ok=True)
            self.status["pid"] = os.getpid()
            (out / "config.json").write_text(json.dumps({"kind": "finetune", "name": out.name, "config": config},
                                                        indent=1), encoding="utf-8")
            self._write_status()

    def _write_status(self) -> None:
        tmp = self.out / "status.json.tmp"
        tmp.write_text(json.dumps(self.status), encoding="utf-8")
        tmp.replace(self.out / "status.json")

    def log(self, record: dict) -> None:
        if not self.enabled:
            return
        record = {**record, "time": time.time()}
        with open(self.out / "metrics.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        if self.quiet:
            return
        if record["type"] == "eval":
            scores = " ".join(f"{k}={record[k]:.4f}" for k in ("loss", "accuracy", "macro_f1", "f1") if k in record)
            print(f"[eval {record['split']}] step {record['step']}: {scores}", flush=True)
        elif record["type"] == "info":
            print(f"note: {record['message']}", flush=True)

    def progress(self, fraction: float, eta_s: float | None = None, message: str = "") -> None:
        if not self.enabled:
            return
        self.status.update(progress=float(fraction), eta_s=eta_s, message=message)
        self._write_status()
        if not self.quiet and message:
            eta = f" (ETA {eta_s:.0f} s)" if eta_s else ""
            print(f"{fraction:6.1%} {message}{eta}", flush=True)

    def finish(self, state: str, error: str | None = None) -> None:
        if self.enabled:
            self.status.update(state=state, finished=_now(), error=error, progress=1.0 if state == "done" else self.status["progress"])
            self._write_status()


def run_cli(args) -> int:
    from core.finetune.config import FinetuneConfig

    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(FinetuneConfig) if f.name != "resume_from"}
    out = Path(args.out)
    if args.resume:
        values["resume_from"] = str(out)
    config = FinetuneConfig.from_dict(values)  # ValueError -> one line, exit 2

    import os

    main_process = int(os.environ.get("RANK", "0")) == 0  # under accelerate launch only rank 0 writes
    files = _RunFiles(out, config.to_dict(), main_process, args.quiet)
    stop = {"asked": False}

    def on_sigint(signum, frame):
        if stop["asked"]:
            raise KeyboardInterrupt
        stop["asked"] = True
        print("stopping after this step and saving (Ctrl-C again to abort)", file=sys.stderr, flush=True)

    previous = signal.signal(signal.SIGINT, on_sigint)
    from core.finetune.trainer import train

    try:
        summary = train(config, out, log=files.log, progress=files.progress, should_stop=lambda: stop["asked"])
    except ValueError as err:
        files.finish("failed", str(err))
        raise
    except BaseException as err:
        files.finish("failed" if not isinstance(err, KeyboardInterrupt) else "cancelled", f"{type(err).__name__}: {err}")
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
    if main_process and summary.get("scores"):
        (out / "summary.json").write_text(json.dumps(summary["scores"]), encoding="utf-8")
    files.finish("cancelled" if summary["cancelled"] else "done")
    if main_process:
        scores = summary.get("scores") or {}
        text = ", ".join(f"{k} {v:.4f}" for k, v in scores.items())
        print(f"{'cancelled' if summary['cancelled'] else 'done'}: {summary['steps']} steps; "
              f"{summary.get('scores_split', 'valid')} {text}; model saved in {out / 'model'}", flush=True)
    return 0
