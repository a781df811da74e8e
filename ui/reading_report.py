"""Draw a ``core.text.ReadingReport`` on a page: how a user's file was read, above its preview.

Usage on a page::

    from ui.reading_report import show
    show(table.report)            # or corpus.report, or the report from decode_file

Strings come from ``locales/reading.json`` through ``t``; a doubtful
encoding or dropped rows are drawn as a warning so they are not missed.
"""
from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.text import md


def show(report, *, expanded: bool | None = None) -> None:
    """Draw ``report`` (a ``core.text.report.ReadingReport``) in an expander titled with the file name.

    The expander opens by itself (``expanded=None``) when something needs the
    user's eye: dropped rows, notes, a header decided by guess, an encoding
    guessed with confidence below 80%, CR-only or mixed line endings, or a
    CoNLL column read by its role (an index column, several tag columns).
    """
    if report is None:
        return
    doubtful = report.encoding_confidence is not None and report.encoding_confidence < 0.8
    attention = bool(report.rows_dropped or report.notes or doubtful or (report.header is False)
                     or _decided_for_the_user(report))
    lines = report.lines(t)
    with st.expander(t("reading.title", source=md(report.source or "?")),
                     expanded=attention if expanded is None else expanded, icon=":material/description:"):
        st.markdown("\n".join(f"- {_escape(line)}" for line in lines))
    if doubtful or report.rows_dropped:
        st.warning(md(lines[0]) if doubtful else t("reading.rows", read=report.rows_read, dropped=report.rows_dropped))


def _decided_for_the_user(report) -> bool:
    """Line endings other than LF / CRLF alone, or CoNLL columns whose roles are not the plain word-tag layout."""
    endings = [kind for kind, _ in (report.line_endings or ())]
    roles = {role for _, role, _ in (report.columns_roles or ())}
    return "CR" in endings or len(endings) > 1 or bool(roles & {"index", "tags_other"})


def _escape(text: str) -> str:
    """Keep file content (``*``, ``_``, ``#``, ``<``) from being read as Markdown."""
    for ch in "\\`*_{}[]<>()#+-.!|$~":
        text = text.replace(ch, "\\" + ch)
    return text
