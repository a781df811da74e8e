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
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterator

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
        state = _AsciiPass(self.encoding, "utf-8" if self.encoding == "utf-8-sig" else self.encoding,
                           self._base_report(self.encoding))
        self.report = state.report
        with open(self.path, "rb") as fh:
            if state.encoding == "utf-8-sig" and fh.read(3) != codecs.BOM_UTF8:
                fh.seek(0)
            blocks = _Blocks(fh, self.chunk_bytes, self.max_piece_bytes)
            while (next_block := blocks.next()) is not None:
                block, piece = next_block
                text, block = self._decode_block(state, blocks, block, piece)
                if state.ascii_so_far and not block.isascii():
                    state.ascii_so_far = False
                yield from _block_lines(state, text, piece)
                self.report = state.report.replace(rows_read=state.line_no, line_endings=state.endings.as_tuple())
        report = state.report
        if state.long_lines:
            report = report.with_notes(note(
                "long_lines",
                "{n} line(s) longer than {mib} MiB were read in pieces cut at spaces.",
                n=state.long_lines, mib=round(self.max_piece_bytes / 2**20, 2),
            ))
        self.report = report.replace(rows_read=state.line_no, line_endings=state.endings.as_tuple())

    def _decode_block(self, state: _AsciiPass, blocks: _Blocks, block: bytes, piece: bool) -> tuple[str, bytes]:
        """``(text, block)``: ``block`` decoded. A piece that ends inside a character is shortened (the cut
        character goes back to ``blocks``); after a bad byte the pass switches encoding or raises ``CorpusError``."""
        try:
            return block.decode(state.codec), block
        except UnicodeDecodeError as err:
            if piece and err.start >= len(block) - 3:  # a character cut at the piece's end
                blocks.put_back(block[err.start :])
                block = block[: err.start]
                try:
                    return block.decode(state.codec), block
                except UnicodeDecodeError as again:
                    err = again
            return self._switch_encoding(state, blocks, block, err), block

    def _switch_encoding(self, state: _AsciiPass, blocks: _Blocks, block: bytes, err: UnicodeDecodeError) -> str:
        """``block`` decoded in the encoding the rest of the file reads as, the switch noted in the report.

        Only once, only for a guessed encoding, and only when everything before the bad byte was ASCII;
        otherwise ``CorpusError`` names the line and what the rest of the file looks like.
        """
        bad_line = state.line_no + line_breaks(block[: err.start]) + 1
        start = max(block.rfind(b"\n", 0, err.start), block.rfind(b"\r", 0, err.start)) + 1
        blocks.read_ahead(SNIFF_BYTES)
        sample = block[start:] + blocks.pending[:SNIFF_BYTES]
        likely = _likely(sample, complete=blocks.eof and len(blocks.pending) <= SNIFF_BYTES, besides=state.codec)
        prefix_ascii = state.ascii_so_far and block[: err.start].isascii()
        if (self.guess is None or state.switched or not prefix_ascii or likely is None
                or not ascii_compatible(likely.encoding) or not _decodes(block, likely.encoding)):
            raise CorpusError(_undecodable(self.name, bad_line, block[err.start : err.end], state.codec,
                                           likely)) from None
        state.switched = True
        state.codec = likely.encoding
        state.report = state.report.replace(
            encoding=state.codec, encoding_confidence=likely.confidence,
            encoding_why=likely.why, encoding_why_code=likely.code,
        ).with_notes(note(
            "encoding_switch",
            "Lines 1-{ascii_lines} are plain ASCII; line {line} is not {old}, and the rest of "
            "the file reads as {new}, so the whole file is read as {new}.",
            ascii_lines=bad_line - 1, line=bad_line, old=state.encoding, new=state.codec,
        ))
        self.report = state.report
        return block.decode(state.codec)

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


@dataclass
class _AsciiPass:
    """Where one pass over an ASCII-compatible file stands: the codec (after a switch, the new one), the
    report so far, lines read, long lines read in pieces."""

    encoding: str  # the encoding the pass started with
    codec: str
    report: ReadingReport
    switched: bool = False
    ascii_so_far: bool = True
    line_no: int = 0  # complete lines before the current block
    long_lines: int = 0
    in_long: bool = False
    endings: LineEndings = field(default_factory=LineEndings)


class _Blocks:
    """The bytes of an open file in blocks that end at a line ending, or in pieces of one long line."""

    def __init__(self, fh: BinaryIO, chunk_bytes: int, max_piece_bytes: int):
        self.fh = fh
        self.chunk_bytes = chunk_bytes
        self.max_piece_bytes = max_piece_bytes
        self.pending = b""
        self.eof = False

    def next(self) -> tuple[bytes, bool] | None:
        """``(block, piece)``: whole lines (the last one maybe without its line ending at the end of the file),
        or with ``piece`` a part of a longer line cut after a space or tab; None at the end of the file."""
        while True:
            if not self.eof and len(self.pending) < self.max_piece_bytes:
                chunk = self.fh.read(self.chunk_bytes)
                self.eof = not chunk
                self.pending += chunk
            pending, limit = self.pending, self.max_piece_bytes
            newline = _last_newline(pending, limit + 1, self.eof)
            if newline >= 0:
                block, self.pending, piece = pending[: newline + 1], pending[newline + 1 :], False
            elif self.eof:
                block, self.pending, piece = pending, b"", False
            elif len(pending) >= limit:
                cut = max(pending.rfind(b" ", 0, limit), pending.rfind(b"\t", 0, limit))
                cut = cut + 1 if cut > 0 else limit
                block, self.pending, piece = pending[:cut], pending[cut:], True
            else:
                continue
            if block:
                return block, piece
            if self.eof:
                return None

    def read_ahead(self, n: int) -> None:
        """Read up to ``n`` more bytes into ``pending`` (nothing at the end of the file)."""
        if not self.eof:
            more = self.fh.read(n)
            self.eof = not more
            self.pending += more

    def put_back(self, data: bytes) -> None:
        """Make ``data`` the start of the next block."""
        self.pending = data + self.pending


def _block_lines(state: _AsciiPass, text: str, piece: bool) -> Iterator[str]:
    """The lines of a decoded block, counted in ``state``: the unfinished tail of a piece is counted with the
    block that ends its line, and a run of pieces as one long line."""
    parts, tail = take_lines(text, state.endings, final=True)
    if piece:
        if not state.in_long:
            state.long_lines += 1
            state.in_long = True
        for part in parts:
            state.line_no += 1
            yield part
        if tail:
            yield tail
    else:
        for part in parts:
            state.line_no += 1
            state.in_long = False
            yield part
        if tail:  # the file's last line, without a line ending
            state.line_no += 1
            state.in_long = False
            yield tail


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
