"""Tiny job functions the worker runs in tests (registered via core.jobs.register_kind).

Each takes ``(config, ctx)`` like a real job; they sleep, log, crash or die
so the tests can watch the queue, the metrics stream and crash handling.
"""
from __future__ import annotations

import json
import os
import signal
import time

TARGETS = {
    "t_sleep": "tests.jobs.tiny_jobs:sleep_job",
    "t_crash": "tests.jobs.tiny_jobs:crash_job",
    "t_bad": "tests.jobs.tiny_jobs:bad_input_job",
    "t_stream": "tests.jobs.tiny_jobs:stream_job",
    "t_die": "tests.jobs.tiny_jobs:die_job",
    "t_stubborn": "tests.jobs.tiny_jobs:stubborn_job",
    "t_gpu_only": "tests.jobs.tiny_jobs_gpu:run",
    "t_interrupt": "tests.jobs.tiny_jobs:interrupt_job",
    "t_ranks": "tests.jobs.tiny_jobs_launched:run",
    "t_fill": "tests.jobs.tiny_jobs:fill_job",
}


def gpu_resource(config):
    """A resource function (see core.jobs.registry): this kind always needs the GPU queue."""
    return "gpu"


def bad_resource(config):
    return "tpu"


def interrupt_job(config, ctx):
    """Log steps; after ``interrupt_at`` steps press Ctrl-C (SIGINT to this process) and keep going
    until the job sees the cancel, like a user stopping a foreground run."""
    for step in range(int(config.get("steps", 200))):
        if ctx.should_stop():
            (ctx.run_dir / "partial.txt").write_text(str(step))
            return
        ctx.log({"type": "step", "step": step})
        ctx.progress(step / 200, message=f"step {step}")
        if step == int(config.get("interrupt_at", 3)):
            os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.02)


def sleep_job(config, ctx):
    """Sleep ``seconds``; record the running interval in ``interval.json`` (for overlap checks)."""
    start = time.time()
    end = start + float(config.get("seconds", 0.2))
    while time.time() < end:
        if ctx.should_stop():
            break
        time.sleep(0.02)
    (ctx.run_dir / "interval.json").write_text(json.dumps([start, time.time()]))


def crash_job(config, ctx):
    raise RuntimeError("boom: the tiny job crashed on purpose")


def bad_input_job(config, ctx):
    raise ValueError("min_count must be at least 1")


def stream_job(config, ctx):
    """Log one step every ``every`` seconds for ``steps`` steps, saving a partial artifact each step."""
    steps = int(config.get("steps", 50))
    (ctx.run_dir / "job.pid").write_text(str(os.getpid()))
    for step in range(steps):
        if ctx.should_stop():
            return
        ctx.log({"type": "step", "step": step, "loss": 1.0 / (step + 1)})
        ctx.progress((step + 1) / steps, eta_s=(steps - step - 1) * config.get("every", 0.1))
        (ctx.run_dir / "partial.txt").write_text(str(step + 1))
        time.sleep(float(config.get("every", 0.1)))
    ctx.set_summary({"final_loss": 1.0 / steps})


def die_job(config, ctx):
    """Write our pid, then wait to be killed (or SIGKILL ourselves with ``self_kill``)."""
    (ctx.run_dir / "job.pid").write_text(str(os.getpid()))
    if config.get("self_kill"):
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(float(config.get("seconds", 30)))


def stubborn_job(config, ctx):
    """Ignores should_stop(): the worker must kill it after the grace period."""
    time.sleep(float(config.get("seconds", 60)))


def fill_job(config, ctx):
    """Write ``mib`` MiB files into the run folder, one every 0.1 s, at most ``files``, until asked to stop."""
    for i in range(int(config.get("files", 40))):
        if ctx.should_stop():
            (ctx.run_dir / "stopped.txt").write_text(str(i))
            return
        (ctx.run_dir / f"part{i}.bin").write_bytes(b"0" * int(float(config.get("mib", 1)) * 1024 * 1024))
        time.sleep(0.1)
