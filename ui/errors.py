"""What a page says when core refuses: the translated message of an error that names one, else its words."""
from __future__ import annotations

from ui.i18n import t


def message(err: BaseException) -> str:
    """``err`` in the page's language: class-mode refusals and limits carry ``key``/``fields``
    (``core.jobs.AccessError``, ``core.jobs.LimitError``, ``core.classroom.ClassError``); any
    other ``ValueError`` is shown in core's (English) words."""
    key = getattr(err, "key", None)
    if key:
        text = t(key, **getattr(err, "fields", {}))
        if text != key:
            return text
    return str(err)


def bad_input(err: BaseException) -> str:
    """``t("common.bad_input", message=...)`` for ``err``: what pages pass to ``st.error``."""
    return t("common.bad_input", message=message(err))
