"""Universal newlines: LF (Unix), CRLF (Windows), CR alone (classic Mac OS, Excel "CSV (Macintosh)") and mixes.

Every path of the one reader splits lines here, so a CR-only file is as many
lines as it has, never one line of 7,000 words (mholt/PapaParse#43), and the
reading report counts which endings the file used (:class:`LineEndings`).
Only CR, LF and CRLF end a line: ``str.splitlines`` also splits at form feeds,
U+2028 and other separators that are part of the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NEWLINE = re.compile(r"\r\n|\r|\n")
NAMES = {"\n": "LF", "\r\n": "CRLF", "\r": "CR"}


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their endings; a final line ending gives no empty last line."""
    lines = NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass
class LineEndings:
    """Counts of each line ending seen: ``LF``, ``CRLF``, ``CR``."""

    lf: int = 0
    crlf: int = 0
    cr: int = 0

    def count(self, text: str) -> None:
        """Add the endings in ``text`` (a CRLF is counted once, as CRLF)."""
        crlf = text.count("\r\n")
        self.crlf += crlf
        self.cr += text.count("\r") - crlf
        self.lf += text.count("\n") - crlf

    def add(self, ending: str) -> None:
        name = NAMES[ending].lower()
        setattr(self, name, getattr(self, name) + 1)

    def as_tuple(self) -> tuple[tuple[str, int], ...]:
        """``(("CRLF", 12), ("LF", 1))``: the endings used, most frequent first (the report's field)."""
        found = [("LF", self.lf), ("CRLF", self.crlf), ("CR", self.cr)]
        return tuple(sorted(((k, n) for k, n in found if n), key=lambda kv: -kv[1]))


def take_lines(buffer: str, endings: LineEndings, *, final: bool) -> tuple[list[str], str]:
    """``(complete lines, rest)`` of ``buffer``; a CR at the very end waits for the next chunk unless ``final``.

    (The next chunk may start with the LF of a CRLF.) Endings are counted into ``endings``.
    """
    lines: list[str] = []
    start = 0
    for m in NEWLINE.finditer(buffer):
        if m.group() == "\r" and m.end() == len(buffer) and not final:
            break
        lines.append(buffer[start:m.start()])
        endings.add(m.group())
        start = m.end()
    return lines, buffer[start:]
