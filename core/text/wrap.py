"""Join Chinese prose that was wrapped over several physical lines back into sentences.

Chinese novels and notes saved as .txt are often hard-wrapped at a fixed
width, so a word can be cut by a line break (这 / 些). Segmenting each
physical line then splits that word. ``join_wrapped`` joins the lines of a
paragraph: a blank line or a line ending in sentence-final punctuation
(。！？…； and the ASCII ones, before closing quotes/brackets) ends a
sentence, and so does a break that is not between two Chinese characters
(an English title line stays its own sentence). Joined lines get no space. ``looks_wrapped`` decides from a sample whether a file is wrapped
prose (so a file with one sentence per line and no final punctuation, such
as a segmented corpus, is left alone).
"""
from __future__ import annotations

import re
import statistics
from typing import Iterable, Iterator

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_CLOSERS = "”’」』）)》〉】\"'"
_ENDS = "。！？!?…；;"

# Hard-wrapped prose is wrapped at this many characters or more (editors wrap at 20 to 80; a list of names or words is shorter).
MIN_WRAP_WIDTH = 8

# A joined sentence longer than this (characters) is ended anyway, so memory stays bounded.
MAX_JOINED_CHARS = 10_000


def ends_sentence(line: str) -> bool:
    """True if ``line`` ends with sentence-final punctuation (closing quotes/brackets ignored)."""
    stripped = line.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _ENDS


def _runs_on(left: str, right: str) -> bool:
    """True if a line break between ``left`` and ``right`` cuts Chinese prose (CJK on both sides)."""
    return bool(_CJK.match(left[-1:]) and _CJK.match(right[:1])) and not ends_sentence(left)


def join_wrapped(lines: Iterable[str], counts: dict | None = None) -> Iterator[str]:
    """Yield sentences made of consecutive non-blank ``lines`` (see the module docstring).

    ``counts``, if given, receives ``{"lines": physical lines joined, "sentences": sentences yielded}``.
    """
    if counts is not None:
        counts.update(lines=0, sentences=0)
    buffer = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            if buffer:
                if counts is not None:
                    counts["sentences"] += 1
                yield buffer
                buffer = ""
            continue
        if counts is not None:
            counts["lines"] += 1
        if buffer and not _runs_on(buffer, line):
            if counts is not None:
                counts["sentences"] += 1
            yield buffer
            buffer = ""
        buffer = buffer + line
        if ends_sentence(line) or len(buffer) >= MAX_JOINED_CHARS:
            if counts is not None:
                counts["sentences"] += 1
            yield buffer
            buffer = ""
    if buffer:
        if counts is not None:
            counts["sentences"] += 1
        yield buffer


def looks_wrapped(lines: list[str]) -> bool:
    """True if a sample of lines looks like hard-wrapped Chinese prose.

    Wrapped: at least 30% of the non-blank lines with Chinese run on (no final
    punctuation, next line not blank), and those lines are about as long as
    the longest lines (a fixed wrap width), not short titles or list items.
    """
    rows = [ln.strip() for ln in lines]
    open_lengths, lengths = [], []
    for i, line in enumerate(rows):
        if not line or not _CJK.search(line):
            continue
        lengths.append(len(line))
        following = rows[i + 1] if i + 1 < len(rows) else ""
        if following and not ends_sentence(line):
            open_lengths.append(len(line))
    if not lengths or len(open_lengths) < max(1, 0.3 * len(lengths)):
        return False
    width = sorted(lengths)[int(0.9 * (len(lengths) - 1))]
    # a wrap width is a line of prose; a list of names or words (4 characters each) is not wrapped
    return width >= MIN_WRAP_WIDTH and statistics.median(open_lengths) >= 0.8 * width
