"""The shipped `.streamlit/config.toml` keeps the app offline and free of developer controls.

Streamlit itself reads the file (not just tomllib), so a misspelt or retired
option name fails here instead of being ignored silently at start-up.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = ["browser.gatherUsageStats", "client.toolbarMode", "server.headless", "server.maxUploadSize",
           "logger.hideWelcomeMessage", "client.showErrorDetails", "client.disableDataExport", "runner.postScriptGC"]


def _as_streamlit_reads_it() -> dict:
    code = (
        "import json; from streamlit import config; config.get_config_options(force_reparse=True); "
        f"print(json.dumps({{k: [config.get_option(k), config.get_where_defined(k)] for k in {OPTIONS!r}}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_config_turns_statistics_off_and_hides_deploy():
    seen = _as_streamlit_reads_it()
    config_file = str(ROOT / ".streamlit" / "config.toml")
    for option in OPTIONS:
        assert seen[option][1] == config_file, f"{option} is not set by the shipped config.toml"
    assert seen["browser.gatherUsageStats"][0] is False
    assert seen["client.toolbarMode"][0] in ("viewer", "minimal")  # both hide Deploy and developer options
    assert seen["server.headless"][0] is True  # no e-mail prompt or browser launch on a server
    # headless start-up would ask a web service for the external IP to print it; offline means no such call
    assert seen["logger.hideWelcomeMessage"][0] is True
    # no traceback, exception type or server path in a browser; no CSV export that passes formulas on
    assert seen["client.showErrorDetails"][0] == "none" and seen["client.disableDataExport"][0] is True
    assert seen["runner.postScriptGC"][0] is False  # a full collection after every rerun cost seconds each


def test_upload_limit_lets_the_corpus_reader_use_its_own_limit():
    from core.text import MAX_UPLOAD_BYTES

    assert _as_streamlit_reads_it()["server.maxUploadSize"][0] * 1024**2 >= MAX_UPLOAD_BYTES


def test_no_full_garbage_collection_after_every_rerun():
    # Each live block's rerun ran gc.collect(2): ~0.5 CPU-s with torch imported, half a core per watching tab.
    seen = _as_streamlit_reads_it()
    assert seen["runner.postScriptGC"] == [False, str(ROOT / ".streamlit" / "config.toml")]
