"""Vector files a user hands in or takes away: an upload read safely, downloads built in memory.

- :func:`load_uploaded` reads the bytes of an uploaded word2vec text/binary or GloVe
  file (``core.vectors.io.load_vectors``) and refuses pickles (:class:`PickleRefused`):
  gensim ``.model`` files, ``.pkl`` and ``.npy`` can run code or hold objects, and
  nothing a user uploads is unpickled.
- :func:`projector_tsv` and :func:`word2vec_text`: the TensorBoard Projector's two TSV
  files and the word2vec text format, as bytes for a download button.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

PICKLE_SUFFIXES = (".model", ".pkl", ".pickle", ".npy")


class PickleRefused(ValueError):
    """An upload whose name says it is a pickle: never loaded."""


def load_uploaded(name: str, data: bytes):
    """``KeyedVectors`` from an uploaded file's name and bytes; ``ValueError`` for malformed files,
    :class:`PickleRefused` for a pickle."""
    from core.vectors.io import load_vectors

    if name.lower().endswith(PICKLE_SUFFIXES):
        raise PickleRefused(f"{name} looks like a pickle (.model/.pkl/.npy), which is never loaded; save the vectors "
                            "with model.wv.save_word2vec_format('vectors.txt') and upload that.")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{Path(name).suffix.lower()[:10]}"
        path.write_bytes(data)
        return load_vectors(path)


def projector_tsv(kv, limit: int | None = None) -> tuple[bytes, bytes]:
    """(vectors.tsv, metadata.tsv) of the ``limit`` most frequent words, for projector.tensorflow.org."""
    from core.vectors.io import save_projector_tsv

    with tempfile.TemporaryDirectory() as tmp:
        vectors, metadata = Path(tmp) / "vectors.tsv", Path(tmp) / "metadata.tsv"
        save_projector_tsv(kv, vectors, metadata, limit=limit)
        return vectors.read_bytes(), metadata.read_bytes()


def word2vec_text(kv) -> bytes:
    """The vectors in word2vec's text format (a ``<n> <dim>`` header, then one word and its numbers a line)."""
    from core.vectors.io import save_word2vec

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.txt"
        save_word2vec(kv, path, binary=False)
        return path.read_bytes()
