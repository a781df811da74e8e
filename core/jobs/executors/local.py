"""The local executor (the default): each job is a child process of its worker, on this machine.

Places per resource are ``flock``'ed slot files ``.slots/<resource>-<i>.lock``
(``EMBEDLAB_MAX_GPU_JOBS``, default 1; ``EMBEDLAB_MAX_CPU_JOBS``, default half
the cores). The job process inherits its slot's lock, so even if its worker
dies the place stays taken until the job itself ends.
"""
from __future__ import annotations

import fcntl
import os
import socket
import subprocess
from pathlib import Path

from core.jobs import store
from core.jobs.executors import register
from core.jobs.executors.base import Executor, JobHandle, Slot


class FileSlot(Slot):
    """A slot file held with ``flock``; the lock goes when the last process holding the file closes it."""

    def __init__(self, fh):
        self.fh = fh
        self.fileno = fh.fileno()

    def close(self) -> None:
        self.fh.close()


class ChildProcess(JobHandle):
    """A job process started here (``subprocess.Popen``)."""

    poll_s = 0.2

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc

    def poll(self) -> int | None:
        self.returncode = self.proc.poll()
        return self.returncode

    def terminate(self) -> None:
        _signal(self.proc.pid, "SIGTERM")

    def kill(self) -> None:
        _signal(self.proc.pid, "SIGKILL")

    def status_fields(self) -> dict:
        return {"job_pid": self.proc.pid, "node": this_node()}

    def ending(self) -> tuple[str, str]:
        from core.jobs.worker import explain_exit

        return "failed", explain_exit(self.proc.returncode)


def _signal(pid: int, name: str) -> None:
    import signal

    from core.jobs.queue import send_signal

    send_signal(pid, getattr(signal, name))


def this_node() -> str:
    """The name of this machine, as the runs table shows it."""
    return socket.gethostname()


def job_env(resource: str) -> dict:
    """The job's environment: CPU jobs share the cores (math libraries get cores / CPU slots threads).

    Values the server was started with win; ``EMBEDLAB_JOB_THREADS`` tells engines how many to use.
    """
    from core.jobs.queue import max_jobs

    env = os.environ.copy()
    if resource == "cpu":
        threads = str(max(1, (os.cpu_count() or 1) // max_jobs("cpu")))
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "EMBEDLAB_JOB_THREADS"):
            env.setdefault(var, threads)
    return env


@register
class LocalExecutor(Executor):
    """Worker processes on the app's machine (see the module docstring)."""

    name = "local"
    order = 10

    def capacity(self, resource: str) -> int:
        from core.jobs.queue import max_jobs

        return max_jobs(resource)

    def take_slot(self, root: Path, resource: str, run_id: str) -> Slot | None:
        slots = store.special_dir("slots", root)
        for index in range(self.capacity(resource)):
            fh = open(slots / f"{resource}-{index}.lock", "a")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            return FileSlot(fh)
        return None

    def launch(self, root: Path, path: Path, run_id: str, meta: dict, slot: Slot) -> JobHandle:
        from core.jobs.worker import child_command

        resource = meta.get("resource", "cpu")
        with open(path / "log.txt", "ab") as log:
            proc = subprocess.Popen(
                child_command(run_id, meta), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(slot.fileno,) if slot.fileno is not None else (), cwd=os.getcwd(), env=job_env(resource),
            )
        return ChildProcess(proc)

    def job_alive(self, run_id: str, status: dict) -> bool:
        from core.jobs.queue import process_alive

        return process_alive(status.get("job_pid"), run_id)

    def describe(self) -> str:
        return f"local (this machine, {this_node()})"
