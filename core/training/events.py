"""TensorBoard event files beside our own metrics, so ``tensorboard --logdir runs`` shows every run.

One :class:`EventWriter` per run folder (tensorboardX ``SummaryWriter``, created on
the first record): a ``step`` record becomes scalars ``train/<field>``, an ``eval``
record ``<split>/<field>`` (``valid/accuracy``, ``extrapolation/2x/accuracy``...), all at
the record's ``step`` (``x`` names another field per record type: word2vec's steps are
at ``words_done``, its evaluations at ``epoch``). Only numbers are
written; records without a step are skipped. Writing never stops a run: if
tensorboardX is missing or the disk refuses, the writer turns itself off and says so
once in ``events_error``.
"""
from __future__ import annotations

from pathlib import Path

SKIP = {"step", "steps", "time", "progress", "epochs", "factor", "seq_len"}  # counters, not curves


class EventWriter:
    """Write metrics records as TensorBoard scalars into ``run_dir`` (``events.out.tfevents.*``)."""

    def __init__(self, run_dir: str | Path, *, enabled: bool = True, x: str | dict[str, str] = "step"):
        self.run_dir, self.enabled, self.x = Path(run_dir), enabled, x
        self._writer = None
        self.events_error: str | None = None

    def _open(self):
        if self._writer is None:
            from tensorboardX import SummaryWriter

            self._writer = SummaryWriter(logdir=str(self.run_dir), flush_secs=10)
        return self._writer

    def write(self, record: dict) -> None:
        """Add the numeric fields of a ``step`` / ``eval`` record (others are ignored)."""
        if not self.enabled or record.get("type") not in ("step", "eval"):
            return
        x_name = self.x if isinstance(self.x, str) else self.x.get(record["type"], "step")
        x = record.get(x_name)
        if not isinstance(x, (int, float)):
            return
        prefix = "train" if record["type"] == "step" else str(record.get("split") or "eval")
        if record.get("factor") is not None:
            prefix = f"{prefix}/{record['factor']}x"
        try:
            writer = self._open()
            for key, value in record.items():
                if key in SKIP or key == x_name or isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                writer.add_scalar(f"{prefix}/{key}", float(value), int(x))
        except Exception as err:  # noqa: BLE001 - the curves in metrics.jsonl stay; TensorBoard is a second view
            self.enabled, self.events_error = False, f"{type(err).__name__}: {err}"

    def close(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001
                pass
            self._writer = None
