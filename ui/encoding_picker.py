"""The encoding picker: when the reader cannot tell a file's encoding, the page asks the user.

Pages call it in one line where they read a user's file::

    from ui.encoding_picker import encoding_for
    encoding = encoding_for(path, name=upload.name)   # "" = detected, "cp932" = chosen, None = asking now
    if encoding is None:
        ...                                            # show nothing of the file yet

``core.text.sniff`` raises ``core.text.EncodingQuestion`` with the candidates
(encoding, language, first lines); the picker draws each candidate's first
lines side by side (as literal text) and a choice, and remembers what the
user picked for that file (by path, size and time) for the session, with a
button to change it. The page then passes the encoding to the core call,
as the CLI's ``--encoding NAME`` does.
"""
from __future__ import annotations

import os

import streamlit as st

from ui.cache import shared
from ui.i18n import t
from ui.text import md

_STATE = "_chosen_encodings"
LANGUAGE_KEYS = {"zh": "reading.lang.zh", "zh-Hant": "reading.lang.zh-Hant", "ja": "reading.lang.ja",
                 "ko": "reading.lang.ko", "": "reading.lang.en"}


@shared(max_entries=64)
def _candidates(path: str, size: int, mtime: float) -> list[dict] | None:
    """The reader's candidates for a file it cannot decide (None when it can), as plain data."""
    from core.text import EncodingQuestion, sniff

    try:
        sniff(path)
    except EncodingQuestion as question:
        return [{"encoding": c.encoding, "language": c.language, "score": c.score, "preview": list(c.preview)}
                for c in question.candidates]
    except ValueError:
        return None  # any other problem is the page's own call to report
    return None


def _token(path: str) -> str:
    """The file as it is now (path, size, time): a new upload under the same name is asked again."""
    import hashlib

    stat = os.stat(path)
    return hashlib.sha1(f"{path}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]


def remember(path: str, encoding: str) -> None:
    """Take ``encoding`` as the user's pick for ``path`` (a reattached run's own setting)."""
    if encoding and path and os.path.isfile(path):
        st.session_state.setdefault(_STATE, {})[_token(path)] = encoding


def _readable(path: str) -> bool:
    """Class mode: only a file this person may read is previewed (the page's own call reports the refusal)."""
    from core.jobs.uploads import check_readable
    from ui.auth import user as me

    try:
        check_readable(path, user=me())
    except ValueError:
        return False
    return True


def language_name(code: str) -> str:
    """The translated name of a language the reader judged ("ja" -> Japanese / 日语)."""
    return t(LANGUAGE_KEYS.get(code, "reading.lang.en"))


def encoding_for(path: str, *, name: str | None = None, key: str = "enc") -> str | None:
    """The encoding to read ``path`` with: "" (detect), the user's pick, or None while the picker asks.

    ``name``: the file as the user knows it (an upload's own name). ``key``: distinguishes two
    pickers on one page.
    """
    if not path or not os.path.isfile(path) or not _readable(path):
        return ""
    chosen = st.session_state.setdefault(_STATE, {})
    token = _token(path)
    if chosen.get(token):
        left, right = st.columns([3, 2], vertical_alignment="center")
        left.caption(t("reading.picker.chosen", name=md(name or os.path.basename(path)), encoding=chosen[token]))
        if right.button(t("reading.picker.change"), key=f"{key}_change"):
            chosen.pop(token, None)
            st.rerun()
        return chosen[token]
    stat = os.stat(path)
    candidates = _candidates(path, stat.st_size, stat.st_mtime)
    if not candidates:
        return ""
    draw_question(candidates, name or os.path.basename(path), token, key)
    return None


def draw_question(candidates: list[dict], name: str, token: str, key: str) -> None:
    """Each candidate's first lines side by side, and a choice; the pick is stored for ``token``."""
    with st.container(border=True):
        st.warning(t("reading.picker.question", name=md(name)), icon=":material/translate:")
        columns = st.columns(len(candidates))
        for column, candidate in zip(columns, candidates):
            column.markdown(f"**{candidate['encoding']}**")
            column.caption(language_name(candidate["language"]))
            column.code("\n".join(candidate["preview"]) or " ", language=None, wrap_lines=True)
        encodings = [c["encoding"] for c in candidates]
        labels = {c["encoding"]: f"{c['encoding']} ({language_name(c['language'])})" for c in candidates}
        pick = st.radio(t("reading.picker.which"), encodings, format_func=labels.get, horizontal=True,
                        key=f"{key}_pick_{token}")
        if st.button(t("reading.picker.read_as", encoding=pick), type="primary", key=f"{key}_read_{token}"):
            st.session_state.setdefault(_STATE, {})[token] = pick
            st.rerun()
        st.caption(t("reading.picker.cli", encoding=pick))
