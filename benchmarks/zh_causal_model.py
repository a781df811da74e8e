"""Benchmark: the shipped Chinese causal LM ``models/embedlab-gpt-zh`` against a bigram model, and fine-tuned.

    python benchmarks/zh_causal_model.py --corpus runs/zh_pretrain.txt              # next-token scores
    python benchmarks/zh_causal_model.py --steps finetune                            # GPT-zh and BERT-zh on reviews

One JSON line per measurement, the peers in the same run:

- ``lm``: held-out next-token accuracy (top-1, top-5) and perplexity, on the pretraining
  run's own held-out lines (every 50th line of ``core.pretrain.zh_corpus``, never trained
  on) and on the held-out People's Daily lines alone, each line ended by [SEP] as in
  training, read in blocks of 128 tokens. The peer is a bigram model counted on the
  training lines with the same tokenizer: p(w | v) = l c(v, w) / c(v) + (1 - l) p1(w),
  p1 the add-one unigram, l chosen on the last 5% of the training stream; its top-1 is
  the most frequent follower of v.
- ``finetune``: GPT-zh and BERT-zh (``models/embedlab-bert-zh``, the same tokenizer, size,
  text and recipe, masked LM) fine-tuned on the same 4,000 reviews (``zh_sentiment``), 2
  epochs, batch 32, learning rate 5e-4, scored on the whole test split.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
GPT = ROOT / "models" / "embedlab-gpt-zh"
BERT = ROOT / "models" / "embedlab-bert-zh"


def emit(record: dict) -> None:
    print(json.dumps({"bench": "zh_causal_model", **record}, ensure_ascii=False), flush=True)


class Bigram:
    """An interpolated bigram model over token ids (numpy; sparse counts, no V x V table)."""

    def __init__(self, stream, vocab_size: int, dev_share: float = 0.05):
        import numpy as np

        cut = int(len(stream) * (1 - dev_share))
        self.V = vocab_size
        self._fit(stream[:cut])
        dev = stream[cut:]
        self.lam = min((0.5, 0.7, 0.8, 0.9, 0.95, 0.99), key=lambda lam: self.cross_entropy(dev, lam))
        self._fit(stream)  # then counted on all the training text

    def _fit(self, stream) -> None:
        import numpy as np

        V = self.V
        self.unigram = (np.bincount(stream, minlength=V) + 1.0) / (len(stream) + V)
        keys, counts = np.unique(stream[:-1].astype(np.int64) * V + stream[1:], return_counts=True)
        self.keys, self.counts = keys, counts.astype(np.float64)
        self.context = np.bincount(stream[:-1], minlength=V).astype(np.float64)
        prev = keys // V
        best = np.full(V, int(np.argmax(self.unigram)), dtype=np.int64)  # unseen context: the commonest token
        order = np.lexsort((-counts, prev))  # by context, most frequent follower first
        first = np.unique(prev[order], return_index=True)[1]
        best[prev[order][first]] = keys[order][first] % V
        self.best = best

    def _pair_counts(self, prev, nxt):
        import numpy as np

        query = prev.astype(np.int64) * self.V + nxt
        at = np.searchsorted(self.keys, query)
        at = np.minimum(at, len(self.keys) - 1)
        return np.where(self.keys[at] == query, self.counts[at], 0.0)

    def cross_entropy(self, stream, lam: float | None = None) -> float:
        import numpy as np

        lam = self.lam if lam is None else lam
        prev, nxt = stream[:-1], stream[1:]
        context = self.context[prev]
        conditional = np.where(context > 0, self._pair_counts(prev, nxt) / np.maximum(context, 1), 0.0)
        p = np.where(context > 0, lam * conditional + (1 - lam) * self.unigram[nxt], self.unigram[nxt])
        return float(-np.log(p).mean())

    def scores(self, blocks) -> dict:
        """Top-1 accuracy and perplexity at the positions a causal LM predicts in ``blocks`` (n, L): 1..L-1."""
        import numpy as np

        ids = blocks.numpy()
        prev, nxt = ids[:, :-1].reshape(-1), ids[:, 1:].reshape(-1)
        accuracy = float((self.best[prev] == nxt).mean())
        context = self.context[prev]
        conditional = np.where(context > 0, self._pair_counts(prev, nxt) / np.maximum(context, 1), 0.0)
        p = np.where(context > 0, self.lam * conditional + (1 - self.lam) * self.unigram[nxt], self.unigram[nxt])
        loss = float(-np.log(p).mean())
        return {"accuracy": round(accuracy, 4), "loss": round(loss, 4), "perplexity": round(math.exp(loss), 1),
                "predicted_tokens": int(nxt.size), "lambda": self.lam}


def next_token_measures(corpus: Path, seq_len: int) -> list[dict]:
    import torch

    from core.models import load_model, load_tokenizer
    from core.pretrain import data
    from core.pretrain.objectives.clm import next_token_scores
    from core.pretrain.zh_corpus import held_out_peoples_daily

    tokenizer = load_tokenizer(GPT)
    model = load_model(GPT, "AutoModelForCausalLM").eval()
    sep = tokenizer.sep_token_id
    train_lines, valid_lines, _ = data.corpus_lines(str(corpus), language="zh", valid_fraction=0.02)
    bigram = Bigram(data.encode_stream(tokenizer, train_lines, separator=sep), len(tokenizer))
    out = []
    for text, lines in (("the run's held-out lines (2%)", valid_lines),
                        ("held-out People's Daily", held_out_peoples_daily())):
        blocks = data.make_plain_blocks(data.encode_stream(tokenizer, lines, separator=sep), seq_len)
        start = time.perf_counter()
        scores = next_token_scores(model, blocks, torch.device("cpu"))
        common = {"step": "lm", "text": text, "lines": len(lines), "seq_len": seq_len, "blocks": int(blocks.shape[0])}
        out.append({**common, "model": GPT.name, "accuracy": round(scores["accuracy"], 4),
                    "top5": round(scores["top5"], 4), "loss": round(scores["loss"], 4),
                    "perplexity": round(scores["perplexity"], 1), "predicted_tokens": scores["predicted_tokens"],
                    "seconds": round(time.perf_counter() - start, 1)})
        out.append({**common, "model": "bigram (interpolated)", **bigram.scores(blocks)})
    return out


def finetune_both(args) -> list[dict]:
    from zh_model import subset_files

    from core.finetune import train
    from core.finetune.config import FinetuneConfig

    folder = Path(tempfile.mkdtemp(prefix="zh_causal_"))
    sizes = {"train": args.cls_train, "valid": 0, "test": 0}
    files = subset_files(folder, "classification", "zh_sentiment", sizes)
    label = ", ".join(f"{split} {'all' if n == 0 else f'{n:,} (seeded sample)'}" for split, n in sizes.items())
    out = []
    for model in (GPT, BERT):
        config = FinetuneConfig(train_file=files["train"], valid_file=files["valid"], test_file=files["test"],
                                model=str(model), epochs=2, batch_size=32, learning_rate=5e-4, seed=1, max_length=128,
                                device="cpu")
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as run_dir:
            summary = train(config, run_dir)
        out.append({"step": "finetune", "dataset": "zh_sentiment", "subset": label, "model": model.name,
                    "train": summary["n_train"], "test": summary["n_test"], "steps": summary["steps"],
                    **{k: round(v, 4) for k, v in (summary.get("scores") or {}).items() if isinstance(v, float)},
                    "seconds": round(time.perf_counter() - start, 1)})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", default="lm,finetune")
    parser.add_argument("--corpus", default="", help="the pretraining corpus file (built if missing)")
    parser.add_argument("--seq-len", type=int, default=128)
    parser.add_argument("--cls-train", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    emit({"step": "setup", "threads": args.threads, "device": "cpu", "time": time.strftime("%Y-%m-%d %H:%M")})
    steps = set(args.steps.split(","))
    if "lm" in steps:
        corpus = Path(args.corpus) if args.corpus else Path(tempfile.gettempdir()) / "embedlab_zh_pretrain.txt"
        if not corpus.is_file():
            from core.pretrain.zh_corpus import build

            build(corpus)
        for row in next_token_measures(corpus, args.seq_len):
            emit(row)
    if "finetune" in steps:
        for row in finetune_both(args):
            emit(row)


if __name__ == "__main__":
    main()
