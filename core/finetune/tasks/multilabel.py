"""Multi-label text classification: several labels per text (topics, emotions, tags), none to all of them.

Reads what labelling tools export: JSON lines with a list of labels (``"labels": ["politics",
"sports"]``, doccano / Label Studio / go_emotions), or a table column of labels joined by
``|``, ``;`` or ``,`` (the separator found is said in the reading report). Model head:
``AutoModelForSequenceClassification`` with ``problem_type="multi_label_classification"``,
i.e. one sigmoid per label and binary cross-entropy (transformers' ``BCEWithLogitsLoss``).
A label is predicted when its probability is at least a threshold (0.5 in the report; the
playground has a slider). Scores (scikit-learn, on label-indicator arrays): micro and macro
precision / recall / F1, exact-match (subset) accuracy, and per-label scores
(Tsoumakas & Katakis 2007, "Multi-label classification: an overview").
"""
from __future__ import annotations

import collections
import json
from dataclasses import dataclass, field
from pathlib import Path

from core.finetune.tasks import register
from core.finetune.tasks.base import ColumnsNeeded, Encoded, ReadOptions, Task
from core.finetune.tasks.classification import LABEL_NAMES, guess_columns, table_to_data

# Column names that say "the labels of this text" in multi-label exports, besides the single-label ones.
MULTI_LABEL_NAMES = ("labels", "tags", "topics", "categories", "emotions", "genres", "classes") + LABEL_NAMES
SEPARATORS = ("|", ";", ",")
THRESHOLD = 0.5  # a label is predicted at or above this probability (report and default playground)


@dataclass
class LabelSets:
    """Texts with a set of labels each: ``texts`` (n,), ``label_sets`` (n,) lists of labels (first-seen order)."""

    texts: list[str]
    label_sets: list[list[str]]
    notes: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def labels(self) -> list[str]:
        """One key per text for a stratified split: its labels joined (a label combination)."""
        return ["|".join(sorted(s)) for s in self.label_sets]

    def subset(self, index) -> "LabelSets":
        return LabelSets([self.texts[i] for i in index], [self.label_sets[i] for i in index])


def as_list(cell: str) -> list[str] | None:
    """A JSON list of scalars in a cell (``'["a", "b"]'``) as strings, else None."""
    text = str(cell).strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
        return None
    return [str(v).strip() for v in value if v is not None and str(v).strip()]


def split_labels(cells: list[str]) -> tuple[list[list[str]], str]:
    """Each cell's labels and how they were read: ``"list"`` (JSON lists), a separator, or ``"single"``.

    A separator is chosen only when no cell is a JSON list: the one (``|``, ``;``, ``,``) found in most cells.
    """
    lists = [as_list(c) for c in cells]
    if any(v is not None for v in lists):
        return [v if v is not None else [str(c).strip()] for v, c in zip(lists, cells)], "list"
    counts = {sep: sum(sep in str(c) for c in cells) for sep in SEPARATORS}
    sep = max(SEPARATORS, key=lambda s: counts[s])
    if not counts[sep]:
        return [[str(c).strip()] if str(c).strip() else [] for c in cells], "single"
    return [[p.strip() for p in str(c).split(sep) if p.strip()] for c in cells], sep


def _unique(labels: list[str]) -> list[str]:
    return list(dict.fromkeys(labels))


@register
class MultiLabel(Task):
    name = "multilabel"
    order = 30
    head = "AutoModelForSequenceClassification"
    problem_type = "multi_label_classification"
    formats = ("jsonl", "csv", "tsv")
    upload_types = ("jsonl", "json", "csv", "tsv")
    sample = "sample:topics"
    metric = "micro_f1"
    headline_keys = ("micro_f1", "macro_f1")
    report_view = "per_text"
    columns = True
    reads_label_lists = True
    help = ("several labels per text (JSON lines with a list of labels, as labelling tools export, or a column of "
            "labels joined by | ; or ,)")
    roles = ("text", "label")
    required_roles = ("text", "label")
    playground_inputs = ("text", "threshold")
    report_metrics = (("micro_f1", "finetune.micro_f1"), ("macro_f1", "finetune.macro_f1"),
                      ("micro_precision", "finetune.micro_precision"), ("micro_recall", "finetune.micro_recall"),
                      ("accuracy", "finetune.exact_match"))
    report_formula = (r"\hat y_k = [\sigma(z_k) \ge 0.5]\quad \text{micro-}F_1 = "
                      r"\frac{2\sum_k TP_k}{2\sum_k TP_k + \sum_k FP_k + \sum_k FN_k}\quad "
                      r"\text{macro-}F_1=\frac{1}{K}\sum_{k=1}^{K}F_{1,k}")
    report_explain = "finetune.multilabel_explain"

    # ------------------------------------------------------------ data
    def read(self, path: Path, fmt: str, options: ReadOptions, info: dict) -> LabelSets:
        from core.finetune import data as fd
        from core.text.report import note

        frame = fd.read_table(path, fmt, delimiter=options.delimiter, no_header=options.no_header, report=info)
        guess = guess_columns(frame, MULTI_LABEL_NAMES)
        columns = [str(c) for c in frame.columns]
        info.update(columns=columns, guess=guess, rows_in=len(frame))
        text_col, label_col = options.text_col or guess["text"] or "", options.label_col or guess["label"] or ""
        missing = [role for role, col in (("text", text_col), ("label", label_col)) if not col]
        if missing:
            raise ColumnsNeeded(
                f"which column holds the {' and which the '.join(missing)}? {path.name} has columns "
                f"{', '.join(map(repr, frame.columns))}; pass {' and '.join(f'--{r}-col NAME' for r in missing)}.",
                missing=missing, columns=columns, guess=guess, preview=frame.head(8).to_dict("records"), info=info)
        rows = table_to_data(frame, text_col, label_col, source=path.name)  # drops rows without text or label
        sets, how = split_labels(rows.labels)
        keep = [i for i, s in enumerate(sets) if s]
        data = LabelSets([rows.texts[i] for i in keep], [_unique(sets[i]) for i in keep], notes=rows.notes)
        if not data.texts:
            raise ValueError(f"{path.name} has no row with both a text and at least one label.")
        info.update(text_column=text_col, label_column=label_col, rows_in=len(frame))
        how_text = "JSON lists" if how == "list" else ("one label per row" if how == "single" else f"split on {how!r}")
        info["notes"] = [
            note("multi_label_counts", "multi-label: {texts} texts, {labels} labels", texts=len(data),
                 labels=len(self.label_list(data))),
            note(f"multi_label_{'sep' if how in SEPARATORS else how}", "labels read as {how}", how=how_text,
                 separator=how),
        ]
        return data

    def label_list(self, data: LabelSets) -> list[str]:
        return sorted({label for labels in data.label_sets for label in labels})

    def labels_in(self, data: LabelSets) -> set[str]:
        return set(self.label_list(data))

    def display(self) -> dict:
        return {"n_items": "finetune.n_examples", "n_labels": "finetune.n_labels",
                "counts_title": "finetune.fig.label_counts"}

    def summarize(self, data: LabelSets, tokenizer=None, max_length: int | None = None) -> dict:
        from core.finetune.data import summary_common

        warnings = list(data.notes)
        counts = collections.Counter(label for labels in data.label_sets for label in labels)
        dupes = len(data.texts) - len(set(data.texts))
        if dupes:
            warnings.append({"code": "duplicates", "count": dupes})
        if len(counts) < 2:
            warnings.append({"code": "one_class", "label": next(iter(counts), "")})
        lengths = None
        if tokenizer is not None:
            lengths = [len(ids) for ids in tokenizer(data.texts, add_special_tokens=True)["input_ids"]]
        return summary_common(len(data), counts, warnings, lengths, max_length)

    def preview(self, data: LabelSets, n: int = 10) -> list[dict]:
        return [{"text": text, "label": ", ".join(labels)} for text, labels in zip(data.texts[:n], data.label_sets[:n])]

    # ------------------------------------------------------------ model
    def encode(self, tokenizer, data: LabelSets, label2id: dict[str, int], max_length: int) -> Encoded:
        """Each example's ``labels`` is a multi-hot float vector (K,): what BCEWithLogitsLoss takes."""
        n_truncated = sum(len(ids) > max_length for ids in tokenizer(data.texts)["input_ids"])
        enc = tokenizer(data.texts, truncation=True, max_length=max_length)
        features = []
        for i, labels in enumerate(data.label_sets):
            feature = {k: enc[k][i] for k in enc.keys()}
            hot = [0.0] * len(label2id)
            for label in labels:
                hot[label2id[label]] = 1.0
            feature["labels"] = hot
            features.append(feature)
        return Encoded(features, n_truncated)

    def collator(self, tokenizer, pad_to_multiple_of: int | None = None):
        from transformers import DataCollatorWithPadding

        return DataCollatorWithPadding(tokenizer, pad_to_multiple_of=pad_to_multiple_of)

    def gather(self, accelerator, logits, batch) -> tuple[list, list]:
        """Per example, the probability of every label (K,) and the largest of them."""
        import torch

        probs = accelerator.gather_for_metrics(torch.sigmoid(logits))
        return probs.tolist(), probs.max(dim=-1).values.tolist()

    def scores(self, data: LabelSets, encoded: Encoded, preds: list, confs: list, labels: list[str]) -> tuple[dict, dict]:
        """Micro/macro scores and per-label rows at :data:`THRESHOLD`; the wrong label sets, most confident first."""
        from core.finetune.report import misclassified, multilabel_scores

        predicted = [[lab for lab, p in zip(labels, row) if p >= THRESHOLD] for row in preds]
        scores = multilabel_scores(data.label_sets, predicted, labels)
        joined = lambda sets: [", ".join(sorted(s)) for s in sets]  # noqa: E731
        sure = [max(abs(p - THRESHOLD) for p in row) + THRESHOLD if row else 0.0 for row in preds]
        return scores, {"predicted": predicted,
                        "misclassified": misclassified(data.texts, joined(data.label_sets), joined(predicted), sure)}

    def predict(self, model, tokenizer, labels: list[str], text: str, max_length: int, threshold: float = THRESHOLD,
                **inputs) -> dict:
        """``{"view", "probabilities": [(label, p), ...] most likely first, "predicted": labels with p >= threshold,
        "threshold"}``; each p is its own sigmoid (they need not sum to 1)."""
        import torch

        enc = tokenizer(text, truncation=True, max_length=max_length, return_tensors="pt")
        with torch.no_grad():
            probs = torch.sigmoid(model(**enc).logits[0].float()).tolist()
        ranked = sorted(zip(labels, probs), key=lambda lp: -lp[1])
        return {"view": self.report_view, "probabilities": ranked, "threshold": float(threshold),
                "predicted": [lab for lab, p in ranked if p >= threshold]}

    def example(self, data: LabelSets) -> str:
        if not len(data):
            return ""
        first = range(min(len(data), 8))
        return data.texts[max(first, key=lambda i: (len(data.label_sets[i]), -i))]
