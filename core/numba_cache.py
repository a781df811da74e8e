"""Compile UMAP's and pynndescent's numba kernels once per install, not once per process.

numba keeps compiled machine code on disk only for functions decorated with
``cache=True``. pynndescent marks about half of its kernels so; umap-learn
0.5 marks one (its ``smooth_knn_dist``, ``compute_membership_strengths`` and
layout optimisers are recompiled in every new Python process: ~10-40 s of a
busy CPU before the first UMAP picture; lmcinnes/umap#1257 proposes the
same change upstream). :func:`import_umap` imports both libraries while
``numba.njit``/``numba.jit`` default to ``cache=True``, with the cache in a
writable folder we own (``NUMBA_CACHE_DIR``), so the second process loads
the kernels from disk. A kernel numba cannot cache (a closure over dynamic
globals) is compiled as before: numba warns and falls back, nothing breaks.

numba keys each cache entry by the source file's path, size and mtime and by
the CPU, so an upgrade of umap or a different machine never loads stale code.
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import warnings
from pathlib import Path

# Libraries whose kernels we cache (their modules are imported under :func:`cache_by_default`).
CACHED_LIBRARIES = ("pynndescent", "umap")


def cache_root() -> Path:
    """``$EMBEDLAB_CACHE`` or ``~/.cache/embedlab`` (the folder every EmbedLab cache lives under)."""
    return Path(os.environ.get("EMBEDLAB_CACHE") or Path.home() / ".cache" / "embedlab")


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path):
            pass
        return True
    except OSError:
        return False


def configure(cache_dir: str | Path | None = None) -> Path | None:
    """Point ``NUMBA_CACHE_DIR`` at ``<cache_root>/numba`` (or ``cache_dir``); returns it, None if unwritable.

    Must run before numba is imported (numba reads the variable once, at
    import). A ``NUMBA_CACHE_DIR`` the user set is kept. When numba is
    already imported, its config is updated too, which works for kernels
    compiled after this call.
    """
    if os.environ.get("NUMBA_CACHE_DIR") and cache_dir is None:
        return Path(os.environ["NUMBA_CACHE_DIR"])
    path = Path(cache_dir) if cache_dir is not None else cache_root() / "numba"
    if not _writable(path):
        return None  # numba then caches beside the library (if writable) or not at all: only speed is lost
    os.environ["NUMBA_CACHE_DIR"] = str(path)
    if "numba" in sys.modules:
        from numba.core import config

        config.CACHE_DIR = str(path)
    return path


@contextlib.contextmanager
def cache_by_default():
    """Inside the block, ``numba.njit``/``numba.jit`` decorate with ``cache=True`` unless told otherwise."""
    import numba
    from numba.core.errors import NumbaWarning

    real_jit, real_njit = numba.jit, numba.njit

    def _with_cache(real):
        def decorator(*args, **kwargs):
            kwargs.setdefault("cache", True)
            return real(*args, **kwargs)

        decorator.__wrapped__ = real
        return decorator

    numba.jit, numba.njit = _with_cache(real_jit), _with_cache(real_njit)
    try:
        with warnings.catch_warnings():
            # "Cannot cache compiled function ... as it uses dynamic globals": compiled per process, as before.
            warnings.filterwarnings("ignore", message=".*[Cc]annot cache.*", category=NumbaWarning)
            yield
    finally:
        numba.jit, numba.njit = real_jit, real_njit


def import_umap():
    """``import umap`` (and pynndescent) with their kernels cached on disk; returns the ``umap`` module.

    Only the first import in a process decides: if umap was imported
    elsewhere before, its kernels stay uncached in this process.
    """
    if "umap" in sys.modules:
        return sys.modules["umap"]
    configure()
    with cache_by_default():
        import pynndescent  # noqa: F401  (imported first: umap imports it)
        import umap
    return umap


def cached_kernels(cache_dir: str | Path | None = None) -> dict[str, int]:
    """How many cache index files (``.nbi``) each library has in the numba cache: ``{"umap": n, ...}``."""
    root = Path(cache_dir) if cache_dir is not None else Path(os.environ.get("NUMBA_CACHE_DIR") or
                                                                cache_root() / "numba")
    counts = dict.fromkeys(CACHED_LIBRARIES, 0)
    if root.is_dir():
        # numba names each folder after the package and a hash of its path: "umap_3f2a...", "pynndescent_9c1d..."
        for index in root.rglob("*.nbi"):
            top = index.relative_to(root).parts[0]
            for lib in CACHED_LIBRARIES:
                if top == lib or top.startswith(lib + "_"):
                    counts[lib] += 1
    return counts
