"""Benchmark: the torch engine against gensim on the same corpus and settings, in one run.

    python benchmarks/word2vec.py                         # enwiki sample, both engines, auto device
    python benchmarks/word2vec.py --device cuda           # on a GPU (batch 65536 by default there)
    python benchmarks/word2vec.py --corpus lee --epochs 10 --batch-sizes 4096,16384,65536

Each engine (and each torch batch size) runs in a fresh child process so peak
memory is its own. Prints one JSON line per run: words/s (corpus words x
epochs / wall time of ``train()``, vocabulary pass included), peak RSS,
CUDA peak memory on a GPU, WordSim353/SimLex-999 Spearman and analogy
accuracy with coverage; the last line compares torch with gensim.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def one_run(args) -> dict:
    import resource

    import psutil
    import torch

    from core.device import describe, resolve
    from core.text import read_corpus
    from core.vectors.evaluate import evaluate
    from core.word2vec import TrainConfig, train

    if args.threads:
        torch.set_num_threads(args.threads)
    import core.word2vec.torch_engine as torch_engine

    if args.update_rule:
        torch_engine.ROW_SCALE = args.update_rule
    corpus = read_corpus(args.corpus)
    config = TrainConfig(
        sg=not args.cbow,
        vector_size=args.vector_size,
        window=args.window,
        negative=args.negative,
        min_count=args.min_count,
        epochs=args.epochs,
        seed=args.seed,
        batch_size=args.batch_size,
    )
    device = resolve(args.device) if args.engine == "torch" else None
    if device is not None and device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    rss_before = psutil.Process().memory_info().rss
    records = []
    start = time.perf_counter()
    kv = train(corpus, config, engine=args.engine, device=device, on_progress=records.append)
    if device is not None and device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    words = records[-1]["words_total"] if records else 0
    scores = evaluate(kv)
    result = {
        "bench": "word2vec",
        "engine": args.engine,
        "corpus": args.corpus,
        "device": describe(device) if device is not None else f"cpu ({os.cpu_count()} cores, gensim workers)",
        "threads": torch.get_num_threads() if args.engine == "torch" else os.cpu_count(),
        "batch_size": config.batch_size if args.engine == "torch" else None,
        "update_rule": torch_engine.ROW_SCALE if args.engine == "torch" else None,
        "sg": config.sg,
        "epochs": config.epochs,
        "vocab": len(kv),
        "words": words,
        "seconds": round(seconds, 2),
        "words_per_s": round(words / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_mb": round(rss_before / 2**20, 1),
        "cuda_peak_mb": (
            round(torch.cuda.max_memory_allocated() / 2**20, 1) if device is not None and device.type == "cuda" else None
        ),
        "wordsim353": scores["wordsim353"]["spearman"],
        "wordsim353_coverage": scores["wordsim353"]["coverage"],
        "simlex999": scores["simlex999"]["spearman"],
        "analogies": scores["analogies"]["accuracy"],
        "analogies_coverage": scores["analogies"]["coverage"],
        "final_loss": records[-1]["loss"] if records else None,
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="enwiki")
    parser.add_argument("--engines", default="torch,gensim")
    parser.add_argument("--device", default="auto", help="torch engine device: auto, cpu, cuda, mps")
    parser.add_argument("--batch-sizes", default=None,
                        help="comma-separated torch batch sizes (default 16384 on CPU, 65536 on CUDA)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--vector-size", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--cbow", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch default)")
    parser.add_argument("--update-rule", default=None, choices=("adagrad", "sum", "mean", "sqrt", "cap"),
                        help="torch engine: how batched updates are applied (default adagrad; see RESULTS)")
    parser.add_argument("--engine", help=argparse.SUPPRESS)  # internal: run one engine in this process
    parser.add_argument("--batch-size", type=int, default=16384, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.engine:
        print(json.dumps(one_run(args)), flush=True)
        return

    from core.text import read_corpus

    read_corpus(args.corpus)  # extract/cache a sample before anything is timed
    if args.batch_sizes:
        batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    else:
        from core.device import resolve

        batch_sizes = [65536 if resolve(args.device).type == "cuda" else 16384]
    passthrough = [
        "--corpus", args.corpus, "--device", args.device, "--epochs", str(args.epochs),
        "--vector-size", str(args.vector_size), "--window", str(args.window), "--negative", str(args.negative),
        "--min-count", str(args.min_count), "--seed", str(args.seed), "--threads", str(args.threads),
    ] + (["--cbow"] if args.cbow else []) + (["--update-rule", args.update_rule] if args.update_rule else [])
    results = []
    for engine in args.engines.split(","):
        for batch in batch_sizes if engine == "torch" else [batch_sizes[0]]:
            cmd = [sys.executable, __file__, "--engine", engine, "--batch-size", str(batch)] + passthrough
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(json.dumps({"bench": "word2vec", "engine": engine, "error": out.stderr.strip()[-500:]}))
                continue
            line = out.stdout.strip().splitlines()[-1]
            print(line, flush=True)
            results.append(json.loads(line))
    gensim = next((r for r in results if r["engine"] == "gensim"), None)
    for torch_run in (r for r in results if r["engine"] == "torch"):
        if gensim is None:
            break
        diff = lambda key: None if torch_run[key] is None or gensim[key] is None else round(torch_run[key] - gensim[key], 4)  # noqa: E731
        print(json.dumps({
            "bench": "word2vec",
            "ratio": "torch/gensim",
            "batch_size": torch_run["batch_size"],
            "device": torch_run["device"],
            "words_per_s_ratio": round(torch_run["words_per_s"] / gensim["words_per_s"], 3),
            "wordsim353_diff": diff("wordsim353"),
            "simlex999_diff": diff("simlex999"),
            "analogies_diff": diff("analogies"),
            "machine": platform.machine(),
        }), flush=True)


if __name__ == "__main__":
    main()
