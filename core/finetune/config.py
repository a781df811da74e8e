"""The fine-tune configuration: one frozen dataclass, each field declaring its settings schema.

Every field is a :func:`core.settings.setting`: its bounds, step, choices and whether it
is "advanced", with its label and help in ``locales/finetune.json`` (``finetune.hp.<field>``,
``finetune.help.<field>``, en and zh). The page's form (``ui.form``), ``python -m core
finetune --help`` and the validation below all read that one declaration. Fields with
``form=False`` are drawn by the page's data section (files, columns, reading options).
Defaults finish in a few minutes on a 2-core CPU for the shipped samples.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from core import settings
from core.finetune import tasks
from core.settings import setting

PRECISIONS = ("auto", "no", "fp16", "bf16")
DEVICES = ("auto", "cpu", "cuda", "mps")


def file_formats() -> tuple[str, ...]:
    """``"auto"`` and every format a registered task reads."""
    return ("auto",) + tuple(dict.fromkeys(f for task in tasks.TASKS.values() for f in task.formats))


@dataclass(frozen=True)
class FinetuneConfig:
    STRINGS: ClassVar[str] = "finetune"

    # -- the data (drawn by the page's data section, not the generic form)
    task: str = setting("classification", choices=tasks.TASKS, widget="radio", form=False)
    train_file: str = setting("sample:sentiment", flags=("--train",), form=False)
    train_name: str = setting("", form=False)
    valid_file: str = setting("", flags=("--valid",), form=False)
    test_file: str = setting("", flags=("--test",), form=False)
    file_format: str = setting("auto", choices=file_formats, flags=("--format",), form=False)
    delimiter: str = setting("", form=False)
    no_header: bool = setting(False, form=False)
    encoding: str = setting("", form=False)  # "": detect (asked when it cannot be told); else a codec name
    text_col: str = setting("", form=False)
    text_pair_col: str = setting("", form=False)
    label_col: str = setting("", form=False)
    # -- the model and its training
    model: str = setting("all-MiniLM-L6-v2", form=False)  # the page's model picker draws it
    epochs: int = setting(6, low=1, high=10_000)
    batch_size: int = setting(16, low=1, high=65_536)
    learning_rate: float = setting(1e-4, low=1e-8, high=1.0, step=1e-5, fmt="%.0e", flags=("--lr",))
    max_length: int = setting(128, low=8, high=8192, step=8, unit="tokens")
    grad_accum: int = setting(1, low=1, high=4096, advanced=True)
    weight_decay: float = setting(0.01, low=0.0, high=10.0, step=0.01, advanced=True)
    warmup_ratio: float = setting(0.1, low=0.0, high=0.99, step=0.05, advanced=True)
    early_stopping: int = setting(2, low=0, high=1000, zero="never", advanced=True)
    valid_fraction: float = setting(0.15, low=0.0, high=0.85, step=0.05, advanced=True)
    test_fraction: float = setting(0.15, low=0.0, high=0.85, step=0.05, zero="none", advanced=True)
    max_train_samples: int = setting(0, low=0, high=10_000_000, step=100, zero="all", advanced=True)
    max_eval_samples: int = setting(0, low=0, high=10_000_000, step=100, zero="all", advanced=True)
    seed: int = setting(42, low=0, high=2**32 - 1, advanced=True)
    mixed_precision: str = setting("auto", choices=PRECISIONS, advanced=True)
    device: str = setting("auto", choices=DEVICES, advanced=True)  # under `accelerate launch` the launcher decides
    eval_every: int = setting(0, low=0, high=10_000_000, zero="each epoch", advanced=True)
    log_every: int = setting(5, low=1, high=1_000_000, advanced=True)
    max_grad_norm: float = setting(1.0, low=0.001, high=1000.0, step=0.1, advanced=True)
    checkpoint_every: int = setting(0, low=0, high=10_000_000, zero="each epoch", advanced=True)
    resume_from: str = setting("", cli=False, form=False)  # the CLI's --resume RUN_ID; the page's Resume button
    keep_checkpoint: bool = setting(False, advanced=True)  # a finished run drops checkpoint/ unless set

    def __post_init__(self) -> None:
        settings.validate(self)
        if len(self.delimiter.replace("\\t", "\t")) > 1:
            raise ValueError(f"delimiter must be one character (or \\t for a tab), not {self.delimiter!r}.")
        if self.encoding:
            from core.text.stream import check_encoding

            check_encoding(self.encoding)
        if not str(self.train_file).strip():
            raise ValueError("choose a training file (or the shipped sample).")
        if self.valid_fraction + self.test_fraction >= 0.9:
            raise ValueError("valid_fraction + test_fraction leaves less than 10% for training; lower them.")
        if not self.valid_file and self.valid_fraction == 0:
            raise ValueError("give a validation file or a valid_fraction above 0 (early stopping and the report need one).")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "FinetuneConfig":
        """Build from a plain dict (config.json); unknown keys are a user error, not silently dropped."""
        return settings.from_dict(cls, values, "fine-tune")


def resumed(saved: dict, run_id: str, changes: dict | None = None) -> FinetuneConfig:
    """The config that continues run ``run_id`` from its checkpoint: its saved config (config.json's
    ``config``), with ``changes`` (e.g. the CLI flags a user gave) on top. ValueError when it no longer validates."""
    return FinetuneConfig.from_dict({**saved, **(changes or {}), "resume_from": run_id})


def field_help(lang: str = "en") -> dict[str, str]:
    """``{field name: its help text}`` in ``lang`` (``finetune.help.<field>`` in locales/finetune.json)."""
    return {spec.name: settings.help_text(spec, lang) for spec in settings.schema(FinetuneConfig)}
