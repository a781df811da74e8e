"""What a data source string names: a shipped sample, a named dataset, or a file.

Every page, job and CLI takes one string for its data: ``"sample:<name>"`` (or a
bare sample name where the caller passes its samples, as word2vec's corpora do),
``"dataset:<name>"`` (:mod:`core.datasets`), or a path. :func:`parse_source` is
the one place that reads it, so no page splits the string itself::

    parse_source("dataset:msra_ner")                  # Source(kind="dataset", name="msra_ner", ...)
    parse_source("zh", samples=core.text.SAMPLES)     # Source(kind="sample", name="zh", ...)
    parse_source("/data/reviews.csv")                 # Source(kind="file", name="/data/reviews.csv", ...)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SAMPLE_PREFIX = "sample:"
DATASET_PREFIX = "dataset:"
KINDS = ("sample", "dataset", "file")


@dataclass(frozen=True)
class Source:
    """A parsed source: ``kind`` ("sample", "dataset" or "file"), ``name`` (the sample's or dataset's
    name, or the path as given) and ``text`` (the string it came from)."""

    kind: str
    name: str
    text: str

    @property
    def file_name(self) -> str:
        """The last part of a file's path ("" for samples and datasets)."""
        return Path(self.name).name if self.kind == "file" else ""


def parse_source(source, samples=()) -> Source:
    """Which kind of source ``source`` names; a bare name in ``samples`` counts as a sample.

    Nothing is checked here (an unknown dataset is the registry's ValueError when it is
    opened); an empty source is a file with an empty name.
    """
    text = str(source or "")
    if text.startswith(SAMPLE_PREFIX):
        return Source("sample", text[len(SAMPLE_PREFIX):], text)
    if text.startswith(DATASET_PREFIX):
        return Source("dataset", text[len(DATASET_PREFIX):], text)
    if text and text in samples:
        return Source("sample", text, text)
    return Source("file", text, text)


def dataset_source(name: str) -> str:
    """The source string of the named dataset ``name``."""
    return DATASET_PREFIX + name


def sample_source(name: str) -> str:
    """The source string of the shipped sample ``name`` (for readers that take ``sample:`` sources)."""
    return SAMPLE_PREFIX + name
