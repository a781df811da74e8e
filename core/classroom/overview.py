"""What the teacher's page shows, as plain data: each person's usage, and one kind's runs side by side."""
from __future__ import annotations

from core.jobs import limits, queue, store

MIB = 1024 * 1024
# summary numbers that are bookkeeping, not scores to compare
_NOT_SCORES = ("_coverage", "_seconds", "_per_s", "_size", "parameters", "steps", "tokens", "epochs")


def people(runs_root=None) -> list[dict]:
    """One row per account: ``user, display, role, active, runs, disk_mib`` (the teacher's row counts shell runs)."""
    from core.classroom import list_users

    root = store.runs_root(runs_root)
    use = limits.usage(root)
    rows = []
    for person in list_users(root):
        row = dict(use.get(person.name, {}))
        if person.is_teacher:  # runs without an owner (the shell, before class mode) are the teacher's
            for key, value in use.get("", {}).items():
                row[key] = row.get(key, 0) + value
        rows.append({"user": person.name, "display": person.display, "role": person.role,
                     "active": row.get("active", 0), "runs": row.get("runs", 0),
                     "disk_mib": round((row.get("run_bytes", 0) + row.get("upload_bytes", 0)) / MIB, 1)})
    return rows


def scores_of(summary: dict) -> dict[str, float]:
    """The comparable scores of a run's summary: its float values that are not bookkeeping."""
    return {k: float(v) for k, v in (summary or {}).items()
            if isinstance(v, float) and not isinstance(v, bool) and not k.endswith(_NOT_SCORES) and v == v}


def comparison(kind: str, runs_root=None, *, user=None) -> list[dict]:
    """Every finished run of ``kind`` that ``user`` may see, oldest first, with its owner, metrics and scores.

    Each item: ``id, owner, name, records`` (the metrics stream) and ``scores``
    (:func:`scores_of` the summary). For the class comparison plot.
    """
    root = store.runs_root(runs_root)
    out = []
    for run in reversed(queue.list_runs(kind, root, user=user)):
        if run["state"] not in ("done", "cancelled"):
            continue
        records, _ = store.read_metrics_file(store.run_dir(run["id"], root))
        out.append({"id": run["id"], "owner": run["owner"], "name": run["name"], "records": records,
                    "scores": scores_of(run["summary"])})
    return out


def kinds_with_runs(runs_root=None, *, user=None) -> list[str]:
    """The job kinds that have at least one run ``user`` may see, in the registry's order."""
    from core.jobs.registry import KINDS

    root = store.runs_root(runs_root)
    present = {run["kind"] for run in queue.list_runs(None, root, user=user)}
    return [kind for kind in KINDS if kind in present]
