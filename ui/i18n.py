"""The current UI language and ``t()``, the only way pages get their strings.

The language is kept in ``st.session_state["lang"]`` and mirrored into the
URL (``?lang=zh``) so that a browser refresh or a shared link keeps it.
"""
from __future__ import annotations

import streamlit as st

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate

_KEY = "lang"
_WIDGET_KEY = "lang_switch"


def lang() -> str:
    """The language code in use: session state, else ``?lang=``, else English."""
    if _KEY not in st.session_state:
        from_url = st.query_params.get(_KEY, DEFAULT_LANGUAGE)
        st.session_state[_KEY] = from_url if from_url in LANGUAGES else DEFAULT_LANGUAGE
    return st.session_state[_KEY]


def t(key: str, **fields) -> str:
    """The message ``key`` in the current language (see ``locales/*.json``)."""
    return translate(key, lang(), **fields)


def t_or(key: str, fallback: str) -> str:
    """``t(key)``, or ``fallback`` for a kind registered without its strings yet (a new task, engine ...)."""
    text = t(key)
    return text if text != key else fallback


def language_switch() -> None:
    """A sidebar control that switches every string on every page.

    The chosen code lives under a plain session key, seeded into the widget's
    own key (which Streamlit may drop between page runs), and is mirrored into
    the URL so a refresh or a shared link keeps it.
    """
    current = lang()
    if st.session_state.get(_WIDGET_KEY) not in LANGUAGES:
        st.session_state[_WIDGET_KEY] = current
    choice = st.sidebar.radio(
        "Language / 语言",
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        horizontal=True,
        key=_WIDGET_KEY,
    )
    if choice != current:
        st.session_state[_KEY] = choice
        _reassign_choices()
        current = choice
    if st.query_params.get(_KEY) != current:
        st.query_params[_KEY] = current


def _reassign_choices() -> None:
    """Make every page's radios and selectboxes show their choice in the new language.

    Streamlit keeps a choice widget's state as its displayed label, so once
    the labels are translated the old label matches no option and the widget
    shows nothing selected. Writing each value back before the page draws its
    widgets makes Streamlit store it again under the new labels. Booleans are
    skipped: buttons refuse assigned values and checkboxes have no labels.
    """
    for key in list(st.session_state):
        if key in (_KEY, _WIDGET_KEY):
            continue
        value = st.session_state[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float, list, tuple)):
            continue
        try:
            st.session_state[key] = value
        except st.errors.StreamlitAPIException:
            pass  # a widget that does not accept assigned values keeps its own state
