"""Shared AppTest helpers: open a page script in a language (optionally reattached to a run), find a widget."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def open_page(script: str, lang: str = "en", run: str | None = None, timeout: float = 180) -> AppTest:
    """``script`` run once with the UI language ``lang`` and ``?run=run`` when given."""
    at = AppTest.from_file(script, default_timeout=timeout)
    at.session_state["lang"] = lang
    if run is not None:
        at.query_params["run"] = run
    return at.run()


def widget(at, kind: str, key: str):
    """The widget of ``kind`` whose key is ``key`` (inputs with per-source defaults are keyed ``key@<fingerprint>``)."""
    return next(w for w in getattr(at, kind) if w.key == key or str(w.key).startswith(key + "@"))
