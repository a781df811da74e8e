"""Submit, watch, cancel and list runs: the API pages and the CLI use.

There is no central daemon. ``submit`` writes the run folder, puts an entry
in ``.queue/`` and starts a detached worker (``python -m core.jobs.worker ID``,
an argument list, never a shell string) on this machine. Each worker waits
until it is the first queued run of its resource ("gpu" or "cpu") in fair
order and its executor gives it a slot; then the executor starts the job
process, here (``local``, the default) or on a Ray cluster (``ray``), and
the worker supervises it (:mod:`core.jobs.executors`). Limits, locally:
``EMBEDLAB_MAX_GPU_JOBS`` (default 1) and ``EMBEDLAB_MAX_CPU_JOBS`` (default
half the cores, at least 1); on Ray what the cluster holds.

Every call takes the acting ``user`` (keyword): ignored alone, required in
class mode, where it decides what may be read and changed
(:mod:`core.jobs.access`), which limits apply (:mod:`core.jobs.limits`) and
the fair order of the queue (:mod:`core.jobs.fair`). None of these depends
on the executor.
"""
from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.jobs import access, executors, fair, limits, registry, store

# A worker that was just started has not written its pid yet; give it this long.
START_GRACE_S = 60.0
_children: list[subprocess.Popen] = []  # workers we started; polled so they never linger as zombies


def max_jobs(resource: str) -> int:
    """How many jobs of ``resource`` ("gpu" or "cpu") may run at once."""
    if resource == "gpu":
        default, var = 1, "EMBEDLAB_MAX_GPU_JOBS"
    else:
        default, var = max(1, (os.cpu_count() or 1) // 2), "EMBEDLAB_MAX_CPU_JOBS"
    try:
        return max(1, int(os.environ.get(var, default)))
    except ValueError:
        return default


def infer_resource(config: dict, kind: str | None = None) -> str:
    """"gpu" or "cpu": the queue a job waits in.

    With ``kind``, the kind answers (``core.jobs.registry.resource_for``: e.g.
    the word2vec job asks its engine); without, ``config["device"]`` decides
    (``registry.device_resource``: ``cpu`` -> "cpu", ``cuda``/``mps`` -> "gpu",
    ``auto`` -> "gpu" when a GPU is visible).
    """
    if kind is not None:
        return registry.resource_for(kind, config)
    return registry.device_resource(config)


def _next_seq(root: Path) -> int:
    """A sequence number that only grows, shared by every process using ``root``."""
    with open(root / ".seq", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        text = fh.read().strip()
        seq = (int(text) if text.isdigit() else 0) + 1
        fh.seek(0)
        fh.truncate()
        fh.write(str(seq))
        fh.flush()
        return seq


def _new_run_id(kind: str, root: Path) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    while True:
        run_id = f"{kind}-{stamp}-{secrets.token_hex(3)}"
        if not (root / run_id).exists():
            return run_id


def _clean_name(name: str) -> str:
    """A display name: printable, one line, at most 120 characters (it never becomes a path)."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(name or ""))
    return " ".join(text.split())[:120]


def _reap() -> None:
    """Collect the exit status of finished workers we started (no zombies)."""
    _children[:] = [proc for proc in _children if proc.poll() is None]


def create_run(kind: str, config: dict, name: str = "", runs_root=None, resource: str | None = None,
               status: dict | None = None, *, user=None, executor: executors.Executor | None = None,
               processes: int = 1) -> tuple[str, Path]:
    """Write a new run folder (config.json, status.json) and its queue entry; return ``(run_id, path)``.

    Shared by :func:`submit` (a detached worker runs it) and
    ``core.jobs.run_foreground`` (this process runs it). ``resource`` defaults
    to what the kind asks for (:func:`infer_resource`); ``status`` fields are
    merged into the new status.json. ``executor`` (default: the local one)
    records where the job will run and is asked first whether it can
    (:meth:`~core.jobs.executors.Executor.check`); ``processes`` > 1 starts the
    job under a launcher on one machine (kinds whose job module says
    ``LAUNCHER = True``). In class mode the run records its ``owner`` and
    ``visibility`` ("private"); a student's config is checked
    (:func:`core.jobs.access.check_config`) and so are the limits
    (:func:`core.jobs.limits.check_submit`) before anything is written.
    """
    target = registry.target_for(kind)
    if not isinstance(config, dict):
        raise ValueError(f"a job config must be a dict of settings, not {type(config).__name__}.")
    root = store.runs_root(runs_root)
    who = access.actor(user, root)
    access.check_config(who, config, root)
    resource = resource or infer_resource(config, kind)
    if resource not in registry.RESOURCE_NAMES:
        raise ValueError(f"resource must be 'gpu' or 'cpu', not {resource!r}.")
    processes = _check_processes(kind, processes)
    executor = executor or executors.get(executors.DEFAULT)
    executor.check(root, resource, processes)
    with limits.admission(root):
        limits.check_submit(who, root)
        run_id = _new_run_id(kind, root)
        path = store.run_dir(run_id, root)
        seq = _next_seq(root)
        path.mkdir()
        try:
            store.write_json(path / "config.json", {
                "kind": kind, "name": _clean_name(name), "config": config,
                "target": target, "resource": resource, "seq": seq, **access.ownership_fields(who),
                **({"processes": processes} if processes > 1 else {}),
            })
        except (TypeError, ValueError) as err:
            shutil.rmtree(path, ignore_errors=True)
            raise ValueError(f"the job configuration cannot be saved as JSON: {err}") from None
        store.write_json(path / "status.json", {**store.new_status(), **executor.status_fields(root), **(status or {})})
        (store.special_dir("queue", root) / fair.entry_name(seq, resource, run_id, who.name)).touch()
    return run_id, path


def _check_processes(kind: str, processes) -> int:
    """``processes`` as an int >= 1; more than one only for a kind that runs under a launcher."""
    if isinstance(processes, bool) or not isinstance(processes, int) or processes < 1:
        raise ValueError(f"processes must be a whole number of at least 1, not {processes!r}.")
    if processes > 1 and not registry.job_attribute(kind, "LAUNCHER", False):
        raise ValueError(f"a {kind} run cannot use several processes; only kinds that run under a launcher can.")
    return processes


def submit(kind: str, config: dict, name: str = "", runs_root=None, resource: str | None = None, *,
           user=None, processes: int = 1) -> str:
    """Queue a job of ``kind`` with ``config`` for ``user`` and return its run id at once.

    ``config`` must be JSON-serialisable; it is what the job function gets.
    ``resource`` ("gpu"/"cpu") picks the queue; by default the kind says
    (see :func:`infer_resource`). ``processes`` > 1: one run on that many
    processes (GPUs) of one machine, under ``torchrun``. The job runs where
    ``$EMBEDLAB_EXECUTOR`` says (:mod:`core.jobs.executors`: this machine by
    default, or a Ray cluster). Raises ``ValueError`` for an unknown kind, a
    config the kind refuses, a config that is not JSON, or an executor that
    cannot take the run (``ExecutorError``: a cluster that does not answer); in class mode
    ``core.jobs.AccessError`` (no user, or a config pointing at someone else's
    files) and ``core.jobs.LimitError`` (a limit is hit: nothing is queued).
    """
    root = store.runs_root(runs_root)
    run_id, path = create_run(kind, config, name, root, resource, user=user, executor=executors.current(),
                              processes=processes)
    proc = _start_worker(root, run_id)
    store.update_status(path, pid=proc.pid)
    return run_id


def _start_worker(root: Path, run_id: str, *flags: str) -> subprocess.Popen:
    """Start a detached ``python -m core.jobs.worker [FLAGS] RUN_ID`` on this machine."""
    _reap()
    env = {**os.environ, "EMBEDLAB_RUNS": str(root), "PYTHONUNBUFFERED": "1"}
    project = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (project, env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.jobs.worker", *flags, run_id],
        cwd=project, env=env, start_new_session=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _children.append(proc)
    return proc


# ---------------------------------------------------------------- liveness

def process_alive(pid: int | None, run_id: str, pid_created: float | None = None) -> bool:
    """Is ``pid`` a live (not zombie) process working on ``run_id``?

    A worker has the run id on its command line; a foreground run (a CLI
    process, see ``core.jobs.run_foreground``) records its process start time
    as ``pid_created`` instead. Either way a recycled pid does not count.
    """
    if not pid:
        return False
    import psutil  # small; only needed when someone asks

    try:
        proc = psutil.Process(int(pid))
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        if pid_created is not None:
            return abs(proc.create_time() - float(pid_created)) < 0.05
        return run_id in proc.cmdline()
    except psutil.NoSuchProcess:
        return False
    except (psutil.AccessDenied, OSError):
        return True


def worker_alive(run_id: str, status: dict) -> bool:
    """Is the run's worker (waiting or supervising, on this machine) alive?"""
    return process_alive(status.get("pid"), run_id, status.get("pid_created"))


def _worker_gone(run_id: str, status: dict) -> bool:
    """True when an active run has no live worker and no live job process (wherever its executor runs it)."""
    if status.get("state") not in store.ACTIVE:
        return False
    if worker_alive(run_id, status) or executors.of(status).job_alive(run_id, status):
        return False
    if not status.get("pid"):  # submit has not recorded the worker yet
        created = store.parse_iso(status.get("created"))
        return created is not None and time.time() - created > START_GRACE_S
    return True


def _remove_queue_entry(root: Path, run_id: str) -> None:
    for entry in os.listdir(store.special_dir("queue", root)):
        parsed = fair.parse_entry(entry)
        if parsed is not None and parsed[2] == run_id:
            try:
                os.unlink(root / ".queue" / entry)
            except FileNotFoundError:
                pass


def _mark_gone(root: Path, run_id: str, state: str) -> dict | None:
    path = store.run_dir(run_id, root)
    status = store.read_status(path)
    known = executors.of(status).gone(root, run_id, status)
    if known is not None:  # the executor knows what happened (a lost node)
        state, error = known
    elif state == "interrupted":
        error = ("This run was interrupted: its worker process is gone (the server restarted or the "
                 "process was stopped). Start it again; files it already wrote are kept.")
    else:
        error = ("The worker process of this run stopped unexpectedly (it may have been killed, "
                 "for example for lack of memory). Start it again, perhaps with a smaller setting.")
    new = store.update_status(path, only_if=store.ACTIVE, state=state, error=error,
                              finished=store.now_iso(), eta_s=None)
    _remove_queue_entry(root, run_id)
    fair.note_ended(root, run_id)
    return new


# ---------------------------------------------------------------- reading

def _entries(root: Path) -> list[tuple[int, str, str, str]]:
    return [p for p in map(fair.parse_entry, os.listdir(store.special_dir("queue", root))) if p is not None]


def queue_entries(root: Path, resource: str | None = None) -> list[tuple[int, str, str]]:
    """The queue in submission order: ``[(seq, resource, run_id), ...]``."""
    return sorted((seq, res, rid) for seq, res, rid, _ in _entries(root) if resource is None or res == resource)


def queue_order(root: Path, resource: str) -> list[str]:
    """Run ids waiting for a ``resource`` slot, in the order they will get one (fair order, see core.jobs.fair)."""
    return [rid for _, _, rid, _ in fair.ordered(root, _entries(root), resource)]


def _checked(run_id: str, root: Path, user, *, modify: bool = False) -> Path:
    """The folder of an existing run after checking that ``user`` may read (or change) it."""
    path = store.run_dir(run_id, root, must_exist=True)
    who = access.actor(user, root)
    if who.in_class:
        meta = store.read_json(path / "config.json", {}) or {}
        (access.check_modify if modify else access.check_read)(who, run_id, meta)
    return path


def run_dir(run_id: str, runs_root=None, *, must_exist: bool = False, user=None) -> Path:
    """The folder of ``run_id`` (to read its artifacts), after checking the id and that ``user`` may read it.

    Raises ``ValueError`` for a bad id or (with ``must_exist``) an unknown run,
    and ``core.jobs.AccessError`` in class mode for someone else's private run.
    """
    root = store.runs_root(runs_root)
    path = store.run_dir(run_id, root, must_exist=must_exist)
    if (path / "config.json").is_file():
        _checked(run_id, root, user)
    else:
        access.actor(user, root)  # class mode: no anonymous calls, even for a run that is not there
    return path


def get_status(run_id: str, runs_root=None, *, user=None) -> dict:
    """status.json of ``run_id`` plus ``"position"`` (1-based queue place, else None).

    A run whose worker died without saying so is marked failed here, with a
    message a person can act on. Raises ``ValueError`` for a bad or unknown id
    (``AccessError`` for a run ``user`` may not read).
    """
    _reap()
    root = store.runs_root(runs_root)
    path = _checked(run_id, root, user)
    status = store.read_status(path)
    if _worker_gone(run_id, status):
        status = _mark_gone(root, run_id, "failed") or store.read_status(path)
    status["position"] = None
    if status.get("state") == "queued":
        resource = (store.read_json(path / "config.json", {}) or {}).get("resource")
        ids = queue_order(root, resource or "cpu")
        status["position"] = ids.index(run_id) + 1 if run_id in ids else 1
        status["queue_length"] = len(ids)
        status["slots"] = executors.of(status).capacity(resource or "cpu")
    return status


def read_metrics(run_id: str, offset: int = 0, runs_root=None, *, user=None) -> tuple[list[dict], int]:
    """Metrics records appended since byte ``offset``: ``(records, new_offset)``.

    Call again with ``new_offset`` to get only what is new (a page refreshing
    every second reads a few lines, not the whole file).
    """
    root = store.runs_root(runs_root)
    path = store.run_dir(run_id, root)
    if (path / "config.json").is_file():
        _checked(run_id, root, user)
    else:
        access.actor(user, root)
    return store.read_metrics_file(path, int(offset))


def read_config(run_id: str, runs_root=None, *, user=None) -> dict:
    """config.json of a run (``kind``, ``name``, ``config``, and in class mode ``owner``, ``visibility``)."""
    return store.read_json(_checked(run_id, store.runs_root(runs_root), user) / "config.json", {}) or {}


def read_summary(run_id: str, runs_root=None, *, user=None) -> dict:
    """summary.json of a run (its headline scores), or {} when it has none yet."""
    return store.read_json(_checked(run_id, store.runs_root(runs_root), user) / "summary.json", {}) or {}


def share(run_id: str, visibility: str = "class", runs_root=None, *, user=None) -> dict:
    """Share a run with the class (``visibility="class"``) or make it private again; returns its config.

    Only its owner or the teacher may (``AccessError`` otherwise). Alone there
    is nobody to share with: ``ValueError``.
    """
    if visibility not in access.VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(access.VISIBILITIES)}, not {visibility!r}.")
    root = store.runs_root(runs_root)
    if not access.actor(user, root).in_class:
        raise ValueError("sharing needs class mode (`python -m core class init`); alone every run is yours.")
    path = _checked(run_id, root, user, modify=True)
    with store.locked(path):
        meta = store.read_json(path / "config.json", {}) or {}
        meta["visibility"] = visibility
        store.write_json(path / "config.json", meta)
    return meta


def list_runs(kind: str | None = None, runs_root=None, *, user=None) -> list[dict]:
    """Every run (of ``kind``) that ``user`` may see, newest first.

    Each item: ``id, kind, name, state, created, started, finished, duration_s,
    progress, error, config`` (the job's config), ``summary`` (scores, or {}),
    ``owner`` ("" = the teacher's), ``visibility`` ("private" or "class"),
    ``executor`` ("local", "ray") and ``node`` (the machine the job ran on; ""
    before it started). A student sees their own runs and the ones shared with the class.
    """
    _reap()
    root = store.runs_root(runs_root)
    who = access.actor(user, root)
    runs = []
    for entry in os.scandir(root):
        if not entry.is_dir() or not store.RUN_ID.fullmatch(entry.name) or ".." in entry.name:
            continue
        path = Path(entry.path)
        meta = store.read_json(path / "config.json")
        if not isinstance(meta, dict) or (kind and meta.get("kind") != kind):
            continue
        if who.in_class and not access.can_read(who, meta):
            continue
        status = store.read_status(path)
        started, finished = store.parse_iso(status.get("started")), store.parse_iso(status.get("finished"))
        runs.append({
            "id": entry.name,
            "kind": meta.get("kind"),
            "name": meta.get("name", ""),
            "state": status.get("state", "unknown"),
            "created": status.get("created"),
            "started": status.get("started"),
            "finished": status.get("finished"),
            "duration_s": (finished or time.time()) - started if started else None,
            "progress": status.get("progress", 0.0),
            "error": status.get("error"),
            "config": meta.get("config", {}),
            "summary": store.read_json(path / "summary.json", {}) or {},
            "seq": meta.get("seq", 0),
            "owner": access.owner_of(meta),
            "visibility": access.visibility_of(meta),
            "executor": status.get("executor") or executors.DEFAULT,
            "node": status.get("node") or "",
        })
    runs.sort(key=lambda run: run["seq"], reverse=True)
    return runs


# ---------------------------------------------------------------- changing

def cancel(run_id: str, runs_root=None, *, user=None) -> dict:
    """Ask a run to stop; returns its status afterwards.

    A queued run is cancelled at once and never starts. A running job sees
    ``ctx.should_stop()`` turn True, saves what it trained and ends
    "cancelled"; its worker kills it if it has not stopped within a few
    seconds. Cancelling a finished run changes nothing. In class mode only
    the run's owner or the teacher may (``AccessError``).
    """
    root = store.runs_root(runs_root)
    path = _checked(run_id, root, user, modify=True)
    (path / "cancel").touch()
    done = store.update_status(path, only_if=("queued",), state="cancelled", finished=store.now_iso(),
                               message="cancelled before it started")
    if done is not None:
        _remove_queue_entry(root, run_id)
    return get_status(run_id, root, user=user)


def delete_run(run_id: str, runs_root=None, *, user=None) -> None:
    """Delete a run folder. Refuses a queued or running run: cancel it first.

    In class mode only the run's owner or the teacher may (``AccessError``).
    """
    root = store.runs_root(runs_root)
    path = _checked(run_id, root, user, modify=True)
    status = get_status(run_id, root, user=user)
    if status.get("state") in store.ACTIVE:
        raise ValueError(f"run {run_id} is still {status['state']}; cancel it first, then delete it.")
    # a finished run's worker may still be writing its last log line for a moment
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and (process_alive(status.get("pid"), run_id, status.get("pid_created"))
                                           or process_alive(status.get("job_pid"), run_id)):
        time.sleep(0.05)
    executors.of(status).forget(root, run_id, status)
    from core.jobs.tail import forget

    forget(path)
    for attempt in range(3):
        try:
            shutil.rmtree(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            if attempt == 2:
                raise
            time.sleep(0.2)


def recover(runs_root=None) -> list[str]:
    """Mark runs left queued/running with no live worker as "interrupted"; return their ids.

    Call once when an app process starts. Runs whose detached workers are
    still alive (they survive an app restart) are left alone. A run whose
    worker died while its job still runs elsewhere (a Ray cluster) gets a new
    worker that attaches to the job (``python -m core.jobs.worker --attach``).
    A run whose executor knows why it is gone (a lost node) ends "failed"
    with that reason instead.
    """
    root = store.runs_root(runs_root)
    recovered = []
    for run in list_runs(runs_root=root, user=access.ALONE):  # maintenance: every run, whoever owns it
        if run["state"] not in store.ACTIVE:
            continue
        status = store.read_status(store.run_dir(run["id"], root))
        if _worker_gone(run["id"], status):
            if _mark_gone(root, run["id"], "interrupted"):
                recovered.append(run["id"])
        elif run["state"] == "running" and not worker_alive(run["id"], status) and executors.of(status).remote:
            _start_worker(root, run["id"], "--attach")
    # queue entries whose run folder was deleted by hand
    for _, _, run_id in queue_entries(root):
        if not (root / run_id / "config.json").exists():
            _remove_queue_entry(root, run_id)
    fair.clear_stale(root)
    return recovered


def wait(run_id: str, timeout: float | None = None, poll: float = 0.2, runs_root=None, *, user=None) -> dict:
    """Block until the run is finished (or ``timeout`` seconds pass); return its status."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = get_status(run_id, runs_root, user=user)
        if status.get("state") in store.FINAL:
            return status
        if deadline is not None and time.monotonic() > deadline:
            return status
        time.sleep(poll)


def send_signal(pid: int, sig: int = signal.SIGTERM) -> None:
    """Signal a process, ignoring one that is already gone."""
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
