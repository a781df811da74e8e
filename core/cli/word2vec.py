"""``python -m core word2vec``: train word vectors on a file or a sample, headless.

Example::

    python -m core word2vec --corpus lee --engine torch --epochs 10 --out runs/lee

Writes ``vectors.bin`` + ``vocab.txt`` (load with
``core.vectors.io.load_run_vectors``), ``vectors.txt`` (word2vec text),
``vectors.tsv`` + ``metadata.tsv`` (TensorFlow Embedding Projector),
``config.json`` and ``evaluation.json`` into ``--out``.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import fields
from pathlib import Path


def register(subparsers) -> None:
    from core.word2vec.config import TrainConfig

    parser = subparsers.add_parser(
        "word2vec",
        help="train word2vec (torch or gensim engine) on a text file or a sample corpus",
        description="Train word2vec on FILE (.txt, .csv/.tsv, .jsonl, .zip of .txt) or a sample "
        "(lee, enwiki, zh) and write the vectors and their evaluation to --out.",
    )
    parser.add_argument("--corpus", required=True, help="a file path or a sample name: lee, enwiki, zh")
    parser.add_argument("--engine", choices=("torch", "gensim"), default="torch")
    parser.add_argument("--device", default=None, help="torch engine: auto (default), cpu, cuda, mps")
    parser.add_argument("--out", required=True, help="output folder (created if missing)")
    parser.add_argument("--column", default=None, help="CSV/TSV column (name or 0-based index)")
    parser.add_argument("--field", default=None, help="JSONL field holding the text")
    parser.add_argument("--language", choices=("auto", "en", "zh"), default="auto")
    parser.add_argument("--keep-case", action="store_true", help="do not lower-case")
    parser.add_argument("--keep-punctuation", action="store_true", help="keep punctuation tokens")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    defaults = TrainConfig()
    comments = TrainConfig.help()
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        default = getattr(defaults, f.name)
        help_text = f"{comments.get(f.name, '')} (default: {default})"
        if f.name == "sg":
            parser.add_argument("--cbow", dest="sg", action="store_false", help="use CBOW instead of skip-gram")
            continue
        kind = int if isinstance(default, int) else float
        parser.add_argument(flag, dest=f.name, type=kind, default=default, help=help_text.replace("%", "%%"))
    parser.set_defaults(func=run, sg=True)


def run(args: argparse.Namespace) -> int:
    from core.text import read_corpus
    from core.vectors.evaluate import evaluate
    from core.vectors.io import save_projector_tsv, save_run_vectors, save_word2vec
    from core.word2vec import TrainConfig, train

    config = TrainConfig(**{f.name: getattr(args, f.name) for f in fields(TrainConfig)})
    column = args.column
    corpus = read_corpus(
        args.corpus,
        column=column,
        field=args.field,
        language=args.language,
        lowercase=not args.keep_case,
        strip_punctuation=not args.keep_punctuation,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"corpus {corpus.name}: {corpus.kind}, encoding {corpus.encoding}, language {corpus.language}")

    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=100.0, unit="%", desc=f"{args.engine} word2vec", dynamic_ncols=True,
                   bar_format="{l_bar}{bar}| {n:.1f}/100% [{elapsed}<{remaining}{postfix}]")

    def on_progress(record: dict) -> None:
        if bar is None:
            return
        bar.n = round(record["progress"] * 100, 1)
        loss = record["loss"]
        bar.set_postfix(
            epoch=f"{record['epoch']}/{record['epochs']}",
            words_s=f"{record['words_per_s']:,.0f}",
            loss="-" if loss is None else f"{loss:.3f}",
            lr=f"{record['lr']:.4f}",
        )

    try:
        kv = train(corpus, config, engine=args.engine, device=args.device, on_progress=on_progress)
    finally:
        if bar is not None:
            bar.close()
    save_run_vectors(kv, out)
    save_word2vec(kv, out / "vectors.txt", binary=False)
    save_projector_tsv(kv, out / "vectors.tsv", out / "metadata.tsv")
    scores = evaluate(kv)
    (out / "evaluation.json").write_text(json.dumps(scores, indent=2), encoding="utf-8")
    (out / "config.json").write_text(
        json.dumps({"kind": "word2vec", "name": corpus.name, "engine": args.engine, "config": config.to_dict()},
                   indent=2),
        encoding="utf-8",
    )
    ws, an = scores["wordsim353"], scores["analogies"]
    fmt = lambda x: "n/a" if x is None else f"{x:.3f}"  # noqa: E731
    print(
        f"{len(kv)} words x {kv.vector_size} dims -> {out}\n"
        f"WordSim353 spearman {fmt(ws['spearman'])} (coverage {ws['coverage']:.0%}), "
        f"analogies {fmt(an['accuracy'])} (coverage {an['coverage']:.0%})"
    )
    return 0
