"""The fine-tune configuration: one frozen dataclass, one comment per field.

The comment after each field is its help text: the page shows it next to the
widget and ``python -m core finetune --help`` prints it (see :func:`field_help`).
Defaults finish in a few minutes on a 2-core CPU for the shipped samples.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from core import settings
from core.finetune import tasks

PRECISIONS = ("auto", "no", "fp16", "bf16")


@dataclass(frozen=True)
class FinetuneConfig:
    task: str = "classification"  # "classification" gives one label per text; "ner" gives one tag per word (CoNLL data).
    train_file: str = "sample:sentiment"  # Training data: a file path, a shipped sample ("sample:sentiment", "sample:ner") or a named dataset ("dataset:msra_ner").
    train_name: str = ""  # The training file's name as you know it (an upload is stored under a content hash); shown in the runs table.
    valid_file: str = ""  # Optional validation file; when empty, a stratified part of the training file is held out.
    test_file: str = ""  # Optional test file for the final report; when empty, a part of the training file is held out.
    file_format: str = "auto"  # auto, csv, tsv, jsonl, fasttext (__label__x text) or conll; auto looks at the extension and content.
    delimiter: str = ""  # Column separator of a table: , ; | or \t for a tab; empty means sniff it from the file.
    no_header: bool = False  # The table has no header row: its first row is data, and the columns are numbered.
    text_col: str = ""  # Column holding the text (csv/tsv/jsonl); empty means find it by its name (text, sentence, review...) and show it.
    text_pair_col: str = ""  # Optional second text column for sentence pairs (e.g. premise/hypothesis); empty means none.
    label_col: str = ""  # Column holding the label (csv/tsv/jsonl); empty means find it by its name (label, class, stars...), else you are asked.
    valid_fraction: float = 0.15  # Share of the training file held out for validation when no validation file is given.
    test_fraction: float = 0.15  # Share of the training file held out for the test report when no test file is given (0 = none).
    max_train_samples: int = 0  # Use at most this many training examples (0 = all); a quick way to make a first run short.
    model: str = "all-MiniLM-L6-v2"  # The pretrained model: the shipped MiniLM (6 layers, fast on a CPU) or a local Hugging Face folder.
    max_length: int = 128  # Longest input in sub-word tokens; longer inputs are cut. Lower it to save memory and time.
    epochs: int = 6  # Passes over the training data; small data sets need several, early stopping may end sooner.
    batch_size: int = 16  # Examples per step on each device; lower it if the GPU runs out of memory.
    grad_accum: int = 1  # Steps whose gradients are summed before one update: effective batch = batch_size x grad_accum x devices.
    learning_rate: float = 1e-4  # Peak learning rate of AdamW: 1e-4 suits small models like MiniLM, 2e-5 to 5e-5 BERT-base. Lower it if the loss becomes NaN.
    weight_decay: float = 0.01  # AdamW weight decay on weight matrices and embedding tables, not on biases or LayerNorm (the rule of every EmbedLab trainer); a mild regulariser.
    warmup_ratio: float = 0.1  # Share of the steps over which the learning rate rises from 0 to its peak, then decays linearly to 0.
    max_grad_norm: float = 1.0  # Gradients are clipped to this norm, which keeps one bad batch from wrecking the model.
    eval_every: int = 0  # Evaluate every this many updates (0 = at the end of each epoch).
    early_stopping: int = 2  # Stop after this many evaluations without improvement of the validation score (0 = never).
    log_every: int = 5  # Write a loss/learning-rate record every this many updates.
    seed: int = 42  # Seed for the split, the shuffling and the new classifier head: the same seed gives the same run.
    mixed_precision: str = "auto"  # auto (bf16 on a GPU that has it, else fp16; none on a CPU), no, bf16 or fp16.
    device: str = "auto"  # auto, cpu, cuda or mps; under `accelerate launch` the launcher decides.
    checkpoint_every: int = 0  # Save a resumable checkpoint every this many updates (0 = at the end of each epoch).
    resume_from: str = ""  # A run folder whose checkpoint to continue from (the same folder to resume in place); empty = fresh start.

    def __post_init__(self) -> None:
        if self.task not in tasks.names():
            raise ValueError(f"unknown task {self.task!r}; known tasks: {', '.join(tasks.names())}.")
        formats = file_formats()
        if self.file_format not in formats:
            raise ValueError(f"file_format must be one of {', '.join(formats)}, not {self.file_format!r}.")
        if len(self.delimiter.replace("\\t", "\t")) > 1:
            raise ValueError(f"delimiter must be one character (or \\t for a tab), not {self.delimiter!r}.")
        if self.mixed_precision not in PRECISIONS:
            raise ValueError(f"mixed_precision must be one of {', '.join(PRECISIONS)}, not {self.mixed_precision!r}.")
        if not str(self.train_file).strip():
            raise ValueError("choose a training file (or the shipped sample).")
        if not 0 <= self.valid_fraction < 1 or not 0 <= self.test_fraction < 1:
            raise ValueError("valid_fraction and test_fraction must be between 0 and 1.")
        if self.valid_fraction + self.test_fraction >= 0.9:
            raise ValueError("valid_fraction + test_fraction leaves less than 10% for training; lower them.")
        if not self.valid_file and self.valid_fraction == 0:
            raise ValueError("give a validation file or a valid_fraction above 0 (early stopping and the report need one).")
        if not 8 <= self.max_length <= 8192:
            raise ValueError(f"max_length must be between 8 and 8192 tokens, not {self.max_length}.")
        for name in ("epochs", "batch_size", "grad_accum", "log_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}.")
        for name in ("max_train_samples", "eval_every", "early_stopping", "checkpoint_every"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, not {getattr(self, name)}.")
        if not 0 < self.learning_rate < 1:
            raise ValueError(f"learning_rate must be between 0 and 1 (typical: 5e-5), not {self.learning_rate}.")
        if self.weight_decay < 0 or not 0 <= self.warmup_ratio < 1 or self.max_grad_norm <= 0:
            raise ValueError("weight_decay must be >= 0, warmup_ratio in [0, 1) and max_grad_norm > 0.")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "FinetuneConfig":
        """Build from a plain dict (config.json); unknown keys are a user error, not silently dropped."""
        return settings.from_dict(cls, values, "fine-tune")


def file_formats() -> tuple[str, ...]:
    """``"auto"`` and every format a registered task reads."""
    return ("auto",) + tuple(dict.fromkeys(f for task in tasks.TASKS.values() for f in task.formats))


def field_help() -> dict[str, str]:
    """``{field name: the comment after it}``, read from this file's source."""
    return settings.field_help(__file__)
