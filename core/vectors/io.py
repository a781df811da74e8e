"""Save and load word vectors without ever unpickling.

Formats:
- word2vec text: header ``<count> <dim>``, then ``word v1 ... vdim`` per line.
- word2vec binary: the same header, then per word ``word<space>`` followed by
  ``dim`` little-endian float32 values (and usually a newline).
- GloVe text: word2vec text without the header line.
- TensorFlow Embedding Projector: ``vectors.tsv`` (tab-separated numbers,
  one row per word) + ``metadata.tsv`` (one word per line, same order).
- A run directory: ``vectors.bin`` (word2vec binary) + ``vocab.txt``
  (``word count`` lines, gensim's ``fvocab``).

Parsers are our own (not gensim's) so that a malformed upload gives a
``ValueError`` that names the line or entry at fault.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

_PICKLE_STARTS = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")


def make_keyed_vectors(words, vectors, counts=None):
    """gensim ``KeyedVectors`` from words (n,), vectors (n, dim) and optional counts (n,)."""
    from core.word2vec.base import make_keyed_vectors as make

    return make(words, vectors, counts)


# ---- loading -----------------------------------------------------------------------------


def _is_int(text: bytes) -> bool:
    return text.isdigit()


def _looks_binary(data: bytes) -> bool:
    """True if bytes after a word2vec header are raw floats rather than text."""
    if not data:
        return False
    if b"\x00" in data:
        return True
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        # A multi-byte character cut at the end of the sample is still text.
        if err.start < len(data) - 4:
            return True
        text = data[: err.start].decode("utf-8")
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r")
    return control > 0


def detect_format(path: str | Path) -> str:
    """``"binary"``, ``"text"`` (word2vec text with header) or ``"glove"`` (no header)."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if not head.strip():
        raise ValueError(f"{path.name} is empty; expected word vectors (word2vec text/binary or GloVe text).")
    if head.startswith(_PICKLE_STARTS):
        raise ValueError(
            f"{path.name} is a Python pickle (e.g. a gensim .model file). EmbedLab never unpickles uploads; "
            "export the vectors with model.wv.save_word2vec_format('vectors.bin', binary=True) and upload that."
        )
    first, _, rest = head.partition(b"\n")
    parts = first.split()
    if len(parts) == 2 and _is_int(parts[0]) and _is_int(parts[1]):
        return "binary" if _looks_binary(rest) else "text"
    if _looks_binary(head):
        raise ValueError(
            f"{path.name} is not a word-vector file: it is binary but does not start with a "
            "'<count> <dim>' header line (word2vec binary format)."
        )
    return "glove"


def load_vectors(path: str | Path, fmt: str = "auto", limit: int | None = None):
    """Load word vectors as gensim ``KeyedVectors``; never unpickles.

    ``fmt``: ``"auto"`` (sniff), ``"text"`` (word2vec text), ``"binary"``
    (word2vec binary) or ``"glove"`` (text without header). ``limit`` keeps
    the first ``limit`` vectors (files are usually sorted by frequency).
    Raises ``ValueError`` naming the line (or entry) of a malformed file.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"File not found: {path}")
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "binary":
        words, vectors = _read_binary(path, limit)
    elif fmt in ("text", "glove"):
        words, vectors = _read_text(path, header=(fmt == "text"), limit=limit)
    else:
        raise ValueError(f"Unknown vector format {fmt!r}; choose 'auto', 'text', 'binary' or 'glove'.")
    return make_keyed_vectors(words, vectors)


def _parse_header(line: str, name: str) -> tuple[int, int]:
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{name}, line 1: expected a header '<count> <dim>', found {line.strip()[:60]!r}.")
    count, dim = int(parts[0]), int(parts[1])
    if dim < 1:
        raise ValueError(f"{name}, line 1: the header says dimension {dim}; it must be at least 1.")
    return count, dim


def _read_text(path: Path, header: bool, limit: int | None):
    name = path.name
    words: list[str] = []
    rows: list[np.ndarray] = []
    seen: set[str] = set()
    count = dim = None
    duplicates = 0
    with open(path, encoding="utf-8", errors="strict", newline="") as fh:
        try:
            for number, line in enumerate(fh, start=1):
                if number == 1 and header:
                    count, dim = _parse_header(line.lstrip("\ufeff"), name)
                    continue
                line = line.rstrip("\r\n")
                if number == 1:
                    line = line.lstrip("\ufeff")
                if not line.strip():
                    continue
                parts = line.rstrip(" ").split(" ")
                if len(parts) < 2:
                    raise ValueError(f"{name}, line {number}: expected a word followed by numbers.")
                if dim is None:
                    dim = len(parts) - 1
                if len(parts) - 1 != dim:
                    raise ValueError(
                        f"{name}, line {number}: expected {dim} numbers after the word, found {len(parts) - 1} "
                        "(every row must have the same number of values)."
                    )
                try:
                    row = np.array(parts[1:], dtype=np.float32)
                except ValueError:
                    bad = next(p for p in parts[1:] if not _is_number(p))
                    raise ValueError(f"{name}, line {number}: {bad[:30]!r} is not a number.") from None
                word = parts[0]
                if word in seen:
                    duplicates += 1
                    continue  # keep the first (most frequent) vector of a duplicated word
                seen.add(word)
                words.append(word)
                rows.append(row)
                if limit is not None and len(words) >= limit:
                    break
        except UnicodeDecodeError as err:
            raise ValueError(f"{name}: not UTF-8 text near byte {err.start}; save the vectors as UTF-8.") from None
    if header and limit is None and count != len(rows) + duplicates:
        raise ValueError(f"{name}: the header says {count} vectors but the file has {len(rows) + duplicates}.")
    if not rows:
        raise ValueError(f"{name} contains no vectors.")
    return words, np.vstack(rows)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_binary(path: Path, limit: int | None):
    name = path.name
    with open(path, "rb") as fh:
        header = fh.readline()
        try:
            count, dim = _parse_header(header.decode("ascii"), name)
        except UnicodeDecodeError:
            raise ValueError(f"{name}, line 1: expected a header '<count> <dim>'.") from None
        n = count if limit is None else min(count, limit)
        width = dim * 4
        words: list[str] = []
        vectors = np.empty((n, dim), dtype=np.float32)
        for i in range(n):
            raw = bytearray()
            while True:
                ch = fh.read(1)
                if not ch:
                    raise ValueError(f"{name}: the header says {count} vectors but the file ends after {i}.")
                if ch == b" ":
                    break
                if ch != b"\n" or raw:
                    raw += ch
                if len(raw) > 1000:
                    raise ValueError(f"{name}, vector {i + 1}: no word found (over 1000 bytes without a space).")
            try:
                word = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"{name}, vector {i + 1}: the word is not valid UTF-8.") from None
            data = fh.read(width)
            if len(data) != width:
                raise ValueError(f"{name}, vector {i + 1} ({word!r}): truncated, expected {dim} float32 values.")
            vectors[i] = np.frombuffer(data, dtype="<f4")
            words.append(word)
        if limit is None:
            trailing = fh.read(2)
            if trailing.strip():
                raise ValueError(f"{name}: more data after the {count} vectors the header announces.")
    if not np.isfinite(vectors).all():
        bad = int(np.flatnonzero(~np.isfinite(vectors).all(1))[0])
        raise ValueError(f"{name}, vector {bad + 1} ({words[bad]!r}): contains NaN or infinity; the file is damaged.")
    return _dedupe(words, vectors)


def _dedupe(words: list[str], vectors: np.ndarray):
    if len(set(words)) == len(words):
        return words, vectors
    keep, seen = [], set()
    for i, w in enumerate(words):
        if w not in seen:
            seen.add(w)
            keep.append(i)
    return [words[i] for i in keep], vectors[keep]


# ---- saving ------------------------------------------------------------------------------


def _atomic_write(path: Path, write) -> None:
    """Write via a temporary file in the same folder, then rename (never a half file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _check_words(kv) -> None:
    for word in kv.index_to_key:
        if not isinstance(word, str) or not word or any(ch in word for ch in " \t\n\r"):
            raise ValueError(f"Cannot save the word {word!r}: words in vector files may not be empty or contain spaces.")


def save_word2vec(kv, path: str | Path, binary: bool = False) -> None:
    """Write ``kv`` in word2vec text (``binary=False``) or binary format, atomically."""
    _check_words(kv)
    vectors = np.asarray(kv.vectors, dtype=np.float32)
    n, dim = vectors.shape

    def write(fh):
        fh.write(f"{n} {dim}\n".encode())
        for word, row in zip(kv.index_to_key, vectors):
            if binary:
                fh.write(word.encode("utf-8") + b" " + row.astype("<f4").tobytes() + b"\n")
            else:
                fh.write((word + " " + " ".join(repr(float(x)) for x in row) + "\n").encode("utf-8"))

    _atomic_write(Path(path), write)


def save_glove(kv, path: str | Path) -> None:
    """Write ``kv`` as GloVe text (word2vec text without the header line)."""
    _check_words(kv)

    def write(fh):
        for word, row in zip(kv.index_to_key, np.asarray(kv.vectors, dtype=np.float32)):
            fh.write((word + " " + " ".join(repr(float(x)) for x in row) + "\n").encode("utf-8"))

    _atomic_write(Path(path), write)


def save_projector_tsv(kv, vectors_path: str | Path, metadata_path: str | Path, limit: int | None = None) -> None:
    """The two files https://projector.tensorflow.org loads: vectors (n, dim) TSV and words, same order."""
    n = len(kv.index_to_key) if limit is None else min(limit, len(kv.index_to_key))
    vectors = np.asarray(kv.vectors[:n], dtype=np.float32)
    words = [str(w).replace("\t", " ").replace("\n", " ").replace("\r", " ") for w in kv.index_to_key[:n]]

    def write_vectors(fh):
        for row in vectors:
            fh.write(("\t".join(repr(float(x)) for x in row) + "\n").encode("utf-8"))

    def write_metadata(fh):
        # A single-column metadata file has no header row (Projector convention).
        for word in words:
            fh.write((word + "\n").encode("utf-8"))

    _atomic_write(Path(vectors_path), write_vectors)
    _atomic_write(Path(metadata_path), write_metadata)


def load_projector_tsv(vectors_path: str | Path, metadata_path: str | Path):
    """Read the Projector's two TSV files back as ``KeyedVectors``."""
    vectors_path, metadata_path = Path(vectors_path), Path(metadata_path)
    words = metadata_path.read_text(encoding="utf-8").splitlines()
    rows = []
    with open(vectors_path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rows.append(np.array(line.rstrip("\n").split("\t"), dtype=np.float32))
            except ValueError:
                raise ValueError(f"{vectors_path.name}, line {number}: not tab-separated numbers.") from None
            if rows[-1].shape != rows[0].shape:
                raise ValueError(f"{vectors_path.name}, line {number}: {rows[-1].size} values, expected {rows[0].size}.")
    if len(rows) != len(words):
        raise ValueError(f"{vectors_path.name} has {len(rows)} rows but {metadata_path.name} has {len(words)} words.")
    if not rows:
        raise ValueError(f"{vectors_path.name} contains no vectors.")
    return make_keyed_vectors(words, np.vstack(rows))


def save_run_vectors(kv, run_dir: str | Path) -> None:
    """Write ``vectors.bin`` (word2vec binary) and ``vocab.txt`` (``word count``) into a run folder."""
    run_dir = Path(run_dir)
    save_word2vec(kv, run_dir / "vectors.bin", binary=True)
    counts = kv.expandos.get("count") if hasattr(kv, "expandos") else None

    def write(fh):
        for i, word in enumerate(kv.index_to_key):
            count = int(counts[i]) if counts is not None else 0
            fh.write(f"{word} {count}\n".encode("utf-8"))

    _atomic_write(run_dir / "vocab.txt", write)


def load_run_vectors(run_dir: str | Path):
    """Read a run folder's ``vectors.bin`` + ``vocab.txt`` back, with the ``count`` of each word."""
    run_dir = Path(run_dir)
    path = run_dir / "vectors.bin"
    if not path.exists():
        raise ValueError(f"{run_dir.name} has no vectors.bin yet (the run may still be training or it failed).")
    kv = load_vectors(path, fmt="binary")
    vocab = run_dir / "vocab.txt"
    if vocab.exists():
        counts = np.zeros(len(kv.index_to_key), dtype=np.int64)
        with open(vocab, encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                word, _, count = line.rstrip("\n").rpartition(" ")
                if not word or not count.lstrip("-").isdigit():
                    raise ValueError(f"{vocab.name}, line {number}: expected 'word count'.")
                index = kv.key_to_index.get(word)
                if index is not None:
                    counts[index] = int(count)
        kv.allocate_vecattrs(["count"], [np.int64])
        kv.expandos["count"][:] = counts
    return kv
