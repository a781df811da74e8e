"""The one reader of users' text files and tables; every read returns a reading report.

Used by the word2vec corpus reader (``core.text.corpus``) and the fine-tune
readers, on the pages and in the CLI. Nothing about a file is decided
silently: encoding (and why), format, delimiter, header, rows read and
dropped all land in the ``ReadingReport`` that the page shows
(``ui.reading_report.show``) and the CLI prints (``format_report``).

- ``read_lines(path, *, encoding=None) -> TextLines``: streaming, strict,
  bounded memory, for files up to ``MAX_UPLOAD_BYTES`` (2 GiB).
- ``decode_file(path, *, encoding=None) -> (text, ReadingReport)``: a whole
  (small) file, decoded strictly.
- ``read_table(path, *, delimiter=None, header=None, encoding=None, format=None) -> Table``.
- ``format_report(report) -> str``.

Encoding detection (``core.text.decode.guess_encoding``): BOM, UTF-16
without BOM, UTF-8, then each candidate decoding judged by the East Asian
language it reads as (``core.text.script``); when unsure it raises
``EncodingQuestion`` with the candidates, and every reader takes the user's
``encoding=``. Line endings (LF, CRLF, CR, mixed) are all line breaks
(``core.text.newlines``) and counted. Undecodable bytes are never replaced:
see ``core.text.stream`` for what happens instead.
"""
from __future__ import annotations

import codecs
from pathlib import Path

from core.text.decode import MAX_UPLOAD_BYTES, SNIFF_BYTES, CorpusError, guess_encoding
from core.text.report import Note, ReadingReport, format_report, note
from core.text.newlines import LineEndings, split_lines
from core.text.stream import TextLines, head_language, line_breaks, open_guess, with_language
from core.text.table import Table, parse_delimited, parse_jsonl, table_format

__all__ = [
    "MAX_UPLOAD_BYTES",
    "CorpusError",
    "Note",
    "ReadingReport",
    "Table",
    "TextLines",
    "decode_file",
    "format_report",
    "read_lines",
    "read_table",
]


def read_lines(path: str | Path, *, encoding: str | None = None) -> TextLines:
    """The file's lines (``str``, no line endings), streamed and decoded strictly.

    Re-iterable: each ``iter()`` reads the file again. ``.report`` is the
    ``ReadingReport`` of the last pass (complete once a pass has finished).
    Raises ``CorpusError`` (a ``ValueError``) now for a missing, empty,
    oversized or binary file, and while iterating for a byte that does not
    decode (with the line number and the encoding the rest looks like).
    """
    return TextLines(path, encoding=encoding)


def decode_file(path: str | Path, *, encoding: str | None = None) -> tuple[str, ReadingReport]:
    """A whole file as text (line endings kept, BOM removed), decoded strictly, with its report.

    The encoding is guessed from the head; if a later byte does not decode,
    it is guessed again from the rest of the file (from the failing line) and,
    if that encoding decodes the whole file strictly, used with a note;
    otherwise ``CorpusError`` names the first bad line and the likely encoding.
    For files of at most ``MAX_UPLOAD_BYTES``; the text is held in memory.
    """
    path = Path(path)
    head, guess, codec = open_guess(path, encoding)
    data = path.read_bytes()
    report = with_language(ReadingReport(
        source=path.name,
        encoding=codec,
        encoding_confidence=None if guess is None else guess.confidence,
        encoding_why="" if guess is None else guess.why,
        encoding_why_code="" if guess is None else guess.code,
    ), head_language(head, codec, guess))
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        line = line_breaks(data[: err.start]) + 1
        start = max(data.rfind(b"\n", 0, err.start), data.rfind(b"\r", 0, err.start)) + 1
        whole = None
        # Re-detect on the rest of the file, from the failing line, when everything before it was
        # plain ASCII (so it reads the same in the new encoding); else the file mixes encodings.
        if guess is not None and data[:start].lstrip(codecs.BOM_UTF8).isascii():
            sample = data[start : start + 4 * SNIFF_BYTES]
            try:
                whole = guess_encoding(sample, complete=start + len(sample) >= len(data))
            except CorpusError:
                whole = None
        text = None
        if whole is not None and whole.encoding != codec:
            try:
                text = data.decode(whole.encoding)
            except UnicodeDecodeError:
                text = None
        if text is None:
            shown = " ".join(f"0x{b:02X}" for b in data[err.start : err.end][:4])
            likely = f"; from this line on the file looks like {whole.encoding}" if whole is not None else ""
            raise CorpusError(
                f"{path.name}, line {line}: {shown} is not valid {codec}{likely}. The file mixes encodings or is "
                "damaged: save it again as UTF-8, or choose its encoding explicitly."
            ) from None
        report = report.replace(
            encoding=whole.encoding, encoding_confidence=whole.confidence, encoding_why=whole.why,
            encoding_why_code=whole.code,
        ).with_notes(note(
            "head_guess_wrong",
            "The start of the file looked like {head}, but line {line} is not {head}; the whole file reads as {new}.",
            head=codec, line=line, new=whole.encoding,
        ))
    text = text.lstrip("\ufeff")
    endings = LineEndings()
    endings.count(text)
    return text, report.replace(rows_read=len(split_lines(text)), line_endings=endings.as_tuple())


def read_table(
    path: str | Path,
    *,
    delimiter: str | None = None,
    header: bool | None = None,
    encoding: str | None = None,
    format: str | None = None,
) -> Table:
    """Read a CSV/TSV/semicolon/pipe table or JSON lines into a ``Table`` (DataFrame of str + report).

    ``delimiter``: None sniffs it (``\\t`` for .tsv/.tab files; TSV is read
    with no quoting at all). ``header``: None detects it and says why.
    ``format``: ``"csv"``, ``"tsv"``, ``"jsonl"`` or None (from the
    extension, else the content). Rows with the wrong number of fields are
    dropped and listed (line numbers) in ``table.report.dropped``. Raises
    ``ValueError`` (``CorpusError`` for undecodable or binary files) with the
    line at fault.
    """
    path = Path(path)
    text, report = decode_file(path, encoding=encoding)
    fmt = format or table_format(path.name, text)
    if fmt not in ("csv", "tsv", "jsonl"):
        raise ValueError(f"Cannot read {fmt!r} as a table; choose csv, tsv or jsonl.")
    if not text.strip():
        raise CorpusError(f"{path.name} contains only white space; upload a file with some rows in it.")
    report = report.replace(format=fmt)
    if fmt == "jsonl":
        return parse_jsonl(text, report)
    if fmt == "tsv" and delimiter is None:
        delimiter = "\t"
    return parse_delimited(text, report, delimiter=delimiter, header=header)
