"""Benchmark: baselines on the named classification datasets, and the MiniLM tokenizer on Chinese text.

    python benchmarks/datasets_finetune.py                    # all classification sets + the [UNK] share
    python benchmarks/datasets_finetune.py --datasets bbc_news --skip-unk

For each classification dataset (``core.datasets``): TF-IDF + logistic
regression (scikit-learn), fitted on its train split and scored on its
held-out test split (accuracy, macro F1). Word 1-2-grams for English,
character 1-2-grams for Chinese (no segmentation needed). These are the
peers a MiniLM fine-tune on the same split must beat. With ``--minilm N`` the
shipped all-MiniLM-L6-v2 is fine-tuned (``core.finetune.train``, defaults but
``--epochs``) on the first N training examples of each set, classification
and NER, and scored on the same held-out test split (accuracy and macro F1;
entity F1 for NER). The baseline sees the whole train split: on a CPU the
fine-tune gets a subset, and the JSON line says how many examples it had.

Then the share of ``[UNK]`` among the tokens the shipped all-MiniLM-L6-v2
WordPiece tokenizer gives the Chinese sentiment set's test texts: the
reason that model is not for Chinese (issue #11). One JSON line per measurement.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def read_split(path: Path) -> tuple[list[str], list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def fit_tfidf(x_train: list[str], y_train: list[str], x_test: list[str], y_test: list[str], language: str) -> dict:
    """TF-IDF + logistic regression fitted on the train texts: accuracy and macro F1 on the test texts.

    Character 1-2-grams for Chinese (no segmentation needed), word 1-2-grams otherwise.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.pipeline import make_pipeline

    if language == "zh":
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    else:
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    model = make_pipeline(vectorizer, LogisticRegression(max_iter=2000, C=10.0))
    start = time.perf_counter()
    model.fit(x_train, y_train)
    predicted = model.predict(x_test)
    return {"features": "char 1-2-grams" if language == "zh" else "word 1-2-grams",
            "accuracy": round(accuracy_score(y_test, predicted), 4),
            "macro_f1": round(f1_score(y_test, predicted, average="macro"), 4),
            "seconds": round(time.perf_counter() - start, 1)}


def tfidf_baseline(ds) -> dict:
    files = ds.files()
    x_train, y_train = read_split(files["train"])
    x_test, y_test = read_split(files["test"])
    scores = fit_tfidf(x_train, y_train, x_test, y_test, ds.language)
    majority = max(set(y_train), key=y_train.count)
    return {
        "bench": "datasets_finetune", "dataset": ds.name, "language": ds.language, "model": "tfidf+logreg",
        "features": scores["features"], "train": len(x_train), "test": len(x_test), "labels": sorted(set(y_train)),
        "accuracy": scores["accuracy"], "macro_f1": scores["macro_f1"],
        "majority_accuracy": round(sum(y == majority for y in y_test) / len(y_test), 4),
        "seconds": scores["seconds"],
    }


def unk_share(ds) -> dict:
    from core.models import load_tokenizer

    tokenizer = load_tokenizer()
    texts, _ = read_split(ds.files()["test"])
    unk = tokenizer.unk_token_id
    n_tokens = n_unk = n_chars = all_unk_texts = 0
    for text in texts:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        count = sum(i == unk for i in ids)
        n_tokens += len(ids)
        n_unk += count
        n_chars += len(text)
        all_unk_texts += bool(ids) and count == len(ids)
    return {
        "bench": "datasets_finetune", "dataset": ds.name, "tokenizer": "all-MiniLM-L6-v2 (shipped)",
        "texts": len(texts), "tokens": n_tokens, "unk_tokens": n_unk,
        "unk_share": round(n_unk / n_tokens, 4) if n_tokens else None,
        "texts_all_unk": all_unk_texts, "chars_per_token": round(n_chars / n_tokens, 2) if n_tokens else None,
        "vocab_size": tokenizer.vocab_size,
    }


def minilm_finetune(ds, n_train: int, epochs: int) -> dict:
    import tempfile

    from core.finetune import train
    from core.finetune.config import FinetuneConfig

    config = FinetuneConfig(task=ds.task, train_file=f"dataset:{ds.name}", max_train_samples=n_train, epochs=epochs,
                            seed=1)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as run_dir:
        summary = train(config, run_dir)
    return {"bench": "datasets_finetune", "dataset": ds.name, "language": ds.language, "task": ds.task,
            "model": "all-MiniLM-L6-v2 fine-tuned", "train": summary["n_train"], "test": summary["n_test"],
            "epochs": epochs, "steps": summary["steps"], "stop": summary.get("stop"),
            "scores_split": summary.get("scores_split"), **{k: round(v, 4) for k, v in summary.get("scores", {}).items()
                                                            if isinstance(v, float)},
            "seconds": round(time.perf_counter() - start, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default=None, help="comma-separated names (default: every classification set)")
    parser.add_argument("--unk-dataset", default="zh_sentiment")
    parser.add_argument("--skip-unk", action="store_true")
    parser.add_argument("--minilm", type=int, default=0, metavar="N",
                        help="also fine-tune MiniLM on N training examples of each set (0 = skip)")
    parser.add_argument("--ner", default="", help="with --minilm: NER sets to fine-tune on too (comma-separated)")
    parser.add_argument("--epochs", type=int, default=3, help="with --minilm: epochs")
    args = parser.parse_args()

    from core import datasets

    chosen = ([datasets.get(n) for n in args.datasets.split(",")] if args.datasets
              else datasets.list_datasets(task="classification"))
    for ds in chosen:
        if not ds.available():
            print(json.dumps({"bench": "datasets_finetune", "dataset": ds.name, "skipped": f"{ds.requirement} not installed"}))
            continue
        print(json.dumps(tfidf_baseline(ds), ensure_ascii=False), flush=True)
        if args.minilm:
            print(json.dumps(minilm_finetune(ds, args.minilm, args.epochs), ensure_ascii=False), flush=True)
    for name in filter(None, args.ner.split(",")):
        print(json.dumps(minilm_finetune(datasets.get(name), args.minilm or 1000, args.epochs), ensure_ascii=False),
              flush=True)
    if not args.skip_unk:
        print(json.dumps(unk_share(datasets.get(args.unk_dataset)), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
