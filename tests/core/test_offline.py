"""Offline means offline: a typed hub id never reaches the hub unless EMBEDLAB_ALLOW_HUB=1 (issue 20).

The hub endpoint (``HF_ENDPOINT``) is pointed at a listener on 127.0.0.1 that
counts connections; the model load runs in a fresh process, as the app and
the CLI do (huggingface_hub reads its settings when first imported).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOAD = "import core.models as m; m.load_tokenizer('someorg/model')"


@pytest.fixture
def hub():
    """A listener on 127.0.0.1 standing in for the hub: answers 404 and counts the connections it got."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    seen = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (socket.timeout, OSError):
                continue
            seen.append(conn.recv(4096))
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    stop.set()
    thread.join(2)
    server.close()


def _run(endpoint: str, **extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
                                                            "EMBEDLAB_ALLOW_HUB")}
    env.update(HF_ENDPOINT=endpoint, PYTHONPATH=str(ROOT), HF_HUB_DISABLE_TELEMETRY="1", **extra)
    return subprocess.run([sys.executable, "-c", LOAD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def test_a_hub_id_gets_a_message_and_no_request(hub):
    endpoint, seen = hub
    done = _run(endpoint)
    assert done.returncode != 0
    assert "does not download models" in done.stderr and "--local-dir model" in done.stderr
    assert seen == []  # not one connection to the hub


def test_with_the_hub_allowed_the_request_goes_out(hub):
    """The control: the same load with EMBEDLAB_ALLOW_HUB=1 does ask the (fake) hub, so the test above can fail."""
    endpoint, seen = hub
    done = _run(endpoint, EMBEDLAB_ALLOW_HUB="1")
    assert done.returncode != 0  # the fake hub has no such model
    assert seen and b"someorg/model" in b"".join(seen)


def test_the_page_says_how_to_use_a_local_folder(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv("EMBEDLAB_ALLOW_HUB", raising=False)
    at = AppTest.from_file(str(ROOT / "app_pages" / "input_layer.py"), default_timeout=240)
    at.session_state["lang"] = "zh"
    at.session_state["il_model"] = "someorg/model"
    at.run()
    assert not at.exception
    said = " ".join(e.value for e in at.error)
    assert "someorg/model" in said and "不会下载模型" in said  # in the page's language
    assert "huggingface-cli download someorg/model" in said
