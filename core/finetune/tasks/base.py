"""The shared verbs of a fine-tune task; each task overrides what differs.

A task owns everything that depends on what is being predicted: which files it
reads (and how), its labels, how text becomes model inputs with labels aligned
to sub-word tokens, the model head (``AutoModelFor...``), the collator, the
scores and report, prediction for the playground, and what the page shows of
its data. The trainer, the CLI and the page only call these verbs, so a new
task is one file plus its tests and strings (see :mod:`core.finetune.tasks`).

Shapes: a split's data has ``len(data)`` examples and ``data.subset(index)``;
``encode`` returns one unpadded feature dict per example (lists of ints).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

IGNORE = -100  # label id that PyTorch's cross-entropy (and our metrics) skip
# A table role -> the FinetuneConfig field (and --flag) that names its column.
ROLE_FIELDS = {"text": "text_col", "label": "label_col", "text_pair": "text_pair_col"}


@dataclass(frozen=True)
class ReadOptions:
    """How to read a user's file; every field defaults to "find out and say so"."""

    fmt: str = "auto"  # a format the task reads, or "auto" (extension, then content)
    text_col: str = ""  # table column of the text ("" = by its name, else ask); CoNLL: the words' column number
    label_col: str = ""  # table column of the label ("" = by its name, else ask); CoNLL: the tags' column number
    pair_col: str = ""  # optional second text column
    delimiter: str = ""  # "" = sniff
    no_header: bool = False  # the table's first row is data
    encoding: str = ""  # "" = detect it (and ask when unsure); else a Python codec name the user chose


class ColumnsNeeded(ValueError):
    """The table's columns for ``missing`` roles ("text", "label") cannot be told by their names: ask the user.

    Carries what the page needs to ask: ``columns``, ``guess``, ``preview`` (first rows) and ``info``.
    """

    def __init__(self, message: str, *, missing: list[str], columns: list[str], guess: dict, preview: list[dict],
                 info: dict):
        super().__init__(message)
        self.missing, self.columns, self.guess, self.preview, self.info = missing, columns, guess, preview, info


@dataclass
class Encoded:
    """Model inputs of one split: ``features`` (n,) dicts, how many were cut, and per-example alignment.

    ``words[i]`` (token tasks only): the word index of each labelled position of example ``i``,
    in order, so predictions map back to the words that have sub-word pieces.
    """

    features: list[dict]
    n_truncated: int = 0
    words: list[list[int]] | None = None
    notes: list[dict] = field(default_factory=list)


class Task:
    """Base class: class attributes describe the task, methods are the verbs."""

    name: ClassVar[str] = ""  # registry key, also config.task and the CLI choice
    order: ClassVar[int] = 100  # position in the page's and the CLI's choice of tasks
    head: ClassVar[str] = ""  # transformers Auto class of the model head
    formats: ClassVar[tuple[str, ...]] = ()  # file formats this task reads (detect_format names)
    upload_types: ClassVar[tuple[str, ...]] = ()  # extensions the page's uploader accepts
    sample: ClassVar[str] = ""  # the shipped quick sample, "sample:<name>"
    metric: ClassVar[str] = ""  # validation score to maximise (early stopping, best checkpoint)
    headline_keys: ClassVar[tuple[str, ...]] = ()  # scores for the runs table (summary.json)
    report_view: ClassVar[str] = ""  # how the page draws the report: "per_text" or "per_word"
    columns: ClassVar[bool] = False  # reads tables whose columns the user maps
    help: ClassVar[str] = ""  # one line for `--task` help and the page
    # -- what the task reads, what its model needs and what its playground takes (the trainer,
    #    the predictor and the page ask these instead of assuming a classifier)
    roles: ClassVar[tuple[str, ...]] = ()  # table columns it reads, in picker order (keys of ROLE_FIELDS)
    required_roles: ClassVar[tuple[str, ...]] = ()  # the roles without which it cannot read a table
    problem_type: ClassVar[str | None] = None  # transformers' config.problem_type of its head (None: any)
    reads_label_lists: ClassVar[bool] = False  # takes a list of labels per text (a single-label task refuses those)
    playground_inputs: ClassVar[tuple[str, ...]] = ("text",)  # what the playground asks: "text", "threshold"
    report_metrics: ClassVar[tuple[tuple[str, str], ...]] = ()  # (score key, label string key) atop the report
    report_formula: ClassVar[str] = ""  # LaTeX of the scores, drawn with the report
    report_explain: ClassVar[str] = ""  # string key of the sentence under the formula
    needs_two_classes: ClassVar[bool] = True  # a training file with one label is refused (readiness' ``one_class``)

    # ------------------------------------------------------------ data
    def read(self, path: Path, fmt: str, options: ReadOptions, info: dict):
        """Read ``path`` (already detected as ``fmt``); ValueError with the line/column if it does not fit.

        Fills ``info``: ``reading`` (the reader's ReadingReport), ``text_column``, ``label_column``,
        and for tables ``columns``, ``guess`` (see classification's ``guess_columns``), ``rows_in``.
        """
        raise NotImplementedError

    def normalize(self, data, normalizer):
        """``data`` with its text put through ``normalizer`` (``core.text.normalize.Normalizer``: NFKC, counted).

        A task whose data holds text overrides this; the default leaves ``data`` as it is.
        """
        return data

    def label_list(self, data) -> list[str]:
        """The classes the model predicts, in id order."""
        raise NotImplementedError

    def labels_in(self, data) -> set[str]:
        """Every label that occurs in ``data`` (to check validation/test against training)."""
        raise NotImplementedError

    def summarize(self, data, tokenizer=None, max_length: int | None = None) -> dict:
        """``{"n", "label_counts", "lengths", "length_stats", "warnings"}`` for the data section."""
        raise NotImplementedError

    def preview(self, data, n: int = 10) -> list[dict]:
        """The first ``n`` examples as table rows (keys name ``finetune.col.*`` headers)."""
        raise NotImplementedError

    def display(self) -> dict:
        """String keys the page uses for this task's data: ``n_items``, ``n_labels``, ``counts_title``."""
        raise NotImplementedError

    # ------------------------------------------------------------ model
    def model_kwargs(self, labels: list[str]) -> dict:
        """Keyword arguments of ``from_pretrained`` for this task's head over ``labels`` (id order)."""
        kwargs = {"num_labels": len(labels), "id2label": dict(enumerate(labels)),
                  "label2id": {lab: i for i, lab in enumerate(labels)}}
        if self.problem_type:
            kwargs["problem_type"] = self.problem_type
        return kwargs

    def fits_model(self, config) -> bool:
        """Whether a saved model's ``config`` (``transformers.PretrainedConfig``) has this task's head."""
        archs = " ".join(getattr(config, "architectures", None) or [])
        problem = getattr(config, "problem_type", None)
        return self.head.replace("AutoModel", "") in archs and (
            problem is None or self.problem_type is None or problem == self.problem_type)

    def encode(self, tokenizer, data, label2id: dict[str, int], max_length: int) -> Encoded:
        raise NotImplementedError

    def collator(self, tokenizer, pad_to_multiple_of: int | None = None):
        raise NotImplementedError

    def gather(self, accelerator, logits, batch) -> tuple[list, list]:
        """Per-example raw predictions and confidences of one batch, gathered over processes."""
        raise NotImplementedError

    def scores(self, data, encoded: Encoded, preds: list, confs: list, labels: list[str]) -> tuple[dict, dict]:
        """``(scores, details)`` of one split from the raw predictions of :meth:`gather`."""
        raise NotImplementedError

    def headline(self, scores: dict) -> dict:
        return {k: float(scores.get(k, 0.0)) for k in self.headline_keys}

    def baselines(self, train, test) -> dict[str, dict]:
        """What a model must beat on ``test`` after seeing ``train``: ``{name: scores}`` with this task's
        :attr:`metric` among the scores (``core.finetune.baselines``); ``{}`` for a task without any."""
        return {}

    # ------------------------------------------------------------ use
    def predict(self, model, tokenizer, labels: list[str], text: str, max_length: int, **inputs) -> dict:
        """Playground prediction for one text: ``{"view": ..., ...}`` (see each task).

        ``inputs``: the other :attr:`playground_inputs` (e.g. ``threshold``)."""
        raise NotImplementedError

    def example(self, data) -> str:
        """A text from ``data`` to prefill the playground with."""
        raise NotImplementedError
