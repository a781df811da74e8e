"""The fine-tune task registry: one :class:`Task` per kind of prediction.

    from core.finetune import tasks
    task = tasks.get("ner")          # ValueError naming the known tasks
    tasks.names()                    # ("classification", "ner") -> CLI choices, page options

Adding a task: write ``core/finetune/tasks/<name>.py`` with a :class:`Task`
subclass and call :func:`register` at its end, import it below, add its
``finetune.task.<name>`` strings (en + zh) to ``locales/finetune.json``; the
parametrised tests in ``tests/finetune/test_tasks.py`` then cover it. Nothing
else compares a task's name to a string.
"""
from __future__ import annotations

from core.finetune.tasks.base import IGNORE, ColumnsNeeded, Encoded, ReadOptions, Task

TASKS: dict[str, Task] = {}


def register(task: Task) -> Task:
    """Add ``task`` (an instance) under ``task.name``; returns it. A second task with the same name replaces it."""
    if not task.name or not task.name.replace("_", "").isalnum():
        raise ValueError(f"a task needs a name of letters, digits or '_', not {task.name!r}.")
    TASKS[task.name] = task
    return task


def unregister(name: str) -> None:
    """Remove a task (tests that register a toy task clean up with this)."""
    TASKS.pop(name, None)


def names() -> tuple[str, ...]:
    """The registered task names, in registration order."""
    return tuple(TASKS)


def get(name: str) -> Task:
    """The task called ``name``; ``ValueError`` naming the known ones otherwise."""
    try:
        return TASKS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown task {name!r}; known tasks: {', '.join(TASKS)}.") from None


def for_architectures(architectures: list[str] | None) -> Task:
    """The task whose head class a saved model's ``config.architectures`` names (e.g. ``BertForTokenClassification``)."""
    archs = " ".join(architectures or [])
    for task in TASKS.values():
        if task.head.replace("AutoModel", "") in archs:
            return task
    raise ValueError(f"this model's head ({archs or 'unknown'}) is none of the fine-tune tasks: {', '.join(TASKS)}.")


from core.finetune.tasks import classification as _classification  # noqa: E402,F401  (registers itself)
from core.finetune.tasks import ner as _ner  # noqa: E402,F401

__all__ = ["IGNORE", "ColumnsNeeded", "Encoded", "ReadOptions", "TASKS", "Task", "for_architectures", "get", "names", "register",
           "unregister"]
