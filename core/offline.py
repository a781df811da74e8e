"""Offline means offline: no request to the Hugging Face hub unless the person running EmbedLab says so.

A model is a shipped one, a folder under ``models/``, a pretraining run or a
folder on this machine. A name that is none of these would be a hub id
(``someorg/model``), and ``from_pretrained`` would ask the hub for it (and
download any repository on an online server). EmbedLab does not, unless the
server or CLI was started with ``EMBEDLAB_ALLOW_HUB=1`` (in class mode the
teacher must also allow hub ids for students: ``core.classroom``).

Importing :mod:`core` calls :func:`apply`, which sets ``HF_HUB_OFFLINE=1``
(huggingface_hub and transformers then refuse every request) unless the hub
is allowed; a hub id then gets :func:`check_hub_id`'s message, which says how
to use a local folder instead.
"""
from __future__ import annotations

import os

ALLOW_ENV = "EMBEDLAB_ALLOW_HUB"


def hub_allowed() -> bool:
    """True when this process was started with ``EMBEDLAB_ALLOW_HUB=1`` (or true/yes/on)."""
    return os.environ.get(ALLOW_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def apply() -> None:
    """Put huggingface_hub and transformers in offline mode unless the hub is allowed (before they are imported)."""
    if not hub_allowed():
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"


class HubDisabledError(ValueError):
    """A hub id was asked for while EmbedLab is offline. ``name`` is what was typed."""

    key = "models.hub_off"  # the page's translated message, with ``fields``

    def __init__(self, name: str):
        self.name = name
        short = name.rsplit("/", 1)[-1] or "model"
        self.fields = {"name": name[:80], "folder": short[:80]}
        super().__init__(
            f"{name[:80]!r} is not a model on this machine, and EmbedLab does not download models (it runs "
            f"offline). On a computer with internet, download it (huggingface-cli download {name[:80]} "
            f"--local-dir {short}), copy that folder here and give its path, or pick a listed model. To let this "
            f"server fetch from the hub, start it with {ALLOW_ENV}=1.")


def check_hub_id(name: str) -> str:
    """``name`` if the hub may be asked for it, else :class:`HubDisabledError` (a ``ValueError``)."""
    if not hub_allowed():
        raise HubDisabledError(name)
    return name
