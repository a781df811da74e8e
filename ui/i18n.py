"""The current UI language and ``t()``, the only way pages get their strings.

The language is kept in ``st.session_state["lang"]`` and mirrored into the
URL (``?lang=zh``) so that a browser refresh or a shared link keeps it.
"""
from __future__ import annotations

import streamlit as st

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate

_KEY = "lang"


def lang() -> str:
    """The language code in use: session state, else ``?lang=``, else English."""
    if _KEY not in st.session_state:
        from_url = st.query_params.get(_KEY, DEFAULT_LANGUAGE)
        st.session_state[_KEY] = from_url if from_url in LANGUAGES else DEFAULT_LANGUAGE
    return st.session_state[_KEY]


def t(key: str, **fields) -> str:
    """The message ``key`` in the current language (see ``locales/*.json``)."""
    return translate(key, lang(), **fields)


def language_switch() -> None:
    """A sidebar control that switches every string on every page."""
    lang()  # make sure the session value exists before the widget reads it

    def _sync_url() -> None:
        st.query_params[_KEY] = st.session_state[_KEY]

    st.sidebar.radio(
        "Language / 语言",
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=_KEY,
        horizontal=True,
        on_change=_sync_url,
    )
