"""Whether a fine-tune can succeed before it is started: what would make the run fail, as codes a page translates.

The page disables Train while :func:`blockers` returns anything (and says why); the
trainer refuses the same inputs with a ValueError, so the CLI says it too. Codes:

- ``few_examples`` (``n``, ``minimum``): too few examples in the training file to hold out one for
  each split taken from it (validation, test) and keep one to learn from (``core.finetune.data.split``
  refuses the run then);
- ``one_class`` (``label``): a classifier needs at least two classes (a task whose
  ``needs_two_classes`` is False, as NER, is not checked);
- ``past_positions`` (``max_length``, ``positions``): the model has no position past
  ``positions`` (a learned position table), so longer inputs cannot be encoded.
"""
from __future__ import annotations

def blockers(task: str, summary: dict, *, max_length: int, positions: int | None, held_out: int = 2) -> list[dict]:
    """What stops a run of ``task`` on the data ``summary`` describes (``DataView.summary``) with this
    ``max_length`` on a model of ``positions`` positions (None: no limit); [] when it can start.
    ``held_out``: how many splits (validation, test) are cut from the training file."""
    found = []
    n, minimum = int(summary.get("n") or 0), 1 + max(0, int(held_out))
    if n < minimum:
        found.append({"code": "few_examples", "n": n, "minimum": minimum})
    from core.finetune import tasks

    counts = summary.get("label_counts") or {}
    if tasks.get(task).needs_two_classes and summary and len(counts) < 2:
        found.append({"code": "one_class", "label": next(iter(counts), "")})
    if positions and max_length > positions:
        found.append({"code": "past_positions", "max_length": int(max_length), "positions": int(positions)})
    return found
