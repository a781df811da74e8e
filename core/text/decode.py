"""Bytes -> text: size limits, binary rejection and encoding detection.

Detection looks at a sample from the head of the file (``SNIFF_BYTES``), never
the whole file, so a 1 GB upload is classified in milliseconds; the stream
reader (``core.text.stream``) then decodes the whole file strictly and
re-detects if a later byte disagrees. Order (``guess_encoding``): byte-order
marks (UTF-8/UTF-16/UTF-32), UTF-16 without BOM, strict UTF-8, then
charset-normalizer's candidates, each decoded strictly and checked for
plausibility in its own language, preferring the encodings our users have
(GB18030 before cp949, cp1252 before other code pages) when several fit.
"""
from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# An upload larger than this is refused before reading (the page and the CLI
# both check it). 2 GiB: large enough for a novel collection or a wiki dump
# slice, small enough that one student cannot fill the shared server's disk.
MAX_UPLOAD_BYTES = 2 * 1024**3

# How much of the head of a file the encoding/binary sniffers look at.
SNIFF_BYTES = 64 * 1024


class CorpusError(ValueError):
    """A file cannot be used as a corpus; the message says why and what to do."""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Magic numbers of common non-text uploads -> what to call them in the message.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"MZ", "a Windows executable"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx, which are ZIPs)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x80\x04\x95", "a Python pickle"),
    (b"\x80\x03", "a Python pickle"),
    (b"ID3", "an MP3 audio file"),
    (b"RIFF", "a RIFF media file (WAV/AVI/WebP)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

# charset-normalizer names -> the codec we decode with. GB2312 and GBK are
# subsets of GB18030, so decoding with the superset never loses characters;
# Latin-1 text is almost always really cp1252 (curly quotes, euro sign).
_WIDEN = {
    "ascii": "utf-8",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "hz": "gb18030",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
}


def check_size(path: str | Path, limit: int = MAX_UPLOAD_BYTES) -> int:
    """Return the file size in bytes; raise ``CorpusError`` if missing, empty or too large."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"File not found: {path}")
    if path.is_dir():
        raise CorpusError(f"{path} is a folder; choose a text, CSV, JSONL or ZIP file.")
    size = path.stat().st_size
    if size == 0:
        raise CorpusError(f"{path.name} is empty (0 bytes); upload a file with some text in it.")
    if size > limit:
        raise CorpusError(
            f"{path.name} is {size / 1024**3:.1f} GiB; the limit is {limit / 1024**3:.1f} GiB. "
            "Split it or use a sample of it."
        )
    return size


def bom_encoding(head: bytes) -> str | None:
    """The encoding announced by a byte-order mark at the start of ``head``, if any."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def binary_kind(head: bytes, *, allow_zip: bool = False) -> str | None:
    """Describe ``head`` if it looks like a binary file (magic number or NUL bytes), else None.

    Text with a UTF-16/32 byte-order mark legitimately contains NUL bytes and is
    not binary.
    """
    if bom_encoding(head) is not None:
        return None
    for magic, what in _MAGIC:
        if head.startswith(magic):
            if allow_zip and magic == b"PK\x03\x04":
                return None
            return what
    if b"\x00" in head and utf16_without_bom(head) is None:
        return "a binary file (it contains NUL bytes)"
    return None


def reject_binary(head: bytes, name: str, *, allow_zip: bool = False) -> None:
    """Raise ``CorpusError`` with a clear message if ``head`` is not text."""
    if not head:
        raise CorpusError(f"{name} is empty; upload a file with some text in it.")
    kind = binary_kind(head, allow_zip=allow_zip)
    if kind is not None:
        raise CorpusError(
            f"{name} looks like {kind}, not text. Upload plain text (.txt), .csv/.tsv, .jsonl or a .zip of .txt files."
        )


def _valid_utf8_prefix(head: bytes) -> bool:
    """True if ``head`` is UTF-8, allowing a multi-byte character cut off at the end."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class EncodingGuess:
    """What ``guess_encoding`` decided: the codec, how sure (0..1) and why, in words."""

    encoding: str  # a Python codec name: "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030", "cp1252", ...
    confidence: float  # 1.0 for a BOM or valid UTF-8; charset-normalizer's 1 - chaos otherwise
    why: str  # English, one sentence: "byte-order mark", "valid UTF-8", ...
    code: str = ""  # the reason as a key (locales/reading.json "reading.why.<code>"): bom, utf16, utf8, ...


def _strict(data: bytes, encoding: str, complete: bool) -> str | None:
    """``data`` decoded strictly (a character cut at the end allowed unless ``complete``), or None."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(data, final=complete)
    except UnicodeDecodeError:
        return None


def _printable_share(text: str) -> float:
    """Share of characters that ordinary text is made of (not controls, unassigned or private use)."""
    if not text:
        return 0.0
    bad = sum(1 for ch in text if unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs") and ch not in "\t\n\r\x0c")
    return 1.0 - bad / len(text)


def utf16_without_bom(head: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` if ``head`` is UTF-16 text without a byte-order mark, else None.

    Recognised when the bytes decode strictly in that byte order to ordinary
    printable text (ASCII, CJK, ...), and NUL bytes sit at the positions
    UTF-16 puts them (high byte of ASCII characters, e.g. newlines), which
    random binary data does not do.
    """
    if len(head) < 4 or b"\x00" not in head:
        return None
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    for encoding, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros == 0 or other > zeros // 10:
            continue
        text = _strict(head[: len(head) - len(head) % 2], encoding, complete=False)
        if text and _printable_share(text) >= 0.99:
            return encoding
    return None


def _cjk(text: str) -> list[str]:
    return [ch for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"]


@functools.lru_cache(maxsize=1)
def _common_hanzi() -> frozenset[str]:
    """GB2312 level 1: the 3,755 most used simplified characters (rows 0xB0-0xD7)."""
    chars = set()
    for b1 in range(0xB0, 0xD8):
        for b2 in range(0xA1, 0xFF):
            try:
                chars.add(bytes((b1, b2)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


@functools.lru_cache(maxsize=1)
def _common_big5() -> frozenset[str]:
    """Big5 "frequently used" characters (0xA440-0xC67E), traditional script."""
    chars = set()
    for b1 in range(0xA4, 0xC7):
        for b2 in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            try:
                chars.add(bytes((b1, b2)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


_SPACED_HAN = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")
_ADJACENT_HAN = re.compile(r"(?=[\u4e00-\u9fff]{2})")


def _unspaced(text: str) -> float:
    """1.0 for Chinese-looking spacing; 0.5 when ideographs are often separated by single spaces.

    Chinese puts no spaces between words; Korean does, so Korean (EUC-KR) bytes
    read as GBK give ideographs in short space-separated groups.
    """
    spaced = len(_SPACED_HAN.findall(text))
    adjacent = len(_ADJACENT_HAN.findall(text))
    return 0.5 if spaced > 0.1 * (spaced + adjacent) else 1.0


def _share(chars: list[str], pool: frozenset[str]) -> float:
    """Share of ``chars`` in ``pool``, scaled down below 4 characters (one or two are no evidence)."""
    if not chars:
        return 0.0
    return sum(ch in pool for ch in chars) / len(chars) * min(1.0, len(chars) / 4)


def _plausible_for_its_language(text: str, encoding: str) -> float:
    """0..1: how much ``text`` (decoded with ``encoding``) looks like real text of that codec's language.

    UTF-16/32 (no BOM): share of ASCII and common Chinese characters.
    Scores from fewer than 4 characters are scaled down (one or two are no evidence).
    Chinese (GB*): share of CJK characters among the 3,755 most common, halved
    when ideographs are often separated by spaces (``_unspaced``).
    Traditional Chinese (Big5): share among Big5's frequent characters, same spacing check.
    Korean: share of Hangul among Hangul + Hanja (modern Korean is almost all Hangul;
    Chinese bytes read as cp949 give a Hangul/Hanja mix).
    Japanese: share of kana among kana + kanji is at least 20% in real text.
    Other (single-byte) codecs: 1 - share of non-ASCII characters that stand next to
    another non-ASCII character (accents sit alone inside Latin words: "café";
    double-byte text read byte by byte gives runs: "½ñÌì"); letters of other
    alphabets (Cyrillic, Greek, ...) may form runs.
    """
    name = codecs.lookup(encoding).name
    text = text[:PLAUSIBILITY_CHARS]
    if name.startswith(("utf-16", "utf-32")):  # no BOM: plausible only as common characters
        common = _common_hanzi() | _common_big5()
        ok = sum(1 for ch in text if ch in common or " " <= ch <= "~" or ch in "\t\r\n")
        return ok / len(text) * min(1.0, len(text) / 4) if text else 0.0
    if name in ("gb2312", "gbk", "gb18030", "hz"):
        return _share(_cjk(text), _common_hanzi()) * _unspaced(text)
    if name in ("big5", "big5hkscs", "cp950"):
        return _share(_cjk(text), _common_big5()) * _unspaced(text)
    if name in ("euc_kr", "cp949", "johab", "iso2022_kr"):
        hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")
        hanja = len(_cjk(text))
        n = hangul + hanja
        return hangul / n * min(1.0, n / 4) if n else 0.0
    if name in ("shift_jis", "cp932", "euc_jp", "euc_jis_2004", "euc_jisx0213", "shift_jis_2004", "shift_jisx0213",
                "iso2022_jp"):
        kana = sum(1 for ch in text if "\u3040" <= ch <= "\u30ff")
        kanji = len(_cjk(text))
        n = kana + kanji
        return min(1.0, 5 * kana / n) * min(1.0, n / 4) if n else 0.0
    runs = _NON_ASCII_RUN.findall(text)
    total = sum(len(r) for r in runs)
    if not total:
        return 1.0
    # Letters of other alphabets (Cyrillic, Greek, Hebrew, Arabic, Thai: above U+036F) form whole words.
    paired = sum(sum(1 for ch in r if not (ch.isalpha() and ord(ch) > 0x36F)) for r in runs if len(r) > 1)
    return 1.0 - paired / total


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


# How much decoded text the plausibility check looks at (enough for a verdict, fast for ~25 candidates).
PLAUSIBILITY_CHARS = 20_000

# Encodings our users' files come in, most likely first (Chinese and Western users):
# when the detector hesitates between candidates that decode the bytes, the
# first of these that gives plausible text wins.
PREFERRED = ("utf-8", "gb18030", "cp1252", "big5", "shift_jis", "cp949")


def guess_encoding(data: bytes, *, complete: bool = False) -> EncodingGuess:
    """Guess the text encoding of ``data`` (a file's head, or the whole file if ``complete``).

    Order: byte-order mark; UTF-16 without BOM (``utf16_without_bom``); valid
    UTF-8; then charset-normalizer's candidates, each decoded strictly and
    checked for plausibility in its own language (``_plausible_for_its_language``),
    preferring ``PREFERRED`` codecs among plausible ones: a short GBK file is
    read as GB18030, not cp949. GB2312/GBK are widened to GB18030 and
    Latin-1 to cp1252 (supersets: nothing decodes differently).
    Raises ``CorpusError`` if no text encoding fits.
    """
    bom = bom_encoding(data)
    if bom is not None:
        return EncodingGuess(bom, 1.0, "byte-order mark", "bom")
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        return EncodingGuess(utf16, 0.9, "UTF-16 without byte-order mark (NUL bytes in UTF-16 positions)", "utf16")
    if _strict(data, "utf-8", complete) is not None:
        if data.isascii():
            return EncodingGuess("utf-8", 1.0, "plain ASCII (read as UTF-8)", "ascii")
        return EncodingGuess("utf-8", 1.0, "valid UTF-8", "utf8")
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    candidates: dict[str, float] = {}  # codec -> charset-normalizer confidence (1 - chaos)
    for match in results:
        for name in [match.encoding, *match.could_be_from_charset]:
            codec = _widen(name)
            candidates.setdefault(codec, max(0.0, 1.0 - match.chaos))
    for codec in PREFERRED[1:]:  # a detector may miss a preferred codec that decodes fine
        candidates.setdefault(codec, 0.0)
    scored = []
    for codec, confidence in candidates.items():
        text = _strict(data, codec, complete)
        if text is None:
            continue
        scored.append((codec, confidence, _plausible_for_its_language(text, codec)))
    if not scored:
        raise CorpusError(
            "Could not recognise the text encoding. Save the file as UTF-8 "
            "(in most editors: Save As -> Encoding -> UTF-8)."
        )
    top = max(s[2] for s in scored)
    tied = [s for s in scored if s[2] >= top - 0.1]  # as plausible as the best: the detector hesitates
    rank = {codec: i for i, codec in enumerate(PREFERRED)}
    codec, confidence, plaus = min(tied, key=lambda s: rank.get(s[0], len(rank)))  # stable: detector order
    others = [s[0] for s in tied if s[0] != codec]
    if plaus < 0.5:
        why, code = "no decoding looks like ordinary text; this one looks least wrong", "doubtful"
        confidence = min(confidence, 0.3)
    elif not others:
        why, code = "the only encoding that decodes to plausible text", "only"
    else:
        shown = ", ".join(others[:3]) + (" ..." if len(others) > 3 else "")
        why, code = f"decodes to plausible text; preferred over {shown}", "preferred"
        confidence = min(confidence, 0.8)
    return EncodingGuess(codec, round(confidence, 3), why, code)


def _widen(name: str) -> str:
    """Python's own name for a codec, widened to its superset where one exists (GBK -> GB18030)."""
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return name
    return _WIDEN.get(canonical.replace("-", "_"), canonical)


def detect_encoding(head: bytes) -> str:
    """Return a Python codec name for the bytes sampled from a file's head.

    Returns e.g. ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"gb18030"``,
    ``"cp1252"`` (see ``guess_encoding`` for how). Raises ``CorpusError`` if
    no text encoding fits.
    """
    return guess_encoding(head).encoding


def read_head(path: str | Path, n: int = SNIFF_BYTES) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)
