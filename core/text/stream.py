"""Streaming strict decoding: lines of a file of any size, in bounded memory, never replacing a byte.

The encoding is guessed from the head of the file (``SNIFF_BYTES``). The whole
stream is then decoded *strictly*. If a byte later in the file does not
decode and everything before it was plain ASCII (so it reads the same in any
ASCII-compatible encoding), the encoding is guessed again from the rest of
the file, the switch is noted in the report, and reading goes on. Otherwise
reading stops with a ``CorpusError`` naming the line and the encoding the
rest of the file looks like.

Memory: the file is read in ``CHUNK_BYTES`` chunks; a line longer than
``MAX_PIECE_BYTES`` (a text8-style corpus on one line) is yielded in pieces
cut at a space (or, with no space, at a character boundary), so memory does
not grow with line length.
"""
from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import Iterator

from core.text.decode import (
    SNIFF_BYTES,
    CorpusError,
    EncodingGuess,
    EncodingQuestion,
    check_size,
    guess_encoding,
    read_head,
    reject_binary,
)
from core.text.newlines import LineEndings, take_lines
from core.text.report import ReadingReport, note

CHUNK_BYTES = 1 << 20  # bytes read per system call
MAX_PIECE_BYTES = 1 << 18  # a longer line is yielded in pieces of at most this many bytes


def ascii_compatible(encoding: str) -> bool:
    """True if ASCII bytes mean the same characters in ``encoding`` (UTF-8, GB18030, cp1252, not UTF-16)."""
    try:
        return b"\n a-Z0\t".decode(encoding) == "\n a-Z0\t" and "\n".encode(encoding) == b"\n"
    except (UnicodeError, LookupError):
        return False


def open_guess(path: str | Path, encoding: str | None = None) -> tuple[bytes, EncodingGuess | None, str]:
    """Check a file (exists, size, not binary) and guess its encoding from the head.

    Returns ``(head, guess, encoding)``; ``guess`` is None when ``encoding`` was given.
    Raises ``CorpusError`` (a ``ValueError``) with a message a user can act on.
    """
    path = Path(path)
    check_size(path)
    head = read_head(path)
    reject_binary(head, path.name)
    if encoding:
        return head, None, check_encoding(encoding)
    complete = len(head) < SNIFF_BYTES
    try:
        guess = guess_encoding(head if complete else _trim_partial(head), complete=complete)
    except EncodingQuestion as question:
        raise question.named(path.name) from None
    return head, guess, guess.encoding


def check_encoding(encoding: str) -> str:
    """``encoding`` if Python knows it (``CorpusError`` naming a few it knows otherwise)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise CorpusError(f"Unknown encoding {encoding!r}; use a name such as utf-8, gb18030, big5, cp932 (Shift-JIS), "
                          "euc_jp, cp949 (EUC-KR), utf-16 or cp1252.") from None
    return encoding


def head_language(head: bytes, encoding: str, guess: EncodingGuess | None = None) -> str:
    """The East Asian language the head of a file reads as ("zh", "zh-Hant", "ja", "ko"), else ""."""
    if guess is not None and guess.language:
        return guess.language
    from core.text.script import language_of

    decoder = codecs.getincrementaldecoder(encoding.replace("-sig", "") if encoding == "utf-8-sig" else encoding)(
        errors="ignore")
    return language_of(decoder.decode(head, final=False).lstrip("\ufeff"))


def with_language(report: ReadingReport, language: str) -> ReadingReport:
    """``report`` saying the text's language; for a language no shipped model reads (ja, ko) a note says so."""
    if not language:
        return report
    report = report.replace(language=language)
    if language in NO_MODEL:
        report = report.with_notes(note(
            f"no_model_{language}", "{language} text: no {language} model ships with EmbedLab, and the English MiniLM "
            "reads most of it as [UNK]; train word2vec or pretrain a model on it.", language=NO_MODEL[language]))
    return report


# Languages EmbedLab reads right but ships no model for (English names; the page translates the note).
NO_MODEL = {"ja": "Japanese", "ko": "Korean"}


def _trim_partial(head: bytes) -> bytes:
    """Cut a sample at its last newline so a multi-byte character is not cut (if there is one)."""
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut > len(head) // 2 else head


class TextLines:
    """The lines of a text file, decoded strictly, re-iterable (each ``iter()`` re-reads the file).

    Yields ``str`` lines without line endings (``\\n``, ``\\r\\n``); empty
    lines are yielded too, so line numbers match the file. A line longer
    than ``max_piece_bytes`` comes as several pieces (noted in the report).
    ``report`` (a ``ReadingReport``) describes the last pass: encoding and
    why, lines read, notes (an encoding switch, long lines). Raises
    ``CorpusError`` while iterating if a byte does not decode.
    """

    def __init__(self, path: str | Path, *, encoding: str | None = None,
                 max_piece_bytes: int = MAX_PIECE_BYTES, chunk_bytes: int = CHUNK_BYTES):
        self.path = Path(path)
        self.name = self.path.name
        head, self.guess, self.encoding = open_guess(self.path, encoding)
        self.language = head_language(head, self.encoding, self.guess)
        self.max_piece_bytes = max(16, int(max_piece_bytes))
        self.chunk_bytes = max(16, int(chunk_bytes))
        self.report = self._base_report(self.encoding)

    def _base_report(self, encoding: str) -> ReadingReport:
        guess = self.guess
        return with_language(ReadingReport(
            source=self.name,
            encoding=encoding,
            encoding_confidence=None if guess is None else guess.confidence,
            encoding_why="" if guess is None else guess.why,
            encoding_why_code="" if guess is None else guess.code,
            format="text",
        ), getattr(self, "language", ""))

    def __iter__(self) -> Iterator[str]:
        if ascii_compatible(self.encoding.replace("-sig", "")):
            return self._ascii_compatible_lines()
        return self._wide_lines()

    # -- UTF-8, GB18030, cp1252, Big5, ...: split at b"\n", which is never part of a multi-byte character
    def _ascii_compatible_lines(self) -> Iterator[str]:
        encoding = self.encoding
        report = self._base_report(encoding)
        self.report = report
        codec = "utf-8" if encoding == "utf-8-sig" else encoding
        switched = False
        ascii_so_far = True
        line_no = 0  # complete lines before the current block
        long_lines = 0
        in_long = False
        endings = LineEndings()
        with open(self.path, "rb") as fh:
            if encoding == "utf-8-sig" and fh.read(3) != codecs.BOM_UTF8:
                fh.seek(0)
            pending = b""
            eof = False
            while True:
                if not eof and len(pending) < self.max_piece_bytes:
                    chunk = fh.read(self.chunk_bytes)
                    eof = not chunk
                    pending += chunk
                newline = _last_newline(pending, self.max_piece_bytes + 1, eof)
                if newline >= 0:
                    block, pending, piece = pending[: newline + 1], pending[newline + 1 :], False
                elif eof:
                    block, pending, piece = pending, b"", False
                elif len(pending) >= self.max_piece_bytes:
                    cut = max(pending.rfind(b" ", 0, self.max_piece_bytes), pending.rfind(b"\t", 0, self.max_piece_bytes))
                    cut = cut + 1 if cut > 0 else self.max_piece_bytes
                    block, pending, piece = pending[:cut], pending[cut:], True
                else:
                    continue
                if not block:
                    if eof:
                        break
                    continue
                try:
                    text = block.decode(codec)
                except UnicodeDecodeError as err:
                    if piece and err.start >= len(block) - 3:  # a character cut at the piece's end
                        pending = block[err.start :] + pending
                        block = block[: err.start]
                        err2 = None
                        try:
                            text = block.decode(codec)
                        except UnicodeDecodeError as again:
                            err2 = again
                        if err2 is None:
                            err = None
                        else:
                            err = err2
                    if err is not None:
                        bad_line = line_no + line_breaks(block[: err.start]) + 1
                        start = max(block.rfind(b"\n", 0, err.start), block.rfind(b"\r", 0, err.start)) + 1
                        if not eof:
                            more = fh.read(SNIFF_BYTES)
                            eof = not more
                            pending += more
                        sample = block[start:] + pending[:SNIFF_BYTES]
                        likely = _likely(sample, complete=eof and len(pending) <= SNIFF_BYTES, besides=codec)
                        prefix_ascii = ascii_so_far and block[: err.start].isascii()
                        if (self.guess is not None and not switched and prefix_ascii and likely is not None
                                and ascii_compatible(likely.encoding) and _decodes(block, likely.encoding)):
                            switched = True
                            codec = likely.encoding
                            report = report.replace(
                                encoding=codec, encoding_confidence=likely.confidence,
                                encoding_why=likely.why, encoding_why_code=likely.code,
                            ).with_notes(note(
                                "encoding_switch",
                                "Lines 1-{ascii_lines} are plain ASCII; line {line} is not {old}, and the rest of "
                                "the file reads as {new}, so the whole file is read as {new}.",
                                ascii_lines=bad_line - 1, line=bad_line, old=encoding, new=codec,
                            ))
                            self.report = report
                            text = block.decode(codec)
                        else:
                            raise CorpusError(_undecodable(self.name, bad_line, block[err.start : err.end],
                                                           codec, likely)) from None
                if ascii_so_far and not block.isascii():
                    ascii_so_far = False
                parts, tail = take_lines(text, endings, final=True)
                if piece:
                    if not in_long:
                        long_lines += 1
                        in_long = True
                    for part in parts:
                        line_no += 1
                        yield part
                    if tail:
                        yield tail
                else:
                    for part in parts:
                        line_no += 1
                        in_long = False
                        yield part
                    if tail:  # the file's last line, without a line ending
                        line_no += 1
                        in_long = False
                        yield tail
                self.report = report.replace(rows_read=line_no, line_endings=endings.as_tuple())
        if long_lines:
            report = report.with_notes(note(
                "long_lines",
                "{n} line(s) longer than {mib} MiB were read in pieces cut at spaces.",
                n=long_lines, mib=round(self.max_piece_bytes / 2**20, 2),
            ))
        self.report = report.replace(rows_read=line_no, line_endings=endings.as_tuple())

    # -- UTF-16/UTF-32: a text wrapper decodes strictly; lines are split in decoded text
    def _wide_lines(self) -> Iterator[str]:
        report = self._base_report(self.encoding)
        self.report = report
        line_no = 0
        carry = ""
        endings = LineEndings()
        max_chars = self.max_piece_bytes // 2
        with open(self.path, "rb") as raw, io.TextIOWrapper(raw, encoding=self.encoding, errors="strict",
                                                               newline="") as fh:
            while True:
                try:
                    chunk = fh.read(max(1, self.chunk_bytes // 2))
                except UnicodeDecodeError:
                    bad = line_no + carry.count("\n") + 1
                    raise CorpusError(_undecodable(self.name, bad, b"", self.encoding, None)) from None
                if not chunk:
                    break
                carry += chunk.lstrip("\ufeff") if line_no == 0 and not carry else chunk
                parts, carry = take_lines(carry, endings, final=False)
                for part in parts:
                    line_no += 1
                    yield part
                while len(carry) > max_chars:
                    cut = carry.rfind(" ", 0, max_chars) + 1 or max_chars
                    yield carry[:cut]
                    carry = carry[cut:]
                self.report = report.replace(rows_read=line_no, line_endings=endings.as_tuple())
        parts, carry = take_lines(carry, endings, final=True)
        for part in parts:
            line_no += 1
            yield part
        if carry:
            line_no += 1
            yield carry
        self.report = report.replace(rows_read=line_no, line_endings=endings.as_tuple())


def line_breaks(data: bytes) -> int:
    """How many line endings (LF, CRLF or CR) ``data`` holds."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _last_newline(data: bytes, limit: int, eof: bool) -> int:
    """Index of the last line-ending byte (LF or CR) before ``limit``, -1 if none.

    A CR as the last byte of ``data`` is not used before the end of the file: the next
    read may start with the LF of its CRLF. Neither byte is ever part of a multi-byte
    character in an ASCII-compatible encoding (trail bytes are 0x40 or more).
    """
    end = min(limit, len(data))
    newline = max(data.rfind(b"\n", 0, end), data.rfind(b"\r", 0, end))
    if newline >= 0 and newline == len(data) - 1 and data[newline] == 0x0D and not eof:
        newline = max(data.rfind(b"\n", 0, newline), data.rfind(b"\r", 0, newline))
    return newline


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _likely(sample: bytes, *, complete: bool, besides: str) -> EncodingGuess | None:
    """The encoding ``sample`` (the rest of a file from a failing line) looks like, other than ``besides``."""
    try:
        guess = guess_encoding(sample if complete else _trim_partial(sample), complete=complete)
    except CorpusError:
        return None
    return None if codecs.lookup(guess.encoding).name == codecs.lookup(besides).name else guess


def _undecodable(name: str, line: int, data: bytes, encoding: str, likely: EncodingGuess | None) -> str:
    shown = " ".join(f"0x{b:02X}" for b in data[:4]) or "a byte"
    message = f"{name}, line {line}: {shown} is not valid {encoding}"
    if likely is not None:
        message += f"; from this line on the file looks like {likely.encoding}"
    return (message + ". The file mixes encodings or is damaged: save it again as UTF-8"
            + (f", or choose the encoding {likely.encoding} explicitly." if likely is not None else "."))
