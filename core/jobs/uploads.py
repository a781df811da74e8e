"""Uploaded files, stored safely under the runs root (``.uploads/``).

The browser's file name is never used as a path: the stored name is the
SHA-256 of the content plus an extension from a fixed list, so the same file
uploaded twice is stored once and ``../../etc/passwd.txt`` is just a name.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from core.jobs import store

ALLOWED_SUFFIXES = (".txt", ".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json", ".zip", ".conll", ".iob", ".bio")
CHUNK = 1 << 20


def safe_suffix(filename: str) -> str:
    """The lower-case extension of ``filename`` if it is an allowed one, else ``.txt``."""
    suffix = Path(str(filename or "")).suffix.lower()
    return suffix if suffix in ALLOWED_SUFFIXES else ".txt"


def save_upload(fileobj, filename: str, runs_root=None, max_bytes: int | None = None) -> Path:
    """Copy a readable binary file object into ``.uploads/<sha256><ext>`` and return that path.

    ``max_bytes`` refuses (``ValueError``) anything larger, without keeping it.
    """
    folder = store.special_dir("uploads", runs_root)
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            if hasattr(fileobj, "seek"):
                fileobj.seek(0)
            while chunk := fileobj.read(CHUNK):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise ValueError(f"the file is larger than the limit of {max_bytes / 1024**2:.0f} MiB.")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValueError("the uploaded file is empty.")
        target = folder / f"{digest.hexdigest()[:32]}{safe_suffix(filename)}"
        if target.exists():
            os.unlink(tmp)
        else:
            shutil.move(tmp, target)
        return target
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
