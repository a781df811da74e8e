"""The runs directory on disk: ids, paths, status and metrics files.

Layout (see docs/CONTRACTS.md)::

    $EMBEDLAB_RUNS/                    (default ./runs)
      <run_id>/config.json            {"kind", "name", "config", "target", "resource", "seq"}
      <run_id>/status.json            state, timestamps, error, progress, eta_s, message, pid
      <run_id>/metrics.jsonl          one JSON record per line ("type": "step" | "eval", "time")
      <run_id>/summary.json           headline scores for the runs table (optional)
      <run_id>/log.txt                the job's stdout/stderr and tracebacks
      <run_id>/cancel                 exists once a cancel was requested
      .queue/<seq>-<resource>-<id>    one empty file per queued run (the FIFO)
      .slots/<resource>-<i>.lock      flock'ed by the worker that runs a job
      .uploads/                       uploaded corpora, named by content hash

Nothing here imports anything heavy: waiting workers import this module only.
Every status change is a read-modify-write under ``flock`` of the run's
``.lock`` file, so the page, the CLI and the worker never lose each other's
updates.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import functools
import json
import os
import re
from pathlib import Path

RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")
STATES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
ACTIVE = ("queued", "running")
FINAL = ("done", "failed", "cancelled", "interrupted")


def now_iso() -> str:
    """The current time as ISO-8601 UTC with seconds, e.g. ``2026-11-23T12:00:00+00:00``."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def parse_iso(text: str | None) -> float | None:
    """Unix seconds of an ISO-8601 timestamp written by :func:`now_iso` (None stays None)."""
    if not text:
        return None
    try:
        return _dt.datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def _resolved(text: str, cwd: str) -> Path:
    return (Path(cwd) / Path(text).expanduser()).resolve()


def runs_root(runs_root: str | os.PathLike | None = None) -> Path:
    """The runs directory: the argument, else ``$EMBEDLAB_RUNS``, else ``./runs`` (created).

    The resolved path is remembered per (path, working directory): live pages ask many
    times a second, and resolving walks every component of the path.
    """
    root = _resolved(str(runs_root or os.environ.get("EMBEDLAB_RUNS") or "runs"), os.getcwd())
    root.mkdir(parents=True, exist_ok=True)
    return root


def check_run_id(run_id: str) -> str:
    """Return ``run_id`` if it is a safe folder name, else raise ``ValueError``.

    Allowed: letters, digits, ``_ . -``; must start with a letter or digit; no
    ``..``; at most 80 characters. So ``../x``, ``/etc``, ``a/b`` and ``~`` fail.
    """
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id) or ".." in run_id:
        shown = run_id if isinstance(run_id, str) else type(run_id).__name__
        raise ValueError(
            f"{shown[:100]!r} is not a valid run id (letters, digits, '_', '.', '-'; at most 80 characters)."
        )
    return run_id


def run_dir(run_id: str, runs_root_: str | os.PathLike | None = None, *, must_exist: bool = False) -> Path:
    """The folder of ``run_id`` inside the runs root, after checking the id.

    Raises ``ValueError`` for a bad id, or (with ``must_exist``) for an unknown run.
    """
    root = runs_root(runs_root_)
    path = (root / check_run_id(run_id)).resolve()
    if path.parent != root:  # belt and braces: the regex already forbids separators
        raise ValueError(f"run id {run_id!r} points outside the runs directory.")
    if must_exist and not (path / "config.json").is_file():
        raise ValueError(f"there is no run {run_id!r} in {root}.")
    return path


def special_dir(name: str, runs_root_: str | os.PathLike | None = None) -> Path:
    """A hidden helper folder of the runs root (``.queue``, ``.slots``, ``.uploads``), created."""
    path = runs_root(runs_root_) / f".{name}"
    path.mkdir(exist_ok=True)
    return path


def write_json(path: Path, data) -> None:
    """Write JSON atomically (``core.atomic``: temp file + rename), so a reader never sees half a file.

    Numpy scalars and paths are written as plain values. Raises ``TypeError``
    or ``ValueError`` (leaving the old file untouched) for anything else that
    is not JSON.
    """
    from core.atomic import atomic_write_json

    atomic_write_json(path, data, indent=1, default=_json_default)


def read_json(path: Path, default=None):
    """Read a JSON file; ``default`` when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError, UnicodeDecodeError):
        return default


def _json_default(value):
    """Let numpy scalars and paths through ``json.dump``."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@contextlib.contextmanager
def locked(path: Path):
    """Hold an exclusive ``flock`` on ``path/.lock`` for the block."""
    with open(path / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def new_status() -> dict:
    """status.json of a run that was just submitted."""
    return {
        "state": "queued", "created": now_iso(), "started": None, "finished": None,
        "error": None, "progress": 0.0, "eta_s": None, "message": "", "pid": None, "job_pid": None,
    }


def read_status(path: Path) -> dict:
    """status.json of the run folder ``path`` (an empty dict if it is missing)."""
    return read_json(path / "status.json", {}) or {}


def update_status(path: Path, *, only_if: tuple[str, ...] | None = None, **fields) -> dict | None:
    """Merge ``fields`` into status.json under the run lock; return the new status.

    With ``only_if``, change nothing (and return None) unless the current
    state is one of those: the guard that stops, say, a late "queued" write
    from overwriting "running", or a finished run from being revived.
    """
    with locked(path):
        status = read_status(path)
        if only_if is not None and status.get("state") not in only_if:
            return None
        status.update(fields)
        write_json(path / "status.json", status)
        return status


def append_metric(path: Path, record: dict) -> None:
    """Append one record as a JSON line to metrics.jsonl (one write call, so lines never interleave)."""
    line = json.dumps(record, ensure_ascii=False, default=_json_default) + "\n"
    with open(path / "metrics.jsonl", "a", encoding="utf-8") as fh:
        fh.write(line)


def read_metrics_file(path: Path, offset: int = 0) -> tuple[list[dict], int]:
    """Complete records of metrics.jsonl from byte ``offset``; returns ``(records, new_offset)``.

    A last line still being written (no newline yet) is left for the next call.
    """
    try:
        with open(path / "metrics.jsonl", "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n") + 1
    records = []
    for line in data[:end].splitlines():
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(record, dict):
            records.append(record)
    return records, offset + end
