"""Screenshot EmbedLab pages in headless Chromium, as a person would see them.

    python scripts/screenshot.py --page positional --lang zh --out /tmp/pos.png
    python scripts/screenshot.py --page explorer --query run=ID --port 8531 --wait 20

Starts ``streamlit run app.py`` on ``--port`` (unless ``--url`` points at a
running app), opens ``/<page>?lang=..`` in Debian's Chromium through
Playwright, waits until Streamlit stops running the script, and writes a
full-page PNG. Exit code 1 if the page shows a Python exception.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (so parallel test runs do not collide)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_app(port: int | None = None, env: dict | None = None):
    """Run the app on ``port`` (default: a free one) until the block ends; yields the base URL."""
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("streamlit did not start within 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_idle(page, timeout_s: float = 240.0) -> None:
    """Wait until the app is connected and no script run is in progress.

    Streamlit marks its root element with ``data-test-script-state``
    (initial -> running -> notRunning); a page with a live fragment toggles it,
    so this waits for one quiet moment, not for silence forever.
    """
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
        "[data-test-script-state='notRunning']",
        timeout=timeout_s * 1000,
    )


def shoot(url: str, out: Path, wait_s: float = 5.0, width: int = 1400, height: int = 1000) -> bool:
    """Open ``url``, wait, save a full-page PNG; False if an exception box is shown."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url)
        wait_idle(page)
        time.sleep(wait_s)
        wait_idle(page)
        # Streamlit scrolls inside its own main container, so a full-page
        # screenshot of the window stops at the viewport: grow the viewport.
        tall = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], section.main, "
            "[data-testid=stAppViewContainer]')].map(e => e.scrollHeight), 0)"
        )
        if tall > height:
            page.set_viewport_size({"width": width, "height": min(int(tall) + 40, 16000)})
            time.sleep(1.0)
            wait_idle(page)
        page.screenshot(path=str(out), full_page=True)
        ok = page.locator("[data-testid='stException']").count() == 0
        browser.close()
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="", help="url path of the page, e.g. positional")
    parser.add_argument("--lang", default="en", choices=["en", "zh"])
    parser.add_argument("--query", default="", help="extra query string, e.g. run=ID")
    parser.add_argument("--port", type=int, default=8530)
    parser.add_argument("--url", help="base URL of an app already running")
    parser.add_argument("--wait", type=float, default=5.0, help="seconds to wait after load")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    query = f"lang={args.lang}" + (f"&{args.query}" if args.query else "")

    def go(base: str) -> bool:
        return shoot(f"{base}/{args.page}?{query}", args.out, args.wait)

    if args.url:
        ok = go(args.url)
    else:
        with serve_app(args.port) as base:
            ok = go(base)
    print(f"wrote {args.out}" + ("" if ok else " (the page shows an exception)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
