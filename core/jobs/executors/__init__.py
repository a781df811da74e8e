"""Where a run's job process runs: on this machine (``local``, the default) or on a Ray cluster (``ray``).

Everything a person sees of a run is the same whatever runs it: the run
folder, the fair queue and its order (:mod:`core.jobs.fair`), the limits
(:mod:`core.jobs.limits`), ownership (:mod:`core.jobs.access`), status,
metrics, cancel and delete (:mod:`core.jobs.queue`). The detached worker
(:mod:`core.jobs.worker`) waits in the queue on the app's machine as always;
when its turn comes it asks the run's executor for a slot and for the job
process, and supervises that process through a :class:`JobHandle`. An
executor owns only what differs (see :class:`Executor`).

    EMBEDLAB_EXECUTOR=local            # default: worker processes on this machine
    EMBEDLAB_EXECUTOR=ray EMBEDLAB_RAY_ADDRESS=http://head:8265   # jobs on a Ray cluster

A run records the executor it was submitted to (``status.json`` ``"executor"``),
so changing the setting never loses track of runs already queued or running.
"""
from __future__ import annotations

import os

from core.jobs.executors.base import Executor, ExecutorError, JobHandle, Slot
from core.registry import Registry

EXECUTORS: Registry[Executor] = Registry("job executor", package=__name__, instances=True,
                                          skip=("base", "ray_api"))
register, get, names = EXECUTORS.register, EXECUTORS.get, EXECUTORS.names

DEFAULT = "local"


def current() -> Executor:
    """The executor new runs go to: ``$EMBEDLAB_EXECUTOR`` (``local`` when unset).

    Raises ``ValueError`` naming the known executors for anything else.
    """
    return get((os.environ.get("EMBEDLAB_EXECUTOR") or DEFAULT).strip().lower())


def of(status: dict | None) -> Executor:
    """The executor a run was submitted to (its status.json ``"executor"``; runs from before: local)."""
    return get((status or {}).get("executor") or DEFAULT)


__all__ = ["DEFAULT", "EXECUTORS", "Executor", "ExecutorError", "JobHandle", "Slot", "current", "get", "names", "of"]
