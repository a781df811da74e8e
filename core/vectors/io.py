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

Binary files are read and all files written by gensim's own
``KeyedVectors.load_word2vec_format`` / ``save_word2vec_format`` (atomically,
through ``core.atomic``); our checks stay around them: pickles are refused,
the header is checked first, a damaged file gets a ``ValueError`` naming the
vector at fault, words that are not valid UTF-8 are loaded with the bad
bytes replaced and counted in a note, NaN/infinity is refused. Text files
(word2vec text, GloVe) are parsed here, because real files have what
gensim's text reader trips on: a UTF-8 byte-order mark before the header
(Windows editors), words containing spaces (glove.840B: ``". . ."``), NaN
written by a diverged run; every error names the line.
"""
from __future__ import annotations

import collections
from pathlib import Path

import numpy as np

from core.atomic import atomic_write
from core.text.report import ReadingReport, note
from core.vectors.keyed import make_keyed_vectors  # re-exported: core.vectors.io.make_keyed_vectors

_PICKLE_STARTS = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")
_BOM = b"\xef\xbb\xbf"

# How many rows at the start of a GloVe file decide its dimension (the most common field count).
DIM_SAMPLE_ROWS = 100


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
    """``"binary"``, ``"text"`` (word2vec text with header) or ``"glove"`` (no header).

    A UTF-8 byte-order mark before the header (Notepad adds one) is ignored.
    Raises ``ValueError`` for empty files, pickles and other binary files.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(65536)
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
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


def read_vectors(path: str | Path, fmt: str = "auto", limit: int | None = None):
    """Load word vectors and say how: ``(KeyedVectors, ReadingReport)``; never unpickles.

    ``fmt``: ``"auto"`` (sniff), ``"text"`` (word2vec text), ``"binary"``
    (word2vec binary) or ``"glove"`` (text without header). ``limit`` keeps
    the first ``limit`` vectors (files are usually sorted by frequency).
    The report's notes count words with spaces, damaged (non-UTF-8) words
    and skipped duplicates. Raises ``ValueError`` naming the line (or
    vector) of a malformed file, or of a vector holding NaN or infinity.
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"File not found: {path}")
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "binary":
        kv, notes = _read_binary(path, limit)
    elif fmt in ("text", "glove"):
        words, vectors, notes = _read_text(path, header=(fmt == "text"), limit=limit)
        kv = make_keyed_vectors(words, vectors)
    else:
        raise ValueError(f"Unknown vector format {fmt!r}; choose 'auto', 'text', 'binary' or 'glove'.")
    report = ReadingReport(
        source=path.name,
        encoding="utf-8",
        encoding_confidence=1.0,
        encoding_why="word-vector files are UTF-8",
        encoding_why_code="vectors",
        format={"text": "word2vec text", "binary": "word2vec binary", "glove": "GloVe text"}[fmt],
        rows_read=len(kv.index_to_key),
        notes=tuple(notes),
    )
    return kv, report


def load_vectors(path: str | Path, fmt: str = "auto", limit: int | None = None):
    """Load word vectors as gensim ``KeyedVectors`` (``read_vectors`` without the report)."""
    return read_vectors(path, fmt=fmt, limit=limit)[0]


def _parse_header(line: str, name: str) -> tuple[int, int]:
    parts = line.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{name}, line 1: expected a header '<count> <dim>', found {line.strip()[:60]!r}.")
    count, dim = int(parts[0]), int(parts[1])
    if dim < 1:
        raise ValueError(f"{name}, line 1: the header says dimension {dim}; it must be at least 1.")
    return count, dim


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _fields(line: str) -> list[str]:
    """A row's fields: split on ASCII spaces only (a no-break space belongs to the word)."""
    return line.rstrip("\r\n").rstrip(" ").split(" ")


def _glove_dim(path: Path, name: str) -> int:
    """The dimension of a GloVe file: the most common count of numeric fields ending its first rows.

    Only the trailing fields that are numbers count, so a row whose word
    contains spaces (``". . ."``, ``"at info@example.org"``) gives the same
    count as any other row: the dimension is never inferred from the split
    word. Ties (a ragged short row among two) go to the larger count.
    """
    counts: collections.Counter[int] = collections.Counter()
    with open(path, encoding="utf-8", errors="strict", newline="") as fh:
        try:
            for number, line in enumerate(fh, start=1):
                line = line.lstrip("\ufeff") if number == 1 else line
                if not line.strip():
                    continue
                parts = _fields(line)
                trailing = 0
                for part in reversed(parts):
                    if not _is_number(part):
                        break
                    trailing += 1
                counts[min(trailing, len(parts) - 1)] += 1
                if sum(counts.values()) >= DIM_SAMPLE_ROWS:
                    break
        except UnicodeDecodeError as err:
            raise ValueError(f"{name}: not UTF-8 text near byte {err.start}; save the vectors as UTF-8.") from None
    counts.pop(0, None)
    if not counts:
        raise ValueError(f"{name}, line 1: expected a word followed by numbers.")
    top = max(counts.values())
    return max(d for d, c in counts.items() if c == top)


def _read_text(path: Path, header: bool, limit: int | None):
    """Parse word2vec text / GloVe: ``(words, vectors (n, dim) float32, notes)``."""
    name = path.name
    words: list[str] = []
    rows: list[np.ndarray] = []
    seen: set[str] = set()
    count = None
    dim = None if header else _glove_dim(path, name)
    duplicates = 0
    spaced: list[str] = []
    with open(path, encoding="utf-8", errors="strict", newline="") as fh:
        try:
            for number, line in enumerate(fh, start=1):
                if number == 1:
                    line = line.lstrip("\ufeff")
                    if header:
                        count, dim = _parse_header(line, name)
                        continue
                if not line.strip():
                    continue
                word, row = _parse_row(_fields(line), dim, name, number)
                if " " in word:
                    spaced.append(word)
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
    return words, np.vstack(rows), _reading_notes(spaced, duplicates, dim)


def _parse_row(parts: list[str], dim: int, name: str, number: int) -> tuple[str, np.ndarray]:
    """``(word, vector (dim,) float32)`` of one row's fields: the last ``dim`` fields are the vector, the rest
    the word (a word may contain spaces). ValueError naming line ``number`` when the row does not fit."""
    if len(parts) < 2:
        raise ValueError(f"{name}, line {number}: expected a word followed by numbers.")
    head, values = parts[:-dim], parts[-dim:]
    if len(parts) - 1 < dim or (len(head) > 1 and all(_is_number(p) for p in head[1:])):
        raise ValueError(
            f"{name}, line {number}: expected {dim} numbers after the word, found {len(parts) - 1} "
            "(every row must have the same number of values)."
        )
    try:
        row = np.array(values, dtype=np.float32)
    except ValueError:
        bad = next(p for p in values if not _is_number(p))
        raise ValueError(f"{name}, line {number}: {bad[:30]!r} is not a number.") from None
    word = " ".join(head)
    if not np.isfinite(row).all():
        raise ValueError(f"{name}, line {number} ({word!r}): contains NaN or infinity; the file is damaged.")
    return word, row


def _reading_notes(spaced: list[str], duplicates: int, dim: int) -> list:
    """What the text reader says it did: words with spaces read, duplicated words skipped."""
    notes = []
    if spaced:
        notes.append(note("spaced_words", "{n} word(s) contain spaces (e.g. {examples}); the last {dim} fields of "
                          "each row were read as the vector.", n=len(spaced),
                          examples=", ".join(repr(w) for w in spaced[:3]), dim=dim))
    if duplicates:
        notes.append(note("duplicates", "{n} duplicated word(s) were skipped (the first vector of each was kept).",
                          n=duplicates))
    return notes


def _binary_header(path: Path) -> tuple[int, int, int]:
    """``(count, dim, header bytes)`` of a word2vec binary file, checked."""
    with open(path, "rb") as fh:
        line = fh.readline()
    raw = line[len(_BOM) :] if line.startswith(_BOM) else line
    try:
        count, dim = _parse_header(raw.decode("ascii"), path.name)
    except UnicodeDecodeError:
        raise ValueError(f"{path.name}, line 1: expected a header '<count> <dim>'.") from None
    # gensim allocates count x dim floats before reading a byte: a crafted header ("1000000000 1000000")
    # would ask for petabytes. Each vector takes at least dim 4-byte floats and a one-character word + space.
    # (A file a little short is left to the reader below, which names the vector where it ends.)
    needed = count * (4 * dim + 2)
    size = path.stat().st_size - len(line)
    if needed > 2 * size + 2**20:
        raise ValueError(f"{path.name}, line 1: the header says {count:,} vectors of dimension {dim:,}, at least "
                         f"{needed:,} bytes, but the file has {size:,} bytes after the header: a damaged or "
                         "wrong header.")
    return count, dim, len(line)


def _read_binary(path: Path, limit: int | None):
    """word2vec binary through gensim (``unicode_errors="replace"``); ``(kv, notes)``."""
    import logging

    from gensim.models import KeyedVectors

    name = path.name
    count, dim, header_bytes = _binary_header(path)
    with open(path, "rb") as fh:
        if fh.read(len(_BOM)) == _BOM:
            raise ValueError(f"{name}, line 1: a byte-order mark before a binary header; save the file without it.")
    gensim_logger = logging.getLogger("gensim.models.keyedvectors")
    previous = gensim_logger.level
    gensim_logger.setLevel(logging.ERROR)  # duplicates are counted in our note instead of logged
    try:
        kv = KeyedVectors.load_word2vec_format(str(path), binary=True, unicode_errors="replace", limit=limit)
    except (EOFError, ValueError, AssertionError, UnicodeDecodeError) as err:
        _scan_binary(path, limit)  # raises a ValueError naming the vector at fault
        raise ValueError(f"{name}: not a valid word2vec binary file ({err}).") from None
    finally:
        gensim_logger.setLevel(previous)
    expected = count if limit is None else min(count, limit)
    filled = kv.next_index  # gensim leaves the slots of skipped duplicates empty at the end
    words = list(kv.index_to_key[:filled])
    vectors = np.asarray(kv.vectors[:filled])
    if not np.isfinite(vectors).all():
        bad = int(np.flatnonzero(~np.isfinite(vectors).all(1))[0])
        raise ValueError(f"{name}, vector {bad + 1} ({words[bad]!r}): contains NaN or infinity; the file is damaged.")
    damaged = [w for w in words if "\ufffd" in w]
    if limit is None and not damaged:
        consumed = header_bytes + sum(len(w.encode("utf-8")) + 1 + 4 * dim + 1 for w in words)
        consumed += (expected - len(words)) * (4 * dim + 2)  # duplicates: at least this
        if path.stat().st_size > consumed + 2 and len(words) == expected:
            raise ValueError(f"{name}: more data after the {count} vectors the header announces.")
    notes = []
    if damaged:
        notes.append(note("bad_words", "{n} word(s) were not valid UTF-8 and were loaded with the damaged bytes "
                          "replaced by \ufffd, e.g. {examples}.", n=len(damaged),
                          examples=", ".join(repr(w) for w in damaged[:3])))
    if len(words) < expected:
        notes.append(note("duplicates", "{n} duplicated word(s) were skipped (the first vector of each was kept).",
                          n=expected - len(words)))
    return make_keyed_vectors(words, vectors), notes


def _scan_binary(path: Path, limit: int | None) -> None:
    """Walk a word2vec binary file entry by entry and raise a ``ValueError`` naming the first bad one."""
    name = path.name
    count, dim, _ = _binary_header(path)
    width = dim * 4
    n = count if limit is None else min(count, limit)
    with open(path, "rb") as fh:
        fh.readline()
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
            word = raw.decode("utf-8", errors="replace")
            data = fh.read(width)
            if len(data) != width:
                raise ValueError(f"{name}, vector {i + 1} ({word!r}): truncated, expected {dim} float32 values.")


# ---- saving ------------------------------------------------------------------------------


def _atomic_write(path: Path, write) -> None:
    """``write(fh)`` into a binary file handle, atomically (``core.atomic.atomic_write``)."""

    def write_fn(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            write(fh)

    atomic_write(path, write_fn)


def _check_words(kv) -> None:
    for word in kv.index_to_key:
        if not isinstance(word, str) or not word or any(ch in word for ch in " \t\n\r"):
            raise ValueError(f"Cannot save the word {word!r}: words in vector files may not be empty or contain spaces.")


def _save_gensim(kv, path: Path, *, binary: bool, write_header: bool) -> None:
    """gensim's ``save_word2vec_format`` in the words' own order, written atomically."""
    if not np.isfinite(np.asarray(kv.vectors)).all():
        bad = int(np.flatnonzero(~np.isfinite(np.asarray(kv.vectors)).all(1))[0])
        raise ValueError(f"Cannot save: the vector of {kv.index_to_key[bad]!r} contains NaN or infinity.")
    # sort_attr names no attribute: gensim then keeps index order (it would re-sort by "count" otherwise).
    import logging

    gensim_logger = logging.getLogger("gensim.models.keyedvectors")

    def write(tmp: Path) -> None:
        previous = gensim_logger.level
        gensim_logger.setLevel(logging.ERROR)
        try:
            kv.save_word2vec_format(str(tmp), binary=binary, write_header=write_header, sort_attr="__index_order__")
        finally:
            gensim_logger.setLevel(previous)

    atomic_write(path, write)


def save_word2vec(kv, path: str | Path, binary: bool = False) -> None:
    """Write ``kv`` in word2vec text (``binary=False``) or binary format, atomically (gensim's writer)."""
    _check_words(kv)
    _save_gensim(kv, Path(path), binary=binary, write_header=True)


def save_glove(kv, path: str | Path) -> None:
    """Write ``kv`` as GloVe text (word2vec text without the header line)."""
    _check_words(kv)
    _save_gensim(kv, Path(path), binary=False, write_header=False)


def save_projector_tsv(kv, vectors_path: str | Path, metadata_path: str | Path, limit: int | None = None) -> None:
    """The two files https://projector.tensorflow.org loads: vectors (n, dim) TSV and words, same order."""
    n = len(kv.index_to_key) if limit is None else min(limit, len(kv.index_to_key))
    vectors = np.asarray(kv.vectors[:n], dtype=np.float32)
    from core.spreadsheet import neutralise

    # One word per line for a tool that may be a spreadsheet: no tabs or line breaks, no live formulas.
    words = [neutralise(str(w).replace("\t", " ").replace("\n", " ").replace("\r", " ")) for w in kv.index_to_key[:n]]

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
    """Read the Projector's two TSV files back as ``KeyedVectors`` (a repeated word keeps its first vector)."""
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
    first = {}
    for i, word in enumerate(words):
        first.setdefault(word, i)
    keep = sorted(first.values())
    return make_keyed_vectors([words[i] for i in keep], np.vstack(rows)[keep])


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
