"""Text classification: one label per text (or per pair of texts).

Reads CSV/TSV/semicolon tables and JSON lines with a text and a label column,
and fastText lines (``__label__pos a fine film``). Model head:
``AutoModelForSequenceClassification`` (a linear layer on the [CLS] vector);
loss: cross-entropy; scores: accuracy and macro F1 (scikit-learn).
"""
from __future__ import annotations

import collections
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from core.finetune.tasks import register
from core.finetune.tasks.base import ColumnsNeeded, Encoded, ReadOptions, Task

TEXT_NAMES = ("text", "sentence", "sentence1", "review", "content", "document", "body", "comment", "tweet",
              "question", "premise", "title", "description")
PAIR_NAMES = ("text_pair", "sentence2", "hypothesis", "text2", "second", "answer", "context")
# A label column is only ever chosen by one of these names; otherwise the user is asked.
LABEL_NAMES = ("label", "labels", "class", "category", "sentiment", "target", "y", "tag", "intent", "polarity",
               "gold_label", "stars", "rating")


@dataclass
class TextData:
    """Texts with one label each: ``texts`` (n,), ``labels`` (n,), ``pairs`` (n,) or None."""

    texts: list[str]
    labels: list[str]
    pairs: list[str] | None = None
    notes: list[dict] = field(default_factory=list)  # loader remarks, e.g. {"code": "multi_label", "count": 3}

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, index) -> "TextData":
        pick = lambda xs: [xs[i] for i in index]  # noqa: E731
        return TextData(pick(self.texts), pick(self.labels), pick(self.pairs) if self.pairs else None)


# ---------------------------------------------------------------- tables


def guess_columns(frame, label_names: tuple[str, ...] = LABEL_NAMES) -> dict:
    """``{"text", "text_pair", "label"}`` columns and ``"why"`` for each pick: ``"name"``, ``"longest"`` or None.

    The label is chosen only by a recognised name (``label``, ``class``, ``stars``...), never by
    content: a column of vote counts looks just like a label. The text falls back to the
    column with clearly the longest strings (shown to the user as a guess).
    """
    columns = list(frame.columns)
    lower = {str(c).lower().strip(): c for c in columns}

    def by_name(names, exclude=()):
        for name in names:
            if name in lower and lower[name] not in exclude:
                return lower[name]
        return None

    label = by_name(label_names)
    text = by_name(TEXT_NAMES, exclude=(label,))
    why = {"label": "name" if label else None, "text": "name" if text else None}
    if text is None:
        lengths = {c: frame[c].astype(str).str.len().mean() for c in columns if c != label}
        ranked = sorted(lengths, key=lambda c: -lengths[c])
        if ranked and lengths[ranked[0]] >= 15 and (len(ranked) == 1 or lengths[ranked[0]] >= 2 * lengths[ranked[1]]):
            text, why["text"] = ranked[0], "longest"
    pair = by_name(PAIR_NAMES, exclude=(label, text))
    return {"text": text, "text_pair": pair, "label": label, "why": why}


def table_to_data(frame, text_col: str, label_col: str, pair_col: str = "", source: str = "the file",
                  flag: str = "--label-col") -> TextData:
    """Pick the mapped columns; a missing or wrong name lists the columns that exist (never a KeyError)."""
    available = ", ".join(map(repr, frame.columns))
    flags = {"text": "--text-col", "label": "--label-col"}
    for role, col in (("text", text_col), ("label", label_col), ("second text", pair_col)):
        if role != "second text" and not col:
            raise ValueError(f"which column holds the {role}? {source} has columns {available}; "
                             f"pass {flags[role]} NAME (on the page: pick it).")
        if col and col not in frame.columns:
            raise ValueError(f"{source} has no column {col!r} for the {role}; available columns: {available}.")
    if text_col == label_col:
        raise ValueError("the text column and the label column must be different.")
    frame = frame.fillna("")
    texts = frame[text_col].astype(str).str.strip().tolist()
    labels = frame[label_col].astype(str).str.strip().tolist()
    pairs = frame[pair_col].astype(str).str.strip().tolist() if pair_col else None
    keep = [i for i, (t, y) in enumerate(zip(texts, labels)) if t and y]
    notes = []
    if len(keep) < len(texts):
        notes.append({"code": "dropped_empty", "count": len(texts) - len(keep)})
    data = TextData(texts, labels, pairs).subset(keep)
    data.notes = notes
    if not data.texts:
        raise ValueError(f"{source} has no row with both a text and a label.")
    return data


_FASTTEXT_LABEL = re.compile(r"__label__(\S+)")


def read_fasttext(path: Path, text: str) -> TextData:
    """``__label__pos some text`` lines; a line may carry several labels (the first is used)."""
    texts, labels, multi = [], [], 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        found = _FASTTEXT_LABEL.findall(line)
        if not found:
            raise ValueError(f"{path.name} line {number} has no __label__ prefix: {line[:60]!r}. "
                             "fastText lines look like '__label__pos a fine film'.")
        body = _FASTTEXT_LABEL.sub(" ", line).strip()
        if not body:
            raise ValueError(f"{path.name} line {number} has a label but no text.")
        multi += len(found) > 1
        texts.append(" ".join(body.split()))
        labels.append(found[0])
    if not texts:
        raise ValueError(f"{path.name} is empty.")
    data = TextData(texts, labels)
    if multi:
        data.notes.append({"code": "multi_label", "count": multi})
    return data


def refuse_label_lists(labels: list[str], column: str, source: str, task: Task) -> None:
    """A label column of lists (``["business", "sports"]``) is multi-label data: refused, naming the task that reads it.

    Taking each combination as a class would train a wrong model silently (shared case jsonl-list-labels).
    """
    lists = [label for label in labels if label.startswith("[") and label.endswith("]")]
    if not lists or len(lists) < len(labels) / 2:
        return
    from core.finetune import tasks

    several = sum(len(json.loads(label)) > 1 for label in lists if _json_list(label))
    other = tasks.TASKS.first(lambda t: t.reads_label_lists and t is not task)
    use = f"; choose the {other.name} task (--task {other.name}), which learns several labels per text" if other else ""
    raise ValueError(f"the label column {column!r} of {source} holds lists of labels ({several} of {len(labels)} "
                     f"rows have several): this is multi-label data, and the {task.name} task learns one label per "
                     f"text{use}.")


def _json_list(text: str) -> bool:
    try:
        return isinstance(json.loads(text), list)
    except ValueError:
        return False


# ---------------------------------------------------------------- the task


@register
class Classification(Task):
    name = "classification"
    order = 10
    head = "AutoModelForSequenceClassification"
    formats = ("csv", "tsv", "jsonl", "fasttext", "doccano", "labelstudio")
    upload_types = ("csv", "tsv", "jsonl", "json", "txt")
    sample = "sample:sentiment"
    metric = "macro_f1"
    headline_keys = ("accuracy", "macro_f1")
    report_view = "per_text"
    columns = True
    help = "one label per text (CSV/TSV/JSON lines with text and label columns, or fastText lines)"
    roles = ("text", "label", "text_pair")
    required_roles = ("text", "label")
    problem_type = "single_label_classification"
    report_metrics = (("accuracy", "finetune.accuracy"), ("macro_f1", "finetune.macro_f1"),
                      ("macro_precision", "finetune.macro_precision"), ("macro_recall", "finetune.macro_recall"))
    report_formula = (r"P=\frac{TP}{TP+FP}\quad R=\frac{TP}{TP+FN}\quad F_1=\frac{2PR}{P+R}\quad "
                      r"\text{macro-}F_1=\frac{1}{K}\sum_{k=1}^{K}F_{1,k}")
    report_explain = "finetune.f1_explain"

    def read(self, path: Path, fmt: str, options: ReadOptions, info: dict) -> TextData:
        from core.finetune import data as fd

        if fmt in ("doccano", "labelstudio"):
            return self._read_export(path, options, info)
        if fmt == "fasttext":
            text, found = fd.decode(path, options.encoding)
            info.update(found)
            data = read_fasttext(path, text)
            info.update(text_column="text after __label__", label_column="__label__")
            return data
        frame = fd.read_table(path, fmt, delimiter=options.delimiter, no_header=options.no_header, report=info,
                              encoding=options.encoding)
        guess = guess_columns(frame)
        info.update(columns=[str(c) for c in frame.columns], guess=guess, rows_in=len(frame))
        text_col = options.text_col or guess["text"] or ""
        label_col = options.label_col or guess["label"] or ""
        missing = [role for role, col in (("text", text_col), ("label", label_col)) if not col]
        if missing:
            flags = " and ".join(f"--{role}-col NAME" for role in missing)
            raise ColumnsNeeded(
                f"which column holds the {' and which the '.join(missing)}? {path.name} has columns "
                f"{', '.join(map(repr, frame.columns))}; pass {flags} (on the page: pick it).",
                missing=missing, columns=[str(c) for c in frame.columns], guess=guess,
                preview=frame.head(8).to_dict("records"), info=info)
        data = table_to_data(frame, text_col, label_col, options.pair_col, source=path.name)
        refuse_label_lists(data.labels, label_col, path.name, self)
        info.update(text_column=text_col, label_column=label_col)
        return data

    def _read_export(self, path: Path, options: ReadOptions, info: dict) -> TextData:
        """A labelling tool's classification export: one choice per text (none or several: dropped by line)."""
        from core.finetune import data as fd
        from core.text.report import note

        records = fd.read_export(path, options, info)
        texts, labels = [], []
        report = info["reading"]
        for record in records:
            if len(record.choices) == 1 and record.text.strip():
                texts.append(record.text.strip())
                labels.append(record.choices[0].strip())
            elif not record.choices:
                report = report.with_dropped(record.line, note("export_no_label", "no class label (not annotated)"))
            elif len(record.choices) > 1:
                report = report.with_dropped(record.line, note(
                    "export_multi_label", "{n} labels ({labels}): multi-label data; this task takes one label per "
                    "text", n=len(record.choices), labels=", ".join(record.choices[:3])))
            else:
                report = report.with_dropped(record.line, note("export_no_text", "no text"))
        info["reading"] = report
        if not texts:
            raise ValueError(f"{path.name} has no text with exactly one class label.")
        info.update(text_column="text", label_column="label")
        return TextData(texts, labels)

    def normalize(self, data: TextData, normalizer) -> TextData:
        pairs = [normalizer(p) for p in data.pairs] if data.pairs is not None else None
        return TextData([normalizer(x) for x in data.texts], data.labels, pairs, data.notes)

    def label_list(self, data: TextData) -> list[str]:
        return sorted(set(data.labels))

    def labels_in(self, data: TextData) -> set[str]:
        return set(data.labels)

    def display(self) -> dict:
        return {"n_items": "finetune.n_examples", "n_labels": "finetune.n_classes", "counts_title": "finetune.fig.counts"}

    def baselines(self, train: TextData, test: TextData) -> dict[str, dict]:
        """The majority class and TF-IDF + logistic regression (``core.finetune.baselines``), on ``test``."""
        from core.finetune import baselines

        def texts(data):
            return data.texts if data.pairs is None else [f"{a} {b}" for a, b in zip(data.texts, data.pairs)]

        found = {"majority": baselines.majority_class(list(train.labels), list(test.labels))}
        tfidf = baselines.tfidf_logistic(texts(train), list(train.labels), texts(test), list(test.labels))
        if tfidf is not None:
            found["tfidf"] = tfidf
        return found

    def summarize(self, data: TextData, tokenizer=None, max_length: int | None = None) -> dict:
        warnings = list(data.notes)
        counts = collections.Counter(data.labels)
        texts = data.texts if data.pairs is None else [f"{a}\t{b}" for a, b in zip(data.texts, data.pairs)]
        dupes = len(texts) - len(set(texts))
        if dupes:
            warnings.append({"code": "duplicates", "count": dupes})
        labels_of = collections.defaultdict(set)
        for text, label in zip(texts, data.labels):
            labels_of[text].add(label)
        conflicting = sum(len(labels) > 1 for labels in labels_of.values())
        if conflicting:
            warnings.append({"code": "conflicting", "count": conflicting})
        if len(counts) < 2:
            warnings.append({"code": "one_class", "label": next(iter(counts), "")})
        from core.finetune.data import summary_common

        lengths = None
        if tokenizer is not None:
            args = (data.texts, data.pairs) if data.pairs is not None else (data.texts,)
            lengths = [len(ids) for ids in tokenizer(*args, add_special_tokens=True)["input_ids"]]
        return summary_common(len(data), counts, warnings, lengths, max_length)

    def preview(self, data: TextData, n: int = 10) -> list[dict]:
        rows = []
        for i in range(min(n, len(data))):
            row = {"text": data.texts[i]}
            if data.pairs is not None:
                row["text_pair"] = data.pairs[i]
            row["label"] = data.labels[i]
            rows.append(row)
        return rows

    def encode(self, tokenizer, data: TextData, label2id: dict[str, int], max_length: int) -> Encoded:
        args = (data.texts, data.pairs) if data.pairs is not None else (data.texts,)
        full = tokenizer(*args)
        n_truncated = sum(len(ids) > max_length for ids in full["input_ids"])
        enc = tokenizer(*args, truncation=True, max_length=max_length)
        features = []
        for i, label in enumerate(data.labels):
            feature = {k: enc[k][i] for k in enc.keys()}
            feature["labels"] = label2id[label]
            features.append(feature)
        return Encoded(features, n_truncated)

    def collator(self, tokenizer, pad_to_multiple_of: int | None = None):
        from transformers import DataCollatorWithPadding

        return DataCollatorWithPadding(tokenizer, pad_to_multiple_of=pad_to_multiple_of)

    def gather(self, accelerator, logits, batch) -> tuple[list, list]:
        import torch

        conf, pred = torch.softmax(logits, dim=-1).max(dim=-1)
        conf, pred = accelerator.gather_for_metrics((conf, pred))
        return pred.tolist(), conf.tolist()

    def scores(self, data: TextData, encoded: Encoded, preds: list, confs: list, labels: list[str]) -> tuple[dict, dict]:
        from core.finetune.report import classification_scores, misclassified

        predicted = [labels[i] for i in preds]
        scores = classification_scores(data.labels, predicted, labels)
        texts = data.texts if data.pairs is None else [f"{a} ‖ {b}" for a, b in zip(data.texts, data.pairs)]
        return scores, {"predicted": predicted, "confidence": confs,
                        "misclassified": misclassified(texts, data.labels, predicted, confs)}

    def predict(self, model, tokenizer, labels: list[str], text: str, max_length: int, **inputs) -> dict:
        """``{"view": "per_text", "probabilities": [(label, p), ...]}``, most likely first, summing to 1."""
        import torch

        from core.text.normalize import normalize

        enc = tokenizer(normalize(text), truncation=True, max_length=max_length, return_tensors="pt")
        with torch.no_grad():
            probs = torch.softmax(model(**enc).logits[0].float(), dim=-1).tolist()
        return {"view": self.report_view, "probabilities": sorted(zip(labels, probs), key=lambda lp: -lp[1])}

    def example(self, data: TextData) -> str:
        return min(data.texts[:50], key=lambda t: abs(len(t) - 60)) if len(data) else ""
