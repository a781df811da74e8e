"""Fair use in class mode: per-person limits checked before anything is queued or stored, and while a run writes.

The teacher sets the limits (``core.classroom.Limits``: ``python -m core class
limits`` or the teacher's page). A student over a limit gets a
:class:`LimitError` saying which limit and what to do; nothing is queued or
stored then, and nothing already there changes. The teacher's own runs are
not limited. Like :mod:`core.jobs.access`, nothing here cares how a run's
worker is launched.

A running run may pass its owner's disk limit for a while (a fine-tune's
checkpoint is deleted when it ends), but not :data:`DISK_OVERRUN` times over:
:class:`DiskWatch`, asked by the run's worker, then has the run cancelled (it
keeps what it wrote), so one student can hold at most that much of the disk.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from core.jobs import access, store

MIB = 1024 * 1024
DISK_OVERRUN = 2.0  # a running run is cancelled when its owner's runs and uploads pass this many times the limit
DISK_CHECK_S = float(os.environ.get("EMBEDLAB_DISK_CHECK_S", 15.0))  # how often a worker measures its run's folder


class LimitError(ValueError):
    """A class limit was hit. ``key`` names the translated message, ``fields`` fill it in."""

    def __init__(self, message: str, key: str, **fields):
        super().__init__(message)
        self.key = key
        self.fields = fields


def _limits(root: Path):
    from core.classroom import load_settings

    settings = load_settings(root)
    return settings.limits if settings is not None else None


def folder_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (0 when it is gone); links are not followed."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                pass
    return total


def usage(root: Path) -> dict[str, dict]:
    """``{owner: {"active": runs queued or running, "runs": all runs, "run_bytes", "upload_bytes"}}``.

    Runs without an owner count for the teacher (``""``). For the teacher's page and the limits.
    """
    out: dict[str, dict] = {}

    def entry(owner: str) -> dict:
        return out.setdefault(owner, {"active": 0, "runs": 0, "run_bytes": 0, "upload_bytes": 0})

    for item in os.scandir(root):
        if not item.is_dir() or not store.RUN_ID.fullmatch(item.name):
            continue
        meta = store.read_json(Path(item.path) / "config.json")
        if not isinstance(meta, dict):
            continue
        row = entry(access.owner_of(meta))
        row["runs"] += 1
        row["run_bytes"] += folder_bytes(Path(item.path))
        if store.read_status(Path(item.path)).get("state") in store.ACTIVE:
            row["active"] += 1
    uploads = root / ".uploads"
    if uploads.is_dir():
        for item in os.scandir(uploads):
            if item.is_dir():
                entry(item.name)["upload_bytes"] += folder_bytes(Path(item.path))
    return out


def active_counts(root: Path) -> tuple[dict[str, int], int]:
    """``({owner: runs queued or running}, total)``, read from the run folders."""
    counts: dict[str, int] = {}
    for item in os.scandir(root):
        if not item.is_dir() or not store.RUN_ID.fullmatch(item.name):
            continue
        if store.read_status(Path(item.path)).get("state") not in store.ACTIVE:
            continue
        owner = access.owner_of(store.read_json(Path(item.path) / "config.json", {}) or {})
        counts[owner] = counts.get(owner, 0) + 1
    return counts, sum(counts.values())


def disk_used(who: access.Actor, root: Path) -> int:
    """Bytes of ``who``'s runs and uploads."""
    row = usage(root).get(who.name, {})
    return int(row.get("run_bytes", 0) + row.get("upload_bytes", 0))


def check_submit(who: access.Actor, root: Path) -> None:
    """Refuse a new run when ``who`` (a student) is over a limit; see the module docstring."""
    limits = _limits(root)
    if limits is None or who.is_teacher:
        return
    counts, total = active_counts(root)
    mine = counts.get(who.name, 0)
    if mine >= limits.active_runs:
        raise LimitError(f"You already have {mine} runs queued or running (the limit is {limits.active_runs}); "
                         "wait for one to finish or cancel one.", "classroom.limit.active_runs",
                         n=mine, limit=limits.active_runs)
    if total >= limits.queue_total:
        raise LimitError(f"The class already has {total} runs queued or running, as many as the teacher allows; "
                         "try again in a few minutes.", "classroom.limit.queue_total", n=total, limit=limits.queue_total)
    used = disk_used(who, root)
    if used >= limits.disk_mb * MIB:
        raise LimitError(f"Your runs and uploads use {used / MIB:,.0f} MiB of your {limits.disk_mb:,} MiB; delete "
                         "runs you no longer need (Manage runs), then start again.", "classroom.limit.disk",
                         used=f"{used / MIB:,.0f}", limit=f"{limits.disk_mb:,}")


def upload_limit(who: access.Actor, root: Path) -> int | None:
    """The largest upload ``who`` may store now, in bytes (None: no class limit)."""
    limits = _limits(root)
    if limits is None or who.is_teacher:
        return None
    return limits.upload_mb * MIB


def check_upload(who: access.Actor, root: Path, size: int) -> None:
    """Refuse an upload of ``size`` bytes over the single-upload or the disk limit of ``who``."""
    limits = _limits(root)
    if limits is None or who.is_teacher:
        return
    if size > limits.upload_mb * MIB:
        raise LimitError(f"The file is larger than the class's upload limit of {limits.upload_mb:,} MiB; upload a "
                         "smaller file (or a part of it).", "classroom.limit.upload", limit=f"{limits.upload_mb:,}")
    used = disk_used(who, root)
    if used + size > limits.disk_mb * MIB:
        raise LimitError(f"Your runs and uploads use {used / MIB:,.0f} MiB of your {limits.disk_mb:,} MiB; this "
                         "file does not fit. Delete runs you no longer need, then upload again.",
                         "classroom.limit.disk", used=f"{used / MIB:,.0f}", limit=f"{limits.disk_mb:,}")


@contextlib.contextmanager
def admission(root: Path):
    """Hold the class's submit lock while limits are checked and the run is written (no two slip past)."""
    from core.classroom import class_mode
    from core.classroom.state import locked

    if not class_mode(root):
        yield
        return
    with locked(root, ".submit.lock"):
        yield


class DiskWatch:
    """Measures one running run's folder against what its owner may still use (see the module docstring).

    ``for_run`` gives None where nothing is limited (alone, or the teacher's run). :meth:`over` is cheap
    to call every poll: it measures at most every :data:`DISK_CHECK_S` seconds, and returns the
    :class:`LimitError` to record once the folder has grown past the owner's allowance, else None.
    """

    def __init__(self, path: Path, allowed_bytes: int, limit_mb: int, others_bytes: int):
        self.path, self.allowed_bytes, self.limit_mb, self.others_bytes = path, allowed_bytes, limit_mb, others_bytes
        self._last = float("-inf")

    @classmethod
    def for_run(cls, root: Path, path: Path) -> "DiskWatch | None":
        limits = _limits(root)
        if limits is None:
            return None
        owner = access.owner_of(store.read_json(path / "config.json", {}) or {})
        try:
            who = access.actor(owner or access.SHELL, root)  # no owner: the teacher's (shell) run
        except access.AccessError:  # the account was removed while its run waited
            return None
        if who.is_teacher:
            return None
        others = max(0, disk_used(who, root) - folder_bytes(path))
        return cls(path, int(DISK_OVERRUN * limits.disk_mb * MIB) - others, limits.disk_mb, others)

    def over(self, now: float) -> LimitError | None:
        if now - self._last < DISK_CHECK_S:
            return None
        self._last = now
        size = folder_bytes(self.path)
        if size <= self.allowed_bytes:
            return None
        used = (self.others_bytes + size) / MIB
        return LimitError(f"This run was stopped: with its files your runs and uploads use {used:,.0f} MiB, more "
                          f"than {DISK_OVERRUN:g} times your {self.limit_mb:,} MiB. What it wrote is kept; delete "
                          "runs you no longer need (Manage runs).", "classroom.limit.disk_running",
                          used=f"{used:,.0f}", limit=f"{self.limit_mb:,}", times=f"{DISK_OVERRUN:g}")
