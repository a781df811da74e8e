"""Labelled data in, clean Python lists out: what all fine-tune tasks share.

Which file, which format, how to split, and the page's one call. Everything a
task does differently (its readers, labels, summary) lives in
``core/finetune/tasks/<task>.py``. Decoding and tables go through the one
reader of the project (:mod:`core.text.reader`), which also gives the reading
report the page and the CLI show.

- :func:`load` reads one file for a task -> ``(data, report)``.
- :func:`inspect` is what the page draws of its data section (one call).
- :func:`split` (stratified, seeded), :func:`check_labels`.

Every function raises ``ValueError`` with a message a user can act on.
"""
from __future__ import annotations

import collections
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UserError
from core.finetune import tasks as task_registry
from core.finetune.tasks import ReadOptions

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SAMPLES = {
    "sentiment": "gensim:pang_lee_polarity.cor",  # movie-review polarity, fastText format, Latin-1
    "ner": "data/ner_sample/ner_sample.conll",  # written for EmbedLab, CC0
    "topics": "data/multilabel_sample/topics.jsonl",  # multi-label headlines, written for EmbedLab, CC0
}
BY_EXTENSION = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
                ".conll": "conll", ".conllu": "conll", ".bio": "conll", ".iob": "conll", ".ft": "fasttext"}
FORMATS = ("auto", "csv", "tsv", "jsonl", "fasttext", "conll")


# ---------------------------------------------------------------- files


def dataset_files(source: str | Path) -> dict[str, Path] | None:
    """``{"train", "valid", "test"}`` paths of a named dataset (``"dataset:msra_ner"``), else None.

    The files are converted on first use and cached (:mod:`core.datasets`); ValueError for an unknown name.
    """
    text = str(source)
    if not text.startswith("dataset:"):
        return None
    from core import datasets

    return datasets.get(text).files()


def datasets_for(task: str) -> list:
    """The named datasets (:mod:`core.datasets`) a task can train on, with ``title_en/zh``, ``licence``, ``source``."""
    try:
        from core import datasets
    except ImportError:
        return []
    try:
        return [d for d in datasets.list_datasets(task=task) if d.available()]
    except ValueError:
        return []  # a task the datasets registry has no sets for


def resolve_source(source: str | Path) -> Path:
    """A path for a file name, a shipped sample (``"sample:sentiment"``) or a named dataset (``"dataset:<name>"``).

    A dataset gives its training file.
    """
    text = str(source)
    files = dataset_files(text)
    if files is not None:
        return Path(files["train"])
    if text.startswith("sample:"):
        name = text.split(":", 1)[1]
        if name not in SAMPLES:
            raise ValueError(f"no shipped sample called {name!r}; samples: {', '.join(SAMPLES)}.")
        where = SAMPLES[name]
        if where.startswith("gensim:"):
            from gensim.test.utils import datapath

            return Path(datapath(where.split(":", 1)[1]))
        return DATA_DIR.parent / where
    path = Path(text).expanduser()
    if not path.is_file():
        raise ValueError(f"file not found: {path}")
    if path.stat().st_size == 0:
        raise UserError(f"{path.name} is empty.", "errors.file_empty", name=path.name)
    return path


def display_name(source: str | Path, names: dict | None = None) -> str:
    """What the user knows the file as: the uploaded file's own name (``names``: stored path -> name), else the file name."""
    text = str(source or "")
    if names and text in names:
        return names[text]
    if text.startswith("sample:"):
        return f"{text.split(':', 1)[1]} sample"
    if text.startswith("dataset:"):
        return text.split(":", 1)[1]
    return Path(text).name


def decode(path: Path, encoding: str = "") -> tuple[str, dict]:
    """The whole file's text, decoded strictly (:func:`core.text.reader.decode_file`), and ``{"reading": report}``.

    ``encoding``: the user's choice; "" detects it (``core.text.EncodingQuestion`` when unsure).
    """
    from core.text.reader import decode_file

    text, report = decode_file(path, encoding=encoding or None)
    return text, {"reading": report}


def read_export(path: Path, options: ReadOptions, info: dict):
    """The records of a doccano / Label Studio export (:mod:`core.text.exports`); ``info["reading"]`` its report."""
    from core.text.exports import read_export as read

    text, found = decode(path, options.encoding)
    records, kind = read(text, path.name, None if options.fmt == "auto" else options.fmt)
    info.update(found)
    info["reading"] = make_report(info.get("reading")).replace(format=kind)
    return records


def add_problems(info: dict, problems: list, code: str, text: str, keep: int = 5) -> None:
    """Span problems of an export in the report: one note with the count, then the first ``keep`` by line."""
    if not problems:
        return
    from core.text.report import note

    report = make_report(info.get("reading")).with_notes(note(code, text, n=len(problems)))
    info["reading"] = report.with_notes(*(p.note for p in problems[:keep]))


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines()[:200] if line.strip()]


def detect_format(path: Path, text: str | None = None, *, encoding: str = "") -> str:
    """``csv``, ``tsv``, ``jsonl``, ``fasttext`` or ``conll`` from the extension, then the first lines (any line ending).

    CoNLL is told by its columns (:func:`core.text.conll.looks_like_conll`: comment lines, an index
    column and CoNLL-U's ten columns included).
    """
    from core.text.conll import looks_like_conll
    from core.text.newlines import split_lines

    by_extension = BY_EXTENSION.get(path.suffix.lower())
    if by_extension is not None and by_extension != "jsonl":
        return by_extension
    text = decode(path, encoding)[0] if text is None else text
    if by_extension == "jsonl":  # a labelling tool's export, or plain JSON lines / a JSON array
        from core.text.exports import export_format

        return export_format(text) or "jsonl"
    lines = _lines(text)
    if not lines:
        raise UserError(f"{path.name} is empty.", "errors.file_empty", name=path.name)
    if sum(line.startswith("__label__") for line in lines) >= 0.8 * len(lines):
        return "fasttext"
    if lines[0].lstrip().startswith(("{", "[")):
        from core.text.exports import export_format

        return export_format(text) or "jsonl"
    all_lines = split_lines(text)[:2000]
    blank_separated = any(not a.strip() and b.strip() for a, b in zip(all_lines, all_lines[1:]))
    short_rows = sum(1 <= len(line.split()) <= 5 for line in lines) >= 0.9 * len(lines)
    tag_like = sum(line.split()[-1] == "O" or line.split()[-1][:2] in ("B-", "I-", "B_", "I_") for line in lines)
    if short_rows and (blank_separated or lines[0].startswith("-DOCSTART-") or tag_like >= 0.5 * len(lines)):
        return "conll"
    if looks_like_conll(text):
        return "conll"
    return "tsv" if lines[0].count("\t") > max(lines[0].count(","), lines[0].count(";")) else "csv"


def read_table(path: Path, fmt: str = "auto", *, delimiter: str = "", no_header: bool = False,
               report: dict | None = None, encoding: str = ""):
    """A pandas DataFrame of strings from a CSV/TSV/semicolon/pipe table or JSON lines.

    Read by :func:`core.text.reader.read_table`: ``delimiter`` "" sniffs it (TSV: a tab, no quoting);
    ``no_header`` reads the first row as data, else the reader decides and says why.
    ``report`` (a dict) receives the reader's report as ``report["reading"]``.
    """
    from core.text.reader import read_table as read

    table = read(path, delimiter=delimiter or None, header=False if no_header else None,
                 format=None if fmt == "auto" else fmt, encoding=encoding or None)
    if report is not None:
        report["reading"] = table.report
    return table.frame


def load(source: str | Path, task: str, options: ReadOptions | None = None, **kwargs):
    """Read one file for ``task``: ``(data, report)``, ``report`` a :class:`core.text.report.ReadingReport`.

    ``kwargs`` are :class:`ReadOptions` fields (``fmt``, ``text_col``, ``label_col``, ...).
    """
    data, report, _ = load_with_info(source, task, options, **kwargs)
    return data, report


def load_with_info(source: str | Path, task: str, options: ReadOptions | None = None, names: dict | None = None,
                   **kwargs):
    """:func:`load` plus the task's reading details (``columns``, ``guess`` with why each column was chosen)."""
    task_obj = task_registry.get(task)
    options = options or ReadOptions(**kwargs)
    path = resolve_source(source)
    fmt = detect_format(path, encoding=options.encoding) if options.fmt == "auto" else options.fmt
    if options.fmt == "auto" and fmt not in task_obj.formats and "conll" in task_obj.formats and fmt in ("tsv", "csv"):
        from core.text.conll import looks_like_conll

        if looks_like_conll(decode(path, options.encoding)[0]):  # GermEval ships CoNLL as .tsv
            fmt = "conll"
    if fmt not in task_obj.formats:
        for other in task_registry.TASKS.values():
            if fmt in other.formats:
                raise ValueError(f"{path.name} looks like a {fmt} file, which the {other.name} task reads; "
                                 f"the {task_obj.name} task reads {', '.join(task_obj.formats)}.")
        raise ValueError(f"the {task_obj.name} task reads {', '.join(task_obj.formats)} files, not {fmt}.")
    info: dict = {}
    data = task_obj.read(path, fmt, options, info)
    from core.text.normalize import Normalizer

    normalizer = Normalizer()
    data = task_obj.normalize(data, normalizer)  # NFKC before tokenising, as word2vec and pretraining do
    reading = info.get("reading")
    if info.get("roles"):  # CoNLL: each column's role and why
        reading = make_report(reading).replace(columns_roles=tuple(info["roles"]))
    if info.get("reading_notes"):
        reading = make_report(reading).with_notes(*info["reading_notes"])
    if normalizer.note() is not None:
        reading = make_report(reading).with_notes(normalizer.note())
    before = getattr(reading, "rows_dropped", 0) or 0
    values = {"source": display_name(source, names), "format": fmt, "text_column": info.get("text_column"),
              "label_column": info.get("label_column"), "rows_read": len(data),
              "rows_dropped": before + max(0, int(info.get("rows_in", len(data))) - len(data))}
    if info.get("columns"):
        values["columns"] = tuple(info["columns"])
    report = make_report(reading, **values).with_notes(*info.get("notes", ()))  # what the task says it read
    return data, report, info


def make_report(reading, **changes):
    """The reader's report with ``changes`` applied (a new report when the task read no table)."""
    from core.text.report import ReadingReport

    return (reading or ReadingReport()).replace(**changes)


# ---------------------------------------------------------------- splits and checks


def split(data, valid_fraction: float, test_fraction: float, seed: int):
    """Stratified, seeded ``(train, valid, test)``; a fraction of 0 gives None for that part.

    ``data.labels`` are the stratification keys. Falls back to a plain seeded shuffle when a
    class is too small to stratify.
    """
    import numpy as np
    from sklearn.model_selection import train_test_split

    n = len(data)
    index = np.arange(n)
    keys = np.asarray(data.labels)

    def cut(idx, fraction, rng_seed):
        if fraction <= 0:
            return idx, None
        size = max(1, int(round(fraction * len(idx))))
        if size >= len(idx):
            raise UserError(f"only {n} examples: too few to hold out {fraction:.0%} for validation/test.",
                            "errors.too_few_to_split", n=n, share=f"{fraction:.0%}")
        counts = collections.Counter(keys[idx])
        stratify = keys[idx] if min(counts.values()) >= 2 and size >= len(counts) and len(idx) - size >= len(counts) else None
        return train_test_split(idx, test_size=size, random_state=rng_seed, stratify=stratify)

    rest, test = cut(index, test_fraction, seed)
    train, valid = cut(rest, valid_fraction / max(1e-9, 1 - test_fraction), seed + 1)
    parts = [data.subset(sorted(train))]
    parts += [data.subset(sorted(p)) if p is not None else None for p in (valid, test)]
    return tuple(parts)


def check_labels(known: list[str], seen: set[str], name: str) -> None:
    """Every label ``seen`` in the ``name`` data must be one the model learns from the training data."""
    unseen = sorted(set(seen) - set(known))
    if unseen:
        unseen_text, known_text = ", ".join(map(repr, unseen[:10])), ", ".join(map(repr, known[:20]))
        raise UserError(f"the {name} data has labels that never occur in the training data: {unseen_text}; "
                        f"training labels are {known_text}. Fix the labels or add examples of them to the training file.",
                        "errors.unseen_labels", split=name, unseen=unseen_text, known=known_text)


def summary_common(n: int, counts: collections.Counter, warnings: list[dict], lengths: list[int] | None,
                   max_length: int | None) -> dict:
    """The summary every task returns: ``{"n", "label_counts", "lengths", "length_stats", "warnings"}``.

    Adds the imbalance / few-examples / truncation warnings from the label counts and token lengths.
    """
    import numpy as np

    if len(counts) >= 2:
        ratio = max(counts.values()) / max(1, min(counts.values()))
        if ratio >= 5:
            warnings.append({"code": "imbalance", "ratio": round(ratio, 1),
                             "rare": min(counts, key=counts.get), "common": max(counts, key=counts.get)})
        few = sorted(label for label, c in counts.items() if c < 5)
        if few:
            warnings.append({"code": "few_examples", "labels": ", ".join(few[:10])})
    summary = {"n": n, "label_counts": dict(sorted(counts.items(), key=lambda kv: -kv[1])),
               "warnings": warnings, "lengths": [], "length_stats": {}}
    if lengths:
        arr = np.asarray(lengths)
        summary["lengths"] = list(lengths)
        summary["length_stats"] = {"min": int(arr.min()), "median": float(np.median(arr)),
                                   "p95": float(np.percentile(arr, 95)), "max": int(arr.max())}
        if max_length:
            over = int((arr > max_length).sum())
            if over:
                warnings.append({"code": "truncated", "count": over, "max_length": max_length})
    return summary


# ---------------------------------------------------------------- the page's data section


@dataclass
class DataView:
    """What the fine-tune page draws of its data, from one call (:func:`inspect`).

    ``metrics``: ``[(string key, value)]``; ``counts_title``: string key of the counts figure;
    ``columns``/``guess``: the table's columns and the mapping found (tasks with columns);
    ``report``: the reading report (:class:`core.text.report.ReadingReport`); ``preview``: rows; ``summary``: see the task's
    ``summarize``; ``errors``: problems of the validation/test files (unseen labels...).
    """

    task: str
    format: str
    report: object
    preview: list[dict]
    summary: dict
    metrics: list[tuple[str, object]]
    counts_title: str
    columns: list[str] = field(default_factory=list)
    guess: dict = field(default_factory=dict)
    example: str = ""
    errors: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # roles whose column the user must pick ("text", "label")
    language: str = ""  # "zh" or "en" by the share of CJK letters in the preview, "" when not read yet


def preview_language(preview: list[dict], report=None) -> str:
    """"zh", "ja", "ko" or "en" for the text of the preview rows; "" when empty.

    The reader's judgement (``report.language``, ``core.text.script``) names Japanese and Korean,
    which share characters with Chinese; traditional Chinese counts as "zh". Otherwise
    ``core.text.tokenize.detect_language`` on the preview.
    """
    from core.text.tokenize import detect_language

    judged = getattr(report, "language", "") or ""
    if judged:
        return "zh" if judged.startswith("zh") else judged
    text = " ".join(str(v) for row in preview for v in row.values() if isinstance(v, str))
    return detect_language(text) if text.strip() else ""


def inspect(task: str, train_file: str, options: ReadOptions | None = None, *, valid_file: str = "",
            test_file: str = "", tokenizer=None, max_length: int | None = None, n_preview: int = 8,
            names: dict | None = None) -> DataView:
    """Read the training file (and check the optional validation/test files) for the page.

    Raises ``ValueError`` when the training file cannot be used; problems of the other files
    are returned in ``errors`` (with the unseen labels named) so the page shows them before training.
    """
    task_obj = task_registry.get(task)
    options = options or ReadOptions()
    try:
        data, report, info = load_with_info(train_file, task, options, names=names)
    except task_registry.ColumnsNeeded as ask:
        report = make_report(ask.info.get("reading"), source=display_name(train_file, names))
        return DataView(task=task, format=report.format, report=report, preview=ask.preview, summary={},
                        metrics=[], counts_title="", columns=ask.columns, guess=ask.guess, missing=ask.missing)
    summary = task_obj.summarize(data, tokenizer, max_length)
    shown = task_obj.display()
    labels = task_obj.label_list(data)
    errors = []
    for role, source in (("validation", valid_file), ("test", test_file)):
        if not source:
            continue
        try:
            other, _ = load(source, task, options)
            check_labels(labels, task_obj.labels_in(other), role)
        except ValueError as err:
            errors.append(f"{display_name(source, names)}: {err}")
    stats = summary["length_stats"]
    metrics = [(shown["n_items"], summary["n"]), (shown["n_labels"], len(summary["label_counts"]))]
    if stats:
        metrics += [("finetune.median_tokens", f"{stats['median']:.0f}"), ("finetune.p95_tokens", f"{stats['p95']:.0f}")]
    preview = task_obj.preview(data, n_preview)
    return DataView(task=task, format=report.format, report=report, preview=preview, summary=summary,
                    language=preview_language(preview, report), metrics=metrics, counts_title=shown["counts_title"],
                    columns=list(info.get("columns") or []), guess=info.get("guess") or {},
                    example=task_obj.example(data), errors=errors)
