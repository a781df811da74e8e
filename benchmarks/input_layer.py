"""Input-layer timings: our step-by-step walk vs the model's own modules, and live tokenizer training.

    python benchmarks/input_layer.py [--repeats 5]

Prints one JSON line per measurement. Peers in the same run:
- "steps" (our embeddings + first-layer attention, explicit maths) vs "model" (model.embeddings and
  encoder.layer[0] with output_attentions, eager) on sentences of 16, 128 and 512 tokens;
- BPE vs WordPiece training (``tokenizers``) on the Lee corpus at several vocabulary sizes.
Median of ``--repeats`` runs, after one warm-up.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _median_s(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import torch

    from core import input_layer as il
    from core.models import load_tokenizer

    machine = {"machine": f"{platform.machine()} {os.cpu_count()} cpu", "torch_threads": torch.get_num_threads(),
               "load_avg_1m": round(os.getloadavg()[0], 2)}
    model, tokenizer = il.load_input_model(), load_tokenizer()
    words = ("the quick brown fox jumps over the lazy dog " * 80).split()
    for seq_len in (16, 128, 512):
        ids = tokenizer(" ".join(words), truncation=True, max_length=seq_len)["input_ids"]
        text = tokenizer.decode(ids[1:-1])
        view = il.tokenize(tokenizer, text)

        def ours():
            steps = il.embedding_steps(model.embeddings, view.input_ids, view.token_type_ids)
            il.first_layer_attention(model, steps.final)

        def theirs():
            with torch.no_grad():
                x = model.embeddings(input_ids=view.input_ids[None], token_type_ids=view.token_type_ids[None])
                model.encoder.layer[0].attention.self(x, output_attentions=True)

        for name, fn in (("steps", ours), ("model", theirs)):
            print(json.dumps({"bench": "input_layer", "what": name, "seq_len": view.seq_len,
                              "median_ms": round(_median_s(fn, args.repeats) * 1000, 2), **machine}))

    lines = il.sample_lines("lee")
    for size in (300, 1000, 5000):
        for kind in ("bpe", "wordpiece"):
            config = il.SubwordConfig(kind, size)
            seconds = _median_s(lambda: il.train_subword(lines, config), args.repeats)
            print(json.dumps({"bench": "subword_train", "kind": kind, "corpus": "lee", "lines": len(lines),
                              "vocab_size": size, "median_s": round(seconds, 3), **machine}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
