"""Server housekeeping: the memory of uploads goes back when the visitor has gone.

Streamlit keeps every uploaded file in memory, per session, until that
session shuts down. A closed tab's session is kept ``server.disconnectedSessionTTL``
seconds for a reconnect and then dropped from its store, but not shut down
(streamlit/streamlit#12506), so its uploads stay in memory for the life of
the server: eight 64 MiB bodies sent by a script took the server from 677 to
1,192 MiB for good (issue 20). And nothing stops one live session from
sending upload after upload that no file widget asked for.

A daemon thread (``start()``, called by ``app.py``, once per process) wakes every
``PERIOD_S`` seconds and:

- removes the uploads of sessions the server no longer knows (closed, expired);
- keeps at most ``SESSION_UPLOADS_X`` times the upload limit per live session (the
  newest files stay: a person's current uploads);
- then asks the C allocator to give freed memory back to the system
  (glibc ``malloc_trim``), so the RSS a teacher watches comes down too.

It reads Streamlit's runtime (pinned in requirements.txt) defensively: if an
internal it needs is not there, it logs once and does nothing.
"""
from __future__ import annotations

import ctypes
import logging
import os
import time

PERIOD_S = float(os.environ.get("EMBEDLAB_JANITOR_S", "15"))  # how often it looks (tests: less)
SESSION_UPLOADS_X = 3  # a live session may hold this many times the upload limit (train + input layer + explorer)

LOG = logging.getLogger("embedlab")


def _trim() -> None:
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc (macOS, musl): the allocator keeps its own policy


def sweep() -> dict:
    """One round of housekeeping; returns ``{"orphaned_sessions", "capped_files", "freed_bytes"}``."""
    from streamlit import config
    from streamlit.runtime import Runtime

    if not Runtime.exists():  # AppTest, bare scripts: no server, nothing kept
        return {"orphaned_sessions": 0, "capped_files": 0, "freed_bytes": 0}
    runtime = Runtime.instance()
    manager = runtime.uploaded_file_mgr
    storage = getattr(manager, "file_storage", None)
    lock = getattr(manager, "_lock", None)
    if storage is None or lock is None:
        raise RuntimeError("this Streamlit keeps uploads somewhere else")
    known = {info.session.id for info in runtime._session_mgr.list_sessions()}  # active and kept for reconnect
    cap = SESSION_UPLOADS_X * int(config.get_option("server.maxUploadSize")) * 2**20
    orphaned, capped, freed = 0, 0, 0
    with lock:
        sessions = list(storage.items())
    for session_id, files in sessions:
        if session_id not in known:
            freed += sum(len(f.data) for f in list(files.values()))
            manager.remove_session_files(session_id)
            orphaned += 1
            continue
        records = list(files.values())
        total = sum(len(f.data) for f in records)
        for record in records:  # oldest first (insertion order): the newest uploads stay
            if total <= cap:
                break
            manager.remove_file(session_id, record.file_id)
            total -= len(record.data)
            freed += len(record.data)
            capped += 1
    if freed:
        _trim()
    return {"orphaned_sessions": orphaned, "capped_files": capped, "freed_bytes": freed}


def _loop() -> None:
    warned = False
    while True:
        time.sleep(PERIOD_S)
        try:
            result = sweep()
            if result["freed_bytes"]:
                LOG.info("uploads released: %s", result)
        except Exception as err:  # noqa: BLE001 - housekeeping must never take the server down
            if not warned:
                LOG.warning("upload housekeeping is off: %s: %s", type(err).__name__, err)
                warned = True


def start() -> None:
    """Start the housekeeping thread once per server process (a no-op after the first call)."""
    from ui.background import start_once

    start_once("embedlab-janitor", _loop)
