"""What a page says when something goes wrong: messages a student can read, details the teacher can find.

- A refusal or bad input (a ``ValueError``): :func:`bad_input` gives the
  ``common.bad_input`` text for ``st.error``. Class-mode refusals and limits carry
  ``key``/``fields`` (``core.jobs.AccessError``, ``core.jobs.LimitError``,
  ``core.classroom.ClassError``, ``core.offline.HubDisabledError``) and are shown
  translated; any other error in core's words. Either way the message is shown
  literally (it quotes file names, columns and words of the user's data) and
  without this server's paths.
- An exception nobody caught never reaches the browser as a traceback: the page
  shows a short message with a code (``E-3F9A1C``) and the server log gets the full
  traceback under the same code, so a teacher can find it from what a student reads
  out. ``.streamlit/config.toml`` sets ``client.showErrorDetails = "none"`` for
  anything that still slips past (Streamlit then shows a generic line and logs it).

    errors.guard(navigation.run)   # app.py: every page
    @st.fragment
    @guarded                       # a fragment reruns on its own, outside the page's guard
    def live_block(...): ...
"""
from __future__ import annotations

import functools
import logging
import os
import re
import secrets
import tempfile
from pathlib import Path

import streamlit as st

from ui.i18n import t

LOG = logging.getLogger("embedlab")
_PROJECT = str(Path(__file__).resolve().parents[1])


# ------------------------------------------------------------------ messages for bad input and refusals

def _server_roots() -> list[str]:
    roots = [_PROJECT, tempfile.gettempdir(), str(Path.home())]
    runs = os.environ.get("EMBEDLAB_RUNS")
    if runs:
        roots.append(str(Path(runs).expanduser().resolve()))
    return sorted({r for r in roots if r and r != "/"}, key=len, reverse=True)


def scrub(text: str) -> str:
    """``text`` with absolute paths on this server shortened to their last part (``…/name.txt``)."""
    text = str(text)
    for root in _server_roots():
        text = re.sub(re.escape(root) + r"(/[^\s'\"]*)?",
                      lambda m: "…/" + Path(m.group(0)).name if m.group(1) else "…", text)
    return text


def message(err: BaseException | str) -> str:
    """``err`` in the page's language, for a Markdown element: translated when the error names a
    message (``err.key`` with ``err.fields``), else core's (English) words; server paths taken out,
    and everything from the user's data shown as text (``ui.text.md``)."""
    from ui.text import md

    key = getattr(err, "key", None)
    if isinstance(key, str) and key:
        fields = {name: md(scrub(value)) if isinstance(value, str) else value
                  for name, value in (getattr(err, "fields", None) or {}).items()}
        try:
            text = t(key, **fields)
        except (KeyError, IndexError, ValueError):
            text = key  # a message whose fields do not match: the error's own words below
        if text != key:
            return text
    return md(scrub(str(err)))


def bad_input(err: BaseException | str) -> str:
    """``t("common.bad_input", message=...)`` for ``err``: what pages pass to ``st.error``."""
    return t("common.bad_input", message=message(err))


# ------------------------------------------------------------------ unexpected errors: a code, the log

def _ensure_handler() -> None:
    """Streamlit configures its own loggers only; ours must reach the server's console too.

    When the root logger has a handler (a deployment's logging setup, pytest), records go there instead.
    """
    LOG.setLevel(logging.INFO)
    if LOG.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    LOG.addHandler(handler)
    LOG.propagate = False


def new_code() -> str:
    """A short code to read out: ``E-`` and six hex digits."""
    return "E-" + secrets.token_hex(3).upper()


def report(err: BaseException, where: str = "") -> str:
    """Log ``err`` with its traceback under a new code; return the code."""
    _ensure_handler()
    code = new_code()
    LOG.error("error %s on %s: %s: %s", code, where or "a page", type(err).__name__, err, exc_info=err)
    return code


def show(err: BaseException, where: str = "") -> str:
    """The student's message for an unexpected error (code only, no details); returns the code."""
    code = report(err, where)
    st.error(t("common.internal_error", code=code), icon=":material/error:")
    return code


def guard(run, where: str = "") -> None:
    """Call ``run()``; an ``Exception`` from it becomes :func:`show`'s message.

    Streamlit's own control flow (``st.stop``, ``st.rerun``) derives from
    ``BaseException`` and passes through untouched.
    """
    from streamlit.errors import FragmentHandledException

    try:
        run()
    except FragmentHandledException:
        raise  # Streamlit has shown and logged it already (a fragment without @guarded)
    except Exception as err:  # noqa: BLE001 - this is the last line before the browser
        show(err, where)


def guarded(fn):
    """``fn`` with :func:`guard` around each call (for fragments, which rerun outside the page's guard)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - as in guard()
            show(err, getattr(fn, "__qualname__", ""))
            return None

    return wrapper
