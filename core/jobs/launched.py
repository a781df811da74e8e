"""Run a job under ``accelerate launch`` / ``torchrun``: several processes, one run folder.

Each process of a launch runs the CLI command. :func:`run_launched` makes the
processes agree on one run before training:

1. ``accelerate.PartialState()`` joins the process group the launcher set up
   (NCCL on GPUs, gloo on CPUs);
2. rank 0 writes the run folder (config.json, status.json "running") as
   :func:`core.jobs.run_foreground` does, without waiting for a queue slot (the
   launcher already owns the devices), and broadcasts the run id;
3. every rank calls the job function with a context on that folder. Rank 0's
   context writes metrics, progress and the summary; the others' write nothing.
   The job itself must only save files on the main process and must agree on
   stopping across ranks (``core.pretrain.trainer`` does both);
4. rank 0 records how the run ended. Ctrl-C / ``cancel`` works as for any run
   (the ``cancel`` file in the run folder).

So a run on 8 GPUs is one run in ``python -m core runs list`` and in the app.

A run queued with several processes (``submit(..., processes=N)``) goes the
other way round: its worker starts ``torchrun`` on one machine (locally or on
a cluster node) and every rank joins the run folder that already exists
(:func:`run_ranks`).
"""
from __future__ import annotations

import os
import sys
import traceback

from core.jobs import access, queue, registry, store, worker
from core.jobs.context import JobContext
from core.jobs.executors.local import this_node
from core.jobs.foreground import ForegroundContext, _Terminal


def launched() -> bool:
    """True inside a process started by ``accelerate launch`` / ``torchrun`` (several processes)."""
    return "LOCAL_RANK" in os.environ or int(os.environ.get("WORLD_SIZE", "1")) > 1


def stop_requested(accelerator, should_stop) -> bool:
    """Whether a training loop under ``accelerator`` should stop now: the main process asks
    ``should_stop()``, and with several processes the answer is all-reduced so every rank
    leaves the loop at the same step (none hangs in a collective)."""
    wanted = bool(should_stop()) if accelerator.is_main_process else False
    if accelerator.num_processes == 1:
        return wanted
    import torch

    flag = torch.tensor(int(wanted), device=accelerator.device)
    return bool(accelerator.reduce(flag, "sum").item())


class SilentContext(JobContext):
    """The context of ranks other than 0: same folder and cancel flag, writes nothing."""

    def log(self, record: dict) -> None:
        return None

    def progress(self, fraction: float, eta_s: float | None = None, message: str = "") -> None:
        return None

    def set_summary(self, scores: dict) -> None:
        return None

    def write_log(self, text: str) -> None:
        return None


def run_launched(kind: str, config: dict, name: str = "", runs_root=None, *, show_progress: bool = True,
                 cpu: bool | None = None, user=None) -> str:
    """Run ``kind`` in this process as one rank of a launch; all ranks share one run. Returns the run id.

    ``cpu``: join the launch as CPU processes (gloo); default: when no CUDA GPU is visible.

    Raises ``ValueError`` for an unknown kind or a config the kind refuses (on every
    rank, before any folder is made), and re-raises what the job raised after rank 0
    recorded the run as "failed".
    """
    import psutil
    from accelerate import PartialState
    from accelerate.utils import broadcast_object_list

    import torch

    registry.target_for(kind)  # an unknown kind fails on every rank alike
    state = PartialState(cpu=(not torch.cuda.is_available()) if cpu is None else cpu)
    root = store.runs_root(runs_root)
    holder = [None]
    if state.is_main_process:
        me = psutil.Process(os.getpid())
        run_id, path = queue.create_run(kind, config, name, root, status={
            "state": "running", "started": store.now_iso(), "pid": me.pid, "pid_created": me.create_time(),
            "node": this_node(),
            "processes": state.num_processes, "message": f"running on {state.num_processes} processes"},
            user=user)
        queue._remove_queue_entry(root, run_id)  # no worker may take it: this launch runs it
        holder = [run_id]
    run_id = broadcast_object_list(holder, from_process=0)[0]
    path = store.run_dir(run_id, root)
    meta = store.read_json(path / "config.json", {}) or {}
    terminal = _Terminal(sys.stderr, show_progress and state.is_main_process, kind)
    if state.is_main_process:
        terminal.note(f"run {run_id} (runs directory {root}) on {state.num_processes} processes")
    ctx = ForegroundContext(path, run_id, terminal) if state.is_main_process else SilentContext(path, run_id)
    try:
        with access.acting_for(access.owner_of(meta)):
            registry.load_target(meta["target"])(meta.get("config", {}), ctx)
    except Exception as err:
        if state.is_main_process:
            with open(path / "log.txt", "a", encoding="utf-8") as fh:
                fh.write(traceback.format_exc())
            worker.record_failure(path, worker.failure_message(err))
        raise
    else:
        if state.is_main_process:
            worker.record_end(path)
    finally:
        terminal.close()
        if state.is_main_process:
            store.update_status(path, only_if=store.FINAL, pid=None)
    return run_id


def run_ranks(path, run_id: str, meta: dict) -> int:
    """One rank of a queued run started under ``torchrun`` by its worker (``processes`` > 1); returns the
    exit code. Rank 0 records progress, metrics and how the run ended; the others write nothing."""
    import torch
    from accelerate import PartialState

    state = PartialState(cpu=meta.get("resource") != "gpu" or not torch.cuda.is_available())
    main = state.is_main_process
    if main:
        store.update_status(path, only_if=("running",), processes=state.num_processes,
                            message=f"running on {state.num_processes} processes")
    ctx = JobContext(path, run_id) if main else SilentContext(path, run_id)
    try:
        with access.acting_for(access.owner_of(meta)):
            registry.load_target(meta.get("target", ""))(meta.get("config", {}), ctx)
    except Exception as err:  # noqa: BLE001 - any job error must end the run
        if main:
            traceback.print_exc()
            worker.record_failure(path, worker.failure_message(err))
        return 1
    if main:
        worker.record_end(path)
    return 0
