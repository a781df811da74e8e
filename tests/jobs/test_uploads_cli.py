"""Uploads never trust the browser's file name; the runs CLI drives the same API as the page."""
from __future__ import annotations

import io
import json

import pytest

import core.jobs as jobs
from core.cli import main
from core.jobs.uploads import save_upload


def test_upload_names_come_from_the_content(runs_root):
    path = save_upload(io.BytesIO(b"hello world\n"), "../../etc/evil.sh", runs_root)
    assert path.parent == runs_root / ".uploads" and path.suffix == ".txt"
    assert path.read_bytes() == b"hello world\n"
    same = save_upload(io.BytesIO(b"hello world\n"), "other name.CSV", runs_root)
    assert same.stem == path.stem and same.suffix == ".csv"
    with pytest.raises(ValueError, match="larger than the limit"):
        save_upload(io.BytesIO(b"x" * 100), "big.txt", runs_root, max_bytes=10)
    with pytest.raises(ValueError, match="empty"):
        save_upload(io.BytesIO(b""), "empty.txt", runs_root)
    assert sorted(p.name for p in (runs_root / ".uploads").iterdir()) == sorted([path.name, same.name])


def test_cli_submit_wait_list_show_metrics_delete(jobs_root, tmp_path, capsys):
    config = tmp_path / "job.json"
    config.write_text(json.dumps({"device": "cpu", "steps": 3, "every": 0.01}))
    assert main(["runs", "submit", "t_stream", "--config", str(config), "--name", "from cli", "--wait"]) == 0
    run_id = capsys.readouterr().out.strip()
    assert jobs.get_status(run_id)["state"] == "done"
    assert main(["runs", "list"]) == 0
    out = capsys.readouterr().out
    assert run_id in out and "done" in out and "from cli" in out
    assert main(["runs", "show", run_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"]["state"] == "done"
    assert main(["runs", "metrics", run_id]) == 0
    assert [json.loads(line)["step"] for line in capsys.readouterr().out.splitlines()] == [0, 1, 2]
    assert main(["runs", "delete", run_id]) == 0
    assert not (jobs_root / run_id).exists()


def test_cli_errors_are_one_line(jobs_root, tmp_path, capsys):
    assert main(["runs", "show", "../etc"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "not a valid run id" in err and "Traceback" not in err
    assert main(["runs", "submit", "word2vec", "--corpus", "lee", "--set", "window=0"]) == 2
    assert "window must be between" in capsys.readouterr().err
    config = tmp_path / "job.json"
    config.write_text("{}")
    assert main(["runs", "submit", "nope", "--config", str(config)]) == 2
    assert "unknown job kind" in capsys.readouterr().err
    assert jobs.list_runs() == []
