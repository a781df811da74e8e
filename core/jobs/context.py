"""What a job function gets to talk to the outside world: :class:`JobContext`."""
from __future__ import annotations

import os
import time
from pathlib import Path

from core.jobs import store


class JobContext:
    """Handed to ``run(config, ctx)`` in the worker process.

    Attributes and verbs (the contract in docs/CONTRACTS.md):

    - ``ctx.run_id`` / ``ctx.run_dir``: the run's id and folder (write artifacts there).
    - ``ctx.log(record)``: append a metrics record; ``"time"`` (unix seconds) is added
      and ``"type"`` defaults to ``"step"``.
    - ``ctx.progress(fraction, eta_s=None, message="")``: update status.json
      (fraction in 0..1, ETA in seconds).
    - ``ctx.should_stop()``: True once a cancel was requested; the job should
      save what it has and return normally (the run then ends "cancelled").
    - ``ctx.set_summary(scores)``: headline numbers for the runs table
      (``summary.json``, e.g. ``{"wordsim353": 0.41, "analogies": 0.12}``).
    - ``ctx.write_log(text)``: a line in log.txt (also what ``print`` does).
    """

    def __init__(self, run_dir: Path, run_id: str | None = None):
        self.run_dir = Path(run_dir)
        self.run_id = run_id or self.run_dir.name
        self._cancel_flag = self.run_dir / "cancel"
        self._stop_seen = False
        self._last_check = 0.0

    def log(self, record: dict) -> None:
        """Append ``record`` (a flat dict of JSON values) to metrics.jsonl."""
        record = {"type": "step", **record, "time": time.time()}
        store.append_metric(self.run_dir, record)

    def progress(self, fraction: float, eta_s: float | None = None, message: str = "") -> None:
        """Report how far the job is (0..1), an ETA in seconds, and a short message."""
        fraction = min(1.0, max(0.0, float(fraction)))
        store.update_status(
            self.run_dir,
            only_if=("running",),
            progress=fraction,
            eta_s=None if eta_s is None else max(0.0, float(eta_s)),
            message=str(message)[:300],
        )

    def should_stop(self) -> bool:
        """Has a cancel been requested? Cheap enough to call every batch (checks at most 20x a second)."""
        if self._stop_seen:
            return True
        now = time.monotonic()
        if now - self._last_check >= 0.05:
            self._last_check = now
            self._stop_seen = os.path.exists(self._cancel_flag)
        return self._stop_seen

    def set_summary(self, scores: dict) -> None:
        """Store the headline scores of the run (shown in the runs table)."""
        store.write_json(self.run_dir / "summary.json", scores)

    def write_log(self, text: str) -> None:
        """Append a line to log.txt."""
        print(text, flush=True)
