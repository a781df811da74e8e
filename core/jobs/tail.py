"""One reader per run for everyone who watches it: metrics tailed from a byte offset, shared, bounded.

A live page used to re-read and re-draw a run's whole history for every tab,
every second. Here each server process keeps one :class:`MetricsTail` per run
(:func:`tail_for`): a watcher's refresh asks it to :meth:`~MetricsTail.poll`,
which at most once per ``min_interval_s`` stats ``metrics.jsonl`` and parses
only the bytes appended since the last read; every other watcher of the same
run gets the same records. :meth:`~MetricsTail.snapshot` hands out the records
thinned for a figure (every evaluation, at most ``max_steps`` step records, the
last always kept), computed once per new batch of records; :meth:`~MetricsTail.memo`
keeps one derived value (a figure) per key and version, so ten tabs draw one
figure, not ten.

No Streamlit here (pages reach it through ``ui.runs``); access to a run is
checked by :func:`core.jobs.metrics_tail` before a tail is handed out.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from pathlib import Path

from core.jobs import store

MAX_TAILS = 64          # runs whose records one server process keeps (least recently watched dropped first)
LIVE_STEPS = 600        # step records a live figure gets at most (a curve needs no more points than pixels)


def thin_steps(records: list[dict], max_steps: int = LIVE_STEPS) -> list[dict]:
    """``records`` with the ``"step"`` records thinned to at most ``max_steps`` (+1: the last is always kept).

    Every other record (evaluations, notes) is kept, in order. Thinning takes
    every k-th step record, k the smallest stride that fits, so the kept steps
    are evenly spaced in the run's history.
    """
    steps = [i for i, r in enumerate(records) if r.get("type") == "step"]
    if len(steps) <= max_steps:
        return list(records)
    stride = -(-len(steps) // max_steps)
    keep = set(steps[::stride]) | {steps[-1]}
    return [r for i, r in enumerate(records) if r.get("type") != "step" or i in keep]


class MetricsTail:
    """The metrics records of one run folder, read incrementally; safe to share between threads.

    ``version`` counts the reads that found new records (0: none yet), so a
    caller can tell whether anything changed since it last drew.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.records: list[dict] = []
        self.version = 0
        self.offset = 0
        self._size = -1
        self._polled = 0.0
        self._lock = threading.Lock()
        self._snapshots: dict[int, tuple[int, list[dict]]] = {}
        self._memo: dict[object, tuple[int, object, float]] = {}

    def poll(self, min_interval_s: float = 0.0) -> int:
        """Read what was appended since the last read (not more often than ``min_interval_s``); the version.

        A file that got shorter (the run was deleted and made again) is read from the start.
        """
        with self._lock:
            now = time.monotonic()
            if self._size >= 0 and now - self._polled < min_interval_s:
                return self.version
            self._polled = now
            try:
                size = (self.path / "metrics.jsonl").stat().st_size
            except FileNotFoundError:
                size = 0
            if size < self.offset:
                self.records, self.offset, self._snapshots, self._memo = [], 0, {}, {}
                self.version += 1
            self._size = size
            if size > self.offset:
                new, self.offset = store.read_metrics_file(self.path, self.offset)
                if new:
                    self.records = self.records + new  # a new list: a snapshot handed out earlier never changes
                    self.version += 1
            return self.version

    def snapshot(self, max_steps: int = LIVE_STEPS) -> list[dict]:
        """The records so far with step records thinned (:func:`thin_steps`), the same list until new ones arrive."""
        with self._lock:
            cached = self._snapshots.get(max_steps)
            if cached is None or cached[0] != self.version:
                cached = (self.version, thin_steps(self.records, max_steps))
                self._snapshots[max_steps] = cached
            return cached[1]

    def memo(self, key, build, *args, min_interval_s: float = 0.0):
        """``build(*args)`` computed once per ``key`` and version of the records, shared by every caller.

        With ``min_interval_s`` a value is rebuilt for newer records at most that often (a figure
        of a run that logs every step is redrawn every few seconds, not at every step). Two
        callers that ask at the same moment may both build; either result is kept.
        """
        with self._lock:
            cached = self._memo.get(key)
            version = self.version
        if cached is not None and (cached[0] == version or time.monotonic() - cached[2] < min_interval_s):
            return cached[1]
        value = build(*args)
        with self._lock:
            self._memo[key] = (version, value, time.monotonic())
        return value


_TAILS: OrderedDict[str, MetricsTail] = OrderedDict()
_TAILS_LOCK = threading.Lock()


def tail_for(path: Path) -> MetricsTail:
    """The one :class:`MetricsTail` of run folder ``path`` in this process (made on first use)."""
    key = str(Path(path).resolve())
    with _TAILS_LOCK:
        tail = _TAILS.get(key)
        if tail is None:
            tail = _TAILS[key] = MetricsTail(Path(key))
            while len(_TAILS) > MAX_TAILS:
                _TAILS.popitem(last=False)
        else:
            _TAILS.move_to_end(key)
        return tail


def metrics_tail(run_id: str, runs_root=None, *, user=None) -> MetricsTail:
    """The shared tail of ``run_id``'s metrics, after checking that ``user`` may read the run.

    Raises ``ValueError`` for a bad or unknown id, ``core.jobs.AccessError`` for
    someone else's private run (class mode).
    """
    from core.jobs.queue import _checked

    return tail_for(_checked(run_id, store.runs_root(runs_root), user))


def forget(path: Path) -> None:
    """Drop the tail of ``path`` (a deleted run)."""
    with _TAILS_LOCK:
        _TAILS.pop(str(Path(path).resolve()), None)
