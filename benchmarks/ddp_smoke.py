"""Two-process data-parallel smoke run, started by ``torchrun --nproc_per_node 2``.

Each process trains the same tiny linear model on its own shard for a few
steps under ``DistributedDataParallel`` (NCCL with one GPU per rank, else gloo); rank 0
prints one JSON line saying whether the replicas ended with identical weights
(they must: DDP averages gradients every step) and how long it took.
"""
from __future__ import annotations

import json
import os
import time

import torch
import torch.distributed as dist


def main() -> None:
    cuda = torch.cuda.is_available()
    # NCCL refuses two ranks on one GPU; with fewer GPUs than ranks, gloo carries the CUDA tensors.
    enough_gpus = cuda and torch.cuda.device_count() >= int(os.environ.get("WORLD_SIZE", "1"))
    dist.init_process_group("nccl" if enough_gpus else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device("cuda", rank % torch.cuda.device_count()) if cuda else torch.device("cpu")
    torch.manual_seed(0)
    model = torch.nn.Linear(64, 8).to(device)
    ddp = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if cuda else None)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1)
    generator = torch.Generator().manual_seed(rank)  # a different shard per rank
    start = time.perf_counter()
    for _ in range(20):
        x = torch.randn(32, 64, generator=generator).to(device)
        loss = ddp(x).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    flat = torch.cat([p.detach().flatten() for p in model.parameters()])
    gathered = [torch.empty_like(flat) for _ in range(world)]
    dist.all_gather(gathered, flat)
    if rank == 0:
        same = all(torch.equal(gathered[0], g) for g in gathered[1:])
        print(json.dumps({"bench": "ddp_smoke", "world_size": world, "backend": dist.get_backend(),
                          "device": str(device), "replicas_identical": same,
                          "seconds": round(time.perf_counter() - start, 3)}), flush=True)
    dist.barrier()  # no rank tears gloo down while another still talks to it ("terminate called", SIGABRT)
    dist.destroy_process_group()
    if rank == 0 and not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
