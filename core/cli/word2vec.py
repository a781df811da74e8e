"""``python -m core word2vec``: train word vectors on a file, a sample or a dataset, headless.

Example::

    python -m core word2vec --corpus lee --epochs 10 [--engine torch] [--out vectors/lee]

The run goes through ``core.jobs`` in the foreground (``run_foreground``): it
is a run of the runs directory (``$EMBEDLAB_RUNS`` or ``./runs``) like one
started in the app, so ``python -m core runs list`` and the app's runs table
list it with its engine and scores, and the explorer opens it (``?run=ID``).
Ctrl-C stops it and keeps what was trained. ``--out`` also copies the vectors
(``vectors.bin`` + ``vocab.txt``, ``vectors.txt``, the Projector TSVs) and
``evaluation.json`` into a folder of your choice.
"""
from __future__ import annotations

import argparse
import sys


def _engine_help() -> str:
    from core.word2vec import engines

    preferred = "; ".join(f"{name} on {'/'.join(engines.get(name).preferred_on)}"
                          for name in engines.names() if engines.get(name).preferred_on)
    about = " ".join(f"{name}: {engines.get(name).description}." for name in engines.names())
    return f"word2vec engine (default: the one suited to the device: {preferred}). {about}"


def _corpus_help() -> str:
    """The --corpus help: files, samples, and each corpus dataset with its source and licence (#12)."""
    text = "a file path, a sample name (lee, enwiki, zh) or a dataset"
    try:
        from core.datasets import list_datasets
    except ImportError:
        return text
    sets = [f"dataset:{ds.name} ({ds.title_en}; {ds.language}; source: {ds.source}; licence: {ds.licence})"
            for ds in list_datasets(task="corpus")]
    return text + (": " + "; ".join(sets) if sets else "")


def _dataset_line(corpus: str) -> str | None:
    """``dataset NAME: title, N tokens; source ...; licence ...`` for a ``dataset:`` corpus, else None."""
    from core.word2vec.job import DATASET_PREFIX

    if not corpus.startswith(DATASET_PREFIX):
        return None
    from core.datasets import get

    ds = get(corpus[len(DATASET_PREFIX):])
    tokens = f", {ds.tokens:,} tokens" if getattr(ds, "tokens", None) else ""
    return f"dataset {ds.name}: {ds.title_en}{tokens}; source: {ds.source}; licence: {ds.licence}"


def register(subparsers) -> None:
    from core.word2vec import engines
    from core.word2vec.config import TrainConfig

    names = engines.names()
    parser = subparsers.add_parser(
        "word2vec",
        help=f"train word2vec ({', '.join(names)} engine) on a text file, a sample or a dataset",
        description="Train word2vec on FILE (.txt, .csv/.tsv, .jsonl, .zip of .txt), a sample (lee, enwiki, zh) "
        "or a dataset (dataset:NAME, see `python -m core datasets`), as a run of the runs directory.",
    )
    parser.add_argument("--corpus", required=True, help=_corpus_help().replace("%", "%%"))
    parser.add_argument("--engine", default=None, metavar="{" + ",".join(names) + "}",
                        help=_engine_help().replace("%", "%%"))
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:1, mps (as the engine allows)")
    parser.add_argument("--name", default="", help="display name of the run (default: the corpus name)")
    parser.add_argument("--runs-root", default=None, help="runs directory (default $EMBEDLAB_RUNS or ./runs)")
    parser.add_argument("--out", default=None, help="also copy the vectors, exports and evaluation to this folder")
    parser.add_argument("--column", default=None, help="CSV/TSV column (name or 0-based index)")
    parser.add_argument("--field", default=None, help="JSONL field holding the text")
    parser.add_argument("--language", choices=("auto", "en", "zh"), default="auto")
    parser.add_argument("--encoding", default="", metavar="NAME",
                        help="the file's text encoding (utf-8, gb18030, big5, cp932, euc_jp, cp949, utf-16 ...); "
                             "default: detect it, and stop with the candidates when it cannot be told")
    parser.add_argument("--keep-case", action="store_true", help="do not lower-case")
    parser.add_argument("--keep-punctuation", action="store_true", help="keep punctuation tokens")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    from core import settings

    settings.add_arguments(parser, TrainConfig)  # one flag per field: help, bounds and checks from the schema
    parser.add_argument("--cbow", dest="sg", action="store_false", help="use CBOW instead of skip-gram (= --no-sg)")
    parser.set_defaults(func=run, sg=True)


def engine_line(engine: str | None, device: str) -> tuple[str, str]:
    """``(engine name, one line saying why it is used and what the other engines offer)``.

    ``engine`` None means the default for ``device`` (issue #14: gensim on a
    CPU, torch on a GPU). Raises ``ValueError`` for an unknown engine.
    """
    from core.word2vec import engines

    if engine is None:
        name = engines.default_engine(device)
        why = f"the default on this machine's {engines.device_type(device)}"
    else:
        name = engines.get(engine).name
        why = "your choice"
    others = "; ".join(f"{other} offers {engines.get(other).description}"
                       for other in engines.names() if other != name)
    line = f"engine {name} ({why}): {engines.get(name).description}."
    if others:
        line += f" Other engines (--engine): {others}."
    return name, line


def run(args: argparse.Namespace) -> int:
    from core import jobs
    from core.word2vec.config import TrainConfig
    from core.word2vec.job import build_job_config
    from core.word2vec.results import degenerate_message, relevant, scores

    from core import settings

    train = settings.values_from_args(TrainConfig, args)
    engine, line = engine_line(args.engine, args.device)
    config = build_job_config(
        args.corpus, train, engine=engine, device=args.device, column=args.column, field=args.field,
        language=args.language, lowercase=not args.keep_case, strip_punctuation=not args.keep_punctuation,
        encoding=args.encoding,
    )
    print(line, flush=True)
    dataset = _dataset_line(config["corpus"])
    if dataset:
        print(dataset, flush=True)
    run_id = jobs.run_foreground("word2vec", config, name=args.name or config["corpus_name"],
                                 runs_root=args.runs_root, show_progress=not args.no_progress, user=jobs.SHELL)
    status = jobs.get_status(run_id, args.runs_root, user=jobs.SHELL)
    summary = jobs.read_summary(run_id, args.runs_root, user=jobs.SHELL)
    run_dir = jobs.run_dir(run_id, args.runs_root, user=jobs.SHELL)
    if status["state"] == "cancelled" and not summary:
        print(f"run {run_id} cancelled before training", file=sys.stderr)
        return 130
    print(f"{summary.get('vocab_size', 0):,} words x {summary.get('vector_size', 0)} dims, "
          f"{summary.get('engine')} on {summary.get('device')}, {summary.get('train_seconds', 0):.1f} s -> {run_dir}")
    print("scores (benchmarks that cover the vocabulary):")
    for score in relevant(scores(summary)):
        print(f"  - {score.benchmark}: {score.text()}")
    diagnosis = summary.get("diagnosis") or {}
    if diagnosis.get("degenerate"):
        print("warning: " + degenerate_message(diagnosis["mean_cosine"], diagnosis["neighbour_cosine"],
                                               diagnosis.get("advice")))
    if args.out:
        from core.word2vec.exports import copy_run_files

        copies = copy_run_files(run_dir, args.out)
        print(f"copied {', '.join(p.name for p in copies)} to {args.out}")
    print(f"run {run_id}: {status['state']}. See it with `python -m core runs show {run_id}`, "
          f"or in the app: /train_word2vec?run={run_id} and /explorer?run={run_id}")
    if status["state"] == "cancelled":
        print("cancelled: the vectors trained so far are saved", file=sys.stderr)
        return 130
    return 0

