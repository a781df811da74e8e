"""The verbs every executor has (:class:`Executor`), and what it hands the supervising worker.

A worker (:mod:`core.jobs.worker`) drives an executor in this order::

    slot = executor.take_slot(root, resource, run_id)   # None: all places taken, wait
    handle = executor.launch(root, path, run_id, meta, slot)
    while handle.poll() is None: ...                 # cancel -> handle.terminate(), later handle.kill()
    state, error = handle.ending()                   # only when the job did not record its own end
    slot.close()

Nothing here knows about owners, limits or the fair order: the queue
applies those before a worker ever asks for a slot, so they hold whatever
executor runs the job.
"""
from __future__ import annotations

from pathlib import Path


class ExecutorError(ValueError):
    """The executor cannot take the run (a cluster that does not answer, a resource it does not have).

    A ``ValueError``, so pages and the CLI show its message like any refused setting.
    """


class Slot:
    """One taken place of a resource ("cpu"/"gpu"); :meth:`close` gives it back.

    ``fileno``: a file descriptor the job process inherits (the local slot's
    ``flock``), so the place stays taken as long as the job lives; None when
    the executor keeps the place another way.
    """

    fileno: int | None = None

    def close(self) -> None:
        return None


class JobHandle:
    """The job process of one run, wherever it runs; the worker polls it like ``subprocess.Popen``.

    ``poll_s``: how often the worker looks (seconds). ``returncode``: set once
    :meth:`poll` returned non-None.
    """

    poll_s = 0.2
    returncode: int | None = None

    def poll(self) -> int | None:
        """None while the job runs, else its exit code (negative: killed by that signal)."""
        raise NotImplementedError

    def terminate(self) -> None:
        """Ask the job process to stop now (SIGTERM or the executor's equivalent)."""
        raise NotImplementedError

    def kill(self) -> None:
        """Stop it for good (SIGKILL or the executor's equivalent)."""
        raise NotImplementedError

    def status_fields(self) -> dict:
        """What status.json records about the job process (``node``, and how to find it again)."""
        return {}

    def ending(self) -> tuple[str, str]:
        """``(state, error)`` for a job that ended without recording its own end (it crashed, was killed,
        or its machine went away): the words a person reads on the page."""
        raise NotImplementedError


class Executor:
    """Runs job processes somewhere. Subclasses override what differs; the defaults are the local ones.

    Attributes: ``name`` (what ``EMBEDLAB_EXECUTOR`` and status.json call it),
    ``remote`` (job processes may run on other machines, so the runs folder
    must be on storage they all see), ``detach_on_signal`` (a supervising
    worker that is stopped from outside leaves the job running and a later
    :func:`core.jobs.recover` attaches a new one, instead of stopping the job).
    """

    name = ""
    order = 100
    remote = False
    detach_on_signal = False

    def capacity(self, resource: str) -> int:
        """How many jobs of ``resource`` may run at once."""
        raise NotImplementedError

    def check(self, root: Path, resource: str, processes: int = 1) -> None:
        """Before a run is queued: raise :class:`ExecutorError` if it could never run here."""
        return None

    def status_fields(self, root: Path) -> dict:
        """What a new run's status.json records about its executor."""
        return {"executor": self.name}

    def take_slot(self, root: Path, resource: str, run_id: str) -> Slot | None:
        """A place for run ``run_id``'s job of ``resource``, or None when all :meth:`capacity` places are taken."""
        raise NotImplementedError

    def launch(self, root: Path, path: Path, run_id: str, meta: dict, slot: Slot) -> JobHandle:
        """Start the job process of run ``run_id`` (folder ``path``, config.json ``meta``)."""
        raise NotImplementedError

    def attach(self, root: Path, path: Path, run_id: str, status: dict) -> tuple[Slot, JobHandle] | None:
        """``(slot, handle)`` of a job process that is still running after its worker died, or None
        when the executor cannot find it again (the local one: its slot stays held by the job itself)."""
        return None

    def job_alive(self, run_id: str, status: dict) -> bool:
        """Is the job process of an active run still running (whether or not anyone supervises it)?"""
        raise NotImplementedError

    def gone(self, root: Path, run_id: str, status: dict) -> tuple[str, str] | None:
        """``(state, error)`` for an active run whose worker and job are both gone, when the executor
        knows why (a lost node); None for the generic words."""
        return None

    def forget(self, root: Path, run_id: str, status: dict) -> None:
        """A run is being deleted: drop what the executor keeps about it elsewhere."""
        return None

    def describe(self) -> str:
        """One line for logs and the CLI: which executor, and where."""
        return self.name
