"""The fine-tune task registry: one :class:`Task` per kind of prediction.

    from core.finetune import tasks
    task = tasks.get("ner")          # ValueError naming the known tasks
    tasks.names()                    # ("classification", "ner", ...) -> CLI choices, page options

Adding a task: write ``core/finetune/tasks/<name>.py`` with a :class:`Task`
subclass decorated with :func:`register` (the registry, a
:class:`core.registry.Registry`, finds the file the first time it is asked),
add its ``finetune.task.<name>`` strings (en + zh) to ``locales/finetune.json``;
the parametrised tests in ``tests/finetune/test_tasks.py`` then cover it.
Nothing else compares a task's name to a string.
"""
from __future__ import annotations

from core.finetune.tasks.base import IGNORE, ROLE_FIELDS, ColumnsNeeded, Encoded, ReadOptions, Task
from core.registry import Registry


def _check(task) -> None:
    if not isinstance(task, Task):
        raise ValueError(f"{task!r} is not a fine-tune Task.")


TASKS: Registry[Task] = Registry("task", package=__name__, instances=True, check=_check)
register, unregister, get, names = TASKS.register, TASKS.unregister, TASKS.get, TASKS.names


def for_model(config) -> Task:
    """The task a saved model belongs to: the first whose ``fits_model(config)`` says yes (head and problem type)."""
    task = TASKS.first(lambda task: task.fits_model(config))
    if task is None:
        archs = " ".join(getattr(config, "architectures", None) or [])
        raise ValueError(f"this model's head ({archs or 'unknown'}) is none of the fine-tune tasks: "
                         f"{', '.join(names())}.")
    return task


def for_architectures(architectures: list[str] | None, problem_type: str | None = None) -> Task:
    """:func:`for_model` for a model config's ``architectures`` (and ``problem_type``)."""
    from types import SimpleNamespace

    return for_model(SimpleNamespace(architectures=architectures, problem_type=problem_type))


__all__ = ["IGNORE", "ROLE_FIELDS", "ColumnsNeeded", "Encoded", "ReadOptions", "TASKS", "Task", "for_architectures", "for_model", "get", "names",
           "register", "unregister"]
