"""Which code a job kind runs, and which resource ("cpu"/"gpu") a job of that kind needs.

``KINDS`` (a :class:`core.registry.Registry` of :class:`JobKind`) names each
kind's ``"module:function"``. ``submit`` looks the kind up here and records
the target in config.json; the worker imports exactly that
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
from dataclasses import dataclass

from core.registry import Registry

RESOURCE_NAMES = ("cpu", "gpu")


@dataclass(frozen=True)
class JobKind:
    """One job kind: the function a worker runs and, optionally, the function that says its resource."""

    kind: str  # what submit, config.json and the runs table call it
    target: str  # "package.module:function" taking (config, ctx)
    resource: str | None = None  # "module:function" taking the config; None: ``resource`` in the job module


def _check(job: JobKind) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", job.kind):
        raise ValueError(f"job kind {job.kind!r} must be lower-case letters, digits or '_'.")
    check_target(job.target)
    if job.resource is not None:
        check_target(job.resource)


KINDS: Registry[JobKind] = Registry("job kind", key="kind", check=_check)

# Packages a worker may import a job function from.
ALLOWED_PREFIXES = ("core.", "tests.")
_TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def register_kind(kind: str, target: str, resource: str | None = None) -> None:
    """Make ``kind`` run ``target`` (``"package.module:function"``) in this process's submits.

    ``resource``: optional ``"module:function"`` taking the job's config and
    returning ``"cpu"`` or ``"gpu"`` (see the module docstring). Registering a
    kind again replaces it.
    """
    job = JobKind(kind, target, resource)
    _check(job)
    KINDS.unregister(kind)
    KINDS.register(job)


def target_for(kind: str) -> str:
    """The ``"module:function"`` of ``kind``; ``ValueError`` for an unknown kind."""
    return KINDS.get(kind).target


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
    resource = KINDS.get(kind).resource
    if resource is not None:
        return load_target(resource)
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


for _job in (JobKind("word2vec", "core.word2vec.job:run"), JobKind("finetune", "core.finetune.job:run"),
             JobKind("pretrain", "core.pretrain.job:run"), JobKind("projection", "core.vectors.projection.job:run")):
    KINDS.register(_job)
