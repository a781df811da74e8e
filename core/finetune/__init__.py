"""Fine-tune a BERT-family model for text classification or NER.

Public names:

- :class:`FinetuneConfig` (frozen, validated; the field comments are the help text: :func:`field_help`)
- data: :func:`load`, :func:`read_table`, :func:`guess_columns`, :func:`table_to_data`,
  :func:`read_fasttext`, :func:`read_conll`, :func:`to_bio`, :func:`split`, :func:`summarize`,
  :func:`preview`, :data:`SAMPLES`, :class:`TextData`, :class:`TagData`
- :func:`align_labels` (word labels -> sub-word labels, first sub-token labelled, rest -100)
- :func:`train` (the Accelerate loop), :func:`prepare_data`
- reports: :func:`classification_scores`, :func:`ner_scores`
- use: :func:`load_predictor` (playground), :func:`export_zip`, :func:`read_run`
"""
from __future__ import annotations

import json
from pathlib import Path

from core.finetune.config import FinetuneConfig, field_help
from core.finetune.data import (
    SAMPLES, TagData, TextData, detect_format, guess_columns, load, preview, read_conll, read_fasttext,
    read_table, resolve_source, split, summarize, table_to_data, to_bio,
)
from core.finetune.encode import align_labels
from core.finetune.report import classification_scores, ner_scores


def train(*args, **kwargs):
    from core.finetune.trainer import train as _train

    return _train(*args, **kwargs)


def prepare_data(*args, **kwargs):
    from core.finetune.trainer import prepare_data as _prepare

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
    "FinetuneConfig", "field_help", "SAMPLES", "TagData", "TextData", "detect_format", "guess_columns", "load",
    "preview", "read_conll", "read_fasttext", "read_table", "resolve_source", "split", "summarize",
    "table_to_data", "to_bio", "align_labels", "classification_scores", "ner_scores", "train", "prepare_data",
    "load_predictor", "export_zip", "read_run",
]
