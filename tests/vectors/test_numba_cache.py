"""core.numba_cache: the cache folder is ours and writable; umap's kernels land there and load in a new process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import numba_cache

ROOT = Path(__file__).resolve().parents[2]


def test_cache_folder_is_under_embedlab_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDLAB_CACHE", str(tmp_path))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert numba_cache.configure() == tmp_path / "numba"
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "numba")


def test_a_user_setting_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert numba_cache.configure() == tmp_path / "mine"


def test_an_unwritable_folder_is_skipped(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert numba_cache.configure(blocked / "numba") is None


_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from core.numba_cache import cached_kernels, import_umap
from core.vectors.projection.umap import warm_umap
import_umap()
before = cached_kernels()
from numba.core import config
print(json.dumps({{"before": before, "seconds": warm_umap(), "after": cached_kernels(), "dir": config.CACHE_DIR}}))
"""


@pytest.mark.slow
def test_kernels_compiled_by_one_process_load_in_the_next(tmp_path):
    """Two fresh processes: the first fills the cache with umap's and pynndescent's kernels, the second finds them."""
    env = {**os.environ, "EMBEDLAB_CACHE": str(tmp_path)}
    env.pop("NUMBA_CACHE_DIR", None)
    runs, stamps = [], []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT))], env=env, capture_output=True,
                             text=True, timeout=1200, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        stamps.append({str(p): p.stat().st_mtime_ns for p in (tmp_path / "numba").rglob("*.nb[ic]")})
    first, second = runs
    assert first["dir"] == str(tmp_path / "numba")
    assert first["after"]["umap"] >= 5 and first["after"]["pynndescent"] >= 5
    # The second process found every kernel it needed: a miss would have compiled and rewritten a file.
    assert second["before"] == first["after"] == second["after"]
    assert stamps[1] == stamps[0]
