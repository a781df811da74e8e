"""Masked-LM pretraining throughput: tokens/s of ``python -m core pretrain`` per precision, same corpus and preset.

    python benchmarks/pretrain_throughput.py --device cuda                 # tiny and small presets, fp32 vs bf16
    python benchmarks/pretrain_throughput.py --dry-run                     # tiny, a few steps on the CPU

Each run is the real CLI (a worker, a run folder, the Accelerate loop); one
JSON line per run gives the median of the run's own ``tokens_per_s`` step
records (warm-up steps dropped), the final loss and masked-token accuracy.
The first precision is the peer of the others.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_run(preset: str, precision: str, args, runs: Path) -> dict:
    cmd = [sys.executable, "-m", "core", "pretrain", "--corpus", args.corpus, "--preset", preset,
           "--position", args.position, "--steps", str(args.steps), "--device", args.device,
           "--mixed-precision", precision, "--log-every", "1", "--eval-every", "0", "--checkpoint-every", "0",
           "--seq-len", str(args.seq_len), "--batch-size", str(args.batch_size), "--eval-tokens", "2000",
           "--runs", str(runs), "--quiet", "--name", f"bench {preset} {precision}"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        return {"bench": "pretrain", "preset": preset, "precision": precision, "error": done.stderr.strip()[-500:]}
    run_dir = max((p for p in runs.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    steps = [r for r in map(json.loads, (run_dir / "metrics.jsonl").read_text().splitlines()) if r.get("type") == "step"]
    speeds = [r["tokens_per_s"] for r in steps[len(steps) // 4:] if r.get("tokens_per_s")]
    return {"bench": "pretrain", "preset": preset, "precision": precision, "device": args.device,
            "position": args.position, "steps": args.steps, "tokens_per_step": args.batch_size * args.seq_len,
            "tokens_per_s": round(statistics.median(speeds)) if speeds else None,
            "final_loss": steps[-1].get("loss") if steps else None, "final_accuracy": steps[-1].get("accuracy") if steps else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--presets", default="tiny,small")
    parser.add_argument("--precisions", default="no,bf16")
    parser.add_argument("--corpus", default="zh")
    parser.add_argument("--position", default="rope")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--dry-run", action="store_true", help="tiny preset, fp32, a few short steps on the CPU")
    args = parser.parse_args()
    if args.dry_run:
        args.device, args.presets, args.precisions, args.steps, args.seq_len, args.batch_size = "cpu", "tiny", "no", 4, 32, 4
    print(json.dumps({"bench": "pretrain", "cpus": os.cpu_count(), "corpus": args.corpus}), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        results = [one_run(preset, precision, args, Path(tmp))
                   for preset in args.presets.split(",") for precision in args.precisions.split(",")]
    for result in results:
        print(json.dumps(result), flush=True)
    if any("error" in r for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
