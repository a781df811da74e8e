"""The gensim engine: gensim's optimised C word2vec on the CPU cores (the reference implementation).

The training code is ``core/word2vec/gensim_engine.py``; this file says what
the engine is to the rest of EmbedLab (CPU only, so its runs wait in the CPU queue).
"""
from __future__ import annotations

import os

from core.word2vec.engines import register
from core.word2vec.engines.base import Engine


@register
class GensimEngine(Engine):
    name = "gensim"
    description = ("gensim's C code on all CPU cores: 6-20x faster than torch on a CPU "
                   "(measured 105-305k vs 11-17k words/s on 2 cores); CPU only")
    preferred_on = ("cpu",)
    order = 20

    def devices(self) -> list[str]:
        return ["cpu"]

    def check_device(self, device) -> str:
        text = "auto" if device in (None, "") else str(device)
        if text in ("auto", "cpu"):
            return "cpu"
        raise ValueError(f"The gensim engine runs on the CPU only, not {text!r}; choose another engine "
                         "to use a GPU.")

    def train(self, sentences, config, *, device="cpu", on_progress=None, should_stop=None, on_epoch_end=None):
        from core.word2vec.gensim_engine import train_gensim

        # A job worker says how many cores this job may use (EMBEDLAB_JOB_THREADS); else all of them.
        workers = int(os.environ.get("EMBEDLAB_JOB_THREADS") or 0) or None
        return train_gensim(sentences, config, on_progress=on_progress, should_stop=should_stop,
                            on_epoch_end=on_epoch_end, workers=workers)
