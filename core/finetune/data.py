"""Labelled data in, clean Python lists out: tables, fastText, CoNLL.

Two containers, one per task:

- :class:`TextData` (classification): ``texts`` (n,), ``labels`` (n,), and
  optionally ``pairs`` (n,) for sentence-pair tasks.
- :class:`TagData` (NER): ``tokens`` and ``tags``, lists of sentences, each a
  list of words and one BIO tag per word.

Every loader raises ``ValueError`` with a message a user can act on (line
numbers, the columns that do exist, the labels that were not seen).
"""
from __future__ import annotations

import collections
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SAMPLES = {
    "sentiment": "gensim:pang_lee_polarity.cor",  # movie-review polarity, fastText format, Latin-1
    "ner": "data/ner_sample/ner_sample.conll",  # written for EmbedLab, CC0
}
TEXT_NAMES = ("text", "sentence", "sentence1", "review", "content", "document", "body", "comment", "tweet", "question", "premise", "title")
PAIR_NAMES = ("text_pair", "sentence2", "hypothesis", "text2", "second", "answer", "context")
LABEL_NAMES = ("label", "labels", "class", "category", "sentiment", "target", "y", "tag", "intent", "polarity", "gold_label")


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


# ---------------------------------------------------------------- files


def resolve_source(source: str | Path) -> Path:
    """A path for a file name or a shipped sample name (``"sample:sentiment"``)."""
    text = str(source)
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
    if path.stat().st_size > MAX_UPLOAD_BYTES:
        raise ValueError(f"{path.name} is larger than {MAX_UPLOAD_BYTES // 2**20} MB; use a smaller sample.")
    return path


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else the encoding charset-normalizer finds, else Latin-1."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(raw[:200_000]).best()
        if best is not None and best.encoding:
            return raw.decode(best.encoding, errors="replace")
    except (ImportError, LookupError):
        pass
    return raw.decode("latin-1")


def detect_format(path: Path, text: str | None = None) -> str:
    """``csv``, ``tsv``, ``jsonl``, ``fasttext`` or ``conll`` from the extension, then the first lines."""
    ext = path.suffix.lower()
    by_ext = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
              ".conll": "conll", ".conllu": "conll", ".bio": "conll", ".iob": "conll", ".ft": "fasttext"}
    if ext in by_ext:
        return by_ext[ext]
    text = read_text(path) if text is None else text
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        raise ValueError(f"{path.name} is empty.")
    if sum(line.startswith("__label__") for line in lines) >= 0.8 * len(lines):
        return "fasttext"
    if lines[0].lstrip().startswith("{"):
        return "jsonl"
    blank_separated = "\n\n" in text[:20000]
    short_rows = sum(1 <= len(line.split()) <= 5 for line in lines) >= 0.9 * len(lines)
    if short_rows and (blank_separated or lines[0].startswith("-DOCSTART-")):
        return "conll"
    return "tsv" if lines[0].count("\t") > lines[0].count(",") else "csv"


def read_table(path: Path, fmt: str = "auto"):
    """A pandas DataFrame of strings from CSV, TSV or JSON lines."""
    import io

    import pandas as pd

    text = read_text(path)
    fmt = detect_format(path, text) if fmt == "auto" else fmt
    try:
        if fmt == "jsonl":
            stripped = text.lstrip()
            if stripped.startswith("["):
                frame = pd.DataFrame(json.loads(stripped))
            else:
                rows = []
                for number, line in enumerate(text.splitlines(), 1):
                    if line.strip():
                        try:
                            rows.append(json.loads(line))
                        except json.JSONDecodeError as err:
                            raise ValueError(f"{path.name} line {number} is not valid JSON ({err.msg}).") from None
                        if not isinstance(rows[-1], dict):
                            raise ValueError(f"{path.name} line {number} is not a JSON object with named fields.")
                frame = pd.DataFrame(rows)
        elif fmt in ("csv", "tsv"):
            frame = pd.read_csv(io.StringIO(text), sep="\t" if fmt == "tsv" else ",", dtype=str,
                                keep_default_na=False, on_bad_lines="error")
        else:
            raise ValueError(f"{fmt} files have no columns; choose csv, tsv or jsonl.")
    except (pd.errors.ParserError, json.JSONDecodeError) as err:
        raise ValueError(f"{path.name} could not be read as {fmt}: {str(err).splitlines()[0]}") from None
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path.name} is empty.") from None
    if frame.empty or len(frame.columns) == 0:
        raise ValueError(f"{path.name} has no rows.")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def guess_columns(frame) -> dict:
    """Guess ``{"text": col, "text_pair": col|None, "label": col}`` for a table.

    Names come first (``text``, ``sentence``, ``label``, ...); otherwise the
    text column is the one with the longest strings and the label column the
    one with the fewest distinct short values.
    """
    columns = list(frame.columns)
    lower = {c.lower().strip(): c for c in columns}
    as_str = {c: frame[c].astype(str) for c in columns}
    mean_len = {c: as_str[c].str.len().mean() for c in columns}
    distinct = {c: as_str[c].nunique() for c in columns}

    def by_name(names, exclude=()):
        for name in names:
            if name in lower and lower[name] not in exclude:
                return lower[name]
        return None

    label = by_name(LABEL_NAMES)
    if label is None:
        candidates = [c for c in columns if mean_len[c] <= 30 and distinct[c] <= max(2, min(100, len(frame) // 2))]
        label = min(candidates, key=lambda c: (distinct[c], mean_len[c])) if candidates else None
    text = by_name(TEXT_NAMES, exclude=(label,))
    if text is None:
        rest = [c for c in columns if c != label]
        text = max(rest, key=lambda c: mean_len[c]) if rest else None
    pair = by_name(PAIR_NAMES, exclude=(label, text))
    return {"text": text, "text_pair": pair, "label": label}


def table_to_data(frame, text_col: str, label_col: str, pair_col: str = "", source: str = "the file") -> TextData:
    """Pick the mapped columns; a wrong name lists the columns that exist (never a KeyError)."""
    available = ", ".join(map(repr, frame.columns))
    for role, col in (("text", text_col), ("label", label_col), ("second text", pair_col)):
        if role != "second text" and not col:
            raise ValueError(f"choose the {role} column; {source} has columns {available}.")
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


def read_fasttext(path: Path) -> TextData:
    """``__label__pos some text`` lines; a line may carry several labels (the first is used)."""
    texts, labels, multi = [], [], 0
    for number, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        found = _FASTTEXT_LABEL.findall(line)
        if not found:
            raise ValueError(f"{path.name} line {number} has no __label__ prefix: {line[:60]!r}. "
                             "fastText lines look like '__label__pos a fine film'.")
        text = _FASTTEXT_LABEL.sub(" ", line).strip()
        if not text:
            raise ValueError(f"{path.name} line {number} has a label but no text.")
        multi += len(found) > 1
        texts.append(" ".join(text.split()))
        labels.append(found[0])
    if not texts:
        raise ValueError(f"{path.name} is empty.")
    data = TextData(texts, labels)
    if multi:
        data.notes.append({"code": "multi_label", "count": multi})
    return data


def read_conll(path: Path) -> TagData:
    """CoNLL: one ``word ... TAG`` line per token (first and last column), blank line between sentences.

    ``-DOCSTART-`` lines are skipped; IOB1 tags are converted to BIO.
    """
    tokens, tags, sent_words, sent_tags = [], [], [], []
    for number, line in enumerate(read_text(path).splitlines(), 1):
        parts = line.split()
        if not parts:
            if sent_words:
                tokens.append(sent_words)
                tags.append(sent_tags)
                sent_words, sent_tags = [], []
            continue
        if parts[0] == "-DOCSTART-":
            continue
        if len(parts) < 2:
            raise ValueError(f"{path.name} line {number} has one column ({line.strip()[:40]!r}); CoNLL lines "
                             "need a word and a tag separated by a space or a tab.")
        tag = parts[-1]
        if tag != "O" and not re.fullmatch(r"[BIES]-\S+", tag):
            raise ValueError(f"{path.name} line {number}: {tag!r} is not a BIO tag (O, B-TYPE or I-TYPE).")
        sent_words.append(parts[0])
        sent_tags.append(tag)
    if sent_words:
        tokens.append(sent_words)
        tags.append(sent_tags)
    if not tokens:
        raise ValueError(f"{path.name} has no sentences.")
    data = TagData(tokens, [to_bio(t) for t in tags])
    if data.tags != tags:
        data.notes.append({"code": "converted_bio", "count": sum(a != b for a, b in zip(data.tags, tags))})
    return data


def to_bio(tags: list[str]) -> list[str]:
    """IOB1 (and IOBES) to BIO: an entity starts with B- wherever its type starts.

    ``I-X`` after ``O`` or after another type becomes ``B-X``; ``E-X`` -> ``I-X``,
    ``S-X`` -> ``B-X``. Valid BIO passes through unchanged.
    """
    out, previous = [], "O"
    for tag in tags:
        if tag == "O":
            out.append("O")
            previous = "O"
            continue
        prefix, kind = tag[0], tag[2:]
        if prefix == "S":
            prefix = "B"
        elif prefix == "E":
            prefix = "I"
        if prefix == "I" and (previous == "O" or previous[2:] != kind):
            prefix = "B"
        new = f"{prefix}-{kind}"
        out.append(new)
        previous = new
    return out


def load(source: str | Path, task: str, fmt: str = "auto", text_col: str = "", label_col: str = "",
         pair_col: str = "") -> TextData | TagData:
    """Read one file for ``task``; table columns left empty are guessed."""
    path = resolve_source(source)
    fmt = detect_format(path) if fmt == "auto" else fmt
    if task == "ner":
        if fmt != "conll":
            raise ValueError(f"NER needs a CoNLL file (word and tag per line); {path.name} looks like {fmt}.")
        return read_conll(path)
    if fmt == "conll":
        raise ValueError(f"{path.name} looks like a CoNLL (NER) file; choose the NER task or a csv/tsv/jsonl/fastText file.")
    if fmt == "fasttext":
        return read_fasttext(path)
    frame = read_table(path, fmt)
    guess = guess_columns(frame)
    return table_to_data(frame, text_col or guess["text"] or "", label_col or guess["label"] or "",
                         pair_col, source=path.name)


# ---------------------------------------------------------------- splits and checks


def split(data: TextData | TagData, valid_fraction: float, test_fraction: float, seed: int):
    """Stratified, seeded ``(train, valid, test)``; a fraction of 0 gives None for that part.

    Falls back to a plain seeded shuffle when a class is too small to stratify.
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
            raise ValueError(f"only {n} examples: too few to hold out {fraction:.0%} for validation/test.")
        counts = collections.Counter(keys[idx])
        stratify = keys[idx] if min(counts.values()) >= 2 and size >= len(counts) and len(idx) - size >= len(counts) else None
        return train_test_split(idx, test_size=size, random_state=rng_seed, stratify=stratify)

    rest, test = cut(index, test_fraction, seed)
    train, valid = cut(rest, valid_fraction / max(1e-9, 1 - test_fraction), seed + 1)
    parts = [data.subset(sorted(train))]
    parts += [data.subset(sorted(p)) if p is not None else None for p in (valid, test)]
    return tuple(parts)


def check_labels(known: list[str], other: TextData | TagData, name: str) -> None:
    """Every label of ``other`` must be one the model learns from the training data."""
    if isinstance(other, TagData):
        seen = {t for tags in other.tags for t in tags}
    else:
        seen = set(other.labels)
    unseen = sorted(seen - set(known))
    if unseen:
        raise ValueError(f"the {name} data has labels that never occur in the training data: "
                         f"{', '.join(map(repr, unseen[:10]))}; training labels are {', '.join(map(repr, known[:20]))}. "
                         "Fix the labels or add examples of them to the training file.")


def label_list(data: TextData | TagData) -> list[str]:
    """The classes, sorted; for NER every B-/I- pair is present so both can be predicted."""
    if isinstance(data, TagData):
        types = sorted({t[2:] for tags in data.tags for t in tags if t != "O"})
        return ["O"] + [f"{p}-{k}" for k in types for p in ("B", "I")]
    return sorted(set(data.labels))


def summarize(data: TextData | TagData, tokenizer=None, max_length: int | None = None) -> dict:
    """What the data page shows: counts, token-length statistics and warnings.

    Returns ``{"n", "label_counts": {label: n}, "lengths": [..] (tokens per example, if a tokenizer
    is given), "length_stats": {min, median, p95, max}, "warnings": [{"code": ..., fields}]}``.
    Entity counts for NER are counted per entity (B- tags).
    """
    import numpy as np

    warnings = list(data.notes)
    if isinstance(data, TagData):
        counts = collections.Counter(t[2:] for tags in data.tags for t in tags if t.startswith("B-"))
        n_entities = sum(counts.values())
        if n_entities == 0:
            warnings.append({"code": "no_entities"})
    else:
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
    if len(counts) >= 2:
        ratio = max(counts.values()) / max(1, min(counts.values()))
        if ratio >= 5:
            warnings.append({"code": "imbalance", "ratio": round(ratio, 1),
                             "rare": min(counts, key=counts.get), "common": max(counts, key=counts.get)})
        few = sorted(label for label, c in counts.items() if c < 5)
        if few:
            warnings.append({"code": "few_examples", "labels": ", ".join(few[:10])})
    summary = {"n": len(data), "label_counts": dict(sorted(counts.items(), key=lambda kv: -kv[1])),
               "warnings": warnings, "lengths": [], "length_stats": {}}
    if tokenizer is not None:
        lengths = token_lengths(tokenizer, data)
        arr = np.asarray(lengths)
        summary["lengths"] = lengths
        summary["length_stats"] = {"min": int(arr.min()), "median": float(np.median(arr)),
                                   "p95": float(np.percentile(arr, 95)), "max": int(arr.max())}
        if max_length:
            over = int((arr > max_length).sum())
            if over:
                warnings.append({"code": "truncated", "count": over, "max_length": max_length})
    return summary


def token_lengths(tokenizer, data: TextData | TagData) -> list[int]:
    """Sub-word tokens per example, special tokens included, before any truncation."""
    if isinstance(data, TagData):
        enc = tokenizer(data.tokens, is_split_into_words=True, add_special_tokens=True)
    elif data.pairs is not None:
        enc = tokenizer(data.texts, data.pairs, add_special_tokens=True)
    else:
        enc = tokenizer(data.texts, add_special_tokens=True)
    return [len(ids) for ids in enc["input_ids"]]


def preview(data: TextData | TagData, n: int = 10) -> list[dict]:
    """The first ``n`` examples as rows for a table."""
    if isinstance(data, TagData):
        return [{"tokens": " ".join(w), "tags": " ".join(t)} for w, t in zip(data.tokens[:n], data.tags[:n])]
    rows = []
    for i in range(min(n, len(data))):
        row = {"text": data.texts[i]}
        if data.pairs is not None:
            row["text_pair"] = data.pairs[i]
        row["label"] = data.labels[i]
        rows.append(row)
    return rows
