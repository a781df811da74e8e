"""Does the fine-tune page's "quick (about 2 min)" preset learn, in the time the page promised, on this machine?

    nice -n 10 python benchmarks/presets.py                      # Chinese reviews and WNUT-16, one run each
    python benchmarks/presets.py --cases wnut16 --presets full   # the model's own settings on all the data

For each case the page's own numbers are used: the data as the page reads it
(``core.finetune.inspect`` with the model's tokenizer), the preset
(``core.finetune.presets.quick``: its settings and the estimate the page shows, at
this moment's load, with a fresh runs folder so the estimate comes from the model's
size as it does for a first-time user), then a real run of those settings through
the CLI (``python -m core finetune``: a new process, as the Train button starts a
worker). One JSON line per run: settings, promised seconds, wall seconds, the test
scores, the baselines and the load average before and after.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = {
    "zh_sentiment": {"task": "classification", "train_file": "dataset:zh_sentiment", "model": "embedlab-bert-zh",
                     "goal": ("accuracy", 0.75)},
    "wnut16": {"task": "ner", "train_file": "dataset:wnut16", "model": "all-MiniLM-L6-v2", "goal": ("f1", 0.2)},
}
FLAGS = {"learning_rate": "--lr", "epochs": "--epochs", "max_length": "--max-length", "batch_size": "--batch-size",
         "max_eval_samples": "--max-eval-samples", "early_stopping": "--early-stopping",
         "max_train_samples": "--max-train-samples"}


def emit(**record) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def run_case(name: str, case: dict, runs: Path, full: bool) -> dict:
    from core.finetune import ReadOptions, inspect, presets
    from core.models import load_tokenizer

    view = inspect(case["task"], case["train_file"], ReadOptions(), tokenizer=load_tokenizer(case["model"]),
                   max_length=128)
    base = {"task": case["task"], "train_file": case["train_file"], "model": case["model"],
            "valid_fraction": 0.15, "test_fraction": 0.15}
    found = presets.quick(base, view.summary, runs_root=runs)
    settings = found["values"] if not full else {**presets.model_settings(case["model"]), "max_train_samples": 0,
                                                 "max_eval_samples": 0}
    promised = (found["plan"] if not full else found["full"]).estimate
    flags = ["--task", case["task"], "--train", case["train_file"], "--model", case["model"], "--quiet",
             "--name", f"{name} {'full' if full else 'quick'}", "--runs-dir", str(runs)]
    for field, value in settings.items():
        flags += [FLAGS[field], str(value)]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "core", "finetune", *flags], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    run_dir = sorted(runs.glob("finetune-*"), key=lambda p: p.stat().st_mtime)[-1]
    summary = json.loads((run_dir / "train_summary.json").read_text())
    metric, goal = case["goal"]
    score = (summary.get("scores") or {}).get(metric)
    return {"case": name, "preset": "full" if full else "quick", "model": case["model"], "settings": settings,
            "n_train": summary.get("n_train"), "n_test": summary.get("n_test"),
            "promised_s": round(promised.seconds, 1), "promise_basis": promised.basis, "wall_s": round(wall, 1),
            "within_promise": wall <= promised.seconds * 1.1, metric: score, "goal": goal,
            "learns_said": found["learns"], "reached_goal": score is not None and score >= goal,
            "baselines": {k: {m: v for m, v in b.items() if m in ("accuracy", "macro_f1", "f1")}
                          for k, b in (summary.get("baselines") or {}).items()},
            "samples_per_s": round(summary.get("samples_per_s") or 0.0, 1),
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="zh_sentiment,wnut16")
    parser.add_argument("--presets", default="quick", help="quick, full (the model's own settings on all the data)")
    args = parser.parse_args()
    import platform

    emit(machine=platform.processor() or platform.machine(), cores=os.cpu_count(), nice=os.nice(0),
         torch_threads=os.environ.get("OMP_NUM_THREADS", "default"))
    for name in args.cases.split(","):
        for full in [p == "full" for p in args.presets.split(",")]:
            with tempfile.TemporaryDirectory(prefix="embedlab-presets-") as tmp:
                emit(**run_case(name, CASES[name], Path(tmp), full))
    return 0


if __name__ == "__main__":
    sys.exit(main())
