"""Named datasets read from the files installed packages ship (offline), converted once and cached.

    from core import datasets
    datasets.list_datasets(task="ner", language="zh")   # -> [Dataset, ...], registry order
    ds = datasets.get("msra_ner")                        # ValueError naming the known ones
    ds.files()   # {"train": .../train.conll, "valid": ..., "test": ...}  (converted on first use)
    datasets.resolve_source("dataset:peoples_daily")     # -> Dataset, or None for a plain path

Formats (see ``core.datasets.base``): corpus -> one sentence per line, words
separated by spaces (``Dataset.segmented`` True: do not segment again);
classification -> CSV ``text,label``; ner -> CoNLL ``token TAG`` (BIO), blank
line between sentences. Splits are a seeded shuffle (80/10/10, seed 42)
unless the package ships its own test file.
"""
from __future__ import annotations

from core.datasets.base import LANGUAGES, SEED, SPLITS, TASKS, Built, Dataset
from core.datasets.catalog import DATASETS

SOURCE_PREFIX = "dataset:"


def list_datasets(task: str | None = None, language: str | None = None) -> list[Dataset]:
    """Registered datasets, optionally only one task ("corpus"/"classification"/"ner") or language ("en"/"zh")."""
    if task is not None and task not in TASKS:
        raise ValueError(f"Unknown task {task!r}; choose one of: {', '.join(TASKS)}.")
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"Unknown language {language!r}; choose one of: {', '.join(LANGUAGES)}.")
    return [d for d in DATASETS.values()
            if (task is None or d.task == task) and (language is None or d.language == language)]


def get(name: str) -> Dataset:
    """The dataset called ``name`` (a leading ``dataset:`` is accepted); ``ValueError`` naming the known ones."""
    key = name[len(SOURCE_PREFIX):] if name.startswith(SOURCE_PREFIX) else name
    return DATASETS.get(key)


def is_dataset_source(source) -> bool:
    """True for a source string ``"dataset:<name>"`` (the name is not checked)."""
    return isinstance(source, str) and source.startswith(SOURCE_PREFIX)


def resolve_source(source) -> Dataset | None:
    """``"dataset:<name>"`` -> its ``Dataset`` (``ValueError`` for an unknown name); anything else -> None."""
    return get(source) if is_dataset_source(source) else None


__all__ = ["DATASETS", "Dataset", "Built", "SEED", "SPLITS", "TASKS", "LANGUAGES", "SOURCE_PREFIX",
           "list_datasets", "get", "is_dataset_source", "resolve_source"]
