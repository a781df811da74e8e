"""A streamed, re-iterable corpus over an uploaded file.

``read_corpus(path)`` checks the file (size, binary, encoding, language) from
a sample of its head, then returns a ``Corpus``: iterating it opens the file
again and yields one token list per line / cell / JSON field. Nothing is
held in memory beyond the line being tokenized, so a 1 GB file trains in
constant memory, and every training epoch is one fresh pass over the file.
"""
from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from core.text.decode import (
    MAX_UPLOAD_BYTES,
    SNIFF_BYTES,
    CorpusError,
    check_size,
    detect_encoding,
    read_head,
    reject_binary,
)
from core.text.tokenize import detect_language, tokenize

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
    columns: list[str] = field(default_factory=list)  # csv/tsv header
    fields: list[str] = field(default_factory=list)  # jsonl keys of the first record
    default: str | None = None  # the column/field used when none is chosen
    members: list[str] = field(default_factory=list)  # zip: the .txt files inside
    preview: list[str] = field(default_factory=list)  # first few text units, raw


class Corpus:
    """Re-iterable token stream over a file: each ``iter()`` re-reads the file.

    Yields ``list[str]`` sentences (at most ``MAX_SENTENCE_TOKENS`` tokens,
    never empty). Attributes: ``name``, ``path``, ``kind``, ``encoding``,
    ``language`` ("en"|"zh"), ``passes`` (how many times iteration started).
    """

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
    ):
        self.path = Path(path)
        self.kind = kind
        self.encoding = encoding
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
        self.passes = 0

    def __repr__(self) -> str:
        return f"Corpus({self.name!r}, kind={self.kind!r}, encoding={self.encoding!r}, language={self.language!r})"

    def texts(self) -> Iterator[str]:
        """The raw text units (lines, cells or JSON fields), decoded, one pass over the file."""
        if self.kind == "txt":
            with open(self.path, encoding=self.encoding, errors="replace", newline=None) as fh:
                yield from fh
        elif self.kind in ("csv", "tsv"):
            with open(self.path, encoding=self.encoding, errors="replace", newline="") as fh:
                yield from _csv_cells(fh, self._delimiter, self.column, self.name)
        elif self.kind == "jsonl":
            with open(self.path, encoding=self.encoding, errors="replace") as fh:
                yield from _jsonl_values(fh, self.field, self.name)
        elif self.kind == "zip":
            with zipfile.ZipFile(self.path) as zf:
                for member, encoding in self._member_encodings.items():
                    with zf.open(member) as raw:
                        yield from io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline=None)
        else:  # pragma: no cover - kinds are fixed by read_corpus
            raise CorpusError(f"Unknown corpus kind {self.kind!r}")

    def __iter__(self) -> Iterator[list[str]]:
        self.passes += 1
        for text in self.texts():
            tokens = tokenize(
                text, self._split_language, lowercase=self.lowercase, strip_punctuation=self.strip_punctuation
            )
            for start in range(0, len(tokens), MAX_SENTENCE_TOKENS):
                yield tokens[start : start + MAX_SENTENCE_TOKENS]


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


def _csv_cells(fh, delimiter: str, column: str | int | None, name: str) -> Iterator[str]:
    reader = csv.reader(fh, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    index = _resolve_column(header, column, name)
    for row in reader:
        if index < len(row):
            yield row[index]


def _jsonl_values(fh, field_name: str | None, name: str) -> Iterator[str]:
    for number, line in enumerate(fh, start=1):
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


def _default_field(record: dict) -> str | None:
    for candidate in _TEXT_COLUMNS:
        if candidate in record:
            return candidate
    for key, value in record.items():
        if isinstance(value, str):
            return key
    return None


def _sniff_delimiter(sample: str, kind: str) -> str:
    if kind == "tsv":
        return "\t"
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in ",;\t|"}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _head_text(head: bytes, encoding: str) -> str:
    return head.decode(encoding, errors="replace") if head else ""


def sniff(path: str | Path, *, column: str | int | None = None, field: str | None = None) -> FileInfo:
    """Inspect a file for the upload preview without reading all of it.

    Raises ``CorpusError`` for missing, empty, oversized, binary or
    undecodable files, and for csv/jsonl files without usable text.
    """
    path = Path(path)
    size = check_size(path)
    kind = file_kind(path)
    head = read_head(path)
    name = path.name
    if kind == "zip":
        return _sniff_zip(path, size, head)
    reject_binary(head, name)
    encoding = detect_encoding(head)
    text = _head_text(head[: len(head) - 4] if len(head) == SNIFF_BYTES else head, encoding)
    if encoding in ("utf-8-sig", "utf-16", "utf-32"):
        text = text.lstrip("\ufeff")
    if not text.strip():
        raise CorpusError(f"{name} contains only white space; upload a file with some text in it.")
    language = detect_language(text)
    info = dict(name=name, kind=kind, size=size, encoding=encoding, language=language)
    lines = text.splitlines()
    if kind in ("csv", "tsv"):
        delimiter = _sniff_delimiter(text, kind)
        rows = list(csv.reader(io.StringIO("\n".join(lines[:50])), delimiter=delimiter))
        if not rows:
            raise CorpusError(f"{name} has no rows.")
        header = rows[0]
        index = _resolve_column(header, column, name)
        preview = [row[index] for row in rows[1:6] if index < len(row)]
        return FileInfo(**info, columns=header, default=header[index], preview=preview)
    if kind == "jsonl":
        values = _jsonl_values(io.StringIO("\n".join(lines[:-1] if len(lines) > 1 else lines)), field, name)
        preview = [v for _, v in zip(range(5), values)]
        first = next((ln for ln in lines if ln.strip()), "")
        try:
            record = json.loads(first)
        except json.JSONDecodeError as err:
            raise CorpusError(f"{name}, line 1: not valid JSON ({err.msg}); each line must be one JSON object.")
        keys = list(record) if isinstance(record, dict) else []
        return FileInfo(
            **info, fields=keys, default=field or (_default_field(record) if keys else None), preview=preview
        )
    preview = [ln.strip() for ln in lines if ln.strip()][:5]
    return FileInfo(**info, preview=preview)


def _sniff_zip(path: Path, size: int, head: bytes) -> FileInfo:
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
            encodings[member] = detect_encoding(member_head)
            if len(sample) < SNIFF_BYTES:
                sample += _head_text(member_head, encodings[member]).lstrip("\ufeff") + "\n"
    if not sample.strip():
        raise CorpusError(f"The .txt files in {path.name} are all empty.")
    distinct = sorted(set(encodings.values()))
    return FileInfo(
        name=path.name,
        kind="zip",
        size=size,
        encoding=", ".join(distinct),
        language=detect_language(sample),
        members=list(encodings),
        preview=[ln.strip() for ln in sample.splitlines() if ln.strip()][:5],
    )


def read_corpus(
    source: str | Path,
    *,
    column: str | int | None = None,
    field: str | None = None,
    language: str = "auto",
    lowercase: bool = True,
    strip_punctuation: bool = True,
) -> Corpus:
    """Open a file or a named sample (see ``core.text.SAMPLES``) as a streamed ``Corpus``.

    ``language``: ``"auto"`` (detect from the share of CJK characters; lines
    with Chinese are segmented with jieba either way, so mixed text works),
    ``"zh"`` or ``"en"`` (never segment with jieba). ``column`` picks a
    CSV/TSV column by name or index, ``field`` a JSONL field.
    Raises ``CorpusError`` (a ``ValueError``) with a user-facing message.
    """
    from core.text.samples import SAMPLES, sample_path

    if language not in ("auto", "en", "zh"):
        raise CorpusError(f"language must be 'auto', 'en' or 'zh', not {language!r}.")
    display = None
    if isinstance(source, str) and source in SAMPLES and not Path(source).exists():
        display = source
        source = sample_path(source)
    path = Path(source)
    info = sniff(path, column=column, field=field)
    detected = info.language if language == "auto" else language
    member_encodings = None
    if info.kind == "zip":
        member_encodings = _zip_encodings(path, info.members)
    delimiter = ","
    if info.kind in ("csv", "tsv"):
        delimiter = _sniff_delimiter(_head_text(read_head(path, 4096), info.encoding).lstrip("\ufeff"), info.kind)
    return Corpus(
        path,
        kind=info.kind,
        encoding=info.encoding,
        language=detected,
        name=display or path.name,
        column=info.default if info.kind in ("csv", "tsv") else None,
        field=info.default if info.kind == "jsonl" else None,
        lowercase=lowercase,
        strip_punctuation=strip_punctuation,
        split_language="en" if language == "en" else "zh",
        member_encodings=member_encodings,
        delimiter=delimiter,
    )


def _zip_encodings(path: Path, members: list[str]) -> dict[str, str]:
    encodings = {}
    with zipfile.ZipFile(path) as zf:
        for member in members:
            with zf.open(member) as fh:
                encodings[member] = detect_encoding(fh.read(SNIFF_BYTES))
    return encodings
