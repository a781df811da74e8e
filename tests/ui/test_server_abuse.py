"""A hostile script against a real server (127.0.0.1 only): upload bodies it did not ask for (issue 20).

The app runs as ``streamlit run app.py``; ``benchmarks/wsclient.py`` speaks Streamlit's
websocket protocol the way a browser does. Memory itself is measured in
``benchmarks/abuse.py`` (RSS is for benchmarks, not for tests); here the server's
own count of held upload bytes (``/_stcore/metrics``) must go back to zero.
"""
from __future__ import annotations

import asyncio
import re
import time

import pytest

from scripts.screenshot import serve_app

pytestmark = pytest.mark.timeout(300)


def held_upload_bytes(session) -> int:
    status, body = session.http("GET", "/_stcore/metrics")
    assert status == 200
    found = re.findall(r'cache_memory_bytes\{[^}]*cache_type="UploadedFileManager"[^}]*\} (\d+)', body.decode())
    return sum(int(x) for x in found)


def test_uploads_beyond_the_limit_are_refused_and_an_absent_visitors_uploads_are_released(tmp_path):
    from benchmarks.wsclient import Session

    env = {"EMBEDLAB_RUNS": str(tmp_path / "runs"), "EMBEDLAB_WARM_PAGES": "0", "EMBEDLAB_JANITOR_S": "1",
           "STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "2", "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "1"}

    async def scenario(url: str) -> dict:
        tab = Session(url, timeout_s=120)
        await tab.open("", "")
        path = f"/_stcore/upload_file/{tab.session_id}"
        too_big = await tab.put_file(f"{path}/big", "big.txt", b"x" * (3 * 2**20))
        junk = [await tab.put_file(f"{path}/junk-{i}", f"junk{i}.txt", b"y" * 2**20) for i in range(3)]
        held_while_open = held_upload_bytes(tab)
        await tab.close()
        watcher = Session(url, timeout_s=120)
        await watcher.open("", "")  # a page run starts the housekeeping (it does anyway on the first visit)
        deadline = time.time() + 60
        while time.time() < deadline and held_upload_bytes(watcher) > 0:
            await asyncio.sleep(1)
        result = {"too_big": too_big, "junk": junk, "held_while_open": held_while_open,
                  "held_after": held_upload_bytes(watcher)}
        await watcher.close()
        return result

    with serve_app(env=env) as url:
        result = asyncio.run(scenario(url))
    assert result["too_big"] in (0, 413)  # refused: 413, or the connection closed before the body was read
    assert result["junk"] == [204, 204, 204] and result["held_while_open"] == 3 * 2**20
    assert result["held_after"] == 0  # the closed tab's uploads left memory (Streamlit alone keeps them)


def test_in_class_mode_the_teachers_upload_limit_is_what_the_server_refuses(tmp_path):
    """No command-line limit: the app applies the class's ``upload_mb`` to the server on the first page run,
    before anyone signs in, so a visitor who never signs in is held to it too."""
    from benchmarks.wsclient import Session
    from core.classroom import ClassSettings, Limits, save_settings

    runs = tmp_path / "runs"
    runs.mkdir()
    save_settings(ClassSettings(limits=Limits(upload_mb=1)), runs)
    env = {"EMBEDLAB_RUNS": str(runs), "EMBEDLAB_WARM_PAGES": "0"}

    async def scenario(url: str) -> dict:
        tab = Session(url, timeout_s=120)
        await tab.open("", "")  # the sign-in page: not signed in
        path = f"/_stcore/upload_file/{tab.session_id}"
        result = {"over": await tab.put_file(f"{path}/over", "over.txt", b"x" * (2 * 2**20)),
                  "under": await tab.put_file(f"{path}/under", "under.txt", b"y" * (2**19))}
        await tab.close()
        return result

    with serve_app(env=env) as url:
        result = asyncio.run(scenario(url))
    assert result["over"] in (0, 413)  # over the class's 1 MiB (the shipped config allows 2 GiB)
    assert result["under"] == 204
