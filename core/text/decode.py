"""Bytes -> text: size limits, binary rejection and encoding detection.

Detection looks at a sample from the head of the file (``SNIFF_BYTES``), never
the whole file, so a 1 GB upload is classified in milliseconds. Order:
byte-order marks first (UTF-8/UTF-16/UTF-32), then strict UTF-8, then
charset-normalizer for everything else (GB18030/GBK, Big5, cp1252, ...).
"""
from __future__ import annotations

import codecs
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
    if b"\x00" in head:
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


def detect_encoding(head: bytes) -> str:
    """Return a Python codec name for the bytes sampled from a file's head.

    Returns e.g. ``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"gb18030"``,
    ``"cp1252"``. Raises ``CorpusError`` if no text encoding fits.
    """
    bom = bom_encoding(head)
    if bom is not None:
        return bom
    if _valid_utf8_prefix(head):
        return "utf-8"
    from charset_normalizer import from_bytes

    results = from_bytes(head)
    best = results.best()
    if best is None:
        raise CorpusError(
            "Could not recognise the text encoding. Save the file as UTF-8 (in most editors: Save As -> Encoding -> UTF-8)."
        )
    # Western single-byte code pages often tie (same chaos and coherence: cp1250, cp1252, cp1257 all
    # decode "café" plausibly); charset-normalizer then picks one arbitrarily. Prefer cp1252, by far the
    # most common legacy encoding of English/French/German/Spanish text, when it is among the tied.
    for match in results:
        if match.chaos <= best.chaos + 1e-9 and match.coherence >= best.coherence - 1e-9:
            if "cp1252" in match.could_be_from_charset:
                return "cp1252"
    name = codecs.lookup(best.encoding).name.replace("-", "_")
    return _WIDEN.get(name, best.encoding)


def read_head(path: str | Path, n: int = SNIFF_BYTES) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)
