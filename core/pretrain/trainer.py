"""Pretraining from zero on the shared training loop: corpus -> tokenizer -> model -> the objective's steps.

Reading top to bottom, :func:`train`:

1. reads the corpus (training / held-out lines, runs of consecutive text), trains a
   WordPiece tokenizer (or reuses the one of the run it resumes, or of ``tokenizer_from``),
   and lets the objective (``core.pretrain.objectives``: mlm, mlm_nsp, clm) prepare its
   data (packed blocks, sentence pairs, a stream with line ends);
2. builds the objective's model (BERT-style or GPT-style) of the preset with the chosen
   position encoding (optionally its token-embedding table from word2vec vectors trained
   on the same tokens);
3. hands model, AdamW and the schedule (``core.training.setup``) to ``core.training.Loop``
   with :class:`PretrainRecipe`: the batch of step s (seeded by s) -> the objective's loss
   and metrics; the loop logs, evaluates every ``eval_every``, checkpoints every
   ``checkpoint_every``, at the end and on cancel, and resumes;
4. saves the model with ``save_pretrained`` (safetensors) and its tokenizer in ``model/`` and
   measures the objective's held-out scores at 1x, 2x and 4x ``seq_len``
   (``extrapolation.json``; skipped on cancel).

Files in ``run_dir``: ``tokenizer/``, ``model/``, ``checkpoint/`` (accelerate state +
``trainer_state.json``), ``extrapolation.json``, ``train_summary.json``, TensorBoard events.
Resume: ``resume_from`` = a run folder with ``checkpoint/``; step s of the resumed run
draws the same batch, masks and dropout as step s of an uninterrupted run.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from core.atomic import atomic_write_json
from core.pretrain import objectives
from core.pretrain.config import PretrainConfig
from core.training import Loop, LoopSettings, Recipe, friendly_errors, make_accelerator, make_optimizer
from core.training import make_schedule, save_model
from core.training.saving import check_resumable

FACTORS = (1, 2, 4)  # extrapolation: evaluate at these multiples of the training length
OOM_MESSAGE = "out of GPU memory: lower batch_size or seq_len, or pick a smaller preset."
RESUME_HINT = "resume with the same objective, preset, position encoding and corpus"


def _noop(*args, **kwargs):
    return None


def build_model(config: PretrainConfig, tokenizer):
    """A fresh model of the config's objective (seeded) sized to the tokenizer's vocabulary."""
    return objectives.get(config.objective).build(config, tokenizer)


def count_parameters(config: PretrainConfig, vocab_size: int | None = None) -> int:
    """Parameters of the model of ``config`` (built on the meta device: no memory, no time)."""
    return objectives.get(config.objective).count_parameters(config, vocab_size)


def evaluate(model, blocks, vocab, select_prob: float, device, batch_size: int = 16) -> dict | None:
    """Masked-token scores of a masked-LM model on ``blocks`` (see ``core.pretrain.objectives.mlm.masked_scores``)."""
    from core.pretrain.objectives.mlm import masked_scores

    return masked_scores(model, blocks, vocab, select_prob, device, batch_size)


def word2vec_init(model, tokenizer, lines: list[str], seed: int, max_tokens: int = 2_000_000) -> dict:
    """Copy word2vec vectors (gensim skip-gram on the WordPiece tokens of ``lines``) into the token table.

    Each vector is scaled so the table keeps the std of the random init (``initializer_range``),
    so position information added to it is not drowned. Returns ``{"covered": rows set, "vocab": V}``.
    """
    import numpy as np
    import torch
    from gensim.models import Word2Vec

    sentences, total = [], 0
    for line in lines:
        tokens = tokenizer.tokenize(line)
        if tokens:
            sentences.append(tokens)
            total += len(tokens)
        if total >= max_tokens:
            break
    table = model.get_input_embeddings().weight
    w2v = Word2Vec(sentences, vector_size=table.shape[1], window=5, min_count=1, sg=1, epochs=5, workers=1,
                   seed=seed)
    kv = w2v.wv
    vocab = tokenizer.get_vocab()
    rows = [(i, kv[tok]) for tok, i in vocab.items() if tok in kv.key_to_index]
    if rows:
        ids = torch.tensor([i for i, _ in rows])
        vectors = torch.from_numpy(np.stack([v for _, v in rows]).astype(np.float32))
        vectors = vectors / vectors.std() * model.config.initializer_range
        with torch.no_grad():
            table[ids] = vectors.to(table.dtype)
    return {"covered": len(rows), "vocab": len(vocab)}


class PretrainRecipe(Recipe):
    """Pretraining's part of the shared loop: one stream of seeded batches, the objective's loss and scores.

    Each rank draws its own batches (rank 0's are the single-process run's), and the dropout
    of step s is seeded by s, so a resumed run repeats an uninterrupted one exactly.
    """

    epochs = None
    oom_message = OOM_MESSAGE
    resume_hint = RESUME_HINT

    def __init__(self, objective, data: dict, config: PretrainConfig, accelerator):
        self.objective, self.data, self.config, self.accelerator = objective, data, config, accelerator
        self.batch_seed = config.seed + 7_919 * accelerator.process_index
        self.nan_message = objective.nan_message

    def batches(self, epoch, skip):
        import torch

        from core.pretrain.data import step_seed

        device = self.accelerator.device
        for step in range(skip, self.config.steps):
            batch = self.objective.batch(self.data, step, self.batch_seed, self.config)
            torch.manual_seed(step_seed(self.batch_seed + 2, step))  # dropout: the same on a resumed run
            yield {k: v.to(device) for k, v in batch.items()}

    def loss(self, model, batch):
        return self.objective.loss(model, batch)

    def step_fields(self, loss, sums):
        return self.objective.step_fields(loss, sums)

    def evaluate(self, model):
        return self.objective.evaluate(self.accelerator.unwrap_model(model), self.data, self.config,
                                       self.accelerator.device)


def train(config: PretrainConfig, run_dir: str | Path, *, log: Callable[[dict], None] | None = None,
          progress: Callable[..., None] | None = None, should_stop: Callable[[], bool] | None = None) -> dict:
    """Pretrain ``config`` in ``run_dir``; returns the summary dict (also ``train_summary.json``).

    ``log(record)`` gets ``{"type": "step", step, steps, tokens, loss, accuracy, perplexity, tokens_per_s, lr,
    ...}`` (plus the objective's own fields, e.g. ``nsp_accuracy``), ``{"type": "eval", "split": "valid", step,
    loss, accuracy, top5, perplexity, ...}`` and, at the end, one ``{"type": "eval", "split": "extrapolation",
    factor, seq_len, ...}`` per length. Raises ValueError for anything a user can fix (a corpus too small,
    NaN loss, out of memory, a checkpoint that does not fit).
    """
    with friendly_errors(OOM_MESSAGE):
        return _train(config, Path(run_dir), log or _noop, progress or _noop, should_stop or (lambda: False))


def _tokenizer(config: PretrainConfig, source: Path | None, train_lines: list[str], run_dir: Path, accelerator):
    """The run's tokenizer: the resumed run's, the one of ``tokenizer_from``, or a WordPiece trained now (rank 0)."""
    import transformers

    from core.pretrain import data

    from core.models import keep_saved_normalizer

    main = accelerator.is_main_process
    tokenizer = None
    if source is not None:
        tokenizer = keep_saved_normalizer(transformers.AutoTokenizer.from_pretrained(str(source / "tokenizer")),
                                          source / "tokenizer")
    elif config.tokenizer_from:
        from core.models import load_tokenizer

        tokenizer = load_tokenizer(config.tokenizer_from)
    elif main:
        tokenizer = data.train_tokenizer(train_lines, config.vocab_size, min_frequency=config.min_frequency,
                                         lowercase=config.lowercase, max_length=4 * config.seq_len)
    if main:
        tokenizer.save_pretrained(str(run_dir / "tokenizer"))
    accelerator.wait_for_everyone()
    if tokenizer is None:  # the other ranks read the tokenizer rank 0 trained
        tokenizer = keep_saved_normalizer(transformers.AutoTokenizer.from_pretrained(str(run_dir / "tokenizer")),
                                          run_dir / "tokenizer")
    return tokenizer


def _train(config: PretrainConfig, run_dir: Path, log, progress, should_stop) -> dict:
    from core.pretrain import data, register
    from core.pretrain.objectives import PretrainText

    register()
    objective = objectives.get(config.objective)
    run_dir.mkdir(parents=True, exist_ok=True)
    accelerator = make_accelerator(config.device, config.mixed_precision, cpu_threads=config.cpu_threads)
    main = accelerator.is_main_process
    progress = progress if main else _noop
    source = Path(config.resume_from) if config.resume_from else None
    if source is not None:
        check_resumable(source)

    # 1. text -> tokenizer -> the objective's data
    progress(0.0, message="reading the corpus")
    train_lines, valid_lines, corpus_info = data.corpus_lines(
        config.corpus, language=config.language, lowercase=config.lowercase, valid_fraction=config.valid_fraction,
        encoding=config.encoding)
    progress(0.0, message="training the tokenizer")
    tokenizer = _tokenizer(config, source, train_lines, run_dir, accelerator)
    text = PretrainText(train_lines, valid_lines, corpus_info, tokenizer)
    prepared = objective.prepare(text, config)
    train_stream, valid_stream = text.stream("train"), text.stream("valid")
    unk, baseline = _unk_share_and_baseline(train_stream, valid_stream, tokenizer)

    # 2. model
    model = objective.build(config, tokenizer)
    init_info = None
    if config.init_vectors != "random" and source is None and main:  # DDP copies rank 0's weights to the others
        progress(0.0, message="training word2vec for the initial token vectors")
        init_info = word2vec_init(model, tokenizer, train_lines, config.seed)
    n_params = sum(p.numel() for p in model.parameters())

    # 3. optimizer, schedule, the loop
    optimizer = make_optimizer(model, learning_rate=config.learning_rate, weight_decay=config.weight_decay)
    scheduler = make_schedule(optimizer, warmup_ratio=config.warmup_ratio, total_updates=config.steps,
                              num_processes=accelerator.num_processes)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    settings = LoopSettings(total_updates=config.steps, max_grad_norm=config.max_grad_norm, log_every=config.log_every,
                            eval_every=config.eval_every, checkpoint_every=config.checkpoint_every)
    loop = Loop(accelerator, model, optimizer, scheduler, PretrainRecipe(objective, prepared, config, accelerator),
                settings, run_dir, log=log, progress=progress, should_stop=should_stop)
    if source is not None:
        loop.resume(source)
    loop.log({"type": "info", "message": "ready", "objective": objective.name, "parameters": n_params,
              "vocab_size": text.vocab.size, "train_tokens": int(len(train_stream)),
              "valid_tokens": int(len(valid_stream)), "unk_share": unk,
              "train_examples": int(len(prepared["train"])), "device": str(accelerator.device),
              "mixed_precision": accelerator.mixed_precision, **({"init": init_info} if init_info else {})})
    loop.run()

    # 4. save, then measure
    summary = _save_and_measure(accelerator, model, tokenizer, objective, prepared, config, loop, run_dir, progress,
                                {"parameters": n_params, "vocab_size": text.vocab.size, "unk_share": unk,
                                 "corpus": {**corpus_info, "train_runs": len(corpus_info.get("train_runs") or [])},
                                 "baseline": baseline})
    accelerator.wait_for_everyone()
    accelerator.end_training()
    return summary


def _unk_share_and_baseline(train_stream, valid_stream, tokenizer) -> tuple[float, dict | None]:
    """The share of [UNK] among the training tokens, and what always guessing the most frequent token scores on
    the held-out ones (``core.pretrain.baselines.unigram``, with its token spelled out; the shoot-out's chance line)."""
    from core.pretrain.baselines import unigram

    unk = float((train_stream == tokenizer.unk_token_id).mean()) if len(train_stream) else 0.0
    baseline = unigram(train_stream, valid_stream, tokenizer.all_special_ids, len(tokenizer))
    if baseline is not None:
        baseline["token"] = tokenizer.convert_ids_to_tokens(baseline["token_id"])
    return unk, baseline


def _save_and_measure(accelerator, model, tokenizer, objective, prepared, config, loop, run_dir: Path, progress,
                      facts: dict) -> dict:
    """Save the model, score it at 1x / 2x / 4x the training length, write extrapolation.json and
    train_summary.json (``facts``: parameters, vocabulary, corpus, the unigram baseline); returns the summary."""
    progress(0.99, message="saving the model")
    unwrapped = accelerator.unwrap_model(model)
    save_model(accelerator, unwrapped, tokenizer, run_dir / "model")
    extrapolation = []
    if not loop.cancelled:
        progress(0.995, message="measuring extrapolation at 1x, 2x, 4x the training length")
        empty = {score: None for score in objective.scores}
        for factor in FACTORS:
            scores = objective.evaluate(unwrapped, prepared, config, accelerator.device, factor)
            row = {"factor": factor, "seq_len": factor * config.seq_len, **(scores or {**empty, "predicted_tokens": 0})}
            extrapolation.append(row)
            loop.log({"type": "eval", "split": "extrapolation", "step": loop.state["step"], **row})
    final = next((row for row in extrapolation if row["factor"] == 1 and row.get("accuracy") is not None), None)
    state = loop.state
    summary = {
        "objective": objective.name, "steps": state["step"], "total_steps": config.steps, "tokens": state["tokens"],
        "cancelled": loop.cancelled, "parameters": facts["parameters"], "vocab_size": facts["vocab_size"],
        "unk_share": facts["unk_share"],
        "position_encoding": config.position_encoding, "preset": config.preset, "init_vectors": config.init_vectors,
        "seq_len": config.seq_len, "train_seconds": round(state["train_seconds"], 2),
        "tokens_per_s": state["tokens"] / max(1e-9, state["train_seconds"]) if state["train_seconds"] else None,
        "device": str(accelerator.device), "mixed_precision": accelerator.mixed_precision, "corpus": facts["corpus"],
        "valid_accuracy": final["accuracy"] if final else None, "valid_top5": final["top5"] if final else None,
        "valid_loss": final["loss"] if final else None,
        "valid_scores": None if loop.cancelled else loop.last_scores,
        "baseline": facts["baseline"],
    }
    if accelerator.is_main_process:
        atomic_write_json(run_dir / "extrapolation.json", {"factors": list(FACTORS), "train_seq_len": config.seq_len,
                                                           "rows": extrapolation, "baseline": facts["baseline"]},
                          indent=1, default=float)
        atomic_write_json(run_dir / "train_summary.json", summary, indent=1, default=float)
    return summary
