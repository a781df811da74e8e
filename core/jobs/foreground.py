"""Run a job in the foreground: the CLI's way to write a run exactly as the app does.

``run_foreground(kind, config)`` makes the same run folder as :func:`core.jobs.submit`
(config.json with kind/name/config/target/resource, status.json, the queue
entry), waits for a slot of the job's resource like any worker, then calls
the job function *in this process* with a :class:`ForegroundContext`: the
same metrics.jsonl, summary.json, log.txt and artifacts, plus a progress bar
on the terminal. So a run started from a shell is listed by ``python -m core
runs list`` and in the app's runs table, and opens in the app like any other.

Ctrl-C once asks the job to stop (it saves what it trained; the run ends
"cancelled"); Ctrl-C again stops at once (the run ends "interrupted" and
``KeyboardInterrupt`` propagates).

When new runs go to a cluster (``EMBEDLAB_EXECUTOR=ray``) the same call
submits the run there and follows it from this terminal instead (progress
bar, the job's log lines as they arrive); Ctrl-C once cancels it, again stops
following (its worker still ends it "cancelled"). The CLI does not know which.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from core.jobs import access, executors, fair, queue, registry, store, worker
from core.jobs.context import JobContext
from core.jobs.executors.local import this_node


class _Terminal:
    """A one-line progress bar (tqdm) on ``stream`` (when ``enabled``) and notes printed on ``notes``."""

    def __init__(self, stream, enabled: bool, label: str, notes=None):
        self.stream = stream
        self.notes = notes
        self.enabled = enabled
        self.bar = None
        self.label = label

    def _ensure_bar(self):
        if self.bar is None and self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=100.0, unit="%", desc=self.label, file=self.stream, dynamic_ncols=True,
                            mininterval=0.5,
                            bar_format="{l_bar}{bar}| {n:.0f}/100% [{elapsed}<{remaining}] {postfix}")
        return self.bar

    def update(self, fraction: float, message: str) -> None:
        bar = self._ensure_bar()
        if bar is not None:
            bar.n = round(100 * fraction, 1)
            bar.set_postfix_str(message[:80], refresh=False)
            bar.refresh()

    def note(self, text: str) -> None:
        notes = self.notes if self.notes is not None else sys.stdout
        if self.bar is not None:
            self.bar.clear()
            print(text, file=notes, flush=True)
            self.bar.refresh()
        else:
            print(text, file=notes, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class ForegroundContext(JobContext):
    """A :class:`JobContext` for a job running in the caller's process: log lines go to log.txt
    (and the terminal), progress also moves the terminal's bar; everything else is the same."""

    def __init__(self, run_dir, run_id, terminal: _Terminal):
        super().__init__(run_dir, run_id)
        self.terminal = terminal

    def progress(self, fraction: float, eta_s: float | None = None, message: str = "") -> None:
        super().progress(fraction, eta_s, message)
        self.terminal.update(min(1.0, max(0.0, float(fraction))), str(message))

    def write_log(self, text: str) -> None:
        with open(self.run_dir / "log.txt", "a", encoding="utf-8") as fh:
            fh.write(f"{text}\n")
        self.terminal.note(str(text))


def _ctrl_c(first):
    """A SIGINT handler: the first Ctrl-C calls ``first()``, the next raises ``KeyboardInterrupt``."""
    seen = {"count": 0}

    def on_sigint(_number, _frame):
        seen["count"] += 1
        if seen["count"] == 1:
            first()
            return
        raise KeyboardInterrupt

    return on_sigint


def run_foreground(kind: str, config: dict, name: str = "", runs_root=None, *,
                   show_progress: bool = True, stream=None, notes=None, user=None) -> str:
    """Run a job of ``kind`` with ``config`` in this process, as a run of the runs directory; return its id.

    Blocks until the run ends; the run then is "done", "cancelled" (Ctrl-C
    once, or ``core.jobs.cancel`` from elsewhere) or "failed". A progress bar
    is drawn on ``stream`` (default stderr) unless ``show_progress`` is False;
    the job's log lines (``ctx.write_log``) go to log.txt and are printed on
    ``notes`` (default stdout). ``user``: the acting user (the CLI passes
    ``core.jobs.SHELL``, the teacher). Raises ``ValueError`` for an unknown kind or a
    config the kind refuses (before any folder is made), and re-raises what
    the job function raised after recording the run as "failed" (a
    ``ValueError`` keeps its message for the user). A second Ctrl-C marks the
    run "interrupted" and raises ``KeyboardInterrupt``.
    """
    import psutil

    stream = stream if stream is not None else sys.stderr
    root = store.runs_root(runs_root)
    if executors.current().remote:
        return follow_remote(kind, config, name, root, show_progress=show_progress, stream=stream, notes=notes,
                             user=user)
    me = psutil.Process(os.getpid())
    run_id, path = queue.create_run(kind, config, name, root,
                                    status={"pid": me.pid, "pid_created": me.create_time()}, user=user)
    meta = store.read_json(path / "config.json", {}) or {}
    terminal = _Terminal(stream, show_progress, kind, notes)
    terminal.note(f"run {run_id} (runs directory {root})")
    with _ctrl_c_cancels(path, terminal):
        _run_in_slot(root, path, run_id, meta, terminal)
    return run_id


@contextlib.contextmanager
def _ctrl_c_cancels(path: Path, terminal: "_Terminal"):
    """While inside: the first Ctrl-C asks the job to cancel (it saves what it has trained), a second one raises
    ``KeyboardInterrupt``. Signals can only be caught in the main thread; elsewhere nothing is installed."""
    def first_ctrl_c() -> None:
        (path / "cancel").touch()
        terminal.note("cancelling: the job saves what it has trained (Ctrl-C again to stop at once)")

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _ctrl_c(first_ctrl_c)) if in_main_thread else None
    try:
        yield
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)


def _run_in_slot(root: Path, path: Path, run_id: str, meta: dict, terminal: "_Terminal") -> None:
    """Wait for a slot of the run's resource, run its job function here and record how it ended."""
    slot = None
    try:
        def on_wait(position: int, waiting: int) -> None:
            if position > 1 or waiting > 1:
                terminal.note(f"waiting for a {meta.get('resource')} slot: position {position} of {waiting}")

        slot = worker.wait_for_slot(root, path, run_id, meta.get("resource", "cpu"), on_wait=on_wait)
        if slot is None:
            return
        ctx = ForegroundContext(path, run_id, terminal)
        function = registry.load_target(meta["target"])
        store.update_status(path, only_if=("running",), message="running", node=this_node())
        with access.acting_for(access.owner_of(meta)):
            function(meta.get("config", {}), ctx)
    except KeyboardInterrupt:
        store.update_status(path, only_if=store.ACTIVE, state="interrupted", finished=store.now_iso(), eta_s=None,
                            error="This run was stopped with Ctrl-C. Files it already wrote are kept.")
        queue._remove_queue_entry(root, run_id)
        raise
    except Exception as err:
        with open(path / "log.txt", "a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        worker.record_failure(path, worker.failure_message(err))
        raise
    else:
        worker.record_end(path)
    finally:
        terminal.close()
        if slot is not None:
            slot.close()
            fair.note_ended(root, run_id)
        store.update_status(path, only_if=store.FINAL, pid=None)
        with open(path / "log.txt", "a", encoding="utf-8") as log:
            log.write(f"[foreground] job ran in process {os.getpid()}; run is "
                      f"{store.read_status(path).get('state')}\n")


def follow_remote(kind: str, config: dict, name: str, root, *, show_progress: bool, stream, notes, user) -> str:
    """:func:`run_foreground` when runs go to a cluster: submit, then follow the run here until it ends.

    Returns the run id; raises ``ValueError`` with the run's error when it failed.
    """
    executor = executors.current()
    run_id = queue.submit(kind, config, name, root, user=user)
    path = store.run_dir(run_id, root)
    terminal = _Terminal(stream, show_progress, kind, notes)
    terminal.note(f"run {run_id} (runs directory {root}) on {executor.describe()}")

    def first_ctrl_c() -> None:
        queue.cancel(run_id, root, user=user)
        terminal.note("cancelling: the job saves what it has trained (Ctrl-C again to stop following)")

    on_sigint = _ctrl_c(first_ctrl_c)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_sigint) if in_main_thread else None
    offset, shown_node = 0, False
    try:
        while True:
            status = queue.get_status(run_id, root, user=user)
            if status.get("node") and not shown_node:
                shown_node = True
                terminal.note(f"running on {status['node']}")
            offset = _print_new_log_lines(path, offset, terminal)
            if status.get("state") == "queued":
                terminal.update(0.0, f"queued: position {status.get('position')}")
            else:
                terminal.update(float(status.get("progress") or 0.0), str(status.get("message") or ""))
            if status.get("state") in store.FINAL:
                break
            time.sleep(0.5)
        _print_new_log_lines(path, offset, terminal)
    finally:
        terminal.close()
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    if status.get("state") == "failed":
        raise ValueError(status.get("error") or f"run {run_id} failed; see its log.txt")
    return run_id


def _print_new_log_lines(path, offset: int, terminal: _Terminal) -> int:
    """Print the job's log lines written since byte ``offset`` (its own words, as a local run prints them)."""
    try:
        with open(path / "log.txt", "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except FileNotFoundError:
        return offset
    end = data.rfind(b"\n") + 1
    for line in data[:end].decode("utf-8", "replace").splitlines():
        if line.strip() and not line.startswith(("[worker]", "<frozen runpy>")):
            terminal.note(line)
    return offset + end
