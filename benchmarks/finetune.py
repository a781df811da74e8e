"""Fine-tune benchmark: our Accelerate runner vs a plain PyTorch loop, and accuracy on the shipped sentiment data.

    python benchmarks/finetune.py                     # throughput (2 reps each) + one accuracy run
    python benchmarks/finetune.py --skip-accuracy --reps 3 --threads 2

Prints one JSON line per measurement. Throughput is samples/s over the training steps only
(the runner's own evaluation and checkpoint time is reported separately), same model
(shipped MiniLM), same data, batch size, max_length, optimizer and schedule; the two loops
alternate so both see the same machine load.
"""
from __future__ import annotations

import argparse
import json
import math
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


def plain_loop(config) -> dict:
    """The peer: a hand-written PyTorch loop with the same data, model, optimizer and schedule."""
    import torch
    import transformers
    from torch.utils.data import DataLoader

    from core.finetune.trainer import prepare
    from core.models import load_model, load_tokenizer

    transformers.logging.set_verbosity_error()
    parts = prepare(config)
    task, labels = parts["task"], parts["labels"]
    label2id = {lab: i for i, lab in enumerate(labels)}
    tokenizer = load_tokenizer(config.model)
    torch.manual_seed(config.seed)
    model = load_model(config.model, task.head, num_labels=len(labels))
    features = task.encode(tokenizer, parts["train"], label2id, config.max_length).features
    loader = DataLoader(features, batch_size=config.batch_size, shuffle=True,
                        collate_fn=task.collator(tokenizer),
                        generator=torch.Generator().manual_seed(config.seed))
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    total = len(loader) * config.epochs
    scheduler = transformers.get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total), total)
    model.train()
    samples, start, start_cpu = 0, time.perf_counter(), time.process_time()
    for _ in range(config.epochs):
        for batch in loader:
            loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            samples += batch["input_ids"].shape[0]
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return {"samples": samples, "seconds": seconds, "samples_per_s": samples / seconds, "cpu_s": cpu,
            "samples_per_cpu_s": samples / cpu, "last_loss": float(loss)}


def ours(config, out: Path) -> dict:
    from core.finetune.trainer import train

    start = time.perf_counter()
    summary = train(config, out)
    wall = time.perf_counter() - start
    timing = summary["timing"]
    return {"samples": timing["train_samples"], "seconds": timing["train_s"], "samples_per_s": summary["samples_per_s"],
            "cpu_s": timing["train_cpu_s"], "samples_per_cpu_s": timing["train_samples"] / timing["train_cpu_s"],
            "eval_s": timing["eval_s"], "checkpoint_s": timing["checkpoint_s"], "wall_s": wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2, help="epochs per throughput measurement")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1 is fastest on a busy box)")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--accuracy-only", action="store_true")
    args = parser.parse_args()

    import torch

    from core.device import describe, pick
    from core.finetune.config import FinetuneConfig

    torch.set_num_threads(args.threads)
    machine = {"device": describe(pick()), "threads": args.threads, "python": platform.python_version(),
               "torch": torch.__version__}
    emit(kind="machine", **machine)
    tmp = Path(tempfile.mkdtemp(prefix="ft-bench-"))
    config = FinetuneConfig(train_file="sample:sentiment", epochs=args.epochs, early_stopping=0, device="cpu",
                            log_every=5)
    runs = {"plain": [], "ours": []}
    cpu_runs = {"plain": [], "ours": []}
    for rep in range(0 if args.accuracy_only else args.reps):
        for name in ("plain", "ours"):
            result = plain_loop(config) if name == "plain" else ours(config, tmp / f"ours{rep}")
            runs[name].append(result["samples_per_s"])
            cpu_runs[name].append(result["samples_per_cpu_s"])
            emit(kind="throughput", loop=name, rep=rep, batch_size=config.batch_size, max_length=config.max_length,
                 epochs=config.epochs, **{k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()})
    median = lambda xs: sorted(xs)[len(xs) // 2] if len(xs) % 2 else sum(sorted(xs)[len(xs) // 2 - 1:len(xs) // 2 + 1]) / 2  # noqa: E731
    if args.accuracy_only:
        runs = cpu_runs = {"plain": [1.0], "ours": [1.0]}
    plain, our = median(runs["plain"]), median(runs["ours"])
    if not args.accuracy_only:
        emit(kind="overhead", clock="wall", plain_samples_per_s=round(plain, 3), ours_samples_per_s=round(our, 3),
             overhead_pct=round(100 * (plain - our) / plain, 2), target_pct=5.0)
    plain_cpu, our_cpu = median(cpu_runs["plain"]), median(cpu_runs["ours"])
    if not args.accuracy_only:
        emit(kind="overhead", clock="cpu", plain_samples_per_cpu_s=round(plain_cpu, 3),
             ours_samples_per_cpu_s=round(our_cpu, 3), overhead_pct=round(100 * (plain_cpu - our_cpu) / plain_cpu, 2),
             target_pct=5.0)

    if not args.skip_accuracy:
        default = FinetuneConfig(train_file="sample:sentiment", device="cpu")
        start = time.perf_counter()
        from core.finetune.trainer import train

        summary = train(default, tmp / "accuracy")
        emit(kind="accuracy", data="pang_lee_polarity.cor (200 reviews; 140 train / 30 valid / 30 test)",
             split=summary["scores_split"], **{k: round(v, 4) for k, v in summary["scores"].items()},
             best_valid_macro_f1=round(summary["best_valid"] or 0, 4), steps=summary["steps"],
             epochs=default.epochs, learning_rate=default.learning_rate, wall_s=round(time.perf_counter() - start, 1))
    if not math.isfinite(plain):
        sys.exit(1)


if __name__ == "__main__":
    main()
