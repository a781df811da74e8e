"""``torchrun`` / ``accelerate launch`` of the pretrain and fine-tune CLIs: two processes, one run."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TORCHRUN = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or shutil.which("torchrun")


def launch(*args, runs: Path):
    env = {**os.environ, "EMBEDLAB_RUNS": str(runs), "OMP_NUM_THREADS": "1"}
    return subprocess.run([TORCHRUN, "--standalone", "--nproc-per-node", "2", "-m", "core", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=500)


def only_run(runs: Path) -> Path:
    folders = [p for p in runs.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(folders) == 1, f"expected one run for both processes, found {[p.name for p in folders]}"
    return folders[0]


@pytest.mark.slow
@pytest.mark.skipif(TORCHRUN is None, reason="torchrun is not installed")
def test_pretrain_on_two_processes_is_one_run_reading_twice_the_tokens(tmp_path):
    runs = tmp_path / "runs"
    out = launch("pretrain", "--corpus", "zh", "--steps", "4", "--seq-len", "16", "--batch-size", "4",
                 "--vocab-size", "200", "--eval-tokens", "200", "--valid-fraction", "0.1", "--log-every", "2",
                 "--device", "cpu", "--quiet", runs=runs)
    assert out.returncode == 0, out.stderr[-3000:]
    run = only_run(runs)
    status = json.loads((run / "status.json").read_text())
    assert status["state"] == "done" and status["processes"] == 2
    assert (run / "model" / "model.safetensors").is_file()
    summary = json.loads((run / "train_summary.json").read_text())
    assert summary["tokens"] == 4 * 4 * 16 * 2  # steps x batch x seq_len x processes
    assert out.stdout.count("masked-token accuracy") == 3  # rank 0 alone prints the 1x/2x/4x lines


@pytest.mark.slow
@pytest.mark.skipif(TORCHRUN is None, reason="torchrun is not installed")
def test_finetune_on_two_processes_is_one_run_with_a_model(tmp_path):
    runs, copy = tmp_path / "runs", tmp_path / "model-copy"
    out = launch("finetune", "--train", "sample:sentiment", "--max-train-samples", "16", "--epochs", "1",
                 "--batch-size", "4", "--max-length", "32", "--device", "cpu", "--quiet", "--out", str(copy),
                 runs=runs)
    assert out.returncode == 0, out.stderr[-3000:]
    run = only_run(runs)
    status = json.loads((run / "status.json").read_text())
    assert status["state"] == "done" and status["processes"] == 2
    assert (run / "model" / "config.json").is_file() and (copy / "config.json").is_file()
    assert out.stdout.count("model saved in") == 1
