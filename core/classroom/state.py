"""Where class mode keeps its files (``<runs>/.class/``) and how they are read and written safely."""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path

from core.atomic import atomic_write_json

FOLDER = ".class"


def class_dir(runs_root=None, *, create: bool = False) -> Path:
    """``<runs>/.class`` (created, private to the server's user, with ``create``)."""
    from core.jobs.store import runs_root as _runs_root

    path = _runs_root(runs_root) / FOLDER
    if create:
        path.mkdir(mode=0o700, exist_ok=True)
    return path


@contextlib.contextmanager
def locked(runs_root=None, name: str = ".lock"):
    """Hold a class lock (an exclusive ``flock`` on ``.class/<name>``) for the block."""
    folder = class_dir(runs_root, create=True)
    with open(folder / name, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read(runs_root, name: str, default):
    """The JSON file ``.class/<name>`` (``default`` when missing or unreadable)."""
    try:
        return json.loads((class_dir(runs_root) / name).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError, UnicodeDecodeError):
        return default


def write(runs_root, name: str, data) -> None:
    """Write ``.class/<name>`` atomically, readable by the server's user only (it holds password hashes)."""
    path = class_dir(runs_root, create=True) / name
    atomic_write_json(path, data, indent=1)
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass


def mtime(runs_root, name: str) -> tuple:
    """``(mtime, inode, size)`` of ``.class/<name>`` (``()`` when missing): the cache key of readers.

    Every write is a rename of a new file, so the inode alone changes with each write.
    """
    try:
        st = (class_dir(runs_root) / name).stat()
    except OSError:
        return ()
    return (st.st_mtime_ns, st.st_ino, st.st_size)
