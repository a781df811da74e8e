"""The "word2vec" job: read a corpus, train, evaluate each epoch, save the artifacts.

Runs inside a ``core.jobs`` worker process (``core.word2vec.job:run``); the
training page and ``python -m core runs submit word2vec ...`` submit it with a
config built by :func:`build_job_config`. It writes, in the run folder
(docs/CONTRACTS.md, "Word2vec artifacts"):

- ``metrics.jsonl``: ``"step"`` records about once a second (epoch, progress,
  loss, words_per_s, lr, eta_s, ...) and one ``"eval"`` record per epoch
  (``wordsim353`` / ``simlex999`` Spearman, ``analogies`` accuracy, coverages);
- ``snapshots/epoch_001.npz`` ...: ``words`` (n,) and ``vectors`` (n, dim)
  float32 of the n <= ``snapshot_words`` most frequent words, same order
  every epoch (for the explorer's drift view);
- ``vectors.bin`` + ``vocab.txt`` (``core.vectors.io.save_run_vectors``),
  ``evaluation.json`` (``evaluate(kv, detail=True)``) and ``summary.json``.

A cancel stops training at the next batch; the vectors trained so far are
still saved and evaluated.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# How many of the most frequent words each per-epoch snapshot keeps.
SNAPSHOT_WORDS = 1000
# Minimum seconds between two "step" records (the page refreshes once a second).
STEP_EVERY_S = 1.0
ENGINES = ("torch", "gensim")
LANGUAGES = ("auto", "en", "zh")


def build_job_config(
    corpus: str,
    train: dict | None = None,
    *,
    engine: str = "torch",
    device: str = "auto",
    corpus_name: str = "",
    column: str | None = None,
    field: str | None = None,
    language: str = "auto",
    lowercase: bool = True,
    strip_punctuation: bool = True,
    evaluate_each_epoch: bool = True,
    snapshot_words: int = SNAPSHOT_WORDS,
) -> dict:
    """The config dict of a word2vec job, validated now so bad settings never reach the queue.

    ``corpus``: a sample name (``core.text.SAMPLES``) or a path; ``train``:
    ``TrainConfig`` fields (missing ones take their defaults). Raises
    ``ValueError`` with a message for the user (unknown engine, a bad
    hyperparameter, a missing file, the gensim engine on a GPU, ...).
    """
    from core.word2vec.config import TrainConfig

    config = TrainConfig.from_dict(dict(train or {}))
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}.")
    device = str(device or "auto")
    if engine == "gensim" and device not in ("auto", "cpu"):
        raise ValueError("The gensim engine runs on the CPU only; choose the torch engine to use a GPU.")
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}.")
    if not 1 <= int(snapshot_words) <= 100_000:
        raise ValueError(f"snapshot_words must be between 1 and 100000, not {snapshot_words}.")
    from core.text import SAMPLES

    if corpus not in SAMPLES:
        path = Path(corpus).expanduser()
        if not path.is_file():
            raise ValueError(f"the corpus file {corpus!r} does not exist; pick a sample or upload a file.")
        corpus = str(path.resolve())
    return {
        "corpus": corpus,
        "corpus_name": corpus_name or (corpus if corpus in SAMPLES else Path(corpus).name),
        "column": column,
        "field": field,
        "language": language,
        "lowercase": bool(lowercase),
        "strip_punctuation": bool(strip_punctuation),
        "engine": engine,
        "device": "cpu" if engine == "gensim" else device,
        "train": config.to_dict(),
        "evaluate_each_epoch": bool(evaluate_each_epoch),
        "snapshot_words": int(snapshot_words),
    }


def open_corpus(config: dict):
    """The ``core.text.Corpus`` a job config points at."""
    from core.text import read_corpus

    return read_corpus(
        config["corpus"], column=config.get("column"), field=config.get("field"),
        language=config.get("language", "auto"), lowercase=config.get("lowercase", True),
        strip_punctuation=config.get("strip_punctuation", True),
    )


def eval_record(epoch: int, scores: dict) -> dict:
    """Flatten ``core.vectors.evaluate.evaluate`` output into one "eval" metrics record."""
    record = {"type": "eval", "epoch": int(epoch)}
    for name in ("wordsim353", "simlex999"):
        part = scores.get(name) or {}
        record[name] = part.get("spearman")
        record[f"{name}_coverage"] = part.get("coverage")
    part = scores.get("analogies") or {}
    record["analogies"] = part.get("accuracy")
    record["analogies_coverage"] = part.get("coverage")
    return record


def save_snapshot(kv, words: list[str], path: Path) -> None:
    """``words`` (n,) and their ``vectors`` (n, dim) float32 as an .npz file (no pickles)."""
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    vectors = np.stack([kv[w] for w in words]).astype(np.float32) if words else np.zeros((0, kv.vector_size), np.float32)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, words=np.array(words, dtype=str), vectors=vectors)


def run(config: dict, ctx) -> None:
    """Job entry point (``core.jobs`` contract): train word2vec on ``config["corpus"]``."""
    from core.device import describe, resolve
    from core.vectors.evaluate import evaluate
    from core.vectors.io import save_run_vectors
    from core.word2vec import TrainConfig, train

    train_config = TrainConfig.from_dict(config.get("train", {}))
    engine = config.get("engine", "torch")
    device = "cpu" if engine == "gensim" else (config.get("device") or "auto")
    device_text = describe(resolve(device))
    ctx.progress(0.0, message="reading the corpus")
    corpus = open_corpus(config)
    ctx.write_log(f"corpus {corpus.name}: encoding {corpus.encoding}, language {corpus.language}; "
                  f"engine {engine} on {device_text}; {train_config}")
    started = time.monotonic()
    last_step = [0.0]
    snapshot_words: list[str] = []
    evaluate_each_epoch = config.get("evaluate_each_epoch", True)

    def on_progress(record: dict) -> None:
        now = time.monotonic()
        if now - last_step[0] < STEP_EVERY_S and record.get("progress", 0.0) < 1.0:
            return
        last_step[0] = now
        ctx.log({"type": "step", **record})
        ctx.progress(record.get("progress", 0.0), record.get("eta_s"),
                     message=f"epoch {record.get('epoch')}/{record.get('epochs')}")

    def on_epoch_end(epoch: int, kv) -> None:
        if not snapshot_words:
            snapshot_words.extend(kv.index_to_key[: int(config.get("snapshot_words", SNAPSHOT_WORDS))])
        save_snapshot(kv, snapshot_words, ctx.run_dir / "snapshots" / f"epoch_{epoch:03d}.npz")
        if evaluate_each_epoch and not ctx.should_stop():
            ctx.log(eval_record(epoch, evaluate(kv)))

    kv = train(corpus, train_config, engine=engine, device=device, on_progress=on_progress,
               should_stop=ctx.should_stop, on_epoch_end=on_epoch_end)
    seconds = time.monotonic() - started
    ctx.progress(1.0 if not ctx.should_stop() else 0.99, 0.0, message="saving the vectors")
    save_run_vectors(kv, ctx.run_dir)
    ctx.progress(1.0 if not ctx.should_stop() else 0.99, 0.0, message="evaluating the vectors")
    evaluation = evaluate(kv, detail=True)
    (ctx.run_dir / "evaluation.json").write_text(json.dumps(evaluation, ensure_ascii=False, indent=1), encoding="utf-8")
    final = eval_record(0, evaluation)
    ctx.set_summary({
        "wordsim353": final["wordsim353"], "simlex999": final["simlex999"], "analogies": final["analogies"],
        "vocab_size": len(kv.index_to_key), "vector_size": int(kv.vector_size), "engine": engine,
        "device": device_text, "corpus": config.get("corpus_name") or corpus.name,
        "language": corpus.language, "encoding": corpus.encoding, "train_seconds": round(seconds, 2),
        "cancelled": bool(ctx.should_stop()),
    })


# ---------------------------------------------------------------- corpus preview (for the page)

@dataclass
class CorpusPreview:
    """What the page shows before training: from the first ``max_tokens`` tokens of the corpus.

    ``sentences``: the first few sentences as token lists; ``counts``: word
    frequencies, most frequent first (for the Zipf plot); ``tokens``: tokens
    read; ``truncated``: True if the corpus is longer than what was read.
    """

    name: str
    encoding: str
    language: str
    sentences: list[list[str]] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)
    tokens: int = 0
    n_sentences: int = 0
    truncated: bool = False

    def token_lines(self, max_tokens: int = 30, separator: str = " | ") -> str:
        """The first sentences, one per line, tokens joined by ``separator`` (long ones cut with "…")."""
        return "\n".join(separator.join(s[:max_tokens]) + (" …" if len(s) > max_tokens else "")
                         for s in self.sentences)

    def vocab_size(self, min_count: int) -> int:
        """How many distinct words occur at least ``min_count`` times (in what was read)."""
        return sum(1 for _, count in self.counts if count >= min_count)


def preview_corpus(config: dict, *, n_sentences: int = 5, max_tokens: int = 2_000_000) -> CorpusPreview:
    """Read the head of a job's corpus (at most ``max_tokens`` tokens) for the page's preview.

    Raises ``ValueError`` (``core.text.CorpusError``) for files that cannot be used.
    """
    corpus = open_corpus(config)
    counter: Counter[str] = Counter()
    preview = CorpusPreview(corpus.name, corpus.encoding, corpus.language)
    for sentence in corpus:
        if len(preview.sentences) < n_sentences:
            preview.sentences.append(sentence)
        counter.update(sentence)
        preview.tokens += len(sentence)
        preview.n_sentences += 1
        if preview.tokens >= max_tokens:
            preview.truncated = True
            break
    if preview.tokens == 0:
        raise ValueError(f"{corpus.name} has no words after tokenizing; check the file, column or field.")
    preview.counts = counter.most_common()
    return preview


# ---------------------------------------------------------------- results (for the page and the CLI)

def probe_words(kv, n_words: int = 6, skip: int = 20) -> list[str]:
    """A few frequent but not stop-word-frequent words to show neighbours of.

    Ranks ``skip``, ``2*skip``, ``4*skip``, ... (bounded by the vocabulary),
    so the list spans frequent to mid-frequency words.
    """
    size = len(kv.index_to_key)
    words, rank = [], min(skip, max(0, size - 1))
    while len(words) < n_words and rank < size:
        words.append(kv.index_to_key[rank])
        rank = max(rank + 1, rank * 2)
    return words


def neighbours(kv, words: list[str], topn: int = 8) -> dict[str, list[tuple[str, float]]]:
    """``{word: [(neighbour, cosine), ...]}`` for the words that are in the vocabulary."""
    return {w: [(n, float(s)) for n, s in kv.most_similar(w, topn=topn)] for w in words if w in kv.key_to_index}


def neighbours_table(found: dict[str, list[tuple[str, float]]]) -> dict[str, list[str]]:
    """``{word: ["neighbour (0.83)", ...]}``: one table column per probed word."""
    return {word: [f"{n} ({s:.2f})" for n, s in near] for word, near in found.items()}


def device_choices() -> list[str]:
    """Devices a torch run can ask for here: ``auto``, ``cpu``, each ``cuda:i``, ``mps``."""
    import torch

    options = ["auto", "cpu"]
    if torch.cuda.is_available():
        options += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        options.append("mps")
    return options


EXPORTS = {
    "word2vec_text": "vectors.txt",
    "word2vec_binary": "vectors.bin",
    "projector_vectors": "projector_vectors.tsv",
    "projector_metadata": "projector_metadata.tsv",
}
PROJECTOR_LIMIT = 10_000  # the TensorBoard Projector gets slow beyond ~10k points


def export_files(run_dir: Path, kv=None) -> dict[str, Path]:
    """Download files of a finished run (made once, under ``exports/``), keyed as in :data:`EXPORTS`.

    ``vectors.bin`` is the run's own artifact; the text format and the
    Projector TSVs (at most :data:`PROJECTOR_LIMIT` most frequent words) are
    written on first request.
    """
    from core.vectors.io import load_run_vectors, save_projector_tsv, save_word2vec

    run_dir = Path(run_dir)
    out = run_dir / "exports"
    out.mkdir(exist_ok=True)
    paths = {
        "word2vec_text": out / EXPORTS["word2vec_text"],
        "word2vec_binary": run_dir / "vectors.bin",
        "projector_vectors": out / EXPORTS["projector_vectors"],
        "projector_metadata": out / EXPORTS["projector_metadata"],
    }
    if not paths["word2vec_binary"].exists():
        raise ValueError("this run has no saved vectors (it may have failed before saving).")
    if not all(p.exists() for p in paths.values()):
        kv = kv if kv is not None else load_run_vectors(run_dir)
        if not paths["word2vec_text"].exists():
            save_word2vec(kv, paths["word2vec_text"], binary=False)
        if not (paths["projector_vectors"].exists() and paths["projector_metadata"].exists()):
            save_projector_tsv(kv, paths["projector_vectors"], paths["projector_metadata"], limit=PROJECTOR_LIMIT)
    return paths
