"""Strings from users shown literally: in Markdown (st.markdown, st.caption, st.info, widget labels, metric
labels) and in HTML (st.html).

Run names, file names, labels, words and column names come from users and
their files. Streamlit renders Markdown in most elements, so ``![x](http://..)``
typed as a run name would show (and fetch) an image in every other student's
browser. :func:`md` escapes Markdown so that the text reads exactly as typed;
use it on every user-made field that goes into a Markdown element::

    st.caption(t("explorer.loaded", name=md(run_name), n=n))

Plotly figures are escaped where they are built (``core.plots.text.plain``),
tables (``st.dataframe``) show cells as plain text already, and exported
tables go through ``core.spreadsheet.neutralise``.
"""
from __future__ import annotations

import html
import re

# What makes Markdown (and Streamlit's Markdown) anywhere in a line, each broken by one backslash:
# emphasis, code, LaTeX, tables, strikethrough and quotes (always); links and images (a ``]`` before ``(``, ``[``
# or ``:``); raw HTML and autolinks (a ``<`` before a letter, ``/``, ``!`` or ``?``); emphasis by ``_``
# (not between two letters, where CommonMark never reads it); bare URLs (GFM autolinks). Plain brackets like ``[MASK]`` and a
# lone ``a < b`` are left as they are.
_ALWAYS = set("\\`*$|~>")
_BLOCK_START = re.compile(r"^(\s*\d*)([#>+\-=.)])")  # a heading, quote, list item or rule at the start


def _needs_escape(text: str, i: int) -> bool:
    ch = text[i]
    after = text[i + 1] if i + 1 < len(text) else ""
    if ch in _ALWAYS:
        return True
    if ch == "]":
        return after in ("(", "[", ":")
    if ch == "<":
        return after.isalpha() or after in ("/", "!", "?")
    if ch == ":":  # mailto: would become a link (GFM autolinks; http:// and www. are broken by _autolink_break)
        return text[max(0, i - 6):i].lower().endswith("mailto")
    if ch == "_":
        before = text[i - 1] if i else ""
        return not (before.isalnum() and after.isalnum())
    return False


# GFM autolinks (``http://``, ``www.``, ``name@host.tld``) are found in the text *after* Markdown has resolved
# backslash escapes (remark-gfm links text nodes), so an escape cannot stop them: an invisible WORD JOINER
# (U+2060) between ``:`` and ``//``, before ``.`` of ``www.`` and before ``@`` breaks the pattern, and the text
# still reads as typed.
_JOINER = "\u2060"
_EMAIL_LOCAL = re.compile(r"[-.\w+]$")


def _autolink_break(text: str, i: int) -> bool:
    ch = text[i]
    if ch == ":":
        return text[i + 1:i + 3] == "//"
    if ch == ".":
        return text[max(0, i - 3):i].lower() == "www"
    if ch == "@":
        return bool(_EMAIL_LOCAL.search(text[:i])) and i + 1 < len(text) and (text[i + 1].isalnum() or text[i + 1] == "-")
    return False


def md(text) -> str:
    """``text`` with Markdown syntax backslash-escaped, on one line: rendered, it reads exactly as ``text``
    (no link, image, emphasis, HTML or autolink is made of it)."""
    text = " ".join(str(text).splitlines())
    out = []
    for i, ch in enumerate(text):
        if _autolink_break(text, i):
            out.append(ch + _JOINER if ch == ":" else _JOINER + ch)
        elif _needs_escape(text, i):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), "".join(out), count=1)


def html_text(text) -> str:
    """``text`` for an HTML element (``st.html``): ``<``, ``>``, ``&`` and quotes as entities."""
    return html.escape(str(text), quote=True)
