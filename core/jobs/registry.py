"""Which code a job kind runs: ``kind -> "module:function"``.

``submit`` looks the kind up here and records the target in config.json; the
worker imports exactly that target. User input only ever names a *kind*, and
an unknown kind is refused, so nobody can make a worker import arbitrary code.

Tests (and plug-ins) add their own kinds with :func:`register_kind` before
they submit; the worker trusts the target written by ``submit`` but still
refuses modules outside :data:`ALLOWED_PREFIXES`.
"""
from __future__ import annotations

import importlib
import re

KINDS: dict[str, str] = {
    "word2vec": "core.word2vec.job:run",
    "finetune": "core.finetune.job:run",
}

# Packages a worker may import a job function from.
ALLOWED_PREFIXES = ("core.", "tests.")
_TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def register_kind(kind: str, target: str) -> None:
    """Make ``kind`` run ``target`` (``"package.module:function"``) in this process's submits."""
    check_target(target)
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", kind):
        raise ValueError(f"job kind {kind!r} must be lower-case letters, digits or '_'.")
    KINDS[kind] = target


def target_for(kind: str) -> str:
    """The ``"module:function"`` of ``kind``; ``ValueError`` for an unknown kind."""
    try:
        return KINDS[kind]
    except (KeyError, TypeError):
        raise ValueError(f"unknown job kind {kind!r}; known kinds: {', '.join(sorted(KINDS))}.") from None


def check_target(target: str) -> str:
    """Refuse a target that is not ``module:function`` inside an allowed package."""
    if not isinstance(target, str) or not _TARGET.fullmatch(target) or not target.startswith(ALLOWED_PREFIXES):
        raise ValueError(f"job target {target!r} is not an allowed 'module:function'.")
    return target


def load_target(target: str):
    """Import and return the job function named by ``target``."""
    module_name, function_name = check_target(target).split(":")
    return getattr(importlib.import_module(module_name), function_name)
