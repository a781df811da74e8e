"""Models offered by the pickers (issue 25): finished pretraining runs only, each by its own name."""
from __future__ import annotations

import json


def _pretrain_run(root, run_id: str, name: str, state: str, model_source) -> None:
    import shutil

    folder = root / run_id
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"kind": "pretrain", "name": name, "config": {},
                                                    "target": "core.pretrain.job:run", "resource": "cpu", "seq": 1}))
    (folder / "status.json").write_text(json.dumps({"state": state, "created": "2026-01-01T00:00:00+00:00",
                                                    "started": None, "finished": None, "error": None, "progress": 0.5,
                                                    "eta_s": None, "message": "", "pid": None}))
    (folder / "summary.json").write_text(json.dumps({"language": "zh", "preset": "tiny", "position_encoding": "rope"}))
    shutil.copytree(model_source, folder / "model")


def test_queued_and_running_runs_are_not_offered_and_runs_are_named_by_their_names(runs_root, tmp_path):
    from core.models import list_models
    from tests.finetune.helpers import make_tiny_model
    from ui.model_picker import model_label as _label

    tiny = make_tiny_model(tmp_path / "tiny")
    _pretrain_run(runs_root, "pretrain-20260101-000000-aaaaaa", "my Chinese BERT", "done", tiny)
    _pretrain_run(runs_root, "pretrain-20260101-000001-bbbbbb", "still training", "running", tiny)
    _pretrain_run(runs_root, "pretrain-20260101-000002-cccccc", "waiting", "queued", tiny)
    runs = [m for m in list_models(runs_root) if m.source == "run"]
    assert [m.name for m in runs] == ["pretrain-20260101-000000-aaaaaa"]
    label = _label(runs[0].to_dict(), runs[0].name)
    assert "my Chinese BERT" in label and "pretrain-2026" not in label
