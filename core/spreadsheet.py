"""Cells of exported tables that a spreadsheet would run as formulas, neutralised (CSV injection).

A word from an uploaded file such as ``=HYPERLINK("http://x","click")`` or
``@SUM(A1)`` becomes a live formula when the exported TSV/CSV is opened in a
spreadsheet. OWASP's advice (https://owasp.org/www-community/attacks/CSV_Injection):
prefix every cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return with a single quote, so it is read as text. A cell that is a
plain number (``-0.25``, ``+3``) is left alone: it cannot run, and the vector
files must stay numbers.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise(cell) -> str:
    """``cell`` as text that no spreadsheet evaluates: ``'=1+1`` for ``=1+1``; numbers and text unchanged."""
    text = str(cell)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text
