"""A tiny job kind that runs under a launcher (``LAUNCHER = True``): every rank leaves a file, rank 0 logs."""
from __future__ import annotations

import os

LAUNCHER = True  # core.jobs: a run of this kind may ask for several processes (torchrun on one machine)


def resource(config):
    return "cpu"


def run(config, ctx):
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    (ctx.run_dir / f"rank-{rank}.txt").write_text(f"{rank} of {world} (pid {os.getpid()})")
    for step in range(3):
        ctx.log({"type": "step", "step": step, "world_size": world})
    ctx.set_summary({"world_size": float(world)})
