"""Labelling-tool exports, where labelled data comes from: doccano JSONL and Label Studio JSON.

- **doccano** (JSONL, one text per line): NER ``{"text": ..., "label": [[start, end, "PER"], ...]}``
  (also ``"labels"``, or ``"entities": [{"start_offset", "end_offset", "label"}]`` from doccano 1.6+);
  classification ``{"text": ..., "label": ["positive"]}`` (or ``"cats"``, a dict of scores).
- **Label Studio** (``.json``, an array of tasks): the full export
  ``{"data": {"text": ...}, "annotations": [{"result": [{"type": "labels", "value": {"start", "end",
  "labels": [...]}}, {"type": "choices", "value": {"choices": [...]}}]}]}`` (older: ``"completions"``),
  and the JSON-MIN export ``{"text": ..., "label": [{"start", "end", "labels"}], "sentiment": "pos"}``.

:func:`export_format` tells them apart by content; :func:`read_export` gives one
:class:`Annotated` per text (its character spans and its choices, with the line it
starts on). :func:`spans_to_tags` aligns spans to words, one BIO tag each: every CJK
character is a word (as MSRA NER and the shipped Chinese model read Chinese), other
text is split into words and punctuation. Spans outside the text, overlapping another
span, or cutting a word are reported by line (``Problem``), never silently moved.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from core.text.report import Note, note

FORMATS = ("doccano", "labelstudio")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}\W]+(?:['’\-][^\s{_CJK}\W]+)*|[^\s\w]", re.UNICODE)
TEXT_KEYS = ("text", "content", "sentence", "document")


@dataclass
class Annotated:
    """One labelled text: ``spans`` (start, end, label) in characters of ``text``, ``choices`` (class labels)."""

    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    line: int = 0  # the line of the file the record starts on


@dataclass(frozen=True)
class Problem:
    """A span that could not be used as written, with the record's line."""

    line: int
    note: Note


def _records(text: str, name: str) -> tuple[list[dict], list[int]]:
    """Objects of a JSON array or of JSON lines, with the line each starts on."""
    from core.text.table import json_records

    return json_records(text, name)


def _is_span_list(value) -> bool:
    return isinstance(value, list) and bool(value) and all(
        (isinstance(v, list) and len(v) >= 3 and isinstance(v[0], int) and isinstance(v[1], int))
        or (isinstance(v, dict) and ("start_offset" in v or "start" in v)) for v in value)


def _kind(record: dict) -> str | None:
    if "annotations" in record or "completions" in record or isinstance(record.get("data"), dict):
        return "labelstudio"
    if not any(k in record for k in TEXT_KEYS):
        return None
    for key, value in record.items():
        if key in ("label", "labels", "entities") and _is_span_list(value):
            return "labelstudio" if value and isinstance(value[0], dict) and "labels" in value[0] else "doccano"
    if isinstance(record.get("label"), list) and all(isinstance(v, str) for v in record["label"]):
        return "doccano"  # classification: a list of class names
    if isinstance(record.get("cats"), dict):
        return "doccano"
    return None


def export_format(text: str) -> str | None:
    """``"doccano"`` or ``"labelstudio"`` when the JSON / JSON lines in ``text`` are such an export, else None."""
    head = text[:200_000]
    try:
        records, _ = _records(head if not head.lstrip("\ufeff").lstrip().startswith("[") else text, "file")
    except (ValueError, json.JSONDecodeError):
        try:  # a cut JSON line at the end of the head
            records, _ = _records(head[: head.rfind("\n")], "file")
        except (ValueError, json.JSONDecodeError):
            return None
    kinds = {_kind(r) for r in records[:50]}
    kinds.discard(None)
    return kinds.pop() if len(kinds) == 1 else None


def _text_of(record: dict) -> str | None:
    source = record.get("data") if isinstance(record.get("data"), dict) else record
    for key in TEXT_KEYS:
        if isinstance(source.get(key), str):
            return source[key]
    strings = [v for v in source.values() if isinstance(v, str)]
    return strings[0] if len(strings) == 1 else None


def _label_studio(record: dict) -> tuple[list[tuple[int, int, str]], list[str]]:
    spans, choices = [], []
    results = []
    for group in record.get("annotations") or record.get("completions") or []:
        if isinstance(group, dict) and not group.get("was_cancelled"):
            results = group.get("result") or []
            break  # the first annotation that was not cancelled (one annotator's answer)
    if not results and "annotations" not in record and "completions" not in record:  # JSON-MIN
        for key, value in record.items():
            if _is_span_list(value):
                results += [{"type": "labels", "value": v} for v in value]
            elif key not in TEXT_KEYS and key not in ("id", "annotator", "annotation_id", "created_at", "updated_at",
                                                      "lead_time") and isinstance(value, (str, list)):
                picked = value if isinstance(value, list) else [value]
                if all(isinstance(v, str) for v in picked):
                    results.append({"type": "choices", "value": {"choices": picked}})
    for item in results:
        value = item.get("value") or {}
        if "start" in value and "end" in value:
            for label in value.get("labels") or value.get("hypertextlabels") or []:
                spans.append((int(value["start"]), int(value["end"]), str(label)))
        elif "choices" in value:
            choices += [str(c) for c in value["choices"]]
        elif "taxonomy" in value:
            choices += ["/".join(map(str, path)) for path in value["taxonomy"]]
    return spans, choices


def _doccano(record: dict) -> tuple[list[tuple[int, int, str]], list[str]]:
    spans, choices = [], []
    for key in ("label", "labels", "entities"):
        value = record.get(key)
        if _is_span_list(value):
            for v in value:
                if isinstance(v, dict):
                    spans.append((int(v.get("start_offset", v.get("start"))), int(v.get("end_offset", v.get("end"))),
                                  str(v.get("label"))))
                else:
                    spans.append((int(v[0]), int(v[1]), str(v[2])))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            choices += value
        elif isinstance(value, str) and key == "label":
            choices.append(value)
    cats = record.get("cats")
    if isinstance(cats, dict):
        choices += [k for k, v in cats.items() if v in (1, 1.0, True)]
    return spans, choices


def read_export(text: str, name: str, kind: str | None = None) -> tuple[list[Annotated], str]:
    """``(records, kind)`` of a doccano or Label Studio export (``kind`` None: found by content).

    Raises ``ValueError`` naming the file (and line) when it is no such export or a record has no text.
    """
    kind = kind or export_format(text)
    if kind not in FORMATS:
        raise ValueError(f"{name} is neither a doccano JSONL export nor a Label Studio JSON export "
                         "(records with a text and its labels).")
    records, lines = _records(text, name)
    out = []
    for record, line in zip(records, lines):
        body = _text_of(record)
        if body is None:
            raise ValueError(f"{name}, line {line}: no text in this record (fields: {', '.join(map(str, record))}).")
        spans, choices = (_label_studio if kind == "labelstudio" else _doccano)(record)
        out.append(Annotated(body, spans, choices, line))
    if not out:
        raise ValueError(f"{name} has no records.")
    return out, kind


def words_of(text: str) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` in characters: each CJK character a word, other text words and punctuation."""
    return [(m.group(), m.start(), m.end()) for m in WORD.finditer(text)]


def spans_to_tags(record: Annotated) -> tuple[list[str], list[str], list[Problem]]:
    """``(words, BIO tags, problems)`` of one record (see the module docstring).

    A span outside the text (or empty) and a span overlapping an earlier one are left out; a span
    whose edge falls inside a word tags the whole word. Each case is a ``Problem`` with the line.
    """
    words = words_of(record.text)
    tags = ["O"] * len(words)
    taken = [False] * len(words)
    problems: list[Problem] = []
    n = len(record.text)
    for start, end, label in sorted(record.spans, key=lambda s: s[0]):  # stable: the file's first span wins
        shown = record.text[max(0, start):max(0, min(end, n))][:30]
        if start < 0 or end > n or start >= end:
            problems.append(Problem(record.line, note(
                "span_outside", "line {line}: the span {start}-{end} ({label}) is outside the text of {n} characters; "
                "left out", line=record.line, start=start, end=end, label=label, n=n)))
            continue
        covered = [i for i, (_, ws, we) in enumerate(words) if ws < end and we > start]
        if not covered:
            problems.append(Problem(record.line, note(
                "span_empty", "line {line}: the span {start}-{end} ({label}) holds no word ({span!r}); left out",
                line=record.line, start=start, end=end, label=label, span=shown)))
            continue
        if any(taken[i] for i in covered):
            problems.append(Problem(record.line, note(
                "span_overlap", "line {line}: the span {start}-{end} {span!r} ({label}) overlaps another span; "
                "left out (one tag per word)", line=record.line, start=start, end=end, label=label, span=shown)))
            continue
        first, last = words[covered[0]], words[covered[-1]]
        if first[1] < start or last[2] > end:
            problems.append(Problem(record.line, note(
                "span_inside_word", "line {line}: the span {start}-{end} {span!r} ({label}) cuts a word; the whole "
                "word {word!r} is tagged", line=record.line, start=start, end=end, label=label, span=shown,
                word=record.text[first[1]:last[2]][:30])))
        for k, i in enumerate(covered):
            tags[i] = ("B-" if k == 0 else "I-") + label
            taken[i] = True
    return [w for w, _, _ in words], tags, problems
