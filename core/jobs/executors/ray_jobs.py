"""The Ray executor: each run's job process is a Ray job on a cluster (``EMBEDLAB_EXECUTOR=ray``).

What stays on the app's machine: the app, the runs folder's queue and the
fair order, the limits, and one small worker per run (no torch, no Ray
import: it talks to the cluster's dashboard over HTTP, :mod:`.ray_api`).
When a run's turn comes its worker submits one Ray job through the Jobs API:

- entrypoint: ``cd PROJECT && exec PYTHON -m core.jobs.worker --child RUN_ID``
  (the same job process as locally; several processes: ``torchrun`` on one
  node), with ``EMBEDLAB_RUNS`` set to the runs folder as the nodes see it
  and ``EMBEDLAB_JOB_OWN_LOG=1`` (it writes its output into log.txt itself);
- resources from the run's kind: a CPU run reserves ``EMBEDLAB_RAY_CPUS``
  logical CPUs (default 2; the job's math libraries get as many threads), a
  GPU run one GPU per process (and one CPU per process). Ray places the job
  on a node that has them;
- submission id = the run id, so the Ray dashboard shows EmbedLab's ids.

The job writes status, metrics, log.txt and artifacts straight into the run
folder, which must live on storage every node mounts at the same path (NFS
and the like). A job process first checks that it sees the run there; a node
that does not ends the run "failed" with that said, not as a silent lost run.

How many runs go to the cluster at once: what its alive nodes hold (a CPU
run per ``EMBEDLAB_RAY_CPUS`` CPUs of a node, a GPU run per GPU), capped by
``EMBEDLAB_MAX_CPU_JOBS`` / ``EMBEDLAB_MAX_GPU_JOBS`` when set. Runs beyond
that wait in EmbedLab's own fair queue, never in Ray's (which has no fair
share and fails a job that waits 15 minutes for resources).

A node lost mid-run: Ray fails the job ("Job supervisor actor died ... its
node has died") once its health check gives up on the node (about 15-30 s by
default); the worker then ends the run "failed" with "node lost: ...". If the
cluster's dashboard stops answering for ``EMBEDLAB_RAY_LOST_S`` seconds
(default 120) the run ends "failed" as well; never "running" forever.

Settings: ``EMBEDLAB_RAY_ADDRESS`` (the head node's dashboard, default
``http://127.0.0.1:8265``), ``EMBEDLAB_RAY_RUNS`` (the runs folder's path on
the nodes; default the same path as here), ``EMBEDLAB_RAY_PYTHON`` and
``EMBEDLAB_RAY_PROJECT`` (the interpreter and the EmbedLab folder on the
nodes; default the same paths as here), ``EMBEDLAB_RAY_TOKEN``.
"""
from __future__ import annotations

import fcntl
import math
import os
import shlex
import sys
import time
from pathlib import Path

from core.jobs import store
from core.jobs.executors import register
from core.jobs.executors.base import Executor, ExecutorError, JobHandle, Slot
from core.jobs.executors.ray_api import TERMINAL, NotFound, RayAPI

DEFAULT_ADDRESS = "http://127.0.0.1:8265"
PROJECT = Path(__file__).resolve().parents[3]
CAPACITY_TTL_S = 5.0  # how long a worker trusts what it last heard about the cluster's nodes
# Environment passed on to the job process on the node (the rest of the app's environment stays here).
PASSED_ON = ("EMBEDLAB_", "HF_", "TRANSFORMERS_", "TOKENIZERS_", "TORCH_")
NOT_PASSED = ("EMBEDLAB_EXECUTOR", "EMBEDLAB_RAY_", "EMBEDLAB_RUNS", "EMBEDLAB_MAX_")
NODE_LOST = "node lost"


def _number(var: str, default: float) -> float:
    try:
        value = float(os.environ.get(var, default))
    except ValueError:
        return default
    return value if value > 0 else default


def cpus_per_job() -> float:
    """Logical CPUs a CPU run reserves on its node (``EMBEDLAB_RAY_CPUS``, default 2)."""
    return _number("EMBEDLAB_RAY_CPUS", 2.0)


def lost_after_s() -> float:
    return _number("EMBEDLAB_RAY_LOST_S", 120.0)


def node_label(node: dict) -> str:
    """How the runs table names a node: its name (the IP unless the cluster names it) and the id's start."""
    name = node.get("node_name") or node.get("node_ip") or "?"
    return f"{name} ({str(node.get('node_id', ''))[:8]})"


def job_resources(meta: dict) -> dict:
    """``{"num_cpus", "num_gpus"}`` a run of config.json ``meta`` reserves on its node."""
    processes = int(meta.get("processes") or 1)
    if meta.get("resource") == "gpu":
        return {"num_cpus": processes, "num_gpus": processes}
    return {"num_cpus": cpus_per_job(), "num_gpus": 0}


class MarkSlot(Slot):
    """A place on the cluster: the file ``.slots/ray/<resource>-<run_id>``, there while the run holds it.

    It outlives the worker on purpose: a job still running on the cluster
    keeps its place until it ends (the worker that attaches again frees it).
    """

    def __init__(self, mark: Path):
        self.mark = mark

    def close(self) -> None:
        try:
            self.mark.unlink()
        except FileNotFoundError:
            pass


class RayJob(JobHandle):
    """A run's Ray job, followed over the dashboard's HTTP API (every 0.25 s until it is placed on a node,
    then every second)."""

    def __init__(self, executor: "RayExecutor", api: RayAPI, job_id: str, path: Path, run_id: str):
        self.executor, self.api, self.job_id, self.path, self.run_id = executor, api, job_id, path, run_id
        self.info: dict = {}
        self.node: dict | None = None
        self.unreachable_since: float | None = None
        self.lost_contact = False

    @property
    def poll_s(self) -> float:
        return 0.25 if self.node is None else 1.0

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        try:
            self.info = self.api.job(self.job_id)
            self.unreachable_since = None
        except NotFound:
            self.info = {"status": "FAILED", "message": "the cluster no longer knows this job (was it restarted?)"}
        except ExecutorError:
            now = time.monotonic()
            self.unreachable_since = self.unreachable_since or now
            if now - self.unreachable_since < lost_after_s():
                return None
            self.lost_contact = True
            self.returncode = -1
            return self.returncode
        self._find_node()
        status = self.info.get("status")
        if status not in TERMINAL:
            return None
        if status == "SUCCEEDED":
            self.returncode = 0
        elif status == "STOPPED":
            self.returncode = -15
        else:
            code = self.info.get("driver_exit_code")
            self.returncode = int(code) if isinstance(code, int) else -1
        return self.returncode

    def _find_node(self) -> None:
        node_id = self.info.get("driver_node_id")
        if node_id and (self.node is None or self.node.get("node_id") != node_id):
            self.node = self.executor.node(node_id, self.api) or {"node_id": node_id, "node_name": "?"}

    def terminate(self) -> None:
        try:
            self.api.stop(self.job_id)
        except ExecutorError:
            pass

    def kill(self) -> None:
        self.terminate()  # Ray's stop already follows SIGTERM with SIGKILL after RAY_JOB_STOP_WAIT_TIME_S

    def status_fields(self) -> dict:
        fields = {"ray_job": self.job_id, "ray_address": self.api.address}
        if self.node is not None:
            fields.update(node=node_label(self.node), node_id=self.node.get("node_id"))
        return fields

    def ending(self) -> tuple[str, str]:
        state, error = self._explain()
        if state == "failed" and error.startswith(NODE_LOST):
            # A node cut off from the cluster may still run the job: a job that still sees the runs folder stops.
            (self.path / "cancel").touch()
        self._copy_logs()
        return state, error

    def _explain(self) -> tuple[str, str]:
        where = node_label(self.node) if self.node else "a cluster node"
        if self.lost_contact:
            return "failed", (f"{NODE_LOST}: the Ray cluster at {self.api.address} stopped answering for "
                              f"{lost_after_s():.0f} s while this run was on {where}. Files it had written are kept; "
                              "start it again once the cluster is back.")
        status, message = self.info.get("status"), str(self.info.get("message") or "")
        if status == "STOPPED":
            return "interrupted", ("This run was stopped on the Ray cluster (ray job stop or the dashboard). "
                                   "Files it already wrote are kept.")
        if self._node_lost(message):
            return "failed", (f"{NODE_LOST}: {where} left the Ray cluster while this run was on it "
                              "(the machine stopped, lost its network or was taken out). Files the run had "
                              "written are kept; start it again.")
        from core.jobs.worker import NO_RUNS_FOLDER, explain_exit

        code = self.info.get("driver_exit_code")
        if code == NO_RUNS_FOLDER:
            return "failed", (f"{where} cannot see the runs folder {self.executor.node_runs()} (or not the same "
                              "folder as the app): every node must mount the runs folder at the same path (a "
                              "shared file system, see the README) or set EMBEDLAB_RAY_RUNS to where the nodes "
                              "mount it.")
        if code == 127:
            return "failed", (f"{where} cannot start {self.executor.node_python()}: install EmbedLab with the same "
                              "path on every node, or set EMBEDLAB_RAY_PYTHON.")
        if isinstance(code, int):
            return "failed", explain_exit(code)
        error_type = str(self.info.get("error_type") or "")
        if error_type == "JOB_SUPERVISOR_ACTOR_START_TIMEOUT":
            return "failed", ("The Ray cluster had no node with the resources this run asks for "
                              f"({self.executor.resources_text(self.path)}) for too long. Try again later, or "
                              "ask for less.")
        return "failed", f"The Ray job of this run failed: {message[:500] or status}"

    def _node_lost(self, message: str) -> bool:
        if str(self.info.get("error_type") or "") != "JOB_SUPERVISOR_ACTOR_DIED" and "node" not in message:
            return False
        if "its node has died" in message or "node was terminated" in message:
            return True
        node_id = (self.node or {}).get("node_id")
        node = self.executor.node(node_id, self.api, fresh=True) if node_id else None
        return node is not None and node.get("state") == "DEAD"

    def _copy_logs(self) -> None:
        """The job's own output as Ray kept it (what it printed before it could write log.txt)."""
        try:
            text = self.api.logs(self.job_id)
        except ExecutorError:
            return
        tail = "\n".join(text.splitlines()[-40:])
        if tail.strip():
            with open(self.path / "log.txt", "a", encoding="utf-8") as log:
                log.write(f"[worker] the Ray job's own log (last lines):\n{tail}\n")


@register
class RayExecutor(Executor):
    """Runs on a Ray cluster through the Jobs API (see the module docstring)."""

    name = "ray"
    order = 20
    remote = True
    detach_on_signal = True

    def __init__(self):
        self._apis: dict[str, RayAPI] = {}
        self._nodes: dict[str, tuple[float, list[dict]]] = {}

    # ------------------------------------------------------------------ the cluster

    def address(self) -> str:
        return os.environ.get("EMBEDLAB_RAY_ADDRESS") or DEFAULT_ADDRESS

    def api(self, address: str | None = None) -> RayAPI:
        address = address or self.address()
        if address not in self._apis:
            self._apis[address] = RayAPI(address)
        return self._apis[address]

    def nodes(self, api: RayAPI | None = None, *, fresh: bool = False) -> list[dict]:
        """The cluster's nodes, cached for :data:`CAPACITY_TTL_S` (``fresh``: ask again now)."""
        api = api or self.api()
        seen = self._nodes.get(api.address)
        if fresh or seen is None or time.monotonic() - seen[0] > CAPACITY_TTL_S:
            seen = (time.monotonic(), api.nodes())
            self._nodes[api.address] = seen
        return seen[1]

    def node(self, node_id: str, api: RayAPI | None = None, *, fresh: bool = False) -> dict | None:
        try:
            nodes = self.nodes(api, fresh=fresh)
            found = next((n for n in nodes if n.get("node_id") == node_id), None)
            if found is None and not fresh:
                found = next((n for n in self.nodes(api, fresh=True) if n.get("node_id") == node_id), None)
            return found
        except ExecutorError:
            return None

    def node_runs(self) -> str:
        return os.environ.get("EMBEDLAB_RAY_RUNS") or str(store.runs_root())

    def node_python(self) -> str:
        return os.environ.get("EMBEDLAB_RAY_PYTHON") or sys.executable

    def node_project(self) -> str:
        return os.environ.get("EMBEDLAB_RAY_PROJECT") or str(PROJECT)

    def _places(self, resource: str, nodes: list[dict]) -> int:
        total = 0
        for node in nodes:
            if node.get("state") != "ALIVE":
                continue
            have = node.get("resources_total") or {}
            if resource == "gpu":
                total += int(have.get("GPU", 0))
            else:
                total += int(math.floor(float(have.get("CPU", 0)) / cpus_per_job() + 1e-9))
        return total

    def capacity(self, resource: str) -> int:
        try:
            places = self._places(resource, self.nodes())
        except ExecutorError:
            return 0  # the cluster does not answer: nothing starts until it does
        var = "EMBEDLAB_MAX_GPU_JOBS" if resource == "gpu" else "EMBEDLAB_MAX_CPU_JOBS"
        try:
            cap = int(os.environ[var])
        except (KeyError, ValueError):
            return places
        return min(places, max(1, cap))

    def check(self, root: Path, resource: str, processes: int = 1) -> None:
        nodes = self.nodes()  # raises ExecutorError with the address when the cluster does not answer
        alive = [n for n in nodes if n.get("state") == "ALIVE"]
        need = job_resources({"resource": resource, "processes": processes})
        fits = [n for n in alive if float((n.get("resources_total") or {}).get("CPU", 0)) >= need["num_cpus"]
                and float((n.get("resources_total") or {}).get("GPU", 0)) >= need["num_gpus"]]
        if not fits:
            raise ExecutorError(
                f"no node of the Ray cluster at {self.api().address} has {self._need_text(need)} for this run "
                f"({len(alive)} nodes alive). " + ("Choose the CPU (device cpu) or add a GPU node." if need["num_gpus"]
                                                    else "Set EMBEDLAB_RAY_CPUS lower or add a bigger node."))

    @staticmethod
    def _need_text(need: dict) -> str:
        def count(n, what):
            return f"{n:g} {what}" + ("" if n == 1 else "s")

        text = count(need["num_cpus"], "CPU")
        return text + (f" and {count(need['num_gpus'], 'GPU')}" if need["num_gpus"] else "")

    def resources_text(self, path: Path) -> str:
        return self._need_text(job_resources(store.read_json(path / "config.json", {}) or {}))

    def status_fields(self, root: Path) -> dict:
        return {"executor": self.name, "ray_address": self.api().address}

    # ------------------------------------------------------------------ places

    def _marks(self, root: Path) -> Path:
        folder = store.special_dir("slots", root) / "ray"
        folder.mkdir(exist_ok=True)
        return folder

    def take_slot(self, root: Path, resource: str, run_id: str) -> Slot | None:
        limit = self.capacity(resource)
        marks = self._marks(root)
        with open(store.special_dir("slots", root) / "ray.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            held = 0
            for name in os.listdir(marks):
                res, _, holder = name.partition("-")
                if _finished(root, holder):
                    (marks / name).unlink(missing_ok=True)
                elif res == resource:
                    held += 1
            if held >= limit:
                return None
            return self._mark(root, resource, run_id)

    def _mark(self, root: Path, resource: str, run_id: str) -> MarkSlot:
        mark = self._marks(root) / f"{resource}-{run_id}"
        mark.touch()
        return MarkSlot(mark)

    # ------------------------------------------------------------------ jobs

    def job_environment(self, meta: dict) -> dict:
        env = {key: value for key, value in os.environ.items()
               if key.startswith(PASSED_ON) and not key.startswith(NOT_PASSED)}
        from core.jobs.worker import OWN_LOG

        env.update(EMBEDLAB_RUNS=self.node_runs(), PYTHONPATH=self.node_project(), PYTHONUNBUFFERED="1")
        env[OWN_LOG] = "1"
        if meta.get("resource") != "gpu":
            threads = str(max(1, int(cpus_per_job())))
            for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "EMBEDLAB_JOB_THREADS"):
                env.setdefault(var, threads)
        return env

    def entrypoint(self, run_id: str, meta: dict) -> str:
        from core.jobs.worker import child_command

        command = child_command(run_id, meta, python=self.node_python())
        return f"cd {shlex.quote(self.node_project())} && exec {shlex.join(command)}"

    def launch(self, root: Path, path: Path, run_id: str, meta: dict, slot: Slot) -> JobHandle:
        api = self.api()
        need = job_resources(meta)
        store.update_status(path, only_if=("running",), message="starting on the Ray cluster")
        job_id = api.submit(entrypoint=self.entrypoint(run_id, meta), submission_id=run_id,
                            runtime_env={"env_vars": self.job_environment(meta)},
                            metadata={"embedlab_run": run_id, "embedlab_kind": str(meta.get("kind", ""))},
                            num_cpus=need["num_cpus"], num_gpus=need["num_gpus"] or None)
        return RayJob(self, api, job_id, path, run_id)

    def attach(self, root: Path, path: Path, run_id: str, status: dict):
        job_id = status.get("ray_job")
        if not job_id:
            return None
        handle = RayJob(self, self.api(status.get("ray_address")), job_id, path, run_id)
        resource = (store.read_json(path / "config.json", {}) or {}).get("resource", "cpu")
        return self._mark(root, resource, run_id), handle

    def job_alive(self, run_id: str, status: dict) -> bool:
        job_id = status.get("ray_job")
        if not job_id:
            return False
        try:
            info = self.api(status.get("ray_address")).job(job_id)
        except NotFound:
            return False
        except ExecutorError:
            return True  # the cluster does not answer now: its worker decides (EMBEDLAB_RAY_LOST_S)
        return info.get("status") not in TERMINAL

    def gone(self, root: Path, run_id: str, status: dict) -> tuple[str, str] | None:
        job_id = status.get("ray_job")
        if not job_id or status.get("state") != "running":
            return None
        path = store.run_dir(run_id, root)
        handle = RayJob(self, self.api(status.get("ray_address")), job_id, path, run_id)
        if status.get("node_id"):
            handle.node = self.node(status["node_id"], handle.api) or {"node_id": status["node_id"],
                                                                       "node_name": status.get("node", "?")}
        if handle.poll() is None:
            return None
        return handle.ending()

    def forget(self, root: Path, run_id: str, status: dict) -> None:
        job_id = status.get("ray_job")
        if job_id:
            try:
                self.api(status.get("ray_address")).delete(job_id)
            except ExecutorError:
                pass  # the cluster keeps a finished job's record; nothing of the run depends on it

    def describe(self) -> str:
        return f"ray ({self.api().address})"


def _finished(root: Path, run_id: str) -> bool:
    """Is the run that holds a place gone or in a final state (its place is free)?"""
    try:
        path = store.run_dir(run_id, root)
    except ValueError:
        return True
    return not path.is_dir() or store.read_status(path).get("state") in store.FINAL
