"""Fixtures for the fine-tune tests: a tiny random BERT (fast on a CPU) and tiny data files."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.finetune.helpers import make_tiny_model, write_separable_csv

# The test machine is shared by many processes; one intra-op thread avoids thread-pool thrashing
# (a 2-layer model step goes from ~1 s to ~30 ms under load).
torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("tiny_bert"))


@pytest.fixture
def separable_csv(tmp_path) -> Path:
    """24 rows of a trivially separable two-class task."""
    return write_separable_csv(tmp_path / "sep.csv")


@pytest.fixture
def tiny_conll(tmp_path) -> Path:
    sents = [
        [("Maria", "B-PER"), ("lives", "O"), ("in", "O"), ("Paris", "B-LOC"), (".", "O")],
        [("John", "B-PER"), ("Smith", "I-PER"), ("visited", "O"), ("Berlin", "B-LOC")],
        [("Acme", "B-ORG"), ("Corp", "I-ORG"), ("hired", "O"), ("Maria", "B-PER")],
        [("Rome", "B-LOC"), ("is", "O"), ("warm", "O")],
    ] * 4
    text = "-DOCSTART- -X- O\n\n" + "\n\n".join("\n".join(f"{w} NN {t}" for w, t in s) for s in sents) + "\n"
    path = tmp_path / "tiny.conll"
    path.write_text(text, encoding="utf-8")
    return path
