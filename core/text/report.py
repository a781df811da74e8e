"""The reading report: everything the reader decided about a user's file, to be shown.

Every read (``core.text.reader``) returns one. Pages draw it with
``ui.reading_report.show(report)`` above the preview; the CLI prints
``format_report(report)``. Human text comes from ``locales/reading.json``
(keys ``reading.*``), so it reads the same on the page and in the shell.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

Translate = Callable[..., str]


@dataclass(frozen=True)
class Note:
    """One remark about a read: ``code`` names the message (``reading.note.<code>``), ``fields`` fill it in.

    ``text`` is the English sentence (what ``str(note)`` and ``to_dict`` give).
    """

    code: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text


def note(code: str, text: str, **fields: Any) -> Note:
    """A ``Note``; ``text`` is English and may use ``fields`` (``"{n} rows"``)."""
    return Note(code, text.format(**fields) if fields else text, dict(fields))


@dataclass(frozen=True)
class ReadingReport:
    """What was read from a file and how; every field is shown to the user.

    Sequences are tuples (the report is frozen); ``notes`` may be given as plain
    strings, which become ``Note("text", s)``. Build a changed copy with
    ``report.replace(rows_read=..., ...)`` or ``report.with_notes(...)``.
    """

    source: str = ""  # file name shown to the user (no folders)
    encoding: str = ""  # Python codec used: "utf-8", "utf-8-sig", "gb18030", "cp1252", "utf-16", ...
    encoding_confidence: float | None = None  # 0..1; None when the user chose the encoding
    encoding_why: str = ""  # English reason: "byte-order mark", "valid UTF-8", ...
    encoding_why_code: str = ""  # the reason as a key: reading.why.<code>
    format: str = ""  # "text" | "csv" | "tsv" | "jsonl" | "conll" | "fasttext" | "zip" | ...
    delimiter: str | None = None  # table field separator: "," "\t" ";" "|"; None for non-tables
    header: bool | None = None  # tables: True = first row holds column names; None = not a table
    header_note: str = ""  # why the header decision was made (English)
    header_why: Note | None = None  # the same reason as a Note, for the user's language
    columns: tuple[str, ...] = ()  # table columns (or JSONL fields)
    text_column: str | None = None  # column the text is taken from
    label_column: str | None = None  # column the label is taken from (fine-tune)
    rows_read: int = 0  # rows / lines / examples kept
    rows_dropped: int = 0  # rows read but not used
    dropped: tuple[tuple[int, str], ...] = ()  # (line number, reason) of the first few dropped rows
    notes: tuple[Note, ...] = ()  # anything else decided about the file
    dropped_why: tuple[Note, ...] = ()  # the reasons in ``dropped`` as Notes (same order), for translation
    line_endings: tuple[tuple[str, int], ...] = ()  # (("CRLF", 12), ("LF", 1)): the endings seen, most frequent first
    language: str = ""  # the language the text reads as: "zh", "zh-Hant", "ja", "ko", "en", ... ("" = not judged)
    columns_roles: tuple[tuple[str, str, Note], ...] = ()  # CoNLL: (column, role, why) for each column

    def __post_init__(self) -> None:
        notes = tuple(n if isinstance(n, Note) else Note("text", str(n)) for n in self.notes)
        object.__setattr__(self, "notes", notes)
        object.__setattr__(self, "columns", tuple(str(c) for c in self.columns))
        object.__setattr__(self, "dropped", tuple((int(n), str(r)) for n, r in self.dropped))
        object.__setattr__(self, "line_endings", tuple((str(k), int(n)) for k, n in self.line_endings))

    def replace(self, **changes: Any) -> "ReadingReport":
        """A copy with ``changes`` applied (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    def with_notes(self, *notes: Note | str) -> "ReadingReport":
        """A copy with ``notes`` appended."""
        return self.replace(notes=self.notes + tuple(notes))

    def with_dropped(self, line_no: int, reason: str | Note, keep: int = 5) -> "ReadingReport":
        """A copy counting one more dropped row; its line and reason are kept among the first ``keep``."""
        if len(self.dropped) >= keep:
            return self.replace(rows_dropped=self.rows_dropped + 1)
        why = reason if isinstance(reason, Note) else Note("text", str(reason))
        return self.replace(rows_dropped=self.rows_dropped + 1, dropped=self.dropped + ((line_no, why.text),),
                            dropped_why=self.dropped_why + (why,))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (notes as English sentences, ``note_codes`` alongside)."""
        out = dataclasses.asdict(self)
        out["columns"] = list(self.columns)
        out["dropped"] = [list(d) for d in self.dropped]
        out["notes"] = [n.text for n in self.notes]
        out["note_codes"] = [n.code for n in self.notes]
        out["header_why"] = None if self.header_why is None else self.header_why.code
        out["dropped_why"] = [n.code for n in self.dropped_why]
        out["line_endings"] = [list(e) for e in self.line_endings]
        out["columns_roles"] = [[c, r, w.text] for c, r, w in self.columns_roles]
        return out

    def lines(self, t: Translate | None = None) -> list[str]:
        """The report as short human lines, through ``t(key, **fields)`` (default: English).

        Pass the page's ``ui.i18n.t`` for the user's language.
        """
        t = t or _english
        out = []
        if self.encoding:
            why = _why(self, t)
            if self.encoding_confidence is None:
                out.append(t("reading.encoding_given", encoding=self.encoding))
            else:
                out.append(t("reading.encoding", encoding=self.encoding, why=why,
                             confidence=f"{self.encoding_confidence:.0%}"))
        if self.language:
            out.append(t("reading.language", language=_language_name(self.language, t)))
        if self.line_endings:
            out.append(t("reading.line_endings", endings=", ".join(
                t("reading.ending_count", ending=_ending_name(k, t), n=n) for k, n in self.line_endings)))
        if self.format:
            key = f"reading.fmt.{self.format}"
            shown = t(key)
            out.append(t("reading.format", format=self.format if shown == key else shown))
        if self.delimiter is not None:
            out.append(t("reading.delimiter", delimiter=_show_delimiter(self.delimiter, t)))
        if self.header is not None:
            out.append(t("reading.header_yes" if self.header else "reading.header_no"))
            if self.header_note:
                why = self.header_note if self.header_why is None else _note_text(self.header_why, t)
                out.append(t("reading.header_note", note=why))
        if self.columns:
            out.append(t("reading.columns", columns=", ".join(self.columns)))
        for column, role, why in self.columns_roles:
            out.append(t("reading.column_role", column=column, role=_role_name(role, t), why=_note_text(why, t)))
        if self.text_column is not None:
            out.append(t("reading.text_column", column=self.text_column))
        if self.label_column is not None:
            out.append(t("reading.label_column", column=self.label_column))
        out.append(t("reading.rows", read=self.rows_read, dropped=self.rows_dropped))
        for i, (line_no, reason) in enumerate(self.dropped):
            if i < len(self.dropped_why):
                reason = _note_text(self.dropped_why[i], t)
            out.append(t("reading.dropped_row", line=line_no, reason=reason))
        for n in self.notes:
            out.append(_note_text(n, t))
        return out


def _english(key: str, **fields: Any) -> str:
    from core.i18n import translate

    return translate(key, "en", **fields)


def _why(report: ReadingReport, t: Translate) -> str:
    key = f"reading.why.{report.encoding_why_code}"
    text = t(key) if report.encoding_why_code else key
    return report.encoding_why if text == key else text


def _note_text(n: Note, t: Translate) -> str:
    key = f"reading.note.{n.code}"
    try:
        text = t(key, **n.fields)
    except (KeyError, IndexError, ValueError):
        return n.text
    return n.text if text == key else text


def _language_name(code: str, t: Translate) -> str:
    key = f"reading.lang.{code}"
    text = t(key)
    return code if text == key else text


def _ending_name(name: str, t: Translate) -> str:
    key = f"reading.ending.{name}"
    text = t(key)
    return name if text == key else text


_RENAMED_ROLES = {"ner": "tags", "ner_other": "tags_other"}  # the names in reports saved before 2026-12-02


def _role_name(role: str, t: Translate) -> str:
    key = f"reading.role.{_RENAMED_ROLES.get(role, role)}"
    text = t(key)
    return role if text == key else text


def _show_delimiter(delimiter: str, t: Translate) -> str:
    names = {",": "reading.delim.comma", "\t": "reading.delim.tab", ";": "reading.delim.semicolon",
             "|": "reading.delim.pipe", " ": "reading.delim.space"}
    key = names.get(delimiter)
    return t(key) if key else repr(delimiter)


def format_report(report: ReadingReport, t: Translate | None = None) -> str:
    """The report as text for the CLI: a title line, then one indented line per item."""
    t = t or _english
    title = t("reading.title", source=report.source or "?")
    return "\n".join([title, *("  " + line for line in report.lines(t))])
