"""The worker behind one run: ``python -m core.jobs.worker RUN_ID``.

Started detached by :func:`core.jobs.submit`, on the app's machine, whatever
executor runs the job (:mod:`core.jobs.executors`). It

1. waits, cheaply (no torch import), until its run is the first of its
   resource's queue in fair order (:mod:`core.jobs.fair`: FIFO alone; in
   class mode the person who has waited longest goes first) and the run's
   executor gives it a slot of that resource (locally a ``flock``'ed slot
   file; on Ray a place within the cluster's capacity);
2. marks the run running and has the executor start the job process
   (``python -m core.jobs.worker --child RUN_ID``, here or on a cluster
   node) that imports the job function and calls ``run(config, ctx)``;
3. supervises it through a :class:`core.jobs.executors.JobHandle`: passes
   on a cancel (stops it if it does not stop within :data:`CANCEL_GRACE_S`),
   and if it ends without a word (SIGKILL, out of memory, a segfault, a lost
   node) marks the run failed with a reason a person understands.

``python -m core.jobs.worker --attach RUN_ID`` supervises a job that is still
running after its worker died (a Ray job outlives the app's machine
restarting; :func:`core.jobs.recover` starts it).
"""
from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from pathlib import Path

from core.jobs import access, executors, fair, limits, queue, registry, store
from core.jobs.context import JobContext

POLL_S = 0.2           # how often a worker near the head of the queue looks at it
POLL_FAR_S = 0.6       # ... and one further back (30 waiting workers stay cheap)
HEAD_CHECK_S = 1.0     # how often it checks that the run ahead of it is still alive
CANCEL_GRACE_S = float(os.environ.get("EMBEDLAB_CANCEL_GRACE_S", 8.0))  # a cancelled job gets this long to save ...
KILL_AFTER_S = 3.0  # ... then SIGTERM, and SIGKILL this much later
# The grace restarts while the job still reports (status.json or metrics.jsonl
# change: it is saving and evaluating what it trained), up to this hard limit.
CANCEL_HARD_S = float(os.environ.get("EMBEDLAB_CANCEL_HARD_S", 120.0))


def wait_for_slot(root: Path, path: Path, run_id: str, resource: str, on_wait=None):
    """Wait in the fair queue until this run holds a slot of its executor; return the
    :class:`~core.jobs.executors.Slot`, or None if it should not run.

    ``on_wait(position, waiting)`` (optional) is called whenever the run's
    1-based place among the ``waiting`` runs of its resource changes.
    """
    executor = executors.of(store.read_status(path))
    owner = access.owner_of(store.read_json(path / "config.json", {}) or {})
    last_head_check = 0.0
    last_place = None
    while True:
        status = store.read_status(path)
        if status.get("state") != "queued" or (path / "cancel").exists():
            store.update_status(path, only_if=("queued",), state="cancelled", finished=store.now_iso(),
                                message="cancelled before it started")
            queue._remove_queue_entry(root, run_id)
            return None
        ids = queue.queue_order(root, resource)
        if run_id not in ids:  # someone removed our entry (recover, a cancel); do not run
            store.update_status(path, only_if=("queued",), state="interrupted", finished=store.now_iso(),
                                error="This run left the queue before it started. Start it again.")
            return None
        place = (ids.index(run_id) + 1, len(ids))
        if on_wait is not None and place != last_place:
            last_place = place
            on_wait(*place)
        if ids[0] == run_id:
            slot = executor.take_slot(root, resource, run_id)
            if slot is not None:
                started = store.update_status(path, only_if=("queued",), state="running",
                                              started=store.now_iso(), pid=os.getpid(), message="starting")
                queue._remove_queue_entry(root, run_id)
                if started is None:
                    slot.close()
                    return None
                fair.note_started(root, resource, run_id, owner)
                return slot
        elif time.monotonic() - last_head_check > HEAD_CHECK_S:
            last_head_check = time.monotonic()
            _clear_dead_head(root, ids[0])
            fair.clear_stale(root)
        time.sleep(POLL_S if ids.index(run_id) <= executor.capacity(resource) else POLL_FAR_S)


def _clear_dead_head(root: Path, head_id: str) -> None:
    """If the run at the head of the queue has no live worker (or is no longer queued), drop it."""
    try:
        head_path = store.run_dir(head_id, root)
    except ValueError:
        return
    status = store.read_status(head_path)
    if status.get("state") != "queued":
        queue._remove_queue_entry(root, head_id)
    elif queue._worker_gone(head_id, status):
        queue._mark_gone(root, head_id, "failed")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def explain_exit(returncode: int) -> str:
    """A sentence about how the job process ended without reporting back."""
    if returncode < 0:
        number = -returncode
        text = f"The training process was killed ({_signal_name(number)}, signal {number})"
        if number == signal.SIGKILL:
            text += (" - most often because the machine ran out of memory. Try a smaller corpus, "
                     "a smaller vector size or batch size, or fewer jobs at once.")
        elif number == signal.SIGSEGV:
            text += " - it crashed inside native code. See log.txt for details."
        else:
            text += "."
        return text
    return f"The training process exited unexpectedly with code {returncode} before finishing; see log.txt."


def _last_report(path: Path) -> float:
    """Unix time of the job's last sign of life (status or metrics written)."""
    times = []
    for name in ("status.json", "metrics.jsonl"):
        try:
            times.append((path / name).stat().st_mtime)
        except FileNotFoundError:
            pass
    return max(times, default=0.0)


JOB_NICE_ENV = "EMBEDLAB_JOB_NICE"
JOB_NICE = 10  # a job's niceness: pages first, training on every cycle they leave


def _behind_pages() -> None:
    """In the job's process, before the job runs: a lower CPU priority than the app's pages.

    A word2vec job uses every core it may (``job_env``); at the same priority as the
    Streamlit server it halves what thirty students' pages get while it runs. At nice 10
    the pages come first and the job still has every idle cycle (``EMBEDLAB_JOB_NICE``;
    0 keeps jobs level with the pages). Done in the job process itself, so every executor's
    jobs (and every rank of a launched one) get it.
    """
    try:
        os.nice(max(0, int(os.environ.get(JOB_NICE_ENV, JOB_NICE))))
    except (OSError, ValueError):
        pass


def child_command(run_id: str, meta: dict, python: str | None = None) -> list[str]:
    """The job process's command line: ``python -m core.jobs.worker --child RUN_ID``.

    A run that asks for several processes (``meta["processes"]`` > 1) starts
    under ``torchrun`` on one machine, every rank on the same run folder
    (:func:`core.jobs.launched.run_ranks`).
    """
    python = python or sys.executable
    tail = ["-m", "core.jobs.worker", "--child", run_id]
    processes = int(meta.get("processes") or 1)
    if processes > 1:
        return [python, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(processes), *tail]
    return [python, *tail]


def supervise(root: Path, path: Path, run_id: str, slot, resource: str = "cpu", handle=None) -> int:
    """Run the job through the run's executor (or watch ``handle``, a job already running) and make sure the
    run ends in a final state."""
    stop = {"signal": None}

    def _on_signal(number, _frame):
        stop["signal"] = number

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    executor = executors.of(store.read_status(path))
    if handle is None:
        meta = store.read_json(path / "config.json", {}) or {}
        try:
            handle = executor.launch(root, path, run_id, meta, slot)
        except Exception as err:  # noqa: BLE001 - a launch that fails must end the run, not hang it
            slot.close()
            record_failure(path, failure_message(err))
            fair.note_ended(root, run_id)
            return 1
    recorded = handle.status_fields()
    store.update_status(path, **recorded)
    stopper, disk = _Stopper(handle, path), limits.DiskWatch.for_run(root, path)
    while handle.poll() is None:
        if stop["signal"] is not None:
            if executor.detach_on_signal:  # the job runs elsewhere: leave it, recover() attaches a new worker
                _log(path, f"[worker] stopped from outside ({_signal_name(stop['signal'])}); the job keeps "
                           "running and a new worker attaches to it when the app starts again")
                return 0
            stopper.terminate(time.time())
        stopper.watch_cancel()
        if disk is not None and stopper.cancel_seen is None:
            _stop_at_limit(path, disk.over(time.time()))
        fields = handle.status_fields()
        if fields != recorded:  # e.g. the cluster placed the job on a node
            recorded = fields
            store.update_status(path, **fields)
        time.sleep(handle.poll_s)
    slot.close()
    returncode = handle.returncode
    store.update_status(path, **handle.status_fields())
    if executor.remote:
        _await_own_end(path, returncode)
    _record_end_state(path, handle, stop["signal"], stopper.cancel_seen)
    fair.note_ended(root, run_id)
    _log(path, f"[worker] job process ended with code {returncode}; run is {store.read_status(path).get('state')}")
    return 0


def _stop_at_limit(path: Path, over: "limits.LimitError | None") -> None:
    """Cancel the run (it saves what it has) because of ``over``, kept in its status for the page to say."""
    if over is None:
        return
    store.update_status(path, limit={"key": over.key, "fields": over.fields, "message": str(over)})
    (path / "cancel").touch()
    _log(path, f"[worker] {over}")


class _Stopper:
    """Stops a job that does not end by itself: terminate at a signal or when a cancel goes unanswered
    (``CANCEL_GRACE_S`` without a report, or ``CANCEL_HARD_S`` in all), kill ``KILL_AFTER_S`` after that."""

    def __init__(self, handle, path: Path):
        self.handle, self.path = handle, path
        self.cancel_seen: float | None = None
        self.termed = self.killed = False
        self.termed_at = 0.0

    def terminate(self, now: float) -> None:
        if not self.termed:
            self.handle.terminate()
            self.termed, self.termed_at = True, now

    def watch_cancel(self) -> None:
        if self.cancel_seen is None and (self.path / "cancel").exists():
            self.cancel_seen = time.time()
        if self.cancel_seen is None:
            return
        now = time.time()
        quiet = now - max(self.cancel_seen, _last_report(self.path))
        if quiet > CANCEL_GRACE_S or now - self.cancel_seen > CANCEL_HARD_S:
            self.terminate(now)
        if self.termed and not self.killed and now - self.termed_at > KILL_AFTER_S:
            self.handle.kill()
            self.killed = True


def _record_end_state(path: Path, handle, stop_signal, cancel_seen: float | None) -> None:
    """The run's final state once its job has exited: interrupted (a signal), cancelled, or what the job says."""
    if stop_signal is not None:
        store.update_status(path, only_if=("running",), state="interrupted", finished=store.now_iso(),
                            eta_s=None, error=f"This run was stopped from outside ({_signal_name(stop_signal)}). "
                                              "Files it already wrote are kept.")
    elif cancel_seen is not None:
        store.update_status(path, only_if=("running",), state="cancelled", finished=store.now_iso(), eta_s=None,
                            message="cancelled; it did not stop in time and was stopped forcefully "
                                    "(files written so far are kept)")
    else:
        state, error = handle.ending()
        store.update_status(path, only_if=("running",), state=state, finished=store.now_iso(), eta_s=None,
                            error=error)


# How long a worker waits, after a job on another machine exited normally, for the job's own final status to
# show here (shared file systems cache file attributes for a few seconds).
OWN_END_WAIT_S = 10.0


def _await_own_end(path: Path, returncode: int | None) -> None:
    """A remote job that exited 0 or 1 recorded its own end; give that write time to arrive."""
    if returncode not in (0, 1):
        return
    deadline = time.monotonic() + OWN_END_WAIT_S
    while time.monotonic() < deadline and store.read_status(path).get("state") == "running":
        time.sleep(0.2)


def _log(path: Path, line: str) -> None:
    try:
        with open(path / "log.txt", "a", encoding="utf-8") as log:
            log.write(line + "\n")
    except OSError:
        pass


def record_failure(path: Path, message: str) -> None:
    """End a running run as "failed" with ``message`` (the text the page and the CLI show)."""
    store.update_status(path, only_if=("running",), state="failed", error=message,
                        finished=store.now_iso(), eta_s=None)


def failure_message(err: BaseException) -> str:
    """What a user reads when a job raised ``err``: a ValueError's own words, else its type and words."""
    if isinstance(err, ValueError):
        return str(err)
    if isinstance(err, MemoryError):
        return "The job ran out of memory. Try a smaller corpus, vector size or batch size."
    return f"{type(err).__name__}: {err}"


def record_end(path: Path) -> dict | None:
    """End a running run whose job function returned: "cancelled" if a cancel was asked, else "done"."""
    cancelled = (path / "cancel").exists()
    fields = {"state": "cancelled", "message": "cancelled; what the job had saved by then is kept"} if cancelled \
        else {"state": "done", "progress": 1.0, "message": "finished"}
    return store.update_status(path, only_if=("running",), finished=store.now_iso(), eta_s=0.0, **fields)


# Exit code of a job process that cannot see the runs folder (a cluster node without the shared storage).
NO_RUNS_FOLDER = 78  # EX_CONFIG of sysexits.h


def runs_folder_problem(run_id: str) -> str | None:
    """Why this process cannot work on ``run_id`` here (no runs folder, or not the one with the run), else None.

    Asked before anything is written, so a node without the shared runs folder
    never creates an empty one of its own.
    """
    import socket

    root = os.environ.get("EMBEDLAB_RUNS") or "runs"
    where = f"{socket.gethostname()}"
    if not os.path.isdir(root):
        return f"node {where}: the runs folder {root} does not exist here"
    try:
        path = store.run_dir(run_id, root)
    except ValueError as err:
        return str(err)
    if not (path / "config.json").is_file():
        return f"node {where}: the runs folder {root} has no run {run_id} (it is not the app's runs folder)"
    return None


# Set in a job process's environment when it must write its own output into the run's log.txt (a job on a
# cluster node: nobody else there can).
OWN_LOG = "EMBEDLAB_JOB_OWN_LOG"


def run_child(run_id: str) -> int:
    """Inside the job process: import the job function and run it; record how it ended.

    With ``$EMBEDLAB_JOB_OWN_LOG=1`` this process appends its own output to
    the run's log.txt. Under a launcher with several ranks see
    :func:`core.jobs.launched.run_ranks`.
    """
    _behind_pages()
    problem = runs_folder_problem(run_id)
    if problem is not None:
        print(f"EmbedLab: {problem}. Every node must see the runs folder at the same path "
              "(a shared file system; see the README).", file=sys.stderr, flush=True)
        return NO_RUNS_FOLDER
    root = store.runs_root()
    path = store.run_dir(run_id, root, must_exist=True)
    if os.environ.get(OWN_LOG) == "1":
        _output_to(path / "log.txt")
    meta = store.read_json(path / "config.json", {}) or {}
    from core.jobs import launched

    if launched.launched():
        return launched.run_ranks(path, run_id, meta)
    ctx = JobContext(path, run_id)
    try:
        function = registry.load_target(meta.get("target", ""))
        store.update_status(path, only_if=("running",), message="running")
        with access.acting_for(access.owner_of(meta)):  # the job reads what its owner may read
            function(meta.get("config", {}), ctx)
    except Exception as err:  # noqa: BLE001 - any job error must end the run, not the worker
        traceback.print_exc()
        record_failure(path, failure_message(err))
        return 1
    record_end(path)
    return 0


def _output_to(log_path: Path) -> None:
    """Send this process's stdout and stderr (and its children's) to ``log_path`` (appended)."""
    sys.stdout.flush()
    sys.stderr.flush()
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


USAGE = "usage: python -m core.jobs.worker RUN_ID | --child RUN_ID | --attach RUN_ID"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) == 2 and argv[0] == "--child":
        return run_child(argv[1])
    if len(argv) == 2 and argv[0] == "--attach":
        return attach(argv[1])
    if len(argv) != 1 or argv[0].startswith("-"):
        print(USAGE, file=sys.stderr)
        return 2
    run_id = argv[0]
    root = store.runs_root()
    path = store.run_dir(run_id, root, must_exist=True)
    resource = (store.read_json(path / "config.json", {}) or {}).get("resource", "cpu")
    slot = wait_for_slot(root, path, run_id, resource)
    if slot is None:
        return 0
    return supervise(root, path, run_id, slot, resource)


def attach(run_id: str) -> int:
    """Supervise the job of a running run whose worker is gone (see :func:`core.jobs.recover`)."""
    root = store.runs_root()
    path = store.run_dir(run_id, root, must_exist=True)
    with store.locked(path):  # one attaching worker per run
        status = store.read_status(path)
        if status.get("state") != "running" or queue.process_alive(status.get("pid"), run_id,
                                                                     status.get("pid_created")):
            return 0
        status["pid"], status["pid_created"] = os.getpid(), None
        store.write_json(path / "status.json", status)
    executor = executors.of(status)
    attached = executor.attach(root, path, run_id, status)
    if attached is None:
        return 0
    slot, handle = attached
    _log(path, f"[worker] attached to the running job ({executor.describe()})")
    resource = (store.read_json(path / "config.json", {}) or {}).get("resource", "cpu")
    return supervise(root, path, run_id, slot, resource, handle=handle)


if __name__ == "__main__":
    sys.exit(main())
