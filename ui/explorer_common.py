"""What the explorer's tabs share: plot options, small text helpers, the stamp of a run's files."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.i18n import catalog
from ui.i18n import t
from ui.errors import bad_input

MINILM = "minilm"
PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "embedlab"}}


def stamp(path: Path) -> float:
    """Changes when the run's vectors or snapshots change, so caches follow a re-trained run."""
    stamps = [p.stat().st_mtime for p in (path / "vectors.bin", path / "snapshots") if p.exists()]
    return max(stamps, default=0.0)


def words_of(text: str) -> list[str]:
    """The words typed in a box, split on spaces and (Chinese or Latin) commas."""
    return [w for w in text.replace(",", " ").replace("，", " ").split() if w]


def bad(err: Exception) -> None:
    st.error(bad_input(err))


def text(key: str, fallback: str, **fields) -> str:
    """``t(key)`` when the locales have ``key``, else ``fallback`` (a kind registered without strings)."""
    return t(key, **fields) if key in catalog() else fallback.format(**fields) if fields else fallback


def run_label(run: dict) -> str:
    return f"{run.get('name') or run['id']} · {run['id']}"
