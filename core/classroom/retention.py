"""Retention: students' finished runs and uploads older than the class's ``retention_days`` are deleted.

Called by ``python -m core class clean`` and once when the app starts in
class mode. Never deleted: a run that is queued or running, a run shared
with the class, the teacher's runs (and runs from the shell), and an upload
that an active run reads.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.jobs import access, store


@dataclass
class CleanReport:
    """What :func:`clean` deleted (or, with ``dry_run``, would delete) and the bytes freed."""

    runs: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)
    freed_bytes: int = 0
    retention_days: int = 0


def _students(root: Path) -> set[str]:
    from core.classroom import list_users

    return {u.name for u in list_users(root) if not u.is_teacher}


def clean(runs_root=None, *, now: float | None = None, dry_run: bool = False) -> CleanReport:
    """Delete what the retention says (see the module docstring); returns a :class:`CleanReport`.

    Does nothing alone (no class set up) or with ``retention_days = 0``.
    """
    from core.classroom import load_settings
    from core.jobs import queue
    from core.jobs.limits import folder_bytes

    root = store.runs_root(runs_root)
    settings = load_settings(root)
    report = CleanReport(retention_days=settings.limits.retention_days if settings else 0)
    if settings is None or not report.retention_days:
        return report
    cutoff = (time.time() if now is None else now) - report.retention_days * 86400
    students = _students(root)
    in_use: set[str] = set()
    for entry in os.scandir(root):
        if not entry.is_dir() or not store.RUN_ID.fullmatch(entry.name):
            continue
        path = Path(entry.path)
        meta = store.read_json(path / "config.json")
        if not isinstance(meta, dict):
            continue
        status = store.read_status(path)
        if status.get("state") not in store.FINAL:
            in_use.update(access._strings(meta.get("config")))
            continue
        if access.owner_of(meta) not in students or access.visibility_of(meta) == "class":
            continue
        ended = store.parse_iso(status.get("finished")) or store.parse_iso(status.get("created"))
        if ended is None or ended >= cutoff:
            continue
        report.freed_bytes += folder_bytes(path)
        report.runs.append(entry.name)
        if not dry_run:
            queue.delete_run(entry.name, root, user=access.ALONE)
    uploads = root / ".uploads"
    for owner in sorted(students):
        folder = uploads / owner
        if not folder.is_dir():
            continue
        for item in os.scandir(folder):
            if not item.is_file() or item.name.startswith("."):
                continue
            if item.stat().st_mtime >= cutoff or str(Path(item.path).resolve()) in in_use or item.path in in_use:
                continue
            report.freed_bytes += item.stat().st_size
            report.uploads.append(f"{owner}/{item.name}")
            if not dry_run:
                os.unlink(item.path)
    return report
