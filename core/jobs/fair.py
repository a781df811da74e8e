"""The fair queue: the next free slot goes to the person who has waited longest since last served.

Queue entries are files ``.queue/<seq>-<resource>-<run_id>[@<owner>]`` (the
owner only in class mode). Workers take slots in the order of :func:`fair_order`:

1. fewest runs of that owner now running on this resource,
2. then the owner served longest ago (never served first),
3. then submission order (``seq``).

So if A queues 5 runs and then B queues 1 with one slot, A's first runs,
then B's, then A's others. Alone (no owners) this is plain FIFO. Bookkeeping:
``.served/<owner>`` (its mtime: when the owner's last run started) and
``.active/<resource>-<run_id>@<owner>`` (runs running now), written by
:func:`note_started` / :func:`note_ended`. Nothing here cares how a worker
is launched.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from core.jobs import store


def entry_name(seq: int, resource: str, run_id: str, owner: str = "") -> str:
    """The queue file name of a run."""
    return f"{seq:09d}-{resource}-{run_id}" + (f"@{owner}" if owner else "")


def parse_entry(name: str) -> tuple[int, str, str, str] | None:
    """``(seq, resource, run_id, owner)`` of a queue file name, None for anything else."""
    seq, _, rest = name.partition("-")
    resource, _, rest = rest.partition("-")
    run_id, _, owner = rest.partition("@")
    if not seq.isdigit() or not run_id:
        return None
    return int(seq), resource, run_id, owner


def fair_order(entries: list[tuple[int, str, str, str]], running: dict[str, int],
               last_start: dict[str, float]) -> list[tuple[int, str, str, str]]:
    """``entries`` sorted as the module docstring says (pure: no files)."""
    return sorted(entries, key=lambda e: (running.get(e[3], 0), last_start.get(e[3], float("-inf")), e[0]))


def _served_dir(root: Path) -> Path:
    return store.special_dir("served", root)


def _active_dir(root: Path) -> Path:
    return store.special_dir("active", root)


def running_counts(root: Path, resource: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    folder = root / ".active"
    if folder.is_dir():
        for name in os.listdir(folder):
            res, _, rest = name.partition("-")
            if res == resource and "@" in rest:
                owner = rest.rpartition("@")[2]
                counts[owner] = counts.get(owner, 0) + 1
    return counts


def last_starts(root: Path) -> dict[str, float]:
    folder = root / ".served"
    out = {}
    if folder.is_dir():
        for entry in os.scandir(folder):
            try:
                out[entry.name] = entry.stat().st_mtime
            except OSError:
                pass
    return out


def ordered(root: Path, entries: list[tuple[int, str, str, str]], resource: str) -> list[tuple[int, str, str, str]]:
    """The queue ``entries`` of ``resource`` in fair order (FIFO when no entry has an owner)."""
    entries = [e for e in entries if e[1] == resource]
    if not any(e[3] for e in entries):
        return sorted(entries)
    return fair_order(entries, running_counts(root, resource), last_starts(root))


def note_started(root: Path, resource: str, run_id: str, owner: str) -> None:
    """Record that ``owner``'s run started on ``resource`` (no-op without an owner: alone mode)."""
    if not owner:
        return
    served = _served_dir(root) / owner
    served.touch()
    now = time.time()
    os.utime(served, (now, now))
    (_active_dir(root) / f"{resource}-{run_id}@{owner}").touch()


def note_ended(root: Path, run_id: str) -> None:
    """Forget that ``run_id`` is running (it ended, or its worker is gone)."""
    folder = root / ".active"
    if not folder.is_dir():
        return
    for name in os.listdir(folder):
        if name.partition("-")[2].rpartition("@")[0] == run_id:
            try:
                os.unlink(folder / name)
            except FileNotFoundError:
                pass


def clear_stale(root: Path) -> None:
    """Drop ``.active`` marks of runs that are no longer running (their worker died without a word)."""
    folder = root / ".active"
    if not folder.is_dir():
        return
    for name in os.listdir(folder):
        run_id = name.partition("-")[2].rpartition("@")[0]
        try:
            state = store.read_status(store.run_dir(run_id, root)).get("state")
        except ValueError:
            state = None
        if state != "running":
            try:
                os.unlink(folder / name)
            except FileNotFoundError:
                pass
