"""Sample corpora selectable by name, all offline.

- ``lee``: gensim's ``lee_background.cor`` (Lee news corpus, ~60k tokens).
- ``enwiki``: gensim's shortened English Wikipedia dump, ~450k tokens after
  gensim's ``WikiCorpus`` strips the markup. Parsing wiki markup is slow, so
  the first use extracts it once to a plain text file (one article per line)
  in the cache folder (``$EMBEDLAB_CACHE`` or ``~/.cache/embedlab``); every
  later epoch and run streams that file.
- ``zh``: a Chinese sample written for EmbedLab (``data/zh_sample``, CC0).
"""
from __future__ import annotations

import os
from pathlib import Path

from core.atomic import atomic_write

ENWIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
_REPO = Path(__file__).resolve().parents[2]

# name -> one-line description shown in the UI/CLI help.
SAMPLES: dict[str, str] = {
    "lee": "Lee news corpus (English, ~60k tokens, shipped with gensim)",
    "enwiki": "English Wikipedia sample (~450k tokens, shipped with gensim; extracted once, then cached)",
    "zh": "Chinese sample sentences written for EmbedLab (CC0)",
}


def cache_dir() -> Path:
    """Where extracted samples are cached: ``$EMBEDLAB_CACHE`` or ``~/.cache/embedlab``."""
    root = os.environ.get("EMBEDLAB_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "embedlab")
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def sample_path(name: str) -> Path:
    """The plain-text file behind a sample name (extracting ``enwiki`` on first use)."""
    if name == "lee":
        from gensim.test.utils import datapath

        return Path(datapath("lee_background.cor"))
    if name == "zh":
        return _REPO / "data" / "zh_sample" / "zh_sample.txt"
    if name == "enwiki":
        return _enwiki_text()
    raise ValueError(f"Unknown sample {name!r}; choose one of: {', '.join(SAMPLES)}.")


def _enwiki_text() -> Path:
    from gensim.test.utils import datapath

    target = cache_dir() / "enwiki-sample.txt"
    if target.exists():
        return target
    from gensim.corpora.wikicorpus import WikiCorpus

    # dictionary={} skips building a gensim Dictionary (a second full parse).
    wiki = WikiCorpus(datapath(ENWIKI_FILE), dictionary={}, processes=1)
    # Written through a temporary file in the same folder, then renamed: a crash or a
    # second process extracting at the same time never leaves a half file.
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as out:
            for tokens in wiki.get_texts():
                if tokens:
                    out.write(" ".join(tokens) + "\n")

    atomic_write(target, write)
    return target
