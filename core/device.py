"""Pick the compute device: cuda > mps > cpu.

Every trainer takes ``device=``; ``None`` means "whatever :func:`pick` says".
"""
from __future__ import annotations

import os

import torch


def pick(prefer: str | None = None) -> torch.device:
    """Return the best available device, or ``prefer`` when it is given.

    ``prefer`` may be ``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"cpu"`` or
    ``"auto"``/``None``. Asking for a device that is not there raises
    ``ValueError`` with a message a user can act on.
    """
    if prefer in (None, "", "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(prefer)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was requested but no CUDA GPU is visible; choose 'cpu' or 'auto'.")
    if device.type == "mps" and not _mps_available():
        raise ValueError("MPS was requested but this machine has no Apple GPU; choose 'cpu' or 'auto'.")
    return device


def _mps_available() -> bool:
    return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()


def available() -> list[str]:
    """The device choices a user may pick here, ``"auto"`` first: ``auto``, ``cpu``, each ``cuda:i``, ``mps``."""
    options = ["auto", "cpu"]
    if torch.cuda.is_available():
        options += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if _mps_available():
        options.append("mps")
    return options


def resolve(device: str | torch.device | None) -> torch.device:
    """Normalise a ``device=`` argument (None, a string or a torch.device)."""
    if isinstance(device, torch.device):
        return device
    return pick(device)


def describe(device: torch.device | None = None) -> str:
    """A one-line human description, e.g. ``"cuda (NVIDIA H100 80GB HBM3)"`` or ``"cpu (2 cores)"``."""
    device = device or pick()
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda ({torch.cuda.get_device_name(index)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return f"cpu ({os.cpu_count() or 1} cores)"
