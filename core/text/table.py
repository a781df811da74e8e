"""Tables (CSV, TSV, semicolon- or pipe-separated, JSON lines) -> a DataFrame of strings + its report.

- Delimiter: the one given; ``\\t`` for ``.tsv``/``.tab``; else ``csv.Sniffer``
  over the first lines, checked against a count of fields per line (the
  delimiter that gives the same number of fields (> 1) on most lines wins).
- Quoting: CSV-style quotes for ``,`` ``;`` ``|``; *none* for tabs
  (``csv.QUOTE_NONE``): TSV has no quoting convention, so a text that starts
  with ``"`` stays one row and keeps its quote (pytorch/text#612).
- Header: the one given; else a first row that names a known column
  (``text``, ``label``, ...) is a header; a first row that looks like data
  (a number where the column holds numbers, a long sentence) is not; else
  ``csv.Sniffer.has_header``. The decision and its reason go in the report.
- Rows with the wrong number of fields are dropped and listed by line number.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from core.text.report import Note, ReadingReport, note

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

DELIMITERS = (",", "\t", ";", "|")
_EXT_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
# Column names that mark a first row as a header.
KNOWN_COLUMNS = frozenset({
    "text", "sentence", "sentences", "sentence1", "sentence2", "content", "body", "review", "comment", "document",
    "question", "answer", "label", "labels", "class", "category", "target", "sentiment", "stars", "rating", "id",
    "title", "description", "tag", "tags", "premise", "hypothesis", "score", "topic", "intent", "name",
})
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass
class Table:
    """A table read from a file: ``frame`` (pandas DataFrame, every cell a ``str``), ``report``,
    ``line_numbers`` (the file line where each row starts, same order as ``frame``)."""

    frame: Any
    report: ReadingReport
    line_numbers: list[int] = field(default_factory=list)


def table_format(name: str, text: str) -> str:
    """``"csv"``, ``"tsv"`` or ``"jsonl"`` from the file extension, else from the first line."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in _EXT_FORMATS:
        return _EXT_FORMATS[suffix]
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if first.lstrip().startswith("{"):
        return "jsonl"
    return "csv"  # the delimiter sniffer still finds tabs


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    try:
        return [len(row) for row in csv.reader(lines, delimiter=delimiter, quoting=quoting) if row]
    except csv.Error:
        return []


def _consistency(lines: list[str], delimiter: str) -> tuple[float, int]:
    """(share of lines with the most common field count, that count) for ``delimiter``."""
    counts = _field_counts(lines, delimiter)
    if not counts:
        return 0.0, 0
    mode = max(set(counts), key=counts.count)
    return counts.count(mode) / len(counts), mode


def sniff_delimiter(sample: str) -> tuple[str, str]:
    """``(delimiter, how)`` for a table sample: ``csv.Sniffer`` if its answer splits lines consistently,
    else the candidate with the most consistent field count > 1; ``","`` if nothing splits."""
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    if len(lines) > 1:
        lines = lines[:-1] if not sample.endswith(("\n", "\r")) else lines  # the last line may be cut
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    scores = {d: _consistency(lines, d) for d in DELIMITERS}
    if sniffed in scores and scores[sniffed][1] > 1 and scores[sniffed][0] >= 0.9:
        return sniffed, "csv.Sniffer"
    best = max(DELIMITERS, key=lambda d: (scores[d][1] > 1, scores[d][0], scores[d][1]))
    if scores[best][1] > 1:
        return best, "field counts"
    return ",", "default"


def _looks_like_data(first: list[str], rest: list[list[str]]) -> Note | None:
    """A reason why ``first`` (the first row) is data rather than column names, or None."""
    for i, cell in enumerate(first):
        column = [row[i] for row in rest if i < len(row) and row[i].strip()]
        if _NUMBER.match(cell.strip()) and column and all(_NUMBER.match(c.strip()) for c in column):
            return note("header_number", "its column {column} holds the number {value} like the rows below",
                        column=i + 1, value=repr(cell.strip()))
    for cell in first:
        if len(cell) > 40 or (len(cell.split()) > 4 and cell.rstrip()[-1:] in ".!?。！？"):
            return note("header_sentence", "the first row contains a sentence ({start}...), not a column name",
                        start=repr(cell[:30]))
    return None


def decide_header(rows: list[list[str]], sample: str, delimiter: str) -> tuple[bool, Note]:
    """``(header, why)`` for the first rows of a table (see the module docstring); ``str(why)`` is English."""
    if not rows:
        return True, note("header_empty", "the table is empty")
    first = rows[0]
    names = [c.strip().lower().lstrip("\ufeff") for c in first]
    known = [c for c in names if c in KNOWN_COLUMNS]
    if known:
        return True, note("header_known", "the first row names known columns ({names})", names=", ".join(known))
    reason = _looks_like_data(first, rows[1:21])
    if reason:
        return False, reason
    if len(set(names)) < len(names):
        return False, note("header_repeat", "the first row repeats a value, so it cannot be column names")
    try:
        sniffed = csv.Sniffer().has_header(sample)
    except csv.Error:
        sniffed = True
    if sniffed:
        return True, note("header_sniffer_yes", "the first row differs from the others (csv.Sniffer)")
    return False, note("header_sniffer_no", "the first row looks like the rows below it (csv.Sniffer)")


def _unique_names(first: list[str]) -> list[str]:
    names: list[str] = []
    for i, cell in enumerate(first):
        name = cell.strip().lstrip("\ufeff") or f"column_{i + 1}"
        base, k = name, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names


def parse_delimited(text: str, report: ReadingReport, *, delimiter: str | None, header: bool | None) -> Table:
    """Parse decoded ``text`` as a delimited table (see the module docstring)."""
    import pandas as pd

    notes = []
    text, excel_sep = _excel_sep_line(text)
    if excel_sep is not None:
        notes.append(note("excel_sep", "The first line sep={delimiter} (written by Excel) names the delimiter; "
                          "it is not a row.", delimiter=excel_sep))
        if delimiter is None:
            delimiter = excel_sep
    sample = text[:65536]
    if delimiter is None:
        delimiter, found = _found_delimiter(sample, report.format)
        notes += found
    fmt = "tsv" if delimiter == "\t" else "csv"
    if delimiter == "\t" and '"' in text:
        notes.append(note("tsv_no_quoting", "Tab-separated: quotes are kept as part of the text (TSV has no quoting)."))
    keep = _rows_with_lines(text, report.source, delimiter, fmt, offset=int(excel_sep is not None))
    if _trailing_delimiter(keep):
        keep = [(s, r[:-1] if len(r) > 1 and not r[-1].strip() else r) for s, r in keep]
        notes.append(note("trailing_delimiter", "Every row ends with a {delimiter}: the empty last column was "
                          "left out.", delimiter=repr(delimiter)))
    if header is None:
        header, why = decide_header([r for _, r in keep[:50]], "\n".join(sample.splitlines()[:50]), delimiter)
    else:
        why = note("header_given", "as chosen")
    columns, body = _columns_and_body(keep, header)
    if keep[0][1] and keep[0][1][0].startswith("\ufeff"):
        notes.append(note("bom", "A byte-order mark at the start of the file was removed."))
        if not header:
            keep[0][1][0] = keep[0][1][0].lstrip("\ufeff")
    out = report.replace(format=fmt, delimiter=delimiter, header=bool(header), header_note=str(why), header_why=why,
                         columns=tuple(columns))
    out, good_rows, good_lines = _rows_that_fit(out, body, columns, _header_key(keep[0][1]) if header else None)
    if not good_rows:
        raise ValueError(f"{report.source} has no data rows with {len(columns)} fields.")
    frame = pd.DataFrame(good_rows, columns=columns, dtype=str)
    out = out.replace(rows_read=len(good_rows)).with_notes(*notes)
    return Table(frame, out, good_lines)


def _found_delimiter(sample: str, fmt: str) -> tuple[str, list[Note]]:
    """``(delimiter, notes)`` for a table whose delimiter was not given: a tab for TSV, else the sniffed one
    (with a note unless it is a comma)."""
    if fmt == "tsv":
        return "\t", []
    delimiter, _how = sniff_delimiter(sample)
    if delimiter == ",":
        return delimiter, []
    return delimiter, [note("delimiter_sniffed", "The delimiter {delimiter} was found by looking at the first "
                            "lines.", delimiter=repr(delimiter))]


def _rows_with_lines(text: str, source: str, delimiter: str, fmt: str, *, offset: int) -> list[tuple[int, list[str]]]:
    """``(line where the row starts, fields)`` for every row that is not blank; ``offset``: lines before ``text``.

    Raises ``ValueError`` naming the line csv cannot read, or when there are no rows.
    """
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    rows: list[list[str]] = []
    starts: list[int] = []
    line = 1 + offset
    try:
        for row in reader:
            starts.append(line)
            rows.append(row)
            line = reader.line_num + 1 + offset
    except csv.Error as err:
        raise ValueError(f"{source}, line {reader.line_num}: cannot be read as {fmt} ({err}).") from None
    keep = [(s, r) for s, r in zip(starts, rows) if any(c.strip() for c in r)]  # blank lines are not rows
    if not keep:
        raise ValueError(f"{source} has no rows.")
    return keep


def _columns_and_body(keep: list[tuple[int, list[str]]], header: bool) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """``(column names, data rows)``: the first row's names (made unique) with a header, else column_1, column_2 ..."""
    if header:
        return _unique_names(keep[0][1]), keep[1:]
    return [f"column_{i + 1}" for i in range(len(keep[0][1]))], keep


def _rows_that_fit(out: ReadingReport, body: list[tuple[int, list[str]]], columns: list[str],
                   names: tuple[str, ...] | None) -> tuple[ReadingReport, list[list[str]], list[int]]:
    """``(report, rows, their lines)``: the rows with one field per column; a repeated header row (``names``)
    and rows with another number of fields are dropped, the report saying which and why."""
    good_rows, good_lines = [], []
    for start, row in body:
        if names is not None and _header_key(row) == names:
            out = out.with_dropped(start, note("repeated_header", "the header row again (files joined one after "
                                               "the other)"))
            continue
        if len(row) != len(columns):
            out = out.with_dropped(start, note("fields", "{found} fields, expected {expected}",
                                               found=len(row), expected=len(columns)))
            continue
        good_rows.append(row)
        good_lines.append(start)
    return out, good_rows, good_lines


_EXCEL_SEP = re.compile(r"^\ufeff?sep=(.)[ \t]*(\r\n|\r|\n)")


def _excel_sep_line(text: str) -> tuple[str, str | None]:
    """``(text without it, delimiter)`` when the first line is Excel's ``sep=;`` hint, else ``(text, None)``."""
    m = _EXCEL_SEP.match(text)
    if m is None:
        return text, None
    return text[m.end():], m.group(1)


def _trailing_delimiter(rows: list[tuple[int, list[str]]]) -> bool:
    """True if every data row ends with an empty field after a delimiter (``a,b,``): an empty last column.

    The header may end with the delimiter too, or have one field fewer than the rows.
    """
    body = [r for _, r in rows[1:]] or [rows[0][1]]
    if not all(len(r) > 1 and not r[-1].strip() for r in body):
        return False
    widths = {len(r) for r in body}
    first = rows[0][1]
    return len(widths) == 1 and (len(first) == len(body[0]) - 1 or (len(first) == len(body[0]) and
                                                                     not first[-1].strip()))


def _header_key(row: list[str]) -> tuple[str, ...]:
    """A row as a header compares: cells stripped of spaces and a BOM, case folded."""
    return tuple(c.strip().lstrip("\ufeff").strip().casefold() for c in row)


def json_records(text: str, source: str) -> tuple[list[dict], list[int]]:
    """``(objects, the line each starts on)`` of JSON lines (one object per line) or a JSON array of objects.

    Any line ending; a BOM is skipped. Raises ``ValueError`` naming the line at fault.
    """
    from core.text.newlines import split_lines

    text = text.lstrip("\ufeff")
    if text.lstrip().startswith("["):
        return json_array(text, source)
    records, lines = [], []
    for number, line in enumerate(split_lines(text), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{source}, line {number}: not valid JSON ({err.msg}); "
                             "each line must be one JSON object.") from None
        if not isinstance(record, dict):
            raise ValueError(f"{source}, line {number}: expected a JSON object like {{\"text\": \"...\"}}.")
        records.append(record)
        lines.append(number)
    return records, lines


def json_array(text: str, source: str) -> tuple[list[dict], list[int]]:
    """``(objects, the line each starts on)`` of a ``.json`` file holding an array of objects.

    Raises ``ValueError`` naming the line of a JSON error or of an item that is not an object.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{source}, line {err.lineno}: not valid JSON ({err.msg}).") from None
    if not isinstance(data, list):
        raise ValueError(f"{source}: expected a JSON array of objects like [{{\"text\": \"...\"}}].")
    decoder = json.JSONDecoder()
    lines, pos = [], text.index("[") + 1
    for i, record in enumerate(data, 1):
        while text[pos] in " \t\r\n,":
            pos += 1
        line = text.count("\n", 0, pos) + 1
        if not isinstance(record, dict):
            raise ValueError(f"{source}, line {line}: item {i} of the array is not a JSON object with named fields.")
        _, pos = decoder.raw_decode(text, pos)
        lines.append(line)
    return data, lines


def _cell(value: Any) -> str:
    """A JSON value as the text the user wrote: 1 -> "1" (never "1.0"), true -> "true", None -> ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def parse_jsonl(text: str, report: ReadingReport) -> Table:
    """Parse JSON lines (one object per line) or a JSON array of objects into a table of strings."""
    import pandas as pd

    records, lines = json_records(text, report.source)
    if text.lstrip("\ufeff").lstrip().startswith("["):
        report = report.with_notes(note("json_array", "A JSON array of {n} objects, read as rows (one per "
                                        "object).", n=len(records)))
    if not records:
        raise ValueError(f"{report.source} has no rows.")
    columns: list[str] = []
    for record in records:
        for key in record:
            if str(key) not in columns:
                columns.append(str(key))
    frame = pd.DataFrame([[_cell(r.get(c)) for c in columns] for r in records], columns=columns, dtype=str)
    out = report.replace(format="jsonl", columns=tuple(columns), rows_read=len(records))
    return Table(frame, out, lines)
