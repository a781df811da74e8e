"""Server-wide background threads: each started once per server process, however many sessions ask."""
from __future__ import annotations

import threading
from collections.abc import Callable

_STARTED: set[str] = set()
_LOCK = threading.Lock()


def start_once(name: str, target: Callable[[], None]) -> bool:
    """Run ``target`` in a daemon thread called ``name`` unless one of that name was started in this process.

    True when this call started it. Sessions call this on every page run; only the first starts a thread.
    """
    with _LOCK:
        if name in _STARTED:
            return False
        _STARTED.add(name)
    threading.Thread(target=target, name=name, daemon=True).start()
    return True
