"""`benchmarks/device_check.sh --dry-run` runs every step at tiny sizes on a CPU and writes its JSON lines.

The same script runs as is on a GPU machine; this keeps it from rotting between GPU sessions.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STEPS = ["env", "word2vec", "gpu_tests", "finetune", "pretrain", "ddp"]


@pytest.mark.slow
def test_dry_run_passes_and_reports_each_step(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, PYTHON=sys.executable, EMBEDLAB_RUNS=str(tmp_path / "runs"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(["bash", "benchmarks/device_check.sh", "--dry-run", "--out", str(out)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900)
    steps = [json.loads(line) for line in (out / "steps.jsonl").read_text().splitlines()]
    assert [s["step"] for s in steps] == STEPS, done.stderr[-2000:]
    failed = {s["step"]: (out / f"{s['step']}.log").read_text()[-1500:] for s in steps
              if s["rc"] != 0 and (out / f"{s['step']}.log").exists()}
    assert done.returncode == 0 and not failed, failed or done.stderr[-2000:]

    env_line = json.loads((out / "env.jsonl").read_text().splitlines()[-1])
    assert env_line["cpus"] >= 1 and env_line["torch"]
    engines = {r.get("engine") for r in map(json.loads, (out / "word2vec.jsonl").read_text().splitlines())}
    assert {"torch", "gensim"} <= engines
    finetune = [json.loads(line) for line in (out / "finetune.jsonl").read_text().splitlines()]
    assert any(r.get("precision") == "no" and r.get("samples_per_s") for r in finetune)
    ddp = json.loads((out / "ddp.jsonl").read_text().splitlines()[-1])
    assert ddp["world_size"] == 2 and ddp["replicas_identical"] is True
