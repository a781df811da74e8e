"""Atomic file writes: a reader never sees a half-written file.

Each helper writes to a temporary file in the *same folder* as the target
(so the final rename never crosses a file system), flushes and fsyncs it,
then ``os.replace``-s it over the target, which POSIX and Windows both make
atomic. If writing fails, the temporary file is removed and the old target
(if any) is left untouched. Parent folders are created as needed.

Public names: ``atomic_write(path, write_fn)``, ``atomic_write_bytes``,
``atomic_write_text``, ``atomic_write_json``.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike, write_fn: Callable[[Path], Any]) -> Path:
    """Call ``write_fn(tmp_path)`` to write a temporary file, then rename it onto ``path``.

    ``write_fn`` receives the temporary file's ``Path`` (same folder, name
    ``.<name>.<random>.tmp``) and must write the whole file there, e.g.
    ``kv.save_word2vec_format(str(tmp), binary=True)``. Its return value is
    ignored. Returns ``path`` as a ``Path``. Any exception from ``write_fn``
    propagates after the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write_fn(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see ``atomic_write``)."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically, encoded (default UTF-8), newlines unchanged."""
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write_json(path: str | os.PathLike, obj: Any, *, indent: int | None = 2, **dumps_kwargs: Any) -> Path:
    """Write ``obj`` as UTF-8 JSON (non-ASCII kept readable) to ``path`` atomically.

    Extra keyword arguments go to ``json.dumps`` (e.g. ``default=str``,
    ``allow_nan=False``). Raises ``TypeError``/``ValueError`` (from
    ``json.dumps``) before touching the file if ``obj`` cannot be written.
    """
    text = json.dumps(obj, ensure_ascii=False, indent=indent, **dumps_kwargs)
    return atomic_write_text(path, text + "\n")
