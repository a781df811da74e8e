"""Text -> tokens, for English (regex) and Chinese (jieba word segmentation).

Chinese is written without spaces, so words must be found by a segmenter;
jieba is the standard one. A line is sent to jieba when it contains CJK
characters, so mixed Chinese/English lines work in either language mode
("auto" or "zh"); English words inside Chinese text stay whole.
"""
from __future__ import annotations

import re
import unicodedata

from core.text.normalize import normalize

# CJK Unified Ideographs (+ Extension A, compatibility ideographs).
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Words: letters/digits with inner apostrophes or hyphens ("don't", "e-mail").
_WORD_RE = re.compile(r"\w+(?:['’\-]\w+)*")
# With punctuation kept, every non-space non-word character is its own token.
_WORD_OR_PUNCT_RE = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]")

# Share of CJK characters (among letters) above which a text counts as Chinese.
# Chinese prose is ~90% CJK; English with a few Chinese names is well under 10%.
ZH_THRESHOLD = 0.3

_jieba = None


def _segmenter():
    global _jieba
    if _jieba is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        _jieba = jieba
    return _jieba


def cjk_share(text: str) -> float:
    """Fraction of letter characters in ``text`` that are CJK ideographs (0 for no letters)."""
    letters = sum(1 for ch in text if ch.isalpha())
    if letters == 0:
        return 0.0
    return len(_CJK_RE.findall(text)) / letters


def detect_language(text: str) -> str:
    """``"zh"`` if at least ``ZH_THRESHOLD`` of the letters are CJK, else ``"en"``."""
    return "zh" if cjk_share(text) >= ZH_THRESHOLD else "en"


def is_punctuation(token: str) -> bool:
    """True when every character of ``token`` is punctuation, a symbol, a space or a control character."""
    return all(unicodedata.category(ch)[0] in "PSZC" for ch in token)


def tokenize(line: str, language: str = "en", *, lowercase: bool = True, strip_punctuation: bool = True) -> list[str]:
    """Split one line of text into tokens.

    ``language="en"``: regex words (``don't`` and ``e-mail`` stay whole).
    ``language="zh"``: jieba segmentation for lines containing CJK characters,
    regex words otherwise. With ``strip_punctuation`` punctuation tokens
    (ASCII and full-width, e.g. ``，。！``) are dropped; ``lowercase`` folds
    Latin letters (Chinese has no case). The line is put in Unicode NFKC first
    (``core.text.normalize``): full-width ２０２３ and ＧＤＰ are the words 2023 and gdp.
    """
    line = normalize(line)
    if lowercase:
        line = line.lower()
    if language == "zh" and _CJK_RE.search(line):
        tokens = [tok.strip() for tok in _segmenter().lcut(line)]
        tokens = [tok for tok in tokens if tok]
        if strip_punctuation:
            tokens = [tok for tok in tokens if not is_punctuation(tok)]
        return tokens
    pattern = _WORD_RE if strip_punctuation else _WORD_OR_PUNCT_RE
    return pattern.findall(line)
