"""``python -m core pretrain`` and ``python -m core models``: help, bad input, the JSON a script reads."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300)


def test_pretrain_help_lists_the_encodings_presets_and_field_help():
    out = cli("pretrain", "--help")
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert "{learned,sinusoidal,rope,alibi,none}" in text and "{tiny,mini,small}" in text
    assert "--init-vectors {random,word2vec}" in text and "--resume" in text
    assert "attention costs grow with its square" in text  # a field comment is the help text


def test_bad_input_is_one_line_and_exit_code_2(tmp_path):
    out = cli("pretrain", "--corpus", str(tmp_path / "missing.txt"), "--runs", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "neither a sample" in out.stderr
    out = cli("pretrain", "--corpus", "zh", "--seq-len", "4", "--runs", str(tmp_path))
    assert out.returncode == 2 and "seq_len must be between 8 and 2048" in out.stderr


def test_pretrain_runs_a_job_and_models_lists_it(tmp_path):
    import os

    runs, out_dir = tmp_path / "runs", tmp_path / "model-out"
    env = {**os.environ, "EMBEDLAB_RUNS": str(runs)}
    out = cli("pretrain", "--corpus", "zh", "--position", "sinusoidal", "--steps", "4", "--seq-len", "16",
              "--batch-size", "4", "--vocab-size", "200", "--eval-tokens", "200", "--valid-fraction", "0.1",
              "--log-every", "2", "--device", "cpu", "--out", str(out_dir), "--quiet", env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "masked-token accuracy" in out.stdout and (out_dir / "model.safetensors").is_file()
    listed = cli("models", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    models = json.loads(listed.stdout)
    for model in models:
        assert {"name", "path", "language", "mlm_head", "position_encoding", "parameters"} <= set(model)
    runs_listed = [m for m in models if m["source"] == "run"]
    assert len(runs_listed) == 1 and runs_listed[0]["position_encoding"] == "sinusoidal"
    assert runs_listed[0]["mlm_head"] is True and runs_listed[0]["language"] == "zh"
    assert models[0]["name"] == "all-MiniLM-L6-v2" and models[0]["mlm_head"] is False


def test_pretrain_objective_flag_and_models_json_gives_each_models_objective(tmp_path):
    import os

    from core.pretrain import objectives

    text = " ".join(cli("pretrain", "--help").stdout.split())
    assert "--objective {" + ",".join(objectives.names()) + "}" in text
    out = cli("pretrain", "--objective", "span", "--runs", str(tmp_path))
    assert out.returncode == 2 and "invalid choice: 'span'" in out.stderr
    runs = tmp_path / "runs"
    env = {**os.environ, "EMBEDLAB_RUNS": str(runs)}
    out = cli("pretrain", "--corpus", "zh", "--objective", "clm", "--steps", "4", "--seq-len", "16", "--batch-size", "4",
              "--vocab-size", "200", "--eval-tokens", "200", "--valid-fraction", "0.1", "--log-every", "2",
              "--device", "cpu", "--quiet", env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "next-token accuracy" in out.stdout and "masked-token" not in out.stdout
    models = {m["name"]: m for m in json.loads(cli("models", "--json", env=env).stdout)}
    run = next(m for m in models.values() if m["source"] == "run")
    assert (run["objective"], run["mlm_head"]) == ("clm", False)
    assert models["embedlab-bert-zh"]["objective"] == "mlm" and models["all-MiniLM-L6-v2"]["objective"] == ""
