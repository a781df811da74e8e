"""Our models against transformers' own, in the same plain training loop: tokens/s of a training step.

    python benchmarks/lm_throughput.py                    # tiny preset sizes, 3 rounds of 20 timed steps
    python benchmarks/lm_throughput.py --steps 5 --rounds 1   # a quick look

Pairs, same sizes (the tiny preset: 2 layers x 128, 2 heads, feed-forward 512, 8,000-token
vocabulary, learned positions, 512 positions, dropout 0.1), same batches (seeded random
ids, 32 x 128), same plain loop (forward with labels, backward, AdamW step), one thread:

- causal LM: ``EmbedLabGPTForCausalLM`` vs ``GPT2LMHeadModel`` (next-token loss at every position);
- masked LM: ``EmbedLabBertForMaskedLM`` vs ``BertForMaskedLM`` (15% of positions labelled). Ours
  is timed twice: scoring every position as BERT's head does, and scoring only the labelled
  positions (``only_labelled=True``, what the pretraining job does).

The contenders of a pair take turns step by step (ours, theirs, ours, theirs, ...), each step
timed on its own, so both see the same machine load even on a busy shared box; one JSON line
per round (tokens over the summed step times) and a summary per pair: the median over all
steps of the per-step time ratio, overhead = 1 - ours / theirs in tokens/s.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIZES = {"vocab": 8000, "hidden": 128, "layers": 2, "heads": 2, "ff": 512, "positions": 512, "dropout": 0.1}


def emit(**record) -> None:
    print(json.dumps(record), flush=True)


def ours(kind: str):
    from core.pretrain import model as m

    s = SIZES
    config_class = m.EmbedLabGPTConfig if kind == "clm" else m.EmbedLabBertConfig
    config = config_class(vocab_size=s["vocab"], hidden_size=s["hidden"], num_hidden_layers=s["layers"],
                          num_attention_heads=s["heads"], intermediate_size=s["ff"],
                          max_position_embeddings=s["positions"], position_encoding="learned",
                          hidden_dropout_prob=s["dropout"], attention_probs_dropout_prob=s["dropout"])
    return (m.EmbedLabGPTForCausalLM if kind == "clm" else m.EmbedLabBertForMaskedLM)(config)


def theirs(kind: str):
    import transformers

    s = SIZES
    if kind == "clm":
        return transformers.GPT2LMHeadModel(transformers.GPT2Config(
            vocab_size=s["vocab"], n_embd=s["hidden"], n_layer=s["layers"], n_head=s["heads"], n_inner=s["ff"],
            n_positions=s["positions"], resid_pdrop=s["dropout"], embd_pdrop=s["dropout"], attn_pdrop=s["dropout"]))
    return transformers.BertForMaskedLM(transformers.BertConfig(
        vocab_size=s["vocab"], hidden_size=s["hidden"], num_hidden_layers=s["layers"], num_attention_heads=s["heads"],
        intermediate_size=s["ff"], max_position_embeddings=s["positions"], hidden_dropout_prob=s["dropout"],
        attention_probs_dropout_prob=s["dropout"]))


def batches(kind: str, n: int, batch: int, seq_len: int):
    import torch

    gen = torch.Generator().manual_seed(0)
    out = []
    for _ in range(n):
        ids = torch.randint(5, SIZES["vocab"], (batch, seq_len), generator=gen)
        if kind == "clm":
            out.append({"input_ids": ids, "labels": ids})
        else:
            chosen = torch.rand(ids.shape, generator=gen) < 0.15
            out.append({"input_ids": torch.where(chosen, torch.full_like(ids, 4), ids),
                        "labels": torch.where(chosen, ids, torch.full_like(ids, -100))})
    return out


def step_timer(model, **extra):
    """One step of the plain loop (forward with labels, backward, AdamW step) -> seconds, as a function of a batch."""
    import torch

    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()

    def step(batch: dict) -> float:
        start = time.perf_counter()
        loss = model(**batch, **extra).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step.last_loss = float(loss)
        return time.perf_counter() - start

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per round")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--pairs", default="clm,mlm")
    args = parser.parse_args()

    import torch
    import transformers

    transformers.logging.set_verbosity_error()
    torch.set_num_threads(args.threads)
    emit(kind="machine", threads=args.threads, python=platform.python_version(), torch=torch.__version__,
         transformers=transformers.__version__, batch=args.batch_size, seq_len=args.seq_len, **SIZES)
    for kind in args.pairs.split(","):
        data = batches(kind, args.warmup + args.steps, args.batch_size, args.seq_len)
        contenders = {"ours": (lambda: ours(kind), {}), "transformers": (lambda: theirs(kind), {})}
        if kind == "mlm":
            contenders["ours, labelled positions only"] = (lambda: ours(kind), {"only_labelled": True})
        ratios = {name: [] for name in contenders if name != "transformers"}  # per step: our time / theirs
        for rnd in range(args.rounds):
            steppers, seconds = {}, {name: 0.0 for name in contenders}
            for name, (make, extra) in contenders.items():
                torch.manual_seed(0)
                model = make()
                steppers[name] = (model, step_timer(model, **extra))
            for i, batch in enumerate(data):
                times = {name: stepper(batch) for name, (_, stepper) in steppers.items()}
                if i < args.warmup:
                    continue
                for name, took in times.items():
                    seconds[name] += took
                for name in ratios:
                    ratios[name].append(times[name] / times["transformers"])
            tokens = sum(b["input_ids"].numel() for b in data[args.warmup:])
            for name, (model, stepper) in steppers.items():
                emit(kind="round", pair=kind, model=name, cls=type(model).__name__, round=rnd,
                     parameters=sum(p.numel() for p in model.parameters()), seconds=round(seconds[name], 3),
                     tokens_per_s=round(tokens / seconds[name], 1), last_loss=round(stepper.last_loss, 3))
        tokens_per_step = args.batch_size * args.seq_len
        for name, values in ratios.items():
            ratio = statistics.median(values)
            emit(kind="summary", pair=kind, model=name, steps=len(values), median_time_ratio=round(ratio, 4),
                 overhead_pct=round(100 * (1 - 1 / ratio), 2), target_pct=5.0, tokens_per_step=tokens_per_step)

if __name__ == "__main__":
    main()
