"""Benchmark: the shipped Chinese model ``models/embedlab-bert-zh`` against its peers (issue #13).

    python benchmarks/zh_model.py --steps unk,mlm                       # seconds
    python benchmarks/zh_model.py --steps finetune --models zh,minilm   # a fine-tune per model and task

One JSON line per measurement, the peers of each in the same run:

- ``unk``: share of [UNK] among the tokens each tokenizer gives the held-out Chinese
  reviews (``zh_sentiment`` test split, never in the pretraining corpus).
- ``mlm``: masked-token accuracy (top-1, top-5) on held-out People's Daily lines
  (the ones the pretraining run held out, ``core.pretrain.zh_corpus``), BERT's 15%
  80/10/10 masking with the fixed evaluation seed, next to a unigram baseline that
  always guesses the most frequent tokens of the pretraining text.
- ``finetune``: each model fine-tuned (``core.finetune.train``) on ``zh_sentiment``
  (accuracy, macro F1 on its whole test split; TF-IDF character 1-2-grams + logistic
  regression as the third peer) and on ``msra_ner`` (entity F1 on its test split).
  Every model gets the same files: a seeded sample of N examples of each split (``--cls-train``,
  ``--ner-train``, ...; 0 = all), written once; the same epochs and batch; the learning
  rate per model (``--lr-zh``, ``--lr-minilm``). On a 2-core CPU MiniLM fine-tunes at
  about 7 reviews a second, so its runs use subsets; the Chinese model and TF-IDF can
  also be run on the whole training split (``--cls-train 0 --models zh``).
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ZH_MODEL = ROOT / "models" / "embedlab-bert-zh"
MODELS = {"zh": str(ZH_MODEL), "minilm": "all-MiniLM-L6-v2"}


def emit(record: dict) -> None:
    print(json.dumps({"bench": "zh_model", **record}, ensure_ascii=False), flush=True)


def unk_share(model: str) -> dict:
    from core.models import load_tokenizer
    from core.pretrain.zh_corpus import held_out_reviews

    tokenizer = load_tokenizer(model)
    texts = held_out_reviews()
    n_tokens = n_unk = 0
    for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]:
        n_tokens += len(ids)
        n_unk += sum(i == tokenizer.unk_token_id for i in ids)
    return {"step": "unk", "model": Path(model).name, "texts": len(texts), "tokens": n_tokens, "unk_tokens": n_unk,
            "unk_share": round(n_unk / n_tokens, 5), "vocab_size": len(tokenizer)}


def masked_accuracy(model_dir: Path, corpus: Path, seq_len: int, max_tokens: int) -> list[dict]:
    import numpy as np
    import torch

    from core.models import load_model, load_tokenizer
    from core.pretrain import data
    from core.pretrain.trainer import evaluate
    from core.pretrain.zh_corpus import held_out_peoples_daily

    tokenizer = load_tokenizer(model_dir)
    model = load_model(model_dir, "AutoModelForMaskedLM").eval()
    vocab = data.Vocab.of(tokenizer)
    lines = held_out_peoples_daily()
    stream = data.encode_stream(tokenizer, lines)
    blocks = data.make_blocks(stream, seq_len, vocab.cls_id, vocab.sep_id, max_tokens)
    scores = evaluate(model, blocks, vocab, 0.15, torch.device("cpu"))
    # unigram baseline: always guess the k most frequent ordinary tokens of the training text
    train_lines, _, _ = data.corpus_lines(str(corpus), language="zh", valid_fraction=0.02)
    counts = np.bincount(data.encode_stream(tokenizer, train_lines), minlength=vocab.size)
    counts[vocab.special_ids.numpy()] = 0
    top = torch.from_numpy(np.argsort(-counts)[:5].copy())
    _, labels = data.mask(blocks, vocab, 0.15, data.EVAL_MASK_SEED)
    gold = labels[labels != -100]
    base = {"accuracy": float((gold == top[0]).float().mean()), "top5": float(torch.isin(gold, top).float().mean())}
    common = {"step": "mlm", "text": "held-out People's Daily", "lines": len(lines), "seq_len": seq_len,
              "predicted_tokens": int(gold.numel())}
    return [{**common, "model": model_dir.name, "accuracy": round(scores["accuracy"], 4),
             "top5": round(scores["top5"], 4), "perplexity": round(scores["perplexity"], 1)},
            {**common, "model": "unigram frequency", "accuracy": round(base["accuracy"], 4),
             "top5": round(base["top5"], 4),
             "guesses": tokenizer.convert_ids_to_tokens(top.tolist())}]


def _sample(items: list, n: int, seed: int = 0) -> list:
    """``n`` items drawn at random (seeded), in file order; all of them when ``n`` is 0 or more than there are."""
    import random

    if not n or n >= len(items):
        return items
    return [items[i] for i in sorted(random.Random(seed).sample(range(len(items)), n))]


def subset_files(folder: Path, task: str, dataset: str, sizes: dict[str, int]) -> dict[str, str]:
    """N examples of each split of ``dataset`` (a seeded sample) written to ``folder``: the files every model gets."""
    from core import datasets
    from core.datasets import convert

    files = datasets.get(dataset).files()
    out = {}
    for split, n in sizes.items():
        path = folder / f"{dataset}-{split}{'.csv' if task == 'classification' else '.conll'}"
        if task == "classification":
            with open(files[split], encoding="utf-8", newline="") as fh:
                rows = [(r["text"], r["label"]) for r in csv.DictReader(fh)]
            convert.write_csv(path, _sample(rows, n))
        else:
            convert.write_conll(path, _sample(convert.read_token_tag(files[split]), n))
        out[split] = str(path)
    return out


def tfidf_sentiment(files: dict[str, str], label: str) -> dict:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from datasets_finetune import fit_tfidf, read_split

    (x_train, y_train), (x_test, y_test) = read_split(Path(files["train"])), read_split(Path(files["test"]))
    scores = fit_tfidf(x_train, y_train, x_test, y_test, "zh")
    return {"step": "finetune", "dataset": "zh_sentiment", "subset": label, "model": "tfidf+logreg (char 1-2-grams)",
            "train": len(x_train), "test": len(x_test), "accuracy": scores["accuracy"],
            "macro_f1": scores["macro_f1"], "seconds": scores["seconds"]}


def finetune(model_key: str, task: str, files: dict[str, str], label: str, args) -> dict:
    from core.finetune import train
    from core.finetune.config import FinetuneConfig

    lr = args.lr_zh if model_key == "zh" else args.lr_minilm
    config = FinetuneConfig(task=task, train_file=files["train"], valid_file=files["valid"], test_file=files["test"],
                            model=MODELS[model_key], epochs=args.epochs, batch_size=args.batch_size,
                            learning_rate=lr, seed=1, max_length=128)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=args.work or None) as run_dir:
        summary = train(config, run_dir)
    scores = {k: round(v, 4) for k, v in (summary.get("scores") or {}).items() if isinstance(v, float)}
    return {"step": "finetune", "dataset": "zh_sentiment" if task == "classification" else "msra_ner",
            "subset": label, "task": task, "model": Path(MODELS[model_key]).name, "learning_rate": lr,
            "epochs": args.epochs, "train": summary["n_train"], "test": summary["n_test"], "steps": summary["steps"],
            "stop": summary.get("stop"), "scores_split": summary.get("scores_split"), **scores,
            "seconds": round(time.perf_counter() - start, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", default="unk,mlm,finetune")
    parser.add_argument("--models", default="zh,minilm", help="for finetune: zh, minilm (comma-separated)")
    parser.add_argument("--tasks", default="sentiment,ner")
    parser.add_argument("--corpus", default="", help="for mlm: the pretraining corpus file (built if missing)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr-zh", type=float, default=5e-4)
    parser.add_argument("--lr-minilm", type=float, default=1e-4)
    parser.add_argument("--cls-train", type=int, default=4000, help="sentiment: N training texts (0 = all)")
    parser.add_argument("--cls-valid", type=int, default=0, help="sentiment: N validation texts (0 = all)")
    parser.add_argument("--ner-train", type=int, default=4000, help="MSRA: N training sentences (0 = all)")
    parser.add_argument("--ner-valid", type=int, default=500, help="MSRA: N validation sentences (0 = all)")
    parser.add_argument("--ner-test", type=int, default=2000, help="MSRA: N test sentences (0 = all)")
    parser.add_argument("--work", default="", help="folder for the fine-tune run folders (default: the temp folder)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = torch's default)")
    args = parser.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    steps = set(args.steps.split(","))
    emit({"step": "setup", "threads": torch.get_num_threads(), "device": "cpu",
          "time": time.strftime("%Y-%m-%d %H:%M")})
    if "unk" in steps:
        for model in (str(ZH_MODEL), "all-MiniLM-L6-v2"):
            emit(unk_share(model))
    if "mlm" in steps:
        corpus = Path(args.corpus) if args.corpus else Path(tempfile.gettempdir()) / "embedlab_zh_pretrain.txt"
        if not corpus.is_file():
            from core.pretrain.zh_corpus import build

            build(corpus)
        for row in masked_accuracy(ZH_MODEL, corpus, 128, 60_000):
            emit(row)
    if "finetune" in steps:
        folder = Path(tempfile.mkdtemp(prefix="zh_model_", dir=args.work or None))
        for task, dataset, key, sizes in (
                ("classification", "zh_sentiment", "sentiment",
                 {"train": args.cls_train, "valid": args.cls_valid, "test": 0}),
                ("ner", "msra_ner", "ner", {"train": args.ner_train, "valid": args.ner_valid, "test": args.ner_test})):
            if key not in args.tasks.split(","):
                continue
            files = subset_files(folder, task, dataset, sizes)
            label = ", ".join(f"{split} {'all' if n == 0 else f'{n:,} (seeded sample)'}" for split, n in sizes.items())
            if task == "classification":
                emit(tfidf_sentiment(files, label))
            for model_key in args.models.split(","):
                emit(finetune(model_key, task, files, label, args))


if __name__ == "__main__":
    main()
