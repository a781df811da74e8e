"""No traceback and no server path in the browser; the traceback in the server log under a short code (issue 20)."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SECRET = "/srv/embedlab/private/runs/secret.txt"
CODE = re.compile(r"E-[0-9A-F]{6}")


def everything_shown(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "exception", "title", "header",
                 "subheader", "code", "text"):
        parts += [str(getattr(e, "value", "")) + " " + str(getattr(e, "message", "")) for e in getattr(at, kind)]
    return "\n".join(parts)


def _boom(*args, **kwargs):
    raise RuntimeError(f"cannot open {SECRET}: disk on fire")


def test_an_unexpected_error_on_a_page_shows_a_code_and_logs_the_traceback(monkeypatch, caplog):
    monkeypatch.setattr("ui.input_layer_data.walk", _boom)
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state["lang"] = "en"
    with caplog.at_level(logging.ERROR, logger="embedlab"):
        at.run()
        at.switch_page("app_pages/input_layer.py").run()
    shown = everything_shown(at)
    assert not at.exception
    assert "Traceback" not in shown and SECRET not in shown and "RuntimeError" not in shown and "disk on fire" not in shown
    codes = [CODE.search(e.value).group(0) for e in at.error if CODE.search(e.value)]
    assert len(codes) == 1 and "Something went wrong on the server" in at.error[0].value
    logged = "\n".join(r.getMessage() + "\n" + (r.exc_text or "") for r in caplog.records)
    assert codes[0] in logged and "Traceback" in logged and SECRET in logged  # the teacher finds it by the code


def test_an_error_inside_a_fragment_is_caught_there_in_chinese_too(monkeypatch, caplog, runs_root):
    """The explorer's tabs are fragments: they rerun on their own, outside the page's guard."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(4)
    words = [f"w{i}" for i in range(30)]
    kv.add_vectors(words, np.random.default_rng(0).normal(size=(30, 4)).astype(np.float32))
    run = runs_root / "word2vec-err-1"
    run.mkdir()
    kv.save_word2vec_format(str(run / "vectors.bin"), binary=True)
    (run / "config.json").write_text('{"kind": "word2vec", "name": "err", "config": {}}')
    (run / "status.json").write_text('{"state": "done", "created": "2026-01-01T00:00:00+00:00"}')
    monkeypatch.setattr("core.vectors.neighbours.neighbours", _boom)
    at = AppTest.from_file(str(Path(APP).parent / "app_pages" / "explorer.py"), default_timeout=240)
    at.session_state["lang"] = "zh"
    at.query_params["run"] = "word2vec-err-1"
    with caplog.at_level(logging.ERROR, logger="embedlab"):
        at.run()
    shown = everything_shown(at)
    assert not at.exception and SECRET not in shown and "Traceback" not in shown
    assert any("服务器出错了" in e.value and CODE.search(e.value) for e in at.error)
    assert len(at.get("plotly_chart")) >= 1  # the other tabs still drew


def test_bad_input_messages_keep_server_paths_out():
    from ui.errors import scrub

    import tempfile

    inside = str(Path(tempfile.gettempdir()) / "embedlab-x" / "runs" / ".uploads" / "0a1b.txt")
    text = scrub(f"[Errno 2] No such file or directory: '{inside}'")
    assert tempfile.gettempdir() not in text and text.endswith("'…/0a1b.txt'")


def test_a_crafted_binary_header_is_a_message_not_a_memory_error(tmp_path):
    import pytest

    from core.vectors.io import load_vectors

    crafted = tmp_path / "crafted.bin"
    crafted.write_bytes(b"1000000000 1000000\nthe " + np.zeros(4, dtype=np.float32).tobytes())
    with pytest.raises(ValueError, match="the header says 1,000,000,000 vectors of dimension 1,000,000"):
        load_vectors(crafted)
