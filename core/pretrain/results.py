"""What a finished pretraining run left, read for the page and the CLI: extrapolation rows, shoot-out picks."""
from __future__ import annotations

import json
from pathlib import Path

# Runs compare fairly in a shoot-out only when these settings agree.
SAME_FOR_SHOOTOUT = ("corpus", "preset", "seq_len", "steps", "batch_size")


def read_extrapolation(run_dir) -> list[dict]:
    """``extrapolation.json``'s rows (``factor, seq_len, loss, accuracy, top5, perplexity``), [] when absent or unreadable."""
    path = Path(run_dir) / "extrapolation.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("rows", []) if path.is_file() else []
    except (OSError, ValueError, AttributeError):
        return []


def comparable_runs(runs: list[dict], limit: int = 6) -> list[str]:
    """The newest finished run and the finished runs with its corpus, size, length and budget (a ready shoot-out).

    ``runs``: ``core.jobs.list_runs("pretrain")`` rows, newest first.
    """
    done = [r for r in runs if r["state"] == "done"]
    if not done:
        return []
    first = done[0]["config"]
    return [r["id"] for r in done if all(r["config"].get(k) == first.get(k) for k in SAME_FOR_SHOOTOUT)][:limit]
