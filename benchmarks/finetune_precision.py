"""Fine-tune throughput in fp32 against bf16 (or fp16), same model, data and settings, in one run.

    python benchmarks/finetune_precision.py --device cuda --precisions no,bf16
    python benchmarks/finetune_precision.py --device cpu --precisions no --samples 16 --max-length 32   # dry run

Runs the real runner (``core.finetune.train``: Accelerate loop, shipped MiniLM,
the shipped sentiment sample) once per precision and prints one JSON line per
run: training samples/s from the runner's own step records (the mean of its
``samples_per_s``), wall seconds of the whole run (evaluation and saving
included), peak CUDA memory, and the held-out accuracy, so speed sits beside
quality. The last line gives each precision's speed-up over the first.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def emit(**record) -> None:
    print(json.dumps(record), flush=True)


def one_run(precision: str, args) -> dict:
    import torch

    from core.finetune import train
    from core.finetune.config import FinetuneConfig

    config = FinetuneConfig(
        task="classification", train_file="sample:sentiment", epochs=args.epochs, batch_size=args.batch_size,
        max_length=args.max_length, max_train_samples=args.samples, mixed_precision=precision,
        device=args.device, early_stopping=0, seed=1,
    )
    steps: list[dict] = []
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    with tempfile.TemporaryDirectory() as run_dir:
        start = time.perf_counter()
        summary = train(config, run_dir, log=lambda record: steps.append(record) if record.get("type") == "step" else None)
        seconds = time.perf_counter() - start
    speeds = [r["samples_per_s"] for r in steps if r.get("samples_per_s")]
    return {
        "bench": "finetune_precision",
        "precision": precision,
        "device": args.device,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "samples_per_s": round(sum(speeds) / len(speeds), 1) if speeds else None,
        "seconds": round(seconds, 2),
        "cuda_peak_mb": round(torch.cuda.max_memory_allocated() / 2**20, 1) if torch.cuda.is_available() else None,
        "summary": {k: v for k, v in summary.items() if isinstance(v, (int, float, str))} if isinstance(summary, dict) else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--precisions", default="no,bf16", help="comma list of: no, fp16, bf16 (first is the peer)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--samples", type=int, default=0, help="training examples (0 = all of the sample)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=128)
    args = parser.parse_args()
    emit(bench="finetune_precision", host=platform.node(), python=platform.python_version(), cpus=os.cpu_count())
    results = [one_run(p.strip(), args) for p in args.precisions.split(",") if p.strip()]
    for result in results:
        emit(**result)
    base = results[0]["samples_per_s"]
    emit(bench="finetune_precision", compare={
        r["precision"]: round(r["samples_per_s"] / base, 2) if base and r["samples_per_s"] else None for r in results
    }, peer=results[0]["precision"])


if __name__ == "__main__":
    main()
