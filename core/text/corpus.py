"""A streamed, re-iterable corpus over an uploaded file, read by the one reader.

``read_corpus(path)`` checks the file (size, binary, encoding, language) from
a sample of its head, then returns a ``Corpus``: iterating it opens the file
again and yields one token list per line / cell / JSON field. Decoding is
strict and streamed (``core.text.stream.TextLines``): memory does not grow
with the file or with line length (a text8-style corpus on one line is read
in pieces), and every training epoch is one fresh pass over the file.
``Corpus.report`` is the reading report (encoding and why, format,
delimiter, header, column, rows read, notes) that the page and CLI show.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from core.text.decode import (
    MAX_UPLOAD_BYTES,
    SNIFF_BYTES,
    CorpusError,
    EncodingGuess,
    EncodingQuestion,
    check_size,
    guess_encoding,
    read_head,
    reject_binary,
)
from core.text.newlines import split_lines
from core.text.normalize import Normalizer
from core.text.report import ReadingReport, note
from core.text.stream import MAX_PIECE_BYTES, TextLines, head_language, open_guess, with_language
from core.text.table import decide_header, sniff_delimiter
from core.text.tokenize import detect_language, is_punctuation, tokenize
from core.text.wrap import join_wrapped, looks_wrapped

# gensim's Cython loop silently truncates sentences longer than 10,000 tokens;
# we split long lines (a Wikipedia article, a novel without line breaks)
# into pieces of this length instead, so no text is dropped.
MAX_SENTENCE_TOKENS = 10_000

# A CSV/TSV column with one of these names is picked when none is given.
_TEXT_COLUMNS = ("text", "sentence", "sentences", "content", "body", "review", "comment", "document", "question")

_KINDS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".zip": "zip",
}

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

# CSV/TSV/JSONL rows are read whole up to this many bytes (longer ones come in pieces);
# plain-text lines longer than core.text.stream.MAX_PIECE_BYTES are read in pieces cut at spaces.
MAX_ROW_BYTES = 64 * 1024**2


def file_kind(path: str | Path) -> str:
    """``"txt"``, ``"csv"``, ``"tsv"``, ``"jsonl"`` or ``"zip"`` from the file extension (default txt)."""
    return _KINDS.get(Path(path).suffix.lower(), "txt")


@dataclass(frozen=True)
class FileInfo:
    """What the upload preview shows about a file, found from a sample of its head."""

    name: str  # file name without folders
    kind: str  # "txt" | "csv" | "tsv" | "jsonl" | "zip"
    size: int  # bytes on disk
    encoding: str  # Python codec used to decode ("utf-8", "gb18030", "cp1252", ...)
    language: str  # "en" | "zh", from the share of CJK characters in the sample
    columns: list[str] = field(default_factory=list)  # csv/tsv header (column_1.. when there is none)
    fields: list[str] = field(default_factory=list)  # jsonl keys of the first record
    default: str | None = None  # the column/field used when none is chosen
    members: list[str] = field(default_factory=list)  # zip: the .txt files inside
    preview: list[str] = field(default_factory=list)  # first few text units, raw
    delimiter: str | None = None  # csv/tsv field separator
    header: bool | None = None  # csv/tsv: does the first row hold column names
    wrapped: bool = False  # txt: Chinese prose wrapped over lines (joined before segmenting)
    report: ReadingReport | None = None  # the reading report so far (rows_read counts the sample)
    excel_sep: bool = False  # csv: the first line is Excel's "sep=;" (skipped)
    json_array: bool = False  # jsonl: the file is one JSON array of objects (read whole)


class Corpus:
    """Re-iterable token stream over a file: each ``iter()`` re-reads the file.

    Yields ``list[str]`` sentences (at most ``MAX_SENTENCE_TOKENS`` tokens,
    never empty). Attributes: ``name``, ``path``, ``kind``, ``encoding``,
    ``language`` ("en"|"zh"), ``passes`` (how many times iteration started),
    ``report`` (``ReadingReport``; after a full pass it counts the rows read).
    """

    # True: iteration also yields [] at each document break (a blank line of a text file; after
    # every row or record of a table). Next-sentence prediction pairs sentences within documents.
    keep_breaks: bool = False

    def __init__(
        self,
        path: str | Path,
        *,
        kind: str,
        encoding: str,
        language: str,
        name: str | None = None,
        column: str | int | None = None,
        field: str | None = None,
        lowercase: bool = True,
        strip_punctuation: bool = True,
        split_language: str = "zh",
        member_encodings: dict[str, str] | None = None,
        delimiter: str = ",",
        header: bool = True,
        excel_sep: bool = False,
        json_array: bool = False,
        join_lines: bool = False,
        segmented: bool = False,
        guess: EncodingGuess | None = None,
        report: ReadingReport | None = None,
    ):
        self.path = Path(path)
        self.kind = kind
        self.language = language
        self.name = name or self.path.name
        self.column = column
        self.field = field
        self.lowercase = lowercase
        self.strip_punctuation = strip_punctuation
        # "zh" runs jieba on lines containing CJK and a regex elsewhere (auto/mixed); "en" never runs jieba.
        self._split_language = split_language
        self._member_encodings = member_encodings or {}
        self._delimiter = delimiter
        self._header = header
        self._excel_sep = excel_sep
        self._json_array = json_array
        self._dropped: list[int] = []  # lines of repeated header rows skipped in the last pass
        self.join_lines = join_lines
        self.segmented = segmented
        self.passes = 0
        self.stopped = None  # why the last bounded pass (sentences(max_units=, deadline=)) ended early
        self._lines = None
        if kind != "zip":
            self._lines = TextLines(self.path, encoding=encoding, max_piece_bytes=MAX_PIECE_BYTES if kind == "txt" else MAX_ROW_BYTES)
            if guess is not None:  # keep the detector's reason, not "as chosen"
                self._lines.guess = guess
                self._lines.report = self._lines._base_report(encoding)
        self._report = report or ReadingReport(source=self.name, encoding=encoding, format=kind)
        self._units_read = 0
        self._wrapped_counts: dict = {}
        self._normalizer: Normalizer | None = None

    @property
    def encoding(self) -> str:
        """The codec the text is decoded with (may change after a pass, see the report's notes)."""
        return self.report.encoding

    def __repr__(self) -> str:
        return f"Corpus({self.name!r}, kind={self.kind!r}, encoding={self.encoding!r}, language={self.language!r})"

    def texts(self) -> Iterator[str]:
        """The raw text units (lines, cells or JSON fields), decoded strictly, one pass over the file."""
        if self.kind == "txt":
            yield from self._lines
        elif self.kind in ("csv", "tsv"):
            lines = iter(self._lines)
            if self._excel_sep:
                next(lines, None)  # Excel's "sep=;" line names the delimiter, it is not a row
            yield from _csv_cells(lines, self._delimiter, self.column, self.name, self._header, self._dropped,
                                  offset=int(self._excel_sep))
        elif self.kind == "jsonl" and self._json_array:
            records = _json_array_records(self.path, self.name, self._lines.encoding)
            yield from _record_values(records, self.field, self.name)
        elif self.kind == "jsonl":
            yield from _jsonl_values(self._lines, self.field, self.name)
        elif self.kind == "zip":
            with zipfile.ZipFile(self.path) as zf:
                for member, encoding in self._member_encodings.items():
                    yield from _zip_member_lines(zf, member, encoding, self.name)
        else:  # pragma: no cover - kinds are fixed by read_corpus
            raise CorpusError(f"Unknown corpus kind {self.kind!r}")

    def _units(self) -> Iterator[str]:
        if not self.join_lines:
            yield from self.texts()
            return
        yield from join_wrapped(self.texts(), self._wrapped_counts)

    def __iter__(self) -> Iterator[list[str]]:
        return self.sentences()

    def sentences(self, max_units: int | None = None, deadline: float | None = None) -> Iterator[list[str]]:
        """One pass: a token list per line / cell / field (what ``iter(corpus)`` yields), optionally bounded.

        ``max_units``: stop after this many text units (lines, cells, fields), counting empty ones;
        ``deadline``: stop at this ``time.monotonic()`` value. A bounded pass that stopped early says
        why in ``self.stopped`` (``"lines"`` or ``"time"``; None after a whole pass), so a preview of a
        file of 100 MiB of blank lines ends on time instead of reading every line.
        """
        import time

        self.passes += 1
        self._units_read = 0
        self._wrapped_counts = {}
        self._dropped = []
        self._normalizer = normalize = Normalizer()
        self.stopped = None
        for text in self._units():
            self._units_read += 1
            if max_units is not None and self._units_read > max_units:
                self._units_read -= 1
                self.stopped = "lines"
                return
            if deadline is not None and self._units_read % 256 == 0 and time.monotonic() > deadline:
                self.stopped = "time"
                return
            text = normalize(text)  # NFKC: full-width ２０２３ / ＧＤＰ are the words 2023 / gdp
            if self.segmented:
                tokens = text.lower().split() if self.lowercase else text.split()
                if self.strip_punctuation:  # full-width ，、（ stand as words in segmented corpora
                    tokens = [tok for tok in tokens if not is_punctuation(tok)]
            else:
                tokens = tokenize(
                    text, self._split_language, lowercase=self.lowercase, strip_punctuation=self.strip_punctuation
                )
            for start in range(0, len(tokens), MAX_SENTENCE_TOKENS):
                yield tokens[start : start + MAX_SENTENCE_TOKENS]
            if self.keep_breaks and (not tokens or self.kind in ("csv", "tsv", "jsonl")):
                yield []  # a document break: a blank line, or the end of a table row / JSON record

    @property
    def report(self) -> ReadingReport:
        """The reading report: what was decided at open, and what the last (possibly partial) pass found.

        ``rows_read`` counts the text units (lines, cells, JSON values or
        joined sentences) of the last pass so far; notes include an encoding
        switch, long lines read in pieces and joined wrapped lines.
        """
        report = self._report
        if self._lines is not None and self.passes:
            lines_report = self._lines.report
            seen = {n.text for n in report.notes}
            report = report.replace(
                encoding=lines_report.encoding,
                encoding_confidence=lines_report.encoding_confidence,
                encoding_why=lines_report.encoding_why,
                encoding_why_code=lines_report.encoding_why_code,
            ).with_notes(*(n for n in lines_report.notes if n.text not in seen))
            if lines_report.line_endings:
                report = report.replace(line_endings=lines_report.line_endings)
        for line in self._dropped:
            report = report.with_dropped(line, note("repeated_header", "the header row again (files joined one "
                                                    "after the other)"))
        nfkc = self._normalizer.note() if self._normalizer is not None else None
        if nfkc is not None:
            report = report.with_notes(nfkc)
        counts = self._wrapped_counts
        if self.join_lines and counts.get("lines", 0) > counts.get("sentences", 0):
            report = report.with_notes(note(
                "wrapped_lines", "Chinese prose wrapped over several lines: {lines} lines were joined into "
                "{sentences} sentences (a blank line or end punctuation ends a sentence).", **counts))
        return report.replace(rows_read=self._units_read)


def _resolve_column(header: list[str], column: str | int | None, name: str) -> int:
    if column is None:
        lowered = [h.strip().lower() for h in header]
        for candidate in _TEXT_COLUMNS:
            if candidate in lowered:
                return lowered.index(candidate)
        return 0
    if isinstance(column, int) or (isinstance(column, str) and column.isdigit() and column not in header):
        index = int(column)
        if not 0 <= index < len(header):
            raise CorpusError(f"{name} has {len(header)} columns; column index {index} does not exist.")
        return index
    if column not in header:
        raise CorpusError(f"{name} has no column {column!r}; its columns are: {', '.join(header)}.")
    return header.index(column)


def _csv_reader(lines: Iterable[str], delimiter: str):
    """``csv.reader`` with the right quoting: none at all for tabs (TSV has no quoting convention)."""
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    return csv.reader((line + "\n" for line in lines), delimiter=delimiter, quoting=quoting)


def _column_names(first: list[str], header: bool) -> list[str]:
    if header:
        return [c.lstrip("\ufeff") for c in first]
    return [f"column_{i + 1}" for i in range(len(first))]


def _csv_cells(lines: Iterable[str], delimiter: str, column: str | int | None, name: str,
               header: bool = True, dropped: list[int] | None = None, offset: int = 0) -> Iterator[str]:
    """The cells of one column; a row that repeats the header (files joined with ``cat``) is skipped,
    its line number appended to ``dropped``."""
    from core.text.table import _header_key

    reader = _csv_reader(lines, delimiter)
    try:
        first = next(reader)
    except StopIteration:
        return
    except csv.Error as err:
        raise CorpusError(f"{name}, line 1: cannot be read as a table ({err}).") from None
    index = _resolve_column(_column_names(first, header), column, name)
    if not header and index < len(first):
        yield first[index]
    names = _header_key(first) if header else None
    try:
        for row in reader:
            if names is not None and _header_key(row) == names:
                if dropped is not None:
                    dropped.append(reader.line_num + offset)
                continue
            if index < len(row):
                yield row[index]
    except csv.Error as err:
        raise CorpusError(f"{name}, line {reader.line_num}: cannot be read as a table ({err}).") from None


# A .json array is parsed whole (JSON lines are streamed): larger ones are refused with a way out.
MAX_JSON_ARRAY_BYTES = 512 * 1024**2


def _json_array_records(path: Path, name: str, encoding: str | None = None) -> list[dict]:
    from core.text.reader import decode_file
    from core.text.table import json_array

    if path.stat().st_size > MAX_JSON_ARRAY_BYTES:
        raise CorpusError(f"{name} is a JSON array of {path.stat().st_size / 1024**2:,.0f} MB; arrays are read whole, "
                          f"up to {MAX_JSON_ARRAY_BYTES // 1024**2} MB. Save it as JSON lines (one object per line).")
    text, _ = decode_file(path, encoding=encoding)
    try:
        return json_array(text, name)[0]
    except ValueError as err:
        raise CorpusError(str(err)) from None


def _record_values(records: list[dict], field_name: str | None, name: str) -> Iterator[str]:
    for number, record in enumerate(records, start=1):
        key = field_name or _default_field(record)
        if key is None or key not in record:
            raise CorpusError(f"{name}, item {number}: no field {key!r}; this object has: "
                              f"{', '.join(record) or 'no fields'}.")
        value = record[key]
        if value is not None:
            yield value if isinstance(value, str) else str(value)


def _jsonl_values(lines: Iterable[str], field_name: str | None, name: str) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise CorpusError(f"{name}, line {number}: not valid JSON ({err.msg}); each line must be one JSON object.")
        if not isinstance(record, dict):
            raise CorpusError(f"{name}, line {number}: expected a JSON object like {{\"text\": \"...\"}}.")
        key = field_name or _default_field(record)
        if key is None or key not in record:
            raise CorpusError(
                f"{name}, line {number}: no field {key!r}; this record has: {', '.join(record) or 'no fields'}."
            )
        value = record[key]
        if value is None:
            continue
        yield value if isinstance(value, str) else str(value)


def _zip_member_lines(zf: zipfile.ZipFile, member: str, encoding: str, name: str) -> Iterator[str]:
    """Lines of one .txt member, decoded strictly (a bad byte names the member and line), streamed from
    the archive: never inflated whole, and a line longer than ``MAX_PIECE_BYTES`` characters comes in
    pieces, so a member of one endless line does not fill the memory."""
    number = 0
    with zf.open(member) as raw:
        wrapper = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline=None)
        try:
            while line := wrapper.readline(MAX_PIECE_BYTES):
                number += 1
                line = line[:-1] if line.endswith("\n") else line
                yield line.lstrip("\ufeff") if number == 1 else line
        except UnicodeDecodeError:
            raise CorpusError(
                f"{name}:{member}, line {number + 1}: not valid {encoding} (the encoding found at the start of this "
                "file). Save it again as UTF-8."
            ) from None


def _default_field(record: dict) -> str | None:
    for candidate in _TEXT_COLUMNS:
        if candidate in record:
            return candidate
    for key, value in record.items():
        if isinstance(value, str):
            return key
    return None


def _head_text(head: bytes, encoding: str, complete: bool) -> str:
    """The sampled head as text; a character cut at the end of the sample is left out, nothing replaced."""
    if not head:
        return ""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(head, final=complete)
    except UnicodeDecodeError as err:
        # The head decodes up to a later bad byte: keep what decodes (the stream reports the byte itself).
        try:
            return head[: err.start].decode(encoding, errors="strict")
        except UnicodeDecodeError:
            return ""


def _sample_lines(text: str, complete: bool) -> list[str]:
    lines = split_lines(text)
    return lines if complete or len(lines) < 2 else lines[:-1]  # the last sampled line may be cut


def sniff(path: str | Path, *, column: str | int | None = None, field: str | None = None,
          encoding: str | None = None) -> FileInfo:
    """Inspect a file for the upload preview without reading all of it.

    ``encoding``: the user's choice (None: detect it; ``core.text.EncodingQuestion`` when that
    cannot be done for sure). Raises ``CorpusError`` for missing, empty, oversized, binary or
    undecodable files, and for csv/jsonl files without usable text.
    """
    path = Path(path)
    size = check_size(path)
    kind = file_kind(path)
    head = read_head(path)
    name = path.name
    if kind == "zip":
        return _sniff_zip(path, size, head, encoding)
    head, guess, encoding = open_guess(path, encoding)
    complete = len(head) < SNIFF_BYTES
    text = _head_text(head, encoding, complete)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CorpusError(f"{name} contains only white space; upload a file with some text in it.")
    language = detect_language(text)
    info = dict(name=name, kind=kind, size=size, encoding=encoding, language=language)
    report = with_language(ReadingReport(
        source=name, encoding=encoding, encoding_confidence=None if guess is None else guess.confidence,
        encoding_why="" if guess is None else guess.why, encoding_why_code="" if guess is None else guess.code,
        format={"txt": "text"}.get(kind, kind)), head_language(head, encoding, guess))
    lines = _sample_lines(text, complete)
    if kind in ("csv", "tsv"):
        return _sniff_table(text, lines, kind, column, info, report)
    if kind == "jsonl" and text.lstrip().startswith("["):  # a .json array of objects: rows, as JSON lines are
        return _sniff_json_array(path, field, info, report)
    if kind == "jsonl":
        return _sniff_jsonl(lines, field, info, report)
    wrapped = language == "zh" and looks_wrapped(lines[:2000])
    units = list(join_wrapped(lines[:200])) if wrapped else lines
    preview = [ln.strip() for ln in units if ln.strip()][:5]
    return FileInfo(**info, preview=preview, wrapped=wrapped, report=report)


def _sniff_table(text: str, lines: list[str], kind: str, column: str | int | None, info: dict,
                 report: ReadingReport) -> FileInfo:
    """The preview of a CSV/TSV file from its sampled head: delimiter, header, columns and the text column's
    first cells."""
    from core.text.table import _excel_sep_line

    name = info["name"]
    body, excel_sep = _excel_sep_line(text)
    if excel_sep is not None:
        lines = lines[1:]
        report = report.with_notes(note("excel_sep", "The first line sep={delimiter} (written by Excel) names "
                                        "the delimiter; it is not a row.", delimiter=excel_sep))
    delimiter = excel_sep or ("\t" if kind == "tsv" else sniff_delimiter(body)[0])
    kind = "tsv" if delimiter == "\t" else kind
    try:
        rows = list(_csv_reader(lines[:50], delimiter))
    except csv.Error as err:
        raise CorpusError(f"{name}: cannot be read as a table ({err}).") from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise CorpusError(f"{name} has no rows.")
    header, why = decide_header(rows, "\n".join(lines[:50]), delimiter)
    columns = _column_names(rows[0], header)
    index = _resolve_column(columns, column, name)
    body = rows[1:] if header else rows
    preview = [row[index] for row in body[:5] if index < len(row)]
    report = report.replace(format=kind, delimiter=delimiter, header=header, header_note=str(why), header_why=why,
                            columns=tuple(columns), text_column=columns[index])
    if delimiter == "\t" and '"' in text:
        report = report.with_notes(note("tsv_no_quoting",
                                        "Tab-separated: quotes are kept as part of the text (TSV has no quoting)."))
    return FileInfo(**{**info, "kind": kind}, columns=columns, default=columns[index], preview=preview,
                    delimiter=delimiter, header=header, report=report, excel_sep=excel_sep is not None)


def _sniff_json_array(path: Path, field: str | None, info: dict, report: ReadingReport) -> FileInfo:
    """The preview of a .json file holding one array of objects (read whole): its keys and first values."""
    name = info["name"]
    records = _json_array_records(path, name)
    keys = list(dict.fromkeys(str(k) for r in records[:50] for k in r))
    default = field or (_default_field(records[0]) if records else None)
    preview = [v for _, v in zip(range(5), _record_values(records, default, name))]
    report = report.replace(columns=tuple(keys), text_column=default).with_notes(note(
        "json_array", "A JSON array of {n} objects, read as rows (one per object).", n=len(records)))
    return FileInfo(**info, fields=keys, default=default, preview=preview, report=report, json_array=True)


def _sniff_jsonl(lines: list[str], field: str | None, info: dict, report: ReadingReport) -> FileInfo:
    """The preview of a JSON-lines file from its sampled lines: the first record's keys and the first values."""
    name = info["name"]
    values = _jsonl_values(lines, field, name)
    preview = [v for _, v in zip(range(5), values)]
    first = next((ln for ln in lines if ln.strip()), "")
    try:
        record = json.loads(first)
    except json.JSONDecodeError as err:
        raise CorpusError(f"{name}, line 1: not valid JSON ({err.msg}); each line must be one JSON object.")
    keys = list(record) if isinstance(record, dict) else []
    default = field or (_default_field(record) if keys else None)
    report = report.replace(columns=tuple(keys), text_column=default)
    return FileInfo(**info, fields=keys, default=default, preview=preview, report=report)


def _sniff_zip(path: Path, size: int, head: bytes, encoding: str | None = None) -> FileInfo:
    reject_binary(head, path.name, allow_zip=True)
    if not head.startswith(b"PK"):
        raise CorpusError(f"{path.name} is not a ZIP archive; rename it to .txt if it is text.")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise CorpusError(f"{path.name} is a damaged ZIP archive ({err}).")
    with zf:
        members = sorted(
            info.filename
            for info in zf.infolist()
            if not info.is_dir() and info.filename.lower().endswith(".txt") and not info.filename.startswith("__MACOSX")
        )
        if not members:
            raise CorpusError(f"{path.name} contains no .txt files; put the text files at any level inside the ZIP.")
        total = sum(zf.getinfo(m).file_size for m in members)
        if total > MAX_UPLOAD_BYTES:
            raise CorpusError(
                f"The .txt files in {path.name} unpack to {total / 1024**3:.1f} GiB; "
                f"the limit is {MAX_UPLOAD_BYTES / 1024**3:.1f} GiB."
            )
        encodings: dict[str, str] = {}
        sample = ""
        for member in members:
            with zf.open(member) as fh:
                member_head = fh.read(SNIFF_BYTES)
            if not member_head:
                continue  # empty members are skipped, not an error
            reject_binary(member_head, f"{path.name}:{member}")
            complete = len(member_head) < SNIFF_BYTES
            try:
                encodings[member] = encoding or guess_encoding(member_head, complete=complete).encoding
            except EncodingQuestion as question:
                raise question.named(f"{path.name}:{member}") from None
            if len(sample) < SNIFF_BYTES:
                sample += _head_text(member_head, encodings[member], complete).lstrip("\ufeff") + "\n"
    if not sample.strip():
        raise CorpusError(f"The .txt files in {path.name} are all empty.")
    distinct = sorted(set(encodings.values()))
    report = ReadingReport(source=path.name, encoding=", ".join(distinct), format="zip",
                           notes=(f"{len(encodings)} .txt file(s): {', '.join(list(encodings)[:5])}"
                                  + (" ..." if len(encodings) > 5 else ""),))
    return FileInfo(
        name=path.name,
        kind="zip",
        size=size,
        encoding=", ".join(distinct),
        language=detect_language(sample),
        members=list(encodings),
        preview=[ln.strip() for ln in sample.splitlines() if ln.strip()][:5],
        report=report,
    )


def read_corpus(
    source: str | Path,
    *,
    column: str | int | None = None,
    field: str | None = None,
    language: str = "auto",
    lowercase: bool = True,
    strip_punctuation: bool = True,
    join_lines: bool | None = None,
    name: str | None = None,
    encoding: str | None = None,
) -> Corpus:
    """Open a file, a named sample (``core.text.SAMPLES``) or ``"dataset:<name>"`` as a streamed ``Corpus``.

    ``language``: ``"auto"`` (detect from the share of CJK characters; lines
    with Chinese are segmented with jieba either way, so mixed text works),
    ``"zh"`` or ``"en"`` (never segment with jieba). ``column`` picks a
    CSV/TSV column by name or index, ``field`` a JSONL field. ``join_lines``:
    join Chinese prose wrapped over several lines before segmenting (None:
    when the file looks wrapped, see ``core.text.wrap``). A ``dataset:`` corpus is
    already segmented (words separated by spaces) and is split on spaces.
    ``name``: what the user calls the file (an upload's own name rather than the
    stored file's), used in the report and in messages. ``encoding``: the user's
    choice (``--encoding``, the page's picker); None detects it and raises
    ``core.text.EncodingQuestion`` (with the candidates) when it cannot tell.
    Raises ``CorpusError`` (a ``ValueError``) with a user-facing message.
    """
    if language not in ("auto", "en", "zh"):
        raise CorpusError(f"language must be 'auto', 'en' or 'zh', not {language!r}.")
    source, display, segmented = _resolve_source(source)
    path = Path(source)
    info = _sniff_as(path, name, column=column, field=field, encoding=encoding or None)
    detected = info.language if language == "auto" else language
    options = _file_options(path, info, encoding)
    join = bool(info.wrapped and detected == "zh") if join_lines is None else bool(join_lines)
    if segmented:
        join = False
    display = name or display
    report = (info.report or ReadingReport(source=path.name, encoding=info.encoding)).replace(
        source=display or path.name)
    corpus = Corpus(
        path,
        **options,
        language=detected,
        name=display or path.name,
        lowercase=lowercase,
        strip_punctuation=strip_punctuation,
        split_language="en" if language == "en" else "zh",
        join_lines=join,
        segmented=segmented,
        guess=_detected_guess(info, report),
        report=report,
    )
    if corpus._lines is not None:
        corpus._lines.name = corpus.name  # messages about a bad byte name the file as the user knows it
    return corpus


def _resolve_source(source: str | Path) -> tuple[str | Path, str | None, bool]:
    """``(file, display name or None, segmented)`` for a path, a named sample or ``"dataset:<name>"``."""
    from core.text.samples import SAMPLES, sample_path

    if isinstance(source, str) and source.startswith("dataset:"):
        from core import datasets

        dataset = datasets.get(source)
        if dataset.task != "corpus":
            raise CorpusError(f"{source} is a {dataset.task} dataset, not a corpus; choose a corpus dataset.")
        return dataset.files()["corpus"], dataset.title_en or source, bool(dataset.segmented)
    if isinstance(source, str) and source in SAMPLES and not Path(source).exists():
        return sample_path(source), source, False
    return source, None, False


def _sniff_as(path: Path, name: str | None, *, column: str | int | None, field: str | None,
              encoding: str | None) -> FileInfo:
    """``sniff``'s ``FileInfo``; its errors speak of the file as ``name`` (the name the user knows) when given."""
    try:
        return sniff(path, column=column, field=field, encoding=encoding)
    except EncodingQuestion as question:
        if name and name != path.name:
            raise EncodingQuestion(str(question).replace(path.name, name), question.candidates) from None
        raise
    except CorpusError as err:
        if name and name != path.name:
            raise CorpusError(str(err).replace(path.name, name)) from None
        raise


def _file_options(path: Path, info: FileInfo, encoding: str | None) -> dict:
    """The ``Corpus`` arguments that come from the sniffed file: its kind, encodings, text column or field
    and table layout (a ZIP's members each in their own encoding, unless ``encoding`` was chosen)."""
    member_encodings = None
    if info.kind == "zip":
        member_encodings = {m: encoding for m in info.members} if encoding else _zip_encodings(path, info.members)
    return dict(
        kind=info.kind,
        encoding=info.encoding,
        column=info.default if info.kind in ("csv", "tsv") else None,
        field=info.default if info.kind == "jsonl" else None,
        member_encodings=member_encodings,
        delimiter=info.delimiter or ",",
        excel_sep=info.excel_sep,
        json_array=info.json_array,
        header=info.header if info.header is not None else True,
    )


def _detected_guess(info: FileInfo, report: ReadingReport) -> EncodingGuess | None:
    """The detector's guess as the report has it (None for a ZIP or an encoding that was chosen)."""
    if info.kind != "zip" and report.encoding_confidence is not None:
        return EncodingGuess(info.encoding, report.encoding_confidence, report.encoding_why, report.encoding_why_code)
    return None


def _zip_encodings(path: Path, members: list[str]) -> dict[str, str]:
    encodings = {}
    with zipfile.ZipFile(path) as zf:
        for member in members:
            with zf.open(member) as fh:
                head = fh.read(SNIFF_BYTES)
            encodings[member] = guess_encoding(head, complete=len(head) < SNIFF_BYTES).encoding
    return encodings
