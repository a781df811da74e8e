"""Wrong sign-in passwords and class codes, counted: after a few in a row, that door waits a while.

A door is an account name (or sign-up) together with the browser's address, so a
student guessing from one machine makes only that machine wait: the account's owner
signs in from their own. The wait doubles with every further failure, from
:data:`FIRST_WAIT_S` up to :data:`MAX_WAIT_S`, and a right answer clears the count
(the "login throttling" of the OWASP Authentication Cheat Sheet). Counts live in
``<runs>/.class/signin_failures.json`` (so every server process of the class shares
them) and are dropped a day after the last failure.
"""
from __future__ import annotations

import time

from core.classroom import state
from core.classroom.errors import ClassError

FAILURES_FILE = "signin_failures.json"
FREE_FAILURES = 5  # wrong answers in a row at one door before the first wait
FIRST_WAIT_S = 30.0
MAX_WAIT_S = 15 * 60.0
FORGET_AFTER_S = 24 * 3600.0
MAX_DOORS = 10_000  # the file stays small even if someone tries every name


def door(kind: str, name: str, client: str = "") -> str:
    """The key counted: ``kind`` ("sign_in", "sign_up"), the name tried (case-folded), the client's address."""
    return f"{kind}:{str(name or '').strip().casefold()[:64]}@{str(client or '')[:64]}"


def wait_for(failures: int) -> float:
    """Seconds to wait after ``failures`` wrong answers in a row (0 for the first :data:`FREE_FAILURES`)."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (failures - FREE_FAILURES))


def check(key: str, runs_root=None, *, now: float | None = None) -> None:
    """Raise :class:`ClassError` (``classroom.error.wait``, ``seconds``) while ``key`` must wait; else nothing."""
    now = time.time() if now is None else now
    entry = (state.read(runs_root, FAILURES_FILE, {}) or {}).get(key)
    if not isinstance(entry, dict):
        return
    left = float(entry.get("last", 0)) + wait_for(int(entry.get("failures", 0))) - now
    if left > 0:
        seconds = int(left) + 1
        raise ClassError(f"too many wrong tries; wait {seconds} s and try again (or ask your teacher).",
                         "classroom.error.wait", seconds=seconds)


def failed(key: str, runs_root=None, *, now: float | None = None) -> None:
    """Count one more wrong answer at ``key``."""
    now = time.time() if now is None else now

    def count(data: dict) -> None:
        entry = data.get(key) if isinstance(data.get(key), dict) else {}
        data[key] = {"failures": int(entry.get("failures", 0)) + 1, "last": now}

    _change(runs_root, count, now)


def succeeded(key: str, runs_root=None) -> None:
    """A right answer at ``key``: its count starts again."""
    if key in (state.read(runs_root, FAILURES_FILE, {}) or {}):
        _change(runs_root, lambda data: data.pop(key, None), time.time())


def forget_name(name: str, runs_root=None) -> None:
    """Every sign-in count for ``name`` (from any address) starts again: the teacher has reset its password."""
    prefix = door("sign_in", name).rsplit("@", 1)[0] + "@"
    if any(k.startswith(prefix) for k in (state.read(runs_root, FAILURES_FILE, {}) or {})):
        _change(runs_root, lambda data: [data.pop(k) for k in [k for k in data if k.startswith(prefix)]], time.time())


def _change(runs_root, change, now: float) -> None:
    with state.locked(runs_root):
        data = state.read(runs_root, FAILURES_FILE, {}) or {}
        data = {k: v for k, v in data.items() if isinstance(v, dict) and now - v.get("last", 0) < FORGET_AFTER_S}
        change(data)
        if len(data) > MAX_DOORS:  # keep the newest
            data = dict(sorted(data.items(), key=lambda kv: kv[1].get("last", 0))[-MAX_DOORS:])
        state.write(runs_root, FAILURES_FILE, data)
