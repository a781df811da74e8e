"""The worker behind one run: ``python -m core.jobs.worker RUN_ID``.

Started detached by :func:`core.jobs.submit`. It

1. waits, cheaply (no torch import), until its run is the first of its
   resource's queue in fair order (:mod:`core.jobs.fair`: FIFO alone; in
   class mode the person who has waited longest goes first) and a slot file
   of that resource can be ``flock``'ed;
2. marks the run running and starts the job in a child process
   (``python -m core.jobs.worker --child RUN_ID``) that imports the job
   function and calls ``run(config, ctx)``;
3. supervises the child: passes on a cancel (kills it if it does not stop
   within :data:`CANCEL_GRACE_S`), and if it dies without a word (SIGKILL,
   out of memory, a segfault) marks the run failed with a reason a person
   understands.

The slot's lock is inherited by the child, so even if this supervisor dies
the slot stays taken until the job itself ends.
"""
from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

from core.jobs import access, fair, queue, registry, store
from core.jobs.context import JobContext

POLL_S = 0.2           # how often a worker near the head of the queue looks at it
POLL_FAR_S = 0.6       # ... and one further back (30 waiting workers stay cheap)
HEAD_CHECK_S = 1.0     # how often it checks that the run ahead of it is still alive
CANCEL_GRACE_S = float(os.environ.get("EMBEDLAB_CANCEL_GRACE_S", 8.0))  # a cancelled job gets this long to save ...
KILL_AFTER_S = 3.0  # ... then SIGTERM, and SIGKILL this much later
# The grace restarts while the job still reports (status.json or metrics.jsonl
# change: it is saving and evaluating what it trained), up to this hard limit.
CANCEL_HARD_S = float(os.environ.get("EMBEDLAB_CANCEL_HARD_S", 120.0))


def _try_slot(root: Path, resource: str, limit: int):
    """An open, flock'ed slot file of ``resource``, or None when all ``limit`` are taken."""
    slots = store.special_dir("slots", root)
    for index in range(limit):
        fh = open(slots / f"{resource}-{index}.lock", "a")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            continue
        return fh
    return None


def wait_for_slot(root: Path, path: Path, run_id: str, resource: str, on_wait=None):
    """Wait in the FIFO until this run holds a slot; return the slot file, or None if it should not run.

    ``on_wait(position, waiting)`` (optional) is called whenever the run's
    1-based place among the ``waiting`` runs of its resource changes.
    """
    limit = queue.max_jobs(resource)
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
            slot = _try_slot(root, resource, limit)
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
        time.sleep(POLL_S if ids.index(run_id) <= limit else POLL_FAR_S)


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


def job_env(resource: str) -> dict:
    """The job's environment: CPU jobs share the cores (math libraries get cores / CPU slots threads).

    Values the server was started with win; ``EMBEDLAB_JOB_THREADS`` tells engines how many to use.
    """
    env = os.environ.copy()
    if resource == "cpu":
        threads = str(max(1, (os.cpu_count() or 1) // queue.max_jobs("cpu")))
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "EMBEDLAB_JOB_THREADS"):
            env.setdefault(var, threads)
    return env


def supervise(root: Path, path: Path, run_id: str, slot, resource: str = "cpu") -> int:
    """Run the job in a child process and make sure the run ends in a final state."""
    stop = {"signal": None}

    def _on_signal(number, _frame):
        stop["signal"] = number

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    with open(path / "log.txt", "ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "core.jobs.worker", "--child", run_id],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            pass_fds=(slot.fileno(),), cwd=os.getcwd(), env=job_env(resource),
        )
    store.update_status(path, job_pid=child.pid)
    cancel_seen = None
    termed = killed = False
    termed_at = 0.0
    while child.poll() is None:
        if stop["signal"] is not None and not termed:
            queue.send_signal(child.pid, signal.SIGTERM)
            termed, termed_at = True, time.time()
        if cancel_seen is None and (path / "cancel").exists():
            cancel_seen = time.time()
        if cancel_seen is not None:
            now = time.time()
            quiet = now - max(cancel_seen, _last_report(path))
            overdue = quiet > CANCEL_GRACE_S or now - cancel_seen > CANCEL_HARD_S
            if overdue and not termed:
                queue.send_signal(child.pid, signal.SIGTERM)
                termed, termed_at = True, now
            if termed and not killed and now - termed_at > KILL_AFTER_S:
                queue.send_signal(child.pid, signal.SIGKILL)
                killed = True
        time.sleep(POLL_S)
    slot.close()
    returncode = child.returncode
    if stop["signal"] is not None:
        store.update_status(path, only_if=("running",), state="interrupted", finished=store.now_iso(),
                            eta_s=None, error=f"This run was stopped from outside ({_signal_name(stop['signal'])}). "
                                              "Files it already wrote are kept.")
    elif cancel_seen is not None:
        store.update_status(path, only_if=("running",), state="cancelled", finished=store.now_iso(), eta_s=None,
                            message="cancelled; it did not stop in time and was stopped forcefully "
                                    "(files written so far are kept)")
    else:
        store.update_status(path, only_if=("running",), state="failed", finished=store.now_iso(), eta_s=None,
                            error=explain_exit(returncode))
    fair.note_ended(root, run_id)
    with open(path / "log.txt", "a", encoding="utf-8") as log:
        log.write(f"[worker] job process ended with code {returncode}; run is {store.read_status(path).get('state')}\n")
    return 0


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


def run_child(run_id: str) -> int:
    """Inside the job process: import the job function and run it; record how it ended."""
    root = store.runs_root()
    path = store.run_dir(run_id, root, must_exist=True)
    meta = store.read_json(path / "config.json", {}) or {}
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


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) == 2 and argv[0] == "--child":
        return run_child(argv[1])
    if len(argv) != 1:
        print("usage: python -m core.jobs.worker RUN_ID", file=sys.stderr)
        return 2
    run_id = argv[0]
    root = store.runs_root()
    path = store.run_dir(run_id, root, must_exist=True)
    resource = (store.read_json(path / "config.json", {}) or {}).get("resource", "cpu")
    slot = wait_for_slot(root, path, run_id, resource)
    if slot is None:
        return 0
    return supervise(root, path, run_id, slot, resource)


if __name__ == "__main__":
    sys.exit(main())
