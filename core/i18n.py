"""The zh/en message catalog, free of Streamlit.

Every user-visible string lives in ``locales/*.json``; each file maps a key
(namespaced by the file, e.g. ``"positional.title"``) to ``{"en": ..., "zh": ...}``.
Strings may hold ``str.format`` fields: ``translate("jobs.queued", "en", k=3)``.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE = "en"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """All messages: ``{key: {lang: text}}`` merged from every locales file.

    A key defined in two files is an error (it would silently shadow one).
    """
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        for key, texts in entries.items():
            if key in merged:
                raise ValueError(f"message key {key!r} is defined twice (second time in {path.name})")
            merged[key] = texts
    return merged


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **fields) -> str:
    """The message ``key`` in ``lang``, formatted with ``fields``.

    Falls back to English, then to the key itself, so a missing string shows
    up as a visible key rather than crashing a page.
    """
    texts = catalog().get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or key
    return text.format(**fields) if fields else text
