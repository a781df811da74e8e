"""Bytes -> text: size limits, binary rejection and encoding detection.

Detection looks at a sample from the head of the file (``SNIFF_BYTES``), never
the whole file, so a 1 GB upload is classified in milliseconds; the stream
reader (``core.text.stream``) then decodes the whole file strictly and
re-detects if a later byte disagrees. Order (``guess_encoding``): byte-order
marks (UTF-8/UTF-16/UTF-32), UTF-16 without BOM, strict UTF-8, then every
candidate (the East Asian codecs, UTF-16, cp1252 and charset-normalizer's),
each decoded strictly and judged by the language it reads as
(``core.text.script``): the script and language are decided before an
encoding wins, and when two readings come close the user is asked
(``EncodingQuestion``), never told a guess. Among Western code pages that read
alike, cp1252 wins.
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
    "shift_jis": "cp932",
    "euc_kr": "cp949",
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
    language: str = ""  # East Asian text: the language it reads as ("zh", "zh-Hant", "ja", "ko"), else ""


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
    found = []
    for encoding, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros == 0 or other > zeros // 10:
            continue
        text = _strict(head[: len(head) - len(head) % 2], encoding, complete=False)
        if text and _printable_share(text) >= 0.99:
            found.append((encoding, text))
    if len(found) == 1 and max(even, odd) >= FEW_NULS:
        return found[0][0]
    # A few NUL bytes are weak evidence (一 is 00 4E in UTF-16-LE; 준 is C9 00 in UTF-16-BE): the
    # byte order whose text reads as a language wins, if one does.
    texts = [(encoding, text) for encoding in ("utf-16-le", "utf-16-be")
             if (text := _strict(head[: len(head) - len(head) % 2], encoding, complete=False))
             and _printable_share(text) >= 0.99]
    readings = sorted((_judge(encoding, text) for encoding, text in texts), key=lambda r: -r.score)
    if readings and readings[0].score >= SURE and readings[0].language:
        return readings[0].encoding
    return found[0][0] if found else None


# Fewer NUL bytes than this in UTF-16 positions do not by themselves decide the byte order.
FEW_NULS = 4


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _plausible_western(text: str) -> float:
    """0..1: how much a single-byte decoding looks like real text in its alphabet.

    1 - the share of non-ASCII characters that stand next to another non-ASCII
    character: accents sit alone inside Latin words ("café"), double-byte text
    read byte by byte gives runs ("½ñÌì"); letters of other alphabets
    (Cyrillic, Greek, Hebrew, Arabic, Thai: above U+036F) may form whole words.
    """
    text = text[:PLAUSIBILITY_CHARS]
    printable = _printable_share(text)  # control characters are not text (UTF-16 read byte by byte has many)
    runs = _NON_ASCII_RUN.findall(text)
    total = sum(len(r) for r in runs)
    if not total:
        return printable
    paired = sum(sum(1 for ch in r if not (ch.isalpha() and ord(ch) > 0x36F)) for r in runs if len(r) > 1)
    return (1.0 - paired / total) * printable ** 4


# How much decoded text the plausibility check looks at (enough for a verdict, fast for ~25 candidates).
PLAUSIBILITY_CHARS = 20_000

# The legacy East Asian codecs every non-UTF-8 file is also decoded with: each one's reading is judged
# in every East Asian language (core.text.script) before one wins. Supersets first (cp932 reads
# everything Shift-JIS does, cp949 everything EUC-KR does, GB18030 everything GBK does).
EAST_ASIAN = ("gb18030", "big5", "cp932", "euc_jp", "cp949")
# Western code pages, most common first: among equally plausible single-byte readings the first wins.
WESTERN = ("cp1252",)
# A reading wins only this far ahead of every other plausible reading; else the user is asked.
MARGIN = 0.3
# ... and only with at least this score (ordinary text scores about 1).
SURE = 0.5


@dataclass(frozen=True)
class Candidate:
    """One way to read a file the detector could not decide between: shown side by side to the user."""

    encoding: str  # Python codec name
    language: str  # what the text reads as: "zh", "zh-Hant", "ja", "ko", "" (Latin or other alphabets)
    score: float  # 0..1, how ordinary the text looks in that language
    preview: tuple[str, ...]  # the first lines as decoded this way


class EncodingQuestion(CorpusError):
    """Two or more encodings give plausible text and the evidence is too weak to choose: ask the user.

    ``candidates`` (best first) carry the first lines in each reading; pass the chosen
    ``encoding=`` (``--encoding NAME`` in the CLI, the page's picker) to read the file.
    """

    def __init__(self, message: str, candidates: tuple[Candidate, ...]):
        super().__init__(message)
        self.candidates = candidates

    def named(self, name: str) -> "EncodingQuestion":
        """The same question with the file's name in front of its message."""
        return EncodingQuestion(f"{name}: {self}", self.candidates)


@dataclass(frozen=True)
class _Reading:
    encoding: str
    text: str
    language: str
    score: float
    fit: float = 0.0  # East Asian: the share of letters in the language's repertoire (core.text.script)


def _preview(text: str, n: int = 5, width: int = 80) -> tuple[str, ...]:
    from core.text.newlines import split_lines

    lines = [ln for ln in split_lines(text[: 40 * width]) if ln.strip()]
    return tuple(ln[:width] for ln in lines[:n])


def _judge(codec: str, text: str) -> _Reading:
    """The reading of ``text`` (decoded with ``codec``): East Asian languages by ``core.text.script``, else Western."""
    from core.text.script import codec_language, judge

    reading = judge(text[:PLAUSIBILITY_CHARS], prior=codec_language(codec))
    western = _plausible_western(text) if _single_byte(codec) else 0.0
    if reading is not None and reading.cjk >= 0.5:
        score = reading.score * min(1.0, reading.letters / 4)  # one or two characters are little evidence
        if score >= western:
            return _Reading(codec, text, reading.language, round(score, 3), reading.fit)
    return _Reading(codec, text, "", round(western, 3), western)


@functools.lru_cache(maxsize=None)
def _single_byte(codec: str) -> bool:
    try:
        return len(bytes(range(0x80, 0x100)).decode(codec, "replace")) == 128
    except LookupError:
        return False


def _question(readings: list[_Reading]) -> EncodingQuestion:
    from core.text.script import LANGUAGES

    names = {"zh": "Chinese (simplified)", "zh-Hant": "Chinese (traditional)", "ja": "Japanese", "ko": "Korean"}
    # the plausible readings, and any whose letters all belong to a language (a short list of names)
    shown = [r for r in readings if r.score >= 0.15 or r.fit >= 0.9][:4]
    shown += [r for r in readings if r not in shown][: max(0, 2 - len(shown))]
    candidates = tuple(Candidate(r.encoding, r.language, r.score, _preview(r.text)) for r in shown)
    lines = [f"  {c.encoding} ({names.get(c.language, 'Latin or other alphabet') if c.language in LANGUAGES or not c.language else c.language}, "
             f"score {c.score:.2f}): {' / '.join(c.preview[:2])[:70]}" for c in candidates]
    return EncodingQuestion(
        "cannot tell the encoding for sure (too little text, or more than one reading looks like ordinary "
        "text):\n" + "\n".join(lines)
        + f"\nChoose the one that reads right: pass --encoding NAME (e.g. --encoding {candidates[0].encoding}) "
        "or pick it on the page.", candidates)


_ASCII_TEXT = re.compile(rb"[\t\n\r\x0c\x20-\x7e]*")


def _ascii_or_utf16(data: bytes) -> EncodingGuess | None:
    """None when ASCII ``data`` is ASCII text; a UTF-16 guess (or a question) when it is UTF-16 in disguise.

    CJK text in UTF-16 without a BOM and without a line ending can be all bytes below 0x80
    (佐々木 is ``50 4F 05 30 28 67``): ASCII with control characters, or with no space at all.
    """
    ordinary = _ASCII_TEXT.fullmatch(data) is not None
    if ordinary and (len(data) < 4 or len(data) % 2 or any(b in data for b in b" \t\n\r")):
        return None
    readings = sorted((_judge(codec, text) for codec in ("utf-16-le", "utf-16-be")
                       if (text := _strict(data, codec, True)) is not None), key=lambda r: -r.score)
    sure = [r for r in readings if r.language and r.score >= SURE]
    if not sure:
        return None
    if ordinary or len(sure) > 1:  # printable ASCII and plausible CJK both: ask
        ascii_reading = _Reading("utf-8", data.decode("ascii"), "", 0.5 if ordinary else 0.0)
        raise _question([*sure, ascii_reading])
    best = sure[0]
    return EncodingGuess(best.encoding, round(best.score, 3), "reads as ordinary text in its language; "
                         "no other encoding does", "language", best.language)


def guess_encoding(data: bytes, *, complete: bool = False) -> EncodingGuess:
    """Guess the text encoding of ``data`` (a file's head, or the whole file if ``complete``).

    Order: byte-order mark; UTF-16 without BOM (``utf16_without_bom``); valid
    UTF-8; then every candidate (charset-normalizer's, the East Asian codecs
    ``EAST_ASIAN``, UTF-16 without BOM, cp1252) decoded strictly and judged:
    East Asian text by the language it reads as (``core.text.script.judge``:
    a script and language are decided before an encoding wins), single-byte
    text by how its accents sit in words. The best reading wins when it is
    plausible (``SURE``) and ``MARGIN`` ahead of every other reading;
    otherwise ``EncodingQuestion`` (a ``CorpusError``) carries the candidates
    with their first lines, so the user chooses. GB2312/GBK are widened to
    GB18030, Shift-JIS to cp932, EUC-KR to cp949, Latin-1 to cp1252
    (supersets: nothing decodes differently). Raises ``CorpusError`` if no
    text encoding fits.
    """
    bom = bom_encoding(data)
    if bom is not None:
        return EncodingGuess(bom, 1.0, "byte-order mark", "bom")
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        text = _strict(data[: len(data) - len(data) % 2], utf16, complete=False) or ""
        return EncodingGuess(utf16, 0.9, "UTF-16 without byte-order mark (NUL bytes in UTF-16 positions)", "utf16",
                             _judge(utf16, text).language)
    if _strict(data, "utf-8", complete) is not None:
        if data.isascii():
            wide = _ascii_or_utf16(data)
            if wide is not None:
                return wide
            return EncodingGuess("utf-8", 1.0, "plain ASCII (read as UTF-8)", "ascii")
        return EncodingGuess("utf-8", 1.0, "valid UTF-8", "utf8")
    readings = _readings(data, _candidates(data), complete)
    if not readings:
        raise CorpusError(
            "Could not recognise the text encoding. Save the file as UTF-8 "
            "(in most editors: Save As -> Encoding -> UTF-8)."
        )
    return _verdict(readings)


def _candidates(data: bytes) -> list[str]:
    """The codecs to try on ``data`` (repeats possible): the East Asian and Western ones, charset-normalizer's,
    and UTF-16 without BOM when ``data`` has no NUL byte."""
    from charset_normalizer import from_bytes

    candidates: list[str] = [*EAST_ASIAN, *WESTERN]
    for match in from_bytes(data):
        for name in [match.encoding, *match.could_be_from_charset]:
            candidates.append(_widen(name))
    if b"\x00" not in data:  # (with NUL bytes, utf16_without_bom has already looked)
        candidates += ["utf-16-le", "utf-16-be"]
    return candidates


def _readings(data: bytes, candidates: list[str], complete: bool) -> list[_Reading]:
    """The readings of ``data`` in each candidate codec that decodes it strictly, one per distinct text."""
    readings: list[_Reading] = []
    seen_texts: set[str] = set()
    for codec in dict.fromkeys(candidates):
        text = _strict(data[: len(data) - len(data) % 2] if codec.startswith("utf-16") and not complete else data,
                       codec, complete)
        if text is None or text in seen_texts:  # the same text twice (cp932 and shift_jis): judged once
            continue
        seen_texts.add(text)
        readings.append(_judge(codec, text))
    return readings


def _verdict(readings: list[_Reading]) -> EncodingGuess:
    """The guess among ``readings`` (see ``guess_encoding``); ``EncodingQuestion`` when it is not clear-cut."""
    rank = {codec: i for i, codec in enumerate((*EAST_ASIAN, *WESTERN))}
    readings.sort(key=lambda r: (-r.score, rank.get(r.encoding, len(rank))))
    best = readings[0]
    rivals = [r for r in readings[1:] if r.score > best.score - MARGIN and r.score >= 0.25]
    western_tie = best.language == "" and all(r.language == "" for r in rivals)
    if best.score < SURE:
        if any(r.language for r in readings[:3]) and best.score >= 0.15:
            raise _question(readings)
        return EncodingGuess(best.encoding, round(min(best.score, 0.3), 3),
                             "no decoding looks like ordinary text; this one looks least wrong", "doubtful")
    if rivals and not western_tie:
        raise _question(readings)
    if rivals:  # single-byte code pages that read alike: the most common one (cp1252 before others)
        best = min([best, *rivals], key=lambda r: rank.get(r.encoding, len(rank)))
        shown = ", ".join(r.encoding for r in rivals[:3]) + (" ..." if len(rivals) > 3 else "")
        return EncodingGuess(best.encoding, 0.8, f"decodes to plausible text; preferred over {shown}", "preferred")
    if best.language:
        return EncodingGuess(best.encoding, round(best.score, 3), "reads as ordinary text in its language; "
                             "no other encoding does", "language", best.language)
    return EncodingGuess(best.encoding, round(best.score, 3), "the only encoding that decodes to plausible text",
                         "only")


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
