"""Fine-tune a BERT-family model for any registered task (text classification, NER, ...).

Public names:

- :class:`FinetuneConfig` (frozen, validated; the field comments are the help text: :func:`field_help`)
- :mod:`core.finetune.tasks`: the task registry (``tasks.get(name)``, ``tasks.names()``); each task owns its
  readers, labels, encoding, head, collator, scores, report and playground prediction
- data: :func:`load` (one file -> ``(data, report)``), :func:`inspect` (the page's data section),
  :func:`split`, :func:`resolve_source`, :data:`SAMPLES`
- :func:`train` (the Accelerate loop: prepare / build / loop / finish), :func:`prepare_data`
- reports: :func:`classification_scores`, :func:`ner_scores`
- use: :func:`load_predictor` (playground), :func:`export_zip`, :func:`read_run`
"""
from __future__ import annotations

import json
from pathlib import Path

from core.finetune import tasks
from core.finetune.config import FinetuneConfig, field_help
from core.finetune.data import SAMPLES, DataView, detect_format, display_name, inspect, load, resolve_source, split
from core.finetune.report import classification_scores, ner_scores
from core.finetune.tasks import ReadOptions


def train(*args, **kwargs):
    from core.finetune.trainer import train as _train

    return _train(*args, **kwargs)


def prepare_data(*args, **kwargs):
    from core.finetune.trainer import prepare as _prepare

    return _prepare(*args, **kwargs)


def load_predictor(path):
    from core.finetune.predict import load_predictor as _load

    return _load(path)


def export_zip(run_dir):
    from core.finetune.predict import export_zip as _export

    return _export(run_dir)


def read_run(run_dir: str | Path) -> dict:
    """What a finished (or stopped) run left: ``{"summary", "report", "has_model", "has_checkpoint"}``."""
    run_dir = Path(run_dir)

    def read(name):
        path = run_dir / name
        try:
            return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
        except (OSError, json.JSONDecodeError):
            return None

    return {
        "summary": read("train_summary.json"),
        "report": read("report.json"),
        "has_model": (run_dir / "model" / "config.json").is_file(),
        "has_checkpoint": (run_dir / "checkpoint" / "trainer_state.json").is_file(),
    }


__all__ = [
    "FinetuneConfig", "field_help", "tasks", "ReadOptions", "SAMPLES", "DataView", "detect_format", "display_name",
    "inspect", "load", "resolve_source", "split", "classification_scores", "ner_scores", "train", "prepare_data",
    "load_predictor", "export_zip", "read_run",
]
