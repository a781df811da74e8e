"""The objective shoot-out: BERT-style and GPT-style pretraining on the same corpus, preset and token budget.

    python benchmarks/objective_shootout.py --runs /tmp/objectives          # mlm, mlm_nsp, clm + fine-tunes
    python benchmarks/objective_shootout.py --runs /tmp/o --steps 40 --cls-train 200   # quicker

Each pretraining run is the real CLI (``python -m core pretrain --objective ...``, a run
folder in ``--runs``), so the pretraining page opened with ``EMBEDLAB_RUNS=<--runs>`` shows
the same runs in its objective shoot-out (the figure in benchmarks/RESULTS.md is a
screenshot of it). A run already finished in ``--runs`` under the same name is reused.
Then each run's model is fine-tuned as the page's "fine-tune each" button does (a
fine-tune job in ``--runs``, so the page's table shows its test accuracy) on the same
seeded sample of Chinese reviews (``zh_sentiment``), scored on its whole test split, next
to TF-IDF character 1-2-grams + logistic regression on a sample of the same size: which
objective gives the better encoder for classification at this size? One JSON line per run
and per fine-tune.
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
sys.path.insert(0, str(ROOT / "benchmarks"))


def emit(record: dict) -> None:
    print(json.dumps({"bench": "objective_shootout", **record}, ensure_ascii=False), flush=True)


def finished_run(runs: Path, name: str) -> Path | None:
    for folder in sorted(runs.iterdir()) if runs.is_dir() else []:
        try:
            config = json.loads((folder / "config.json").read_text())
            state = json.loads((folder / "status.json").read_text())["state"]
        except (OSError, ValueError, KeyError):
            continue
        if config.get("name") == name and state == "done" and (folder / "train_summary.json").is_file():
            return folder
    return None


def pretrain(objective: str, args) -> dict:
    name = f"objective shoot-out · {objective} · {args.position} · {args.steps}x{args.batch_size}x{args.seq_len}"
    run_dir = finished_run(Path(args.runs), name)
    seconds = None
    if run_dir is None:
        cmd = [sys.executable, "-m", "core", "pretrain", "--corpus", args.corpus, "--language", args.language,
               "--objective", objective, "--preset", "tiny", "--position", args.position, "--steps", str(args.steps),
               "--seq-len", str(args.seq_len), "--batch-size", str(args.batch_size), "--lr", str(args.lr),
               "--eval-every", str(args.eval_every), "--eval-tokens", "20000", "--checkpoint-every", "0",
               "--log-every", "10", "--device", "cpu", "--cpu-threads", "1", "--runs", str(args.runs), "--quiet",
               "--name", name]
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
        seconds = round(time.perf_counter() - start, 1)
        if done.returncode != 0:
            return {"objective": objective, "error": done.stderr.strip()[-800:]}
        run_dir = finished_run(Path(args.runs), name)
    summary = json.loads((run_dir / "train_summary.json").read_text())
    rows = json.loads((run_dir / "extrapolation.json").read_text())["rows"]
    scores = summary.get("valid_scores") or {}
    rnd = lambda x: None if x is None else round(x, 4)  # noqa: E731
    return {"objective": objective, "run": run_dir.name, "model": str(run_dir / "model"), "position": args.position,
            "preset": "tiny", "corpus": args.corpus, "steps": summary["steps"], "tokens": summary["tokens"],
            "seq_len": args.seq_len, "parameters": summary["parameters"], "seconds": seconds,
            "train_seconds": summary["train_seconds"], "tokens_per_s": round(summary["tokens_per_s"] or 0),
            **{f"valid_{k}": rnd(v) for k, v in scores.items() if k != "predicted_tokens"},
            "accuracy_by_length": {f"{r['factor']}x": rnd(r.get("accuracy")) for r in rows}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", required=True, help="runs directory the pretraining runs are written to")
    parser.add_argument("--objectives", default="", help="comma-separated (default: every registered objective)")
    parser.add_argument("--corpus", default="dataset:peoples_daily")
    parser.add_argument("--language", default="zh")
    parser.add_argument("--position", default="rope")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--eval-every", type=int, default=100)
    parser.add_argument("--cls-train", type=int, default=4000, help="reviews to fine-tune on (seeded sample; 0 = all)")
    parser.add_argument("--ft-epochs", type=int, default=2)
    parser.add_argument("--ft-lr", type=float, default=1e-3)
    parser.add_argument("--skip-finetune", action="store_true")
    args = parser.parse_args()

    import torch

    from core.pretrain import objectives

    torch.set_num_threads(1)
    Path(args.runs).mkdir(parents=True, exist_ok=True)
    emit({"step": "setup", "threads": 1, "device": "cpu", "time": time.strftime("%Y-%m-%d %H:%M"),
          "budget_tokens": args.steps * args.batch_size * args.seq_len})
    runs = []
    for objective in (args.objectives.split(",") if args.objectives else objectives.names()):
        row = pretrain(objective, args)
        emit({"step": "pretrain", **row})
        runs.append(row)
    if args.skip_finetune:
        return
    from zh_model import subset_files, tfidf_sentiment

    folder = Path(tempfile.mkdtemp(prefix="objective_shootout_"))
    sizes = {"train": args.cls_train, "valid": 0, "test": 0}
    files = subset_files(folder, "classification", "zh_sentiment", sizes)
    label = ", ".join(f"{split} {'all' if n == 0 else f'{n:,} (seeded sample)'}" for split, n in sizes.items())
    emit(tfidf_sentiment(files, label))
    for row in runs:
        if "error" not in row:
            emit(finetune(row, args))


def finetune(row: dict, args) -> dict:
    """The page's "fine-tune each" for one run: a fine-tune job in ``--runs`` (reused when already done there)."""
    from core import jobs
    from core.finetune.config import FinetuneConfig

    name = f"objective shoot-out fine-tune · {row['objective']} · zh_sentiment · {args.cls_train}"
    run_dir = finished_run(Path(args.runs), name)
    if run_dir is None:
        config = FinetuneConfig(train_file="dataset:zh_sentiment", model=row["model"], max_train_samples=args.cls_train,
                                epochs=args.ft_epochs, batch_size=32, learning_rate=args.ft_lr, max_length=128, seed=1,
                                early_stopping=0, device="cpu")
        run_id = jobs.submit("finetune", config.to_dict(), name=name, runs_root=args.runs)
        status = jobs.wait(run_id, runs_root=args.runs)
        if status.get("state") != "done":
            return {"step": "finetune", "objective": row["objective"], "error": status.get("error") or status}
        run_dir = Path(args.runs) / run_id
    summary = json.loads((run_dir / "train_summary.json").read_text())
    scores = {k: round(v, 4) for k, v in (summary.get("scores") or {}).items() if isinstance(v, float)}
    return {"step": "finetune", "dataset": "zh_sentiment", "objective": row["objective"], "run": run_dir.name,
            "model": row["run"], "learning_rate": args.ft_lr, "epochs": args.ft_epochs, "train": summary.get("n_train"),
            "test": summary.get("n_test"), "steps": summary.get("steps"), **scores,
            "train_seconds": summary.get("train_seconds")}

if __name__ == "__main__":
    main()
