"""Heavy imports done once per server process, in one thread, before visitors need them.

transformers 5 resolves its names lazily (``_LazyModule``) and that is not
thread-safe: two sessions loading their first model at the same moment can
get ``ImportError: cannot import name 'AutoConfig' from 'transformers'`` (seen
in the classroom benchmark with 10 students; the same race is reported in
vllm-project/vllm#40442). ``app.py`` calls :func:`start` on every run (only the
first one starts anything); code that loads a model calls
:func:`transformers_ready` first, which waits for the one import in progress.

The same thread then computes, once, what the first students would otherwise
wait for (70 s for the first ten on the input-layer page in the
classroom benchmark): both shipped models, the example sentences' walks, the
tokenizers trained on the shipped corpora (``ui.input_layer_data.warm``),
MiniLM's vector table for the explorer and UMAP's compiled kernels. It starts with the first page anyone
opens (Streamlit runs no app code before that), so a teacher who opens the app
before the class comes in has it ready. ``EMBEDLAB_WARM_PAGES=0`` skips that.
"""
from __future__ import annotations

import os
import threading

WARM_ENV = "EMBEDLAB_WARM_PAGES"  # "0": do not precompute the pages' defaults at start (tests)
_LOCK = threading.Lock()
_READY = threading.Event()


def transformers_ready() -> None:
    """Import transformers and the Auto classes EmbedLab uses, once; concurrent callers wait."""
    if _READY.is_set():
        return
    with _LOCK:
        if _READY.is_set():
            return
        import transformers  # noqa: F401
        from transformers import (  # noqa: F401
            AutoConfig,
            AutoModel,
            AutoModelForMaskedLM,
            AutoModelForSequenceClassification,
            AutoModelForTokenClassification,
            AutoTokenizer,
            PreTrainedTokenizerFast,
        )
        _READY.set()


def start() -> None:
    """Begin the imports in a background thread (once per process), so the first model page does not wait."""
    from ui.background import start_once

    start_once("embedlab-warmup", _warm)


def _warm() -> None:
    # Not at a lower OS priority: a thread that holds the GIL and is not scheduled stalls every other one.
    try:
        transformers_ready()
    except Exception:  # noqa: BLE001 - a broken install is reported where a model is loaded, with its message
        return
    if os.environ.get(WARM_ENV, "1") == "0":
        freeze_loaded()
        return
    from ui import input_layer_data, vectors_data

    input_layer_data.warm()
    try:
        vectors_data.minilm()
    except Exception:  # noqa: BLE001 - as above: the explorer reports it
        pass
    if os.environ.get("EMBEDLAB_WARM_UMAP", "1") != "0":
        try:  # UMAP's numba kernels: loaded now, not while thirty students sit on the explorer
            from core.vectors.projection import warm_umap

            warm_umap()
        except Exception:  # noqa: BLE001 - the explorer compiles on first use and reports a failure there
            pass
    freeze_loaded()


def freeze_loaded() -> None:
    """Move every object alive now (modules, models, tokenizers) out of the garbage collector's scans.

    They live as long as the server; a full collection over them took seconds (see the ``[runner]``
    note in ``.streamlit/config.toml``). Objects made later (sessions, figures) are collected as usual.
    """
    import gc

    gc.collect()
    gc.freeze()
