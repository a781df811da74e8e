"""The position-encoding shoot-out: the same corpus, preset and token budget for each encoding.

    python benchmarks/pretrain_shootout.py --runs /tmp/shootout                 # 5 encodings + a word2vec start
    python benchmarks/pretrain_shootout.py --positions learned,rope --steps 50  # quicker

Each run is the real CLI (``python -m core pretrain``, a run folder in ``--runs``),
so the pretraining page opened with ``EMBEDLAB_RUNS=<--runs>`` shows the same runs
in its shoot-out (the figure in benchmarks/RESULTS.md is a screenshot of it). One
JSON line per run: held-out masked-token accuracy / top-5 / loss at the end, and
the accuracy at 1x, 2x and 4x the training length (the extrapolation question of
Press et al. 2022, "Train Short, Test Long", the ALiBi paper). The learned run
started from word2vec vectors is the peer of the random start.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_run(position: str, init: str, args) -> dict:
    cmd = [sys.executable, "-m", "core", "pretrain", "--corpus", args.corpus, "--language", args.language,
           "--preset", "tiny", "--position", position, "--init-vectors", init, "--steps", str(args.steps),
           "--seq-len", str(args.seq_len), "--batch-size", str(args.batch_size), "--lr", str(args.lr),
           "--eval-every", str(args.eval_every), "--eval-tokens", "20000", "--checkpoint-every", "0",
           "--log-every", "10", "--device", "cpu", "--cpu-threads", "1", "--runs", str(args.runs), "--quiet",
           "--name", f"shoot-out {position} · {init}"]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    row = {"bench": "pretrain_shootout", "position": position, "init": init, "preset": "tiny",
           "corpus": args.corpus, "steps": args.steps, "tokens": args.steps * args.batch_size * args.seq_len,
           "seq_len": args.seq_len, "seconds": round(time.perf_counter() - start, 1)}
    if done.returncode != 0:
        return {**row, "error": done.stderr.strip()[-500:]}
    run_dir = max((p for p in Path(args.runs).iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime)
    summary = json.loads((run_dir / "train_summary.json").read_text())
    extrapolation = json.loads((run_dir / "extrapolation.json").read_text())["rows"]
    rnd = lambda x: None if x is None else round(x, 4)  # noqa: E731
    return {**row, "run": run_dir.name, "valid_loss": rnd(summary["valid_loss"]),
            "valid_accuracy": rnd(summary["valid_accuracy"]), "valid_top5": rnd(summary["valid_top5"]),
            "tokens_per_s": round(summary["tokens_per_s"] or 0),
            "accuracy_by_length": {f"{r['factor']}x": rnd(r["accuracy"]) for r in extrapolation}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", required=True, help="runs directory the runs are written to")
    parser.add_argument("--corpus", default="dataset:peoples_daily")
    parser.add_argument("--language", default="zh")
    parser.add_argument("--positions", default="learned,sinusoidal,rope,alibi,none")
    parser.add_argument("--word2vec-start", default="learned", help="encodings also run from word2vec vectors")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--seq-len", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--eval-every", type=int, default=250)
    args = parser.parse_args()
    Path(args.runs).mkdir(parents=True, exist_ok=True)
    plan = [(p, "random") for p in args.positions.split(",")]
    plan += [(p, "word2vec") for p in filter(None, args.word2vec_start.split(","))]
    for position, init in plan:
        print(json.dumps(one_run(position, init, args), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
