"""Whether a fine-tune can succeed before it is started: what would make the run fail, as codes a page translates.

The page disables Train while :func:`blockers` returns anything (and says why); the
trainer refuses the same inputs with a ValueError, so the CLI says it too. Codes:

- ``few_examples`` (``n``, ``minimum``): fewer than :data:`MIN_EXAMPLES` examples in the training
  file: after the validation and test split nothing is left to learn from;
- ``one_class`` (``label``): a classifier needs at least two classes;
- ``past_positions`` (``max_length``, ``positions``): the model has no position past
  ``positions`` (a learned position table), so longer inputs cannot be encoded.
"""
from __future__ import annotations

MIN_EXAMPLES = 10


def blockers(task: str, summary: dict, *, max_length: int, positions: int | None) -> list[dict]:
    """What stops a run of ``task`` on the data ``summary`` describes (``DataView.summary``) with this
    ``max_length`` on a model of ``positions`` positions (None: no limit); [] when it can start."""
    found = []
    n = int(summary.get("n") or 0)
    if n < MIN_EXAMPLES:
        found.append({"code": "few_examples", "n": n, "minimum": MIN_EXAMPLES})
    counts = summary.get("label_counts") or {}
    if task != "ner" and summary and len(counts) < 2:
        found.append({"code": "one_class", "label": next(iter(counts), "")})
    if positions and max_length > positions:
        found.append({"code": "past_positions", "max_length": int(max_length), "positions": int(positions)})
    return found
