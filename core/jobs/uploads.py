"""Uploaded files, stored safely under the runs root (``.uploads/``).

The browser's file name is never used as a path: the stored name is the
SHA-256 of the content plus an extension from a fixed list, so the same file
uploaded twice is stored once and ``../../etc/passwd.txt`` is just a name.

In class mode each person's uploads live in ``.uploads/<user>/``, the class's
upload and disk limits apply (:mod:`core.jobs.limits`), and a file is shown
or read for someone only when :func:`check_readable` allows it (their own
uploads, shipped data, the corpus of a run shared with the class).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from core.errors import UserError
from core.jobs import access, limits, store

ALLOWED_SUFFIXES = (".txt", ".csv", ".tsv", ".tab", ".jsonl", ".ndjson", ".json", ".zip", ".conll", ".iob", ".bio")
CHUNK = 1 << 20


def safe_suffix(filename: str) -> str:
    """The lower-case extension of ``filename`` if it is an allowed one, else ``.txt``."""
    suffix = Path(str(filename or "")).suffix.lower()
    return suffix if suffix in ALLOWED_SUFFIXES else ".txt"


def save_upload(fileobj, filename: str, runs_root=None, max_bytes: int | None = None, *, user=None) -> Path:
    """Copy a readable binary file object into ``.uploads/[<user>/]<sha256><ext>`` and return that path.

    ``max_bytes`` refuses (``ValueError``) anything larger, without keeping it;
    in class mode the class's upload limit and the person's disk limit refuse
    too (``core.jobs.LimitError``, saying which limit), and nothing is kept.
    """
    root = store.runs_root(runs_root)
    who = access.actor(user, root)
    folder = access.upload_dir(who, root)
    class_limit = limits.upload_limit(who, root)
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
                    raise UserError(f"the file is larger than the limit of {max_bytes / 1024**2:.0f} MiB.", "errors.upload_too_large",
                                    mib=f"{max_bytes / 1024**2:.0f}")
                if class_limit is not None and size > class_limit:
                    limits.check_upload(who, root, size)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UserError("the uploaded file is empty.", "errors.upload_empty")
        target = folder / f"{digest.hexdigest()[:32]}{safe_suffix(filename)}"
        if target.exists():
            os.unlink(tmp)
            os.utime(target)  # uploaded again: its retention starts again
        else:
            limits.check_upload(who, root, size)
            shutil.move(tmp, target)
        return target
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def check_readable(path: str | os.PathLike, runs_root=None, *, user=None) -> Path:
    """``path`` if ``user`` may read it (preview, reuse), else ``core.jobs.AccessError``.

    Alone everything may be read. In class mode a student may read their own
    uploads, shipped data, the folders of runs they may open and the corpus of
    a run shared with the class; the teacher anything.
    """
    root = store.runs_root(runs_root)
    access.check_path(access.actor(user, root), str(path), root)
    return Path(path)


def list_uploads(runs_root=None, *, user=None) -> list[Path]:
    """The files ``user`` uploaded (alone: every upload), newest first."""
    root = store.runs_root(runs_root)
    folder = access.upload_dir(access.actor(user, root), root)
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    return sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)
