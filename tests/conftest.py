"""Shared test fixtures: an isolated runs directory and GPU skipping."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# The explorer warms UMAP in a background thread (~45 s of CPU); tests that need UMAP pay for it themselves.
os.environ.setdefault("EMBEDLAB_WARM_UMAP", "0")
# The app precomputes its pages' defaults at start (models, walks, tokenizers); tests compute what they use.
os.environ.setdefault("EMBEDLAB_WARM_PAGES", "0")


@pytest.fixture
def runs_root(tmp_path, monkeypatch) -> Path:
    """A fresh runs directory, also exported as ``EMBEDLAB_RUNS`` for workers."""
    root = tmp_path / "runs"
    root.mkdir()
    monkeypatch.setenv("EMBEDLAB_RUNS", str(root))
    return root


def pytest_collection_modifyitems(config, items):
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="no CUDA GPU visible")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
