"""Named entities (NER): one BIO tag per word, read from CoNLL files.

Model head: ``AutoModelForTokenClassification`` (a linear layer on every
sub-word vector). A word's label sits on its first sub-word piece; the other
pieces and the special tokens get -100 (ignored by the loss and the scores).
A word that yields no pieces at all (zero-width space, soft hyphen, U+FE0F,
control characters) cannot be predicted: it is tagged O *in its own place* and
counted, so no later word's prediction shifts. Scores: entity-level
precision/recall/F1 (seqeval, an entity counts when its type and both
boundaries match).
"""
from __future__ import annotations

import collections
import re
from dataclasses import dataclass, field
from pathlib import Path

from core.finetune.tasks import register
from core.finetune.tasks.base import IGNORE, Encoded, ReadOptions, Task

_TAG = re.compile(r"([BIESLU])[-_](\S+)")


@dataclass
class TagData:
    """Sentences of words with one BIO tag per word: ``tokens[i]`` and ``tags[i]`` have equal length."""

    tokens: list[list[str]]
    tags: list[list[str]]
    notes: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def labels(self) -> list[str]:
        """One stratification key per sentence: its most frequent entity type, or "O"."""
        keys = []
        for tags in self.tags:
            types = collections.Counter(t[2:] for t in tags if t != "O")
            keys.append(types.most_common(1)[0][0] if types else "O")
        return keys

    def subset(self, index) -> "TagData":
        return TagData([self.tokens[i] for i in index], [self.tags[i] for i in index])


def align_labels(word_ids: list[int | None], word_labels: list[int]) -> list[int]:
    """One label per sub-word token, from one label per word.

    The first sub-token of each word carries the word's label; the other
    sub-tokens of that word and the special tokens ([CLS], [SEP], padding;
    ``word_id`` None) get ``-100`` so the loss and the metrics ignore them.
    ``word_ids`` (seq_len,) as a fast tokenizer's ``word_ids()`` returns.
    """
    out, previous = [], None
    for word in word_ids:
        if word is None or word == previous:
            out.append(IGNORE)
        else:
            out.append(word_labels[word])
        previous = word
    return out


def first_pieces(word_ids: list[int | None]) -> list[int]:
    """The word index of each word's first piece, in order (words without pieces do not appear)."""
    out, previous = [], None
    for word in word_ids:
        if word is not None and word != previous:
            out.append(word)
        previous = word
    return out


def place(n_words: int, words: list[int], predicted: list[str]) -> list[str]:
    """``n_words`` tags: ``predicted[k]`` at word ``words[k]``, "O" for words with no (kept) piece."""
    out = ["O"] * n_words
    for word, tag in zip(words, predicted):
        out[word] = tag
    return out


# ---------------------------------------------------------------- reading


def to_bio(tags: list[str]) -> list[str]:
    """IOB1, IOBES and BILOU to BIO: an entity starts with B- wherever its type starts.

    ``I-X`` after ``O`` or after another type becomes ``B-X``; ``E-X``/``L-X`` -> ``I-X``,
    ``S-X``/``U-X`` -> ``B-X``; ``B_X`` -> ``B-X``. Valid BIO passes through unchanged.
    """
    out, previous = [], "O"
    for tag in tags:
        if tag == "O":
            out.append("O")
            previous = "O"
            continue
        prefix, kind = tag[0], tag[2:]
        prefix = {"S": "B", "U": "B", "E": "I", "L": "I"}.get(prefix, prefix)
        if prefix == "I" and (previous == "O" or previous[2:] != kind):
            prefix = "B"
        new = f"{prefix}-{kind}"
        out.append(new)
        previous = new
    return out


def read_conll(path: Path, text: str, *, tag_column: int | None = None, token_column: int | None = None,
               info: dict | None = None) -> TagData:
    """CoNLL / CoNLL-U by column roles (:func:`core.text.conll.read_columns`): words and one BIO tag each.

    Any line ending; comment and ``-DOCSTART-`` lines skipped; an index column is never the words;
    with several tag columns the first (GermEval's outer entities) unless ``tag_column`` (1-based)
    says otherwise. IOB1, IOBES and BILOU tags (and ``B_X`` spellings) are converted to BIO with a
    note; anything else is refused with its line number. ``info`` receives ``roles`` and ``notes``.
    """
    from core.text.conll import read_columns

    found = read_columns(text, path.name, tag_column=tag_column, token_column=token_column)
    data = TagData(found.tokens, [to_bio(t) for t in found.tags])
    changed = sum(a != b for a, b in zip(data.tags, found.raw_tags))
    if changed:
        data.notes.append({"code": "converted_bio", "count": changed})
    if info is not None:
        info.update(roles=found.roles, reading_notes=found.notes, token_column=found.token_column,
                    tag_column=found.tag_column)
    return data


def _column_name(column: int | str) -> str:
    """What the report calls the tag column: its number from 1, "MISC" (CoNLL-U) or "last" (ragged lines)."""
    if column == "misc":
        return "MISC"
    return "last" if column == -1 else str(int(column) + 1)


def _column_number(value: str, flag: str) -> int | None:
    """A CoNLL column chosen by number (1-based), or None for "by content"."""
    if not value:
        return None
    if not str(value).strip().isdigit():
        raise ValueError(f"{flag} for a CoNLL file is a column number (1 for the first column), not {value!r}.")
    return int(value)


# ---------------------------------------------------------------- words of free text (playground)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CHUNK = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")


def split_words(tokenizer, text: str) -> list[tuple[str, int, int]]:
    """Words of ``text`` as ``(word, start, end)`` character offsets, split as CoNLL files are.

    Each CJK character is a word; other runs are split by the tokenizer's own pre-tokenizer
    (whitespace and punctuation, as BERT does), so "Paris." gives "Paris" and ".".
    Characters the tokenizer drops (U+200B, U+00AD...) stay words of their own.
    """
    pre = getattr(getattr(tokenizer, "backend_tokenizer", None), "pre_tokenizer", None)
    words = []
    for m in _CHUNK.finditer(text):
        chunk, base = m.group(), m.start()
        pieces = pre.pre_tokenize_str(chunk) if pre is not None and len(chunk) > 1 else [(chunk, (0, len(chunk)))]
        if not pieces or "".join(p for p, _ in pieces).replace("▁", "") == "":
            pieces = [(chunk, (0, len(chunk)))]
        for _, (start, end) in pieces:
            if end > start:
                words.append((chunk[start:end], base + start, base + end))
    return words


def group_entities(text: str, words: list[dict]) -> list[dict]:
    """Merge BIO-tagged words into entities; an ``I-X`` that does not continue an X starts one (lenient)."""
    entities: list[dict] = []
    current = None
    for w in words:
        tag = w["tag"]
        if tag == "O":
            current = None
            continue
        prefix, kind = tag[:1], tag[2:]
        if prefix == "I" and current is not None and current["type"] == kind:
            current["end"] = w["end"]
            current["scores"].append(w["score"])
        else:
            current = {"type": kind, "start": w["start"], "end": w["end"], "scores": [w["score"]]}
            entities.append(current)
    for e in entities:
        e["text"] = text[e["start"]:e["end"]]
        e["score"] = sum(e["scores"]) / len(e["scores"])
        del e["scores"]
    return entities


# ---------------------------------------------------------------- the task


def entity_types(tags) -> list[str]:
    """The entity types named by BIO tags (``B-PER``, ``I-LOC`` -> ``LOC, PER``), sorted; "O" is none."""
    return sorted({t[2:] for t in tags if t != "O"})


@register
class NER(Task):
    name = "ner"
    order = 20
    head = "AutoModelForTokenClassification"
    formats = ("conll", "doccano", "labelstudio")
    upload_types = ("conll", "conllu", "txt", "tsv", "iob", "bio", "jsonl", "json")
    sample = "sample:ner"
    metric = "f1"
    headline_keys = ("f1", "precision", "recall")
    report_view = "per_word"
    columns = False
    needs_two_classes = False  # its tags are per word; a file of one entity type still has B-, I- and O
    help = "one BIO tag per word (CoNLL files: word ... TAG per line, blank line between sentences)"
    report_metrics = (("f1", "finetune.entity_f1"), ("precision", "finetune.entity_precision"),
                      ("recall", "finetune.entity_recall"), ("accuracy", "finetune.token_accuracy"))
    report_formula = (r"P=\frac{\#\text{correct entities}}{\#\text{predicted entities}}\quad "
                      r"R=\frac{\#\text{correct entities}}{\#\text{true entities}}\quad F_1=\frac{2PR}{P+R}")
    report_explain = "finetune.entity_explain"

    def baselines(self, train: TagData, test: TagData) -> dict[str, dict]:
        """The dictionary / majority-tag baseline (``core.finetune.baselines.majority_tag``), on ``test``."""
        from core.finetune import baselines

        return {"majority_tag": baselines.majority_tag(train.tokens, train.tags, test.tokens, test.tags)}

    def read(self, path: Path, fmt: str, options: ReadOptions, info: dict) -> TagData:
        from core.finetune import data as fd

        if fmt in ("doccano", "labelstudio"):
            return self._read_export(path, options, info)
        if fmt != "conll":
            raise ValueError(f"NER needs a CoNLL file (word and tag per line) or a doccano / Label Studio export; "
                             f"{path.name} looks like {fmt}.")
        text, found = fd.decode(path, options.encoding)
        info.update(found)
        data = read_conll(path, text, tag_column=_column_number(options.label_col, "--label-col"),
                          token_column=_column_number(options.text_col, "--text-col"), info=info)
        info.update(text_column=str(info["token_column"] + 1),  # column numbers; the roles say what each holds
                    label_column=_column_name(info["tag_column"]))
        return data

    def _read_export(self, path: Path, options: ReadOptions, info: dict) -> TagData:
        """Spans of a labelling tool's export, aligned to words (CJK: characters) as BIO tags."""
        from core.finetune import data as fd
        from core.text.exports import spans_to_tags
        from core.text.report import note

        records = fd.read_export(path, options, info)
        tokens, tags, problems, unlabelled = [], [], [], 0
        report = info["reading"]
        for record in records:
            words, labels, found = spans_to_tags(record)
            problems += found
            if not words:
                report = report.with_dropped(record.line, note("export_no_words", "no words in the text"))
                continue
            unlabelled += not record.spans
            tokens.append(words)
            tags.append(labels)
        info["reading"] = report
        fd.add_problems(info, problems, "span_problems", "{n} span(s) could not be used as written (by line below).")
        if unlabelled:
            info["reading"] = info["reading"].with_notes(note(
                "export_unlabelled", "{n} text(s) have no entity span: every word is O.", n=unlabelled))
        if not tokens:
            raise ValueError(f"{path.name} has no text with words.")
        info.update(text_column="text", label_column="spans")
        return TagData(tokens, tags)

    def normalize(self, data: TagData, normalizer) -> TagData:
        """NFKC per word, so the words (and their tags) stay in place."""
        return TagData([[normalizer(w) for w in words] for words in data.tokens], data.tags, data.notes)

    def label_list(self, data: TagData) -> list[str]:
        """"O" then a B-/I- pair for every entity type, so both can be predicted."""
        return ["O"] + [f"{p}-{k}" for k in entity_types(t for tags in data.tags for t in tags) for p in ("B", "I")]

    def labels_in(self, data: TagData) -> set[str]:
        return {t for tags in data.tags for t in tags}

    def display(self) -> dict:
        return {"n_items": "finetune.n_sentences", "n_labels": "finetune.n_types",
                "counts_title": "finetune.fig.entity_counts"}

    def summarize(self, data: TagData, tokenizer=None, max_length: int | None = None) -> dict:
        """Entity counts are counted per entity (B- tags)."""
        from core.finetune.data import summary_common

        warnings = list(data.notes)
        counts = collections.Counter(t[2:] for tags in data.tags for t in tags if t.startswith("B-"))
        if not counts:
            warnings.append({"code": "no_entities"})
        lengths = None
        if tokenizer is not None:
            enc = tokenizer(data.tokens, is_split_into_words=True, add_special_tokens=True)
            lengths = [len(ids) for ids in enc["input_ids"]]
            empty = sum(len(tags) - len(first_pieces(enc.word_ids(i))) for i, tags in enumerate(data.tags))
            if empty:
                warnings.append({"code": "no_pieces", "count": empty})
        return summary_common(len(data), counts, warnings, lengths, max_length)

    def preview(self, data: TagData, n: int = 10) -> list[dict]:
        return [{"tokens": " ".join(w), "tags": " ".join(t)} for w, t in zip(data.tokens[:n], data.tags[:n])]

    def encode(self, tokenizer, data: TagData, label2id: dict[str, int], max_length: int) -> Encoded:
        full = tokenizer(data.tokens, is_split_into_words=True)
        n_truncated = sum(len(ids) > max_length for ids in full["input_ids"])
        no_pieces = sum(len(tags) - len(first_pieces(full.word_ids(i))) for i, tags in enumerate(data.tags))
        enc = tokenizer(data.tokens, is_split_into_words=True, truncation=True, max_length=max_length)
        features, words = [], []
        for i, tags in enumerate(data.tags):
            feature = {k: enc[k][i] for k in enc.keys()}
            feature["labels"] = align_labels(enc.word_ids(i), [label2id[t] for t in tags])
            features.append(feature)
            words.append(first_pieces(enc.word_ids(i)))
        notes = [{"code": "no_pieces", "count": no_pieces}] if no_pieces else []
        return Encoded(features, n_truncated, words=words, notes=notes)

    def collator(self, tokenizer, pad_to_multiple_of: int | None = None):
        from transformers import DataCollatorForTokenClassification

        return DataCollatorForTokenClassification(tokenizer, pad_to_multiple_of=pad_to_multiple_of)

    def gather(self, accelerator, logits, batch) -> tuple[list, list]:
        """Per sentence, the predicted ids at the labelled positions (first pieces), in order."""
        logits = accelerator.pad_across_processes(logits, dim=1, pad_index=0)
        gold = accelerator.pad_across_processes(batch["labels"], dim=1, pad_index=IGNORE)
        logits, gold = accelerator.gather_for_metrics((logits, gold))
        preds = [[p for p, g in zip(row_pred, row_gold) if g != IGNORE]
                 for row_pred, row_gold in zip(logits.argmax(-1).tolist(), gold.tolist())]
        return preds, []

    def scores(self, data: TagData, encoded: Encoded, preds: list, confs: list, labels: list[str]) -> tuple[dict, dict]:
        """Each prediction goes back to its own word; words with no piece (or cut off) are "O"."""
        from core.finetune.report import ner_scores

        true = data.tags
        predicted = [place(len(t), w, [labels[p] for p in row]) for t, w, row in zip(true, encoded.words, preds)]
        scores = ner_scores(true, predicted)
        scores["no_pieces"] = sum(len(t) - len(w) for t, w in zip(true, encoded.words))
        examples = [{"tokens": w, "true": t, "predicted": p} for w, t, p in list(zip(data.tokens, true, predicted))[:50]]
        return scores, {"examples": examples, "entity_types": entity_types(t for e in examples for t in e["true"])}

    def predict(self, model, tokenizer, labels: list[str], text: str, max_length: int, **inputs) -> dict:
        """``{"view": "per_word", "words": [{"word", "start", "end", "tag", "score"}], "entities": [...],
        "no_pieces": n}``; offsets are characters of ``text``; a word's tag is its first piece's, as in training."""
        import torch

        from core.text.normalize import normalize

        words = split_words(tokenizer, text)
        enc = tokenizer([normalize(w) for w, _, _ in words], is_split_into_words=True, truncation=True,
                        max_length=max_length, return_tensors="pt")
        word_ids = enc.word_ids(0)
        with torch.no_grad():
            probs = torch.softmax(model(**enc).logits[0].float(), dim=-1)
        conf, pred = probs.max(dim=-1)
        first = {}
        for i, word in enumerate(word_ids):
            if word is not None and word not in first:
                first[word] = i
        out = []
        for k, (word, start, end) in enumerate(words):
            i = first.get(k)
            out.append({"word": word, "start": start, "end": end, "tag": labels[pred[i]] if i is not None else "O",
                        "score": float(conf[i]) if i is not None else 0.0})
        return {"view": self.report_view, "words": out, "entities": group_entities(text, out),
                "no_pieces": len(words) - len(first), "entity_types": entity_types(labels)}

    def example(self, data: TagData) -> str:
        with_entities = [w for w, t in zip(data.tokens, data.tags) if any(x != "O" for x in t)] or data.tokens
        return " ".join(with_entities[0]) if with_entities else ""
