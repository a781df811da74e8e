"""Background jobs: a worker process per run, a bounded fair queue, persisted run folders.

Training never runs inside the Streamlit script: :func:`submit` returns a run
id at once and a detached worker process does the work; a refresh, a second
tab or a crash of one job loses nothing else. See docs/CONTRACTS.md.

    run_id = submit("word2vec", {"corpus": "text8-mini", ...}, name="my first run")
    get_status(run_id)             # {"state": "queued", "position": 3, ...}
    records, offset = read_metrics(run_id, offset)
    metrics_tail(run_id).poll(); metrics_tail(run_id).snapshot()   # one shared reader per run (live pages)
    cancel(run_id); delete_run(run_id); list_runs("word2vec"); recover()
    run_id = run_foreground("word2vec", config)   # the CLI: same run folder, in this process

Which queue ("cpu"/"gpu") a job waits in is asked of its kind: see
:mod:`core.jobs.registry` (``resource_for``). Where the job process runs is
the executor's business (:mod:`core.jobs.executors`): this machine by
default, a Ray cluster with ``EMBEDLAB_EXECUTOR=ray``; nothing above changes.

Every call takes the acting ``user=`` (keyword). Alone it is ignored. In class
mode (:mod:`core.classroom`) it is required (a page passes the signed-in user,
the CLI passes :data:`SHELL`, the teacher), runs record an owner and a
visibility, someone else's private run raises :class:`AccessError`, limits
raise :class:`LimitError`, and the queue is fair (:mod:`core.jobs.fair`).

Importing this package is cheap (no torch): waiting workers import it.
"""
from core.jobs.access import SHELL, AccessError, SignInRequired
from core.jobs.context import JobContext
from core.jobs.foreground import run_foreground
from core.jobs.limits import LimitError
from core.jobs.queue import (
    cancel,
    delete_run,
    get_status,
    infer_resource,
    list_runs,
    max_jobs,
    read_config,
    read_metrics,
    read_summary,
    recover,
    run_dir,
    share,
    submit,
    wait,
)
from core.jobs.registry import KINDS, register_kind, resource_for
from core.jobs.store import ACTIVE, FINAL, STATES, check_run_id, runs_root
from core.jobs.tail import MetricsTail, metrics_tail

__all__ = [
    "ACTIVE", "FINAL", "KINDS", "SHELL", "STATES", "AccessError", "JobContext", "LimitError", "MetricsTail",
    "SignInRequired",
    "cancel", "check_run_id", "delete_run", "get_status", "infer_resource", "list_runs", "max_jobs", "metrics_tail",
    "read_config", "read_metrics", "read_summary", "recover", "register_kind", "resource_for", "run_dir", "run_foreground",
    "runs_root", "share", "submit", "wait",
]
