"""The "word2vec" job: read a corpus, train, evaluate each epoch, save the artifacts.

Runs through ``core.jobs`` (``core.word2vec.job:run``): in a worker process
when the training page or ``python -m core runs submit word2vec`` submits it,
in the foreground when ``python -m core word2vec`` runs it
(``core.jobs.run_foreground``). Its config comes from :func:`build_job_config`.
It writes, in the run folder (docs/CONTRACTS.md, "Word2vec artifacts"):

- ``metrics.jsonl``: ``"step"`` records about once a second (epoch, progress,
  loss, words_per_s, lr, eta_s, ...) and one ``"eval"`` record per epoch
  (each benchmark's score with ``_coverage``, ``_n``, ``_total``; see
  ``core.word2vec.results.flatten``);
- ``snapshots/epoch_001.npz`` ...: ``words`` (n,) and ``vectors`` (n, dim)
  float32 of the n <= ``snapshot_words`` most frequent words, same order
  every epoch (for the explorer's drift view);
- ``vectors.bin`` + ``vocab.txt`` (``core.vectors.io.save_run_vectors``),
  ``evaluation.json`` (``evaluate(kv, detail=True)``) and ``summary.json``
  (scores with coverage, engine, device, corpus, and ``diagnosis``: the
  degenerate-vectors check of ``core.word2vec.results.diagnose``).

A cancel stops training at the next batch; the vectors trained so far are
still saved and evaluated. :func:`resource` tells ``core.jobs`` which queue a
run waits in: the engine's answer for the run's device.
"""
from __future__ import annotations

import time
from pathlib import Path

# How many of the most frequent words each per-epoch snapshot keeps.
SNAPSHOT_WORDS = 1000
# Minimum seconds between two "step" records (the page refreshes once a second).
STEP_EVERY_S = 1.0
LANGUAGES = ("auto", "en", "zh")
# Corpus sources that are names, not paths: "dataset:<name>" (core.datasets).
DATASET_PREFIX = "dataset:"


def _engine(config: dict):
    from core.word2vec import engines

    name = config.get("engine")
    return engines.get(name if name else engines.default_engine(config.get("device")))


def resource(config: dict) -> str:
    """``"cpu"`` or ``"gpu"``: the queue a word2vec run waits in, as its engine says for its device."""
    return _engine(config).resource(config.get("device") or "auto")


def config_from_options(options: dict) -> dict:
    """The config of ``python -m core runs submit word2vec --corpus ... [--engine E] --set FIELD=VALUE``.

    ``options``: ``corpus``, ``engine`` (None = the device's default),
    ``device``, ``language``, ``settings`` (``TrainConfig`` fields). Raises
    ``ValueError`` like :func:`build_job_config`, or when ``corpus`` is missing.
    """
    if not options.get("corpus"):
        raise ValueError("give --corpus (a sample name such as lee, dataset:NAME or a text file) or --config.")
    return build_job_config(options["corpus"], options.get("settings") or {}, engine=options.get("engine"),
                            device=options.get("device") or "auto", language=options.get("language") or "auto",
                            encoding=options.get("encoding") or "")


def build_job_config(
    corpus: str,
    train: dict | None = None,
    *,
    engine: str | None = None,
    device: str = "auto",
    corpus_name: str = "",
    column: str | None = None,
    field: str | None = None,
    language: str = "auto",
    lowercase: bool = True,
    strip_punctuation: bool = True,
    encoding: str = "",
    evaluate_each_epoch: bool = True,
    snapshot_words: int = SNAPSHOT_WORDS,
) -> dict:
    """The config dict of a word2vec job, validated now so bad settings never reach the queue.

    ``corpus``: a sample name (``core.text.SAMPLES``), ``"dataset:<name>"``
    (``core.datasets``) or a path; ``train``: ``TrainConfig`` fields (missing
    ones take their defaults); ``engine``: a registered engine name, None =
    the default on ``device`` (``core.word2vec.engines.default_engine``).
    Raises ``ValueError`` with a message for the user (unknown engine, naming
    the known ones; a device the engine cannot use; a bad hyperparameter; a
    missing file ...).
    """
    from core.word2vec import engines
    from core.word2vec.config import TrainConfig

    config = TrainConfig.from_dict(dict(train or {}))
    spec = engines.get(engine if engine else engines.default_engine(device))
    device = spec.check_device(device)
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}.")
    if encoding:
        from core.text.stream import check_encoding

        check_encoding(encoding)
    if not 1 <= int(snapshot_words) <= 100_000:
        raise ValueError(f"snapshot_words must be between 1 and 100000, not {snapshot_words}.")
    corpus, default_name = _resolve_corpus(corpus)
    if Path(corpus).is_absolute():  # a file (made absolute above), not a sample or dataset name
        from core.text import sniff

        sniff(corpus, column=column, field=field, encoding=encoding or None)  # an encoding it cannot tell is asked now
    return {
        "corpus": corpus,
        "corpus_name": corpus_name or default_name,
        "column": column,
        "field": field,
        "language": language,
        "lowercase": bool(lowercase),
        "strip_punctuation": bool(strip_punctuation),
        "encoding": encoding or "",
        "engine": spec.name,
        "device": device,
        "train": config.to_dict(),
        "evaluate_each_epoch": bool(evaluate_each_epoch),
        "snapshot_words": int(snapshot_words),
    }


def _resolve_corpus(corpus: str) -> tuple[str, str]:
    """(the corpus as the job reads it, the name it goes by): a sample, a named dataset or a file made absolute."""
    from core.sources import parse_source
    from core.text import SAMPLES

    source = parse_source(corpus, SAMPLES)
    if source.kind == "sample":
        return corpus, corpus
    if source.kind == "dataset":
        from core.datasets import get

        return corpus, get(source.name).title_en  # ValueError naming the known datasets
    path = Path(corpus).expanduser()
    if not path.is_file():
        raise ValueError(f"the corpus file {corpus!r} does not exist; pick a sample or upload a file.")
    return str(path.resolve()), path.name


def open_corpus(config: dict):
    """The ``core.text.Corpus`` a job config points at."""
    from core.text import read_corpus

    return read_corpus(
        config["corpus"], column=config.get("column"), field=config.get("field"),
        language=config.get("language", "auto"), lowercase=config.get("lowercase", True),
        strip_punctuation=config.get("strip_punctuation", True), encoding=config.get("encoding") or None,
        name=config.get("corpus_name") or None,  # an upload is stored under a hash: speak of it by its own name
    )


def eval_record(epoch: int, evaluation: dict) -> dict:
    """``core.vectors.evaluate.evaluate`` output as one flat "eval" metrics record (scores with coverage)."""
    from core.word2vec.results import flatten

    return {"type": "eval", "epoch": int(epoch), **flatten(evaluation)}


def save_snapshot(kv, words: list[str], path: Path) -> None:
    """``words`` (n,) and their ``vectors`` (n, dim) float32 as an .npz file (no pickles), written atomically."""
    import numpy as np

    from core.atomic import atomic_write

    vectors = np.stack([kv[w] for w in words]).astype(np.float32) if words else np.zeros((0, kv.vector_size), np.float32)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, words=np.array(words, dtype=str), vectors=vectors)

    atomic_write(path, write)


def _reading_lines(corpus) -> list[str]:
    report = getattr(corpus, "report", None)
    if report is None:
        return [f"corpus {corpus.name}: encoding {corpus.encoding}, language {corpus.language}"]
    from core.text.reader import format_report

    return format_report(report).splitlines() + [f"language: {corpus.language}"]


def run(config: dict, ctx) -> None:
    """Job entry point (``core.jobs`` contract): train word2vec on ``config["corpus"]``."""
    from core.word2vec import TrainConfig, train

    train_config = TrainConfig.from_dict(config.get("train", {}))
    spec = _engine(config)
    device = spec.check_device(config.get("device") or "auto")
    ctx.progress(0.0, message="reading the corpus")
    corpus = open_corpus(config)
    device_text = _device_text(spec, device)
    ctx.write_log(f"engine {spec.name} on {device_text}; {train_config}")
    started = time.monotonic()
    from core.training.events import EventWriter

    events = EventWriter(ctx.run_dir, x={"step": "words_done", "eval": "epoch"})  # TensorBoard's copy of the curves
    on_progress, on_epoch_end = _callbacks(config, ctx, events)
    try:
        kv = train(corpus, train_config, engine=spec.name, device=device, on_progress=on_progress,
                   should_stop=ctx.should_stop, on_epoch_end=on_epoch_end)
    finally:  # after a full pass the reading report counts what was read; shown even when training fails
        events.close()
        for line in _reading_lines(corpus):
            ctx.write_log(line)
    _finish(kv, config, ctx, spec.name, device_text, corpus, time.monotonic() - started)


def _callbacks(config: dict, ctx, events):
    """(on_progress, on_epoch_end) of a run: a step record about once a second, a snapshot and scores per epoch."""
    from core.vectors.evaluate import evaluate

    last_step = [0.0]
    snapshot_words: list[str] = []
    evaluate_each_epoch = config.get("evaluate_each_epoch", True)

    def on_progress(record: dict) -> None:
        now = time.monotonic()
        if now - last_step[0] < STEP_EVERY_S and record.get("progress", 0.0) < 1.0:
            return
        last_step[0] = now
        ctx.log({"type": "step", **record})
        events.write({"type": "step", **record})
        loss = record.get("loss")
        ctx.progress(record.get("progress", 0.0), record.get("eta_s"),
                     message=f"epoch {record.get('epoch')}/{record.get('epochs')}"
                             + (f" · loss {loss:.3f}" if loss is not None else "")
                             + f" · {record.get('words_per_s', 0):,.0f} words/s")

    def on_epoch_end(epoch: int, kv) -> None:
        if not snapshot_words:
            snapshot_words.extend(kv.index_to_key[: int(config.get("snapshot_words", SNAPSHOT_WORDS))])
        save_snapshot(kv, snapshot_words, ctx.run_dir / "snapshots" / f"epoch_{epoch:03d}.npz")
        if evaluate_each_epoch and not ctx.should_stop():
            record = eval_record(epoch, evaluate(kv))
            ctx.log(record)
            events.write({**record, "split": "evaluation"})

    return on_progress, on_epoch_end


def _finish(kv, config: dict, ctx, engine: str, device_text: str, corpus, seconds: float) -> None:
    """Save the vectors, evaluate them in full and write the summary (scores with coverage, the diagnosis)."""
    from core.atomic import atomic_write_json
    from core.vectors.evaluate import evaluate
    from core.vectors.io import save_run_vectors
    from core.word2vec import TrainConfig
    from core.word2vec.results import degenerate_advice, diagnose

    ctx.progress(1.0 if not ctx.should_stop() else 0.99, 0.0, message="saving the vectors")
    save_run_vectors(kv, ctx.run_dir)
    ctx.progress(1.0 if not ctx.should_stop() else 0.99, 0.0, message="evaluating the vectors")
    evaluation = evaluate(kv, detail=True)
    atomic_write_json(ctx.run_dir / "evaluation.json", evaluation, indent=1)
    final = eval_record(0, evaluation)
    del final["type"], final["epoch"]
    diagnosis = diagnose(kv)
    if diagnosis is not None:
        counts = kv.expandos.get("count")  # corpus counts of the kept words: about the corpus's size
        words = int(counts.sum()) if counts is not None else None
        train_config = TrainConfig.from_dict(config.get("train", {}))
        diagnosis_dict = {**diagnosis.to_dict(),
                          "advice": degenerate_advice(train_config.epochs, train_config.min_count, words)}
    ctx.set_summary({
        **final,
        "vocab_size": len(kv.index_to_key), "vector_size": int(kv.vector_size), "engine": engine,
        "device": device_text, "corpus": config.get("corpus_name") or corpus.name,
        "language": corpus.language, "encoding": corpus.encoding, "train_seconds": round(seconds, 2),
        "cancelled": bool(ctx.should_stop()),
        "diagnosis": diagnosis_dict if diagnosis is not None else None,
    })


def _device_text(spec, device: str) -> str:
    """``core.device.describe`` of the device type the engine will use."""
    from core.device import describe, resolve

    kind = spec.device_type(device)
    return describe(resolve(device if kind != "cpu" and device != "auto" else kind))
