"""Which code a job kind runs, and which resource ("cpu"/"gpu") a job of that kind needs.

``KINDS`` maps a kind to ``"module:function"``. ``submit`` looks the kind up
here and records the target in config.json; the worker imports exactly that
target. User input only ever names a *kind*, and an unknown kind is refused,
so nobody can make a worker import arbitrary code.

Resource hook: the queue never looks inside a config to guess what a job
needs; it calls :func:`resource_for`, which asks the kind. A kind answers
through ``resource(config: dict) -> "cpu" | "gpu"``, a function defined next
to its ``run`` in the job module (``core.word2vec.job.resource`` asks the
chosen word2vec engine), or through ``register_kind(kind, target,
resource="module:function")``. A kind with neither uses
:func:`device_resource` (its config's ``"device"``). Job modules keep heavy
imports inside functions, so asking costs an import of a small module.

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
    "pretrain": "core.pretrain.job:run",
    "projection": "core.vectors.projection.job:run",
}
# Kinds whose resource function is not ``resource`` in the job module: kind -> "module:function".
RESOURCES: dict[str, str] = {}
RESOURCE_NAMES = ("cpu", "gpu")

# Packages a worker may import a job function from.
ALLOWED_PREFIXES = ("core.", "tests.")
_TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def register_kind(kind: str, target: str, resource: str | None = None) -> None:
    """Make ``kind`` run ``target`` (``"package.module:function"``) in this process's submits.

    ``resource``: optional ``"module:function"`` taking the job's config and
    returning ``"cpu"`` or ``"gpu"`` (see the module docstring).
    """
    check_target(target)
    if resource is not None:
        check_target(resource)
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", kind):
        raise ValueError(f"job kind {kind!r} must be lower-case letters, digits or '_'.")
    KINDS[kind] = target
    if resource is not None:
        RESOURCES[kind] = resource
    else:
        RESOURCES.pop(kind, None)


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


def device_resource(config: dict) -> str:
    """The resource of a job that only says ``config["device"]``: ``"cpu"`` or ``"gpu"``.

    ``cpu`` is a CPU job; ``cuda``/``cuda:1``/``mps`` are GPU jobs; ``auto``
    (or no device) is a GPU job when ``core.device.pick`` finds a GPU.
    """
    device = str(config.get("device") or "auto").lower()
    if device == "cpu":
        return "cpu"
    if device.startswith(("cuda", "mps")):
        return "gpu"
    from core.device import pick  # imports torch: only on the auto path

    return "cpu" if pick().type == "cpu" else "gpu"


def job_attribute(kind: str, name: str, default=None):
    """Another function of ``kind``'s job module (next to its ``run``), or ``default`` when it has none.

    Job modules may offer, besides ``run``: ``resource(config) -> "cpu"|"gpu"``
    and ``config_from_options(options: dict) -> dict`` (the config of
    ``python -m core runs submit KIND --corpus ... --set FIELD=VALUE``;
    ``options`` holds ``corpus``, ``engine``, ``device``, ``language`` and
    ``settings``, the parsed ``--set`` values).
    """
    module_name = target_for(kind).split(":")[0]
    return getattr(importlib.import_module(module_name), name, default)


def resource_function(kind: str):
    """The function that says which resource a job of ``kind`` needs (see the module docstring)."""
    if kind in RESOURCES:
        return load_target(RESOURCES[kind])
    return job_attribute(kind, "resource", device_resource)


def resource_for(kind: str, config: dict) -> str:
    """``"cpu"`` or ``"gpu"``: the queue a job of ``kind`` with ``config`` waits in, asked of the kind.

    Raises ``ValueError`` for an unknown kind, a config the kind refuses, or
    an answer that is not a resource name.
    """
    resource = resource_function(kind)(config)
    if resource not in RESOURCE_NAMES:
        raise ValueError(f"the {kind} job asked for resource {resource!r}; expected 'cpu' or 'gpu'.")
    return resource
