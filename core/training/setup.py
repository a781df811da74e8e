"""The rules every trainer shares: device, precision, threads, optimizer groups, schedule.

One rule each, so a fine-tune run and a pretraining run on the same machine make the
same choices:

- **precision** ``"auto"``: bf16 on a CUDA GPU that supports it, else fp16 (Accelerate's
  gradient scaler guards it), and full fp32 on a CPU or Apple MPS (neither gains from
  autocast here); ``"no"``, ``"bf16"``, ``"fp16"`` are taken as asked on a GPU.
- **weight decay** (AdamW, Loshchilov & Hutter 2019) on tensors of rank >= 2 (weight
  matrices and embedding tables), never on biases or LayerNorm gains (rank 1), the rule
  of nanoGPT and, for BERT, the same split as Hugging Face's name list.
- **schedule**: linear warm-up for ``warmup_ratio`` of the updates, then linear decay
  to 0 (``transformers.get_linear_schedule_with_warmup``; Devlin et al. 2019).
"""
from __future__ import annotations

import os

PRECISIONS = ("auto", "no", "bf16", "fp16")


def launched() -> bool:
    """True under ``accelerate launch`` / torchrun, where the launcher places each process."""
    return "LOCAL_RANK" in os.environ or int(os.environ.get("WORLD_SIZE", "1")) > 1


def precision_for(choice: str, cpu: bool) -> str:
    """The Accelerate ``mixed_precision`` for a config's ``choice`` on a CPU (``cpu=True``) or a GPU."""
    if choice not in PRECISIONS:
        raise ValueError(f"mixed_precision must be one of {', '.join(PRECISIONS)}, not {choice!r}.")
    import torch

    if cpu or not torch.cuda.is_available():
        return "no"
    if choice != "auto":
        return choice
    return "bf16" if torch.cuda.is_bf16_supported() else "fp16"


def make_accelerator(device: str = "auto", mixed_precision: str = "auto", *, grad_accum: int = 1,
                     cpu_threads: int = 0):
    """An ``Accelerator`` for ``device`` ("auto", "cpu", "cuda[:i]", "mps") and the precision rule above.

    Under a launcher the launcher places the processes (on a machine without a GPU they
    talk over gloo). ``cpu_threads`` > 0 caps torch's intra-op threads when training on
    a CPU. Raises ``ValueError`` when a missing device is asked for.
    """
    import torch
    from accelerate import Accelerator
    from accelerate.utils import DataLoaderConfiguration

    from core.device import pick

    cpu = (device == "cpu" or not torch.cuda.is_available()) if launched() else pick(device).type == "cpu"
    accelerator = Accelerator(mixed_precision=precision_for(mixed_precision, cpu), cpu=cpu,
                              gradient_accumulation_steps=grad_accum,
                              dataloader_config=DataLoaderConfiguration(use_seedable_sampler=True))
    if accelerator.device.type == "cpu" and cpu_threads:
        torch.set_num_threads(cpu_threads)
    return accelerator


def decay_groups(model, weight_decay: float) -> list[dict]:
    """AdamW parameter groups: rank >= 2 tensors decay by ``weight_decay``, rank-1 tensors (biases, LayerNorm) do not."""
    params = [p for p in model.parameters() if p.requires_grad]
    return [{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]


def make_optimizer(model, *, learning_rate: float, weight_decay: float):
    """AdamW over :func:`decay_groups` (create it before ``accelerator.prepare``, as Accelerate asks)."""
    import torch

    return torch.optim.AdamW(decay_groups(model, weight_decay), lr=learning_rate)


def make_schedule(optimizer, *, warmup_ratio: float, total_updates: int, num_processes: int = 1):
    """Linear warm-up for ``warmup_ratio`` of ``total_updates`` optimizer updates, then linear decay to 0.

    Accelerate's prepared scheduler steps once per process on each update, hence the
    ``num_processes`` factor on both lengths.
    """
    import transformers

    return transformers.get_linear_schedule_with_warmup(
        optimizer, int(warmup_ratio * total_updates) * num_processes, total_updates * num_processes)
