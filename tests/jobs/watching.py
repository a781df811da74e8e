"""Following a run as a page does (status and new metrics every 50 ms), and waiting for a condition, for the
job tests."""
from __future__ import annotations

import time

import core.jobs as jobs


def watch(run_id: str, timeout: float = 30.0) -> tuple[list[str], list[int], list[dict]]:
    """Poll until ``run_id`` ends (or ``timeout``): the states it went through, in order, how many metrics
    records had arrived at each look, and every record (read by offset, as ``ui.runs`` does)."""
    seen, counts, offset, records = [], [], 0, []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = jobs.get_status(run_id)
        if not seen or seen[-1] != status["state"]:
            seen.append(status["state"])
        new, offset = jobs.read_metrics(run_id, offset)
        records += new
        counts.append(len(records))
        if status["state"] in jobs.FINAL:
            break
        time.sleep(0.05)
    return seen, counts, records


def wait_for(predicate, timeout: float = 30.0, poll: float = 0.05):
    """Poll ``predicate`` until it returns something truthy (bounded); return that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError("condition not reached in time")
