"""The pretraining loop: corpus -> tokenizer -> model -> masked-LM steps through Accelerate.

Reading top to bottom, :func:`train`:

1. reads the corpus (training / held-out lines), trains a WordPiece tokenizer (or reuses the
   one of the run it resumes), packs the text into blocks of ``seq_len`` tokens;
2. builds the model of the preset with the chosen position encoding (optionally its
   token-embedding table from word2vec vectors trained on the same tokens);
3. AdamW (no decay on biases and LayerNorm) with linear warmup and linear decay, wrapped by
   Accelerate (bf16 autocast on a GPU that has it; several GPUs under ``accelerate launch``);
4. loops: batch of step s (seeded by s) -> loss = CE(logits, labels) at the 15% chosen tokens
   -> backward -> clip -> step; a ``step`` record every ``log_every`` steps (loss, masked-token
   accuracy, perplexity = e^loss, tokens/s, lr), an ``eval`` record every ``eval_every``;
   a checkpoint every ``checkpoint_every``, at the end, and on cancel;
5. saves the model with ``save_pretrained`` (safetensors) and its tokenizer in ``model/`` and
   measures masked-token accuracy on held-out text at 1x, 2x and 4x ``seq_len``
   (``extrapolation.json``; skipped on cancel).

Files in ``run_dir``: ``tokenizer/``, ``model/``, ``checkpoint/`` (accelerate state +
``trainer_state.json``), ``extrapolation.json``, ``train_summary.json``.
Resume: ``resume_from`` = a run folder with ``checkpoint/``; step s of the resumed run
draws the same batch, masks and dropout as step s of an uninterrupted run.
"""
from __future__ import annotations

import json
import math
import shutil
import time
from pathlib import Path
from typing import Callable

from core.jobs.launched import stop_requested
from core.pretrain.config import PretrainConfig

FACTORS = (1, 2, 4)  # extrapolation: evaluate at these multiples of the training length
NAN_MESSAGE = "the loss became NaN: lower the learning rate (e.g. 5e-4) or use mixed_precision 'no'."
OOM_MESSAGE = "out of GPU memory: lower batch_size or seq_len, or pick a smaller preset."


def _noop(*args, **kwargs):
    return None


def make_accelerator(config: PretrainConfig):
    """An ``Accelerator``: CPU when the device resolves to the CPU, bf16 on a GPU that supports it."""
    import os

    import torch
    from accelerate import Accelerator

    from core.device import pick

    launched = "LOCAL_RANK" in os.environ or int(os.environ.get("WORLD_SIZE", "1")) > 1
    cpu = (config.device == "cpu" or not torch.cuda.is_available()) if launched else pick(config.device).type == "cpu"
    precision = config.mixed_precision
    if cpu:
        precision = "no"
    elif precision == "auto":
        precision = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "no"
    return Accelerator(mixed_precision=precision, cpu=cpu)


def build_model(config: PretrainConfig, tokenizer):
    """A fresh masked-LM model for ``config`` (seeded) sized to the tokenizer's vocabulary."""
    import torch

    from core.pretrain import register
    from core.pretrain.model import EmbedLabBertConfig, EmbedLabBertForMaskedLM

    register()
    torch.manual_seed(config.seed)
    model_config = EmbedLabBertConfig(**config.model_config(len(tokenizer)), pad_token_id=tokenizer.pad_token_id)
    return EmbedLabBertForMaskedLM(model_config)


def count_parameters(config: PretrainConfig, vocab_size: int | None = None) -> int:
    """Parameters of the masked-LM model of ``config`` (built on the meta device: no memory, no time)."""
    import torch

    from core.pretrain.model import EmbedLabBertConfig, EmbedLabBertForMaskedLM

    with torch.device("meta"):
        model = EmbedLabBertForMaskedLM(EmbedLabBertConfig(**config.model_config(vocab_size)))
    return sum(p.numel() for p in model.parameters())


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


def evaluate(model, blocks, vocab, select_prob: float, device, batch_size: int = 16) -> dict | None:
    """Masked-token ``loss``, ``accuracy`` (top-1), ``top5`` and ``perplexity`` on ``blocks`` (n, L); None if empty.

    The masks are drawn with a fixed seed, so every evaluation of every run sees the same task.
    """
    import torch

    from core.pretrain.data import EVAL_MASK_SEED, mask

    if blocks is None or blocks.shape[0] == 0:
        return None
    ids, labels = mask(blocks, vocab, select_prob, EVAL_MASK_SEED)
    was_training = model.training
    model.eval()
    loss_sum, correct, top5, count = 0.0, 0, 0, 0
    with torch.no_grad():
        for start in range(0, ids.shape[0], batch_size):
            x, y = ids[start:start + batch_size].to(device), labels[start:start + batch_size].to(device)
            logits = model(input_ids=x).logits.float()
            chosen = y != -100
            if not chosen.any():
                continue
            picked, gold = logits[chosen], y[chosen]
            loss_sum += torch.nn.functional.cross_entropy(picked, gold, reduction="sum").item()
            best = picked.topk(min(5, picked.shape[-1]), dim=-1).indices
            correct += int((best[:, 0] == gold).sum())
            top5 += int((best == gold[:, None]).any(dim=-1).sum())
            count += int(chosen.sum())
    model.train(was_training)
    if not count:
        return None
    loss = loss_sum / count
    return {"loss": loss, "accuracy": correct / count, "top5": top5 / count,
            "perplexity": math.exp(min(loss, 50.0)), "predicted_tokens": count}


def train(config: PretrainConfig, run_dir: str | Path, *, log: Callable[[dict], None] | None = None,
          progress: Callable[..., None] | None = None, should_stop: Callable[[], bool] | None = None) -> dict:
    """Pretrain ``config`` in ``run_dir``; returns the summary dict (also ``train_summary.json``).

    ``log(record)`` gets ``{"type": "step", step, tokens, loss, accuracy, perplexity, tokens_per_s, lr}``,
    ``{"type": "eval", "split": "valid", step, loss, accuracy, top5, perplexity}`` and, at the end, one
    ``{"type": "eval", "split": "extrapolation", factor, seq_len, ...}`` per length. Raises ValueError for
    anything a user can fix (a corpus too small, NaN loss, out of memory, a checkpoint that does not fit).
    """
    import torch

    try:
        return _train(config, Path(run_dir), log or _noop, progress or _noop, should_stop or (lambda: False))
    except torch.cuda.OutOfMemoryError:
        raise ValueError(OOM_MESSAGE) from None
    except RuntimeError as err:
        if "out of memory" in str(err).lower():
            raise ValueError(OOM_MESSAGE) from None
        raise


def _train(config: PretrainConfig, run_dir: Path, log, progress, should_stop) -> dict:
    import torch
    import transformers

    from core.pretrain import data
    from core.pretrain import register

    register()
    run_dir.mkdir(parents=True, exist_ok=True)
    accelerator = make_accelerator(config)
    if accelerator.device.type == "cpu" and config.cpu_threads:
        torch.set_num_threads(config.cpu_threads)
    main = accelerator.is_main_process
    log, progress = (log, progress) if main else (_noop, _noop)
    source = Path(config.resume_from) if config.resume_from else None
    if source is not None and not (source / "checkpoint" / "trainer_state.json").is_file():
        raise ValueError(f"{source} has no checkpoint to resume from; start a new run instead.")

    # 1. text -> tokenizer -> blocks
    progress(0.0, message="reading the corpus")
    train_lines, valid_lines, corpus_info = data.corpus_lines(
        config.corpus, language=config.language, lowercase=config.lowercase, valid_fraction=config.valid_fraction)
    progress(0.0, message="training the tokenizer")
    if source is not None:
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(source / "tokenizer"))
    elif main:
        tokenizer = data.train_tokenizer(train_lines, config.vocab_size, min_frequency=config.min_frequency,
                                         lowercase=config.lowercase, max_length=4 * config.seq_len)
    if main:
        tokenizer.save_pretrained(str(run_dir / "tokenizer"))
    accelerator.wait_for_everyone()
    if source is None and not main:  # the other ranks read the tokenizer rank 0 trained
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(run_dir / "tokenizer"))
    vocab = data.Vocab.of(tokenizer)
    train_stream = data.encode_stream(tokenizer, train_lines)
    valid_stream = data.encode_stream(tokenizer, valid_lines)
    blocks = data.make_blocks(train_stream, config.seq_len, vocab.cls_id, vocab.sep_id)
    if blocks.shape[0] == 0:
        raise ValueError(f"the corpus has {len(train_stream)} tokens, fewer than one training sequence of "
                         f"{config.seq_len}; use a longer text or a smaller seq_len.")
    valid_blocks = data.make_blocks(valid_stream, config.seq_len, vocab.cls_id, vocab.sep_id, config.eval_tokens)
    unk = float((train_stream == tokenizer.unk_token_id).mean()) if len(train_stream) else 0.0

    # 2. model
    model = build_model(config, tokenizer)
    init_info = None
    if config.init_vectors == "word2vec" and source is None and main:  # DDP copies rank 0's weights to the others
        progress(0.0, message="training word2vec for the initial token vectors")
        init_info = word2vec_init(model, tokenizer, train_lines, config.seed)
    n_params = sum(p.numel() for p in model.parameters())

    # 3. optimizer and schedule
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": config.weight_decay},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=config.learning_rate)
    warmup = int(config.warmup_ratio * config.steps)
    scheduler = transformers.get_linear_schedule_with_warmup(optimizer, warmup * accelerator.num_processes,
                                                             config.steps * accelerator.num_processes)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    state = {"step": 0, "tokens": 0, "train_seconds": 0.0}
    if source is not None:
        try:
            accelerator.load_state(str(source / "checkpoint"))
        except (RuntimeError, KeyError, ValueError) as err:
            raise ValueError(f"the checkpoint in {source} does not fit these settings ({str(err)[:200]}); "
                             "resume with the same preset, position encoding and corpus.") from None
        state.update(json.loads((source / "checkpoint" / "trainer_state.json").read_text()))
        log({"type": "info", "message": f"resumed from step {state['step']}", "resumed_step": state["step"]})
    log({"type": "info", "message": "ready", "parameters": n_params, "vocab_size": vocab.size,
         "train_tokens": int(len(train_stream)), "valid_tokens": int(len(valid_stream)), "unk_share": unk,
         "train_blocks": int(blocks.shape[0]), "device": str(accelerator.device),
         "mixed_precision": accelerator.mixed_precision, **({"init": init_info} if init_info else {})})

    def run_eval(step: int) -> None:
        scores = evaluate(accelerator.unwrap_model(model), valid_blocks, vocab, config.mask_prob, accelerator.device)
        if scores:
            log({"type": "eval", "split": "valid", "step": step, "tokens": state["tokens"], **scores})

    def checkpoint() -> None:
        final, tmp = run_dir / "checkpoint", run_dir / "checkpoint.tmp"
        accelerator.wait_for_everyone()
        if main:
            shutil.rmtree(tmp, ignore_errors=True)
        accelerator.save_state(str(tmp))
        if main:
            (tmp / "trainer_state.json").write_text(json.dumps(state), encoding="utf-8")
            shutil.rmtree(final, ignore_errors=True)
            tmp.rename(final)
        accelerator.wait_for_everyone()

    # 4. the loop
    model.train()
    stopped = False
    window = {"loss": 0.0, "correct": 0, "count": 0, "steps": 0, "tokens": 0, "since": time.perf_counter()}
    loop_start = time.perf_counter()
    start_step = state["step"]
    # each rank draws its own batches (rank 0 = the single-process run's); the same on a resumed run
    batch_seed = config.seed + 7_919 * accelerator.process_index
    for step in range(state["step"], config.steps):
        torch.manual_seed(data.step_seed(batch_seed + 2, step))  # dropout: the same on a resumed run
        ids, labels = data.masked_batch(blocks, config.batch_size, vocab, config.mask_prob, batch_seed, step)
        ids, labels = ids.to(accelerator.device), labels.to(accelerator.device)
        out = model(input_ids=ids, labels=labels, only_labelled=True)  # logits (n_labelled, vocab)
        accelerator.backward(out.loss)
        accelerator.clip_grad_norm_(model.parameters(), config.max_grad_norm)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        state["step"] = step + 1
        state["tokens"] += ids.numel() * accelerator.num_processes
        with torch.no_grad():
            gold = labels[labels != -100]
            window["correct"] += int((out.logits.detach().argmax(-1) == gold).sum())
            window["count"] += int(gold.numel())
            window["loss"] += float(out.loss.detach())
        window["steps"] += 1
        window["tokens"] += ids.numel() * accelerator.num_processes
        done = state["step"]
        if done % config.log_every == 0 or done == config.steps:
            now = time.perf_counter()
            loss = window["loss"] / window["steps"]
            if not math.isfinite(loss):
                raise ValueError(NAN_MESSAGE)
            seconds = now - window["since"]
            state["train_seconds"] += seconds
            log({"type": "step", "step": done, "steps": config.steps, "tokens": state["tokens"], "loss": loss,
                 "accuracy": window["correct"] / max(1, window["count"]), "perplexity": math.exp(min(loss, 50.0)),
                 "tokens_per_s": window["tokens"] / max(1e-9, seconds), "lr": scheduler.get_last_lr()[0],
                 "progress": done / config.steps})
            per_step = (now - loop_start) / max(1, done - start_step)
            progress(min(0.99, done / config.steps), eta_s=per_step * (config.steps - done),
                     message=f"step {done}/{config.steps} · loss {loss:.3f}")
            window.update(loss=0.0, correct=0, count=0, steps=0, tokens=0, since=time.perf_counter())
        if config.eval_every and done % config.eval_every == 0 and done < config.steps:
            run_eval(done)
            window["since"] = time.perf_counter()
        if config.checkpoint_every and done % config.checkpoint_every == 0 and done < config.steps:
            checkpoint()
            window["since"] = time.perf_counter()
        if stop_requested(accelerator, should_stop):
            stopped = True
            break
    checkpoint()

    # 5. save, then measure
    progress(0.99, message="saving the model")
    unwrapped = accelerator.unwrap_model(model)
    save_model(accelerator, unwrapped, tokenizer, run_dir / "model")
    final = None
    extrapolation = []
    if not stopped:
        run_eval(state["step"])
        progress(0.995, message="measuring extrapolation at 1x, 2x, 4x the training length")
        extrapolation = extrapolation_eval(unwrapped, valid_stream, vocab, config, accelerator.device)
        for row in extrapolation:
            log({"type": "eval", "split": "extrapolation", "step": state["step"], **row})
        final = next((row for row in extrapolation if row["factor"] == 1 and row.get("accuracy") is not None), None)
    summary = {
        "steps": state["step"], "total_steps": config.steps, "tokens": state["tokens"], "cancelled": stopped,
        "parameters": n_params, "vocab_size": vocab.size, "unk_share": unk, "position_encoding": config.position_encoding,
        "preset": config.preset, "init_vectors": config.init_vectors, "seq_len": config.seq_len,
        "train_seconds": round(state["train_seconds"], 2),
        "tokens_per_s": state["tokens"] / max(1e-9, state["train_seconds"]) if state["train_seconds"] else None,
        "device": str(accelerator.device), "mixed_precision": accelerator.mixed_precision, "corpus": corpus_info,
        "valid_accuracy": final["accuracy"] if final else None, "valid_top5": final["top5"] if final else None,
        "valid_loss": final["loss"] if final else None,
    }
    if main:
        _write_json(run_dir / "extrapolation.json", {"factors": list(FACTORS), "train_seq_len": config.seq_len,
                                                     "rows": extrapolation})
        _write_json(run_dir / "train_summary.json", summary)
    accelerator.wait_for_everyone()
    accelerator.end_training()
    return summary


def extrapolation_eval(model, valid_stream, vocab, config: PretrainConfig, device) -> list[dict]:
    """Held-out masked-token scores at ``FACTORS`` x seq_len, each on the same first ``eval_tokens`` tokens.

    A row is ``{"factor", "seq_len", "loss", "accuracy", "top5", "perplexity", "predicted_tokens"}``;
    its scores are None when the held-out text is shorter than one sequence of that length.
    """
    from core.pretrain.data import make_blocks

    rows = []
    budget = max(config.eval_tokens, 4 * config.seq_len)
    for factor in FACTORS:
        length = factor * config.seq_len
        blocks = make_blocks(valid_stream, length, vocab.cls_id, vocab.sep_id, budget)
        scores = evaluate(model, blocks, vocab, config.mask_prob, device, batch_size=max(1, 16 // factor))
        empty = {"loss": None, "accuracy": None, "top5": None, "perplexity": None, "predicted_tokens": 0}
        rows.append({"factor": factor, "seq_len": length, **(scores or empty)})
    return rows


def save_model(accelerator, unwrapped, tokenizer, path: Path) -> None:
    """``save_pretrained`` (safetensors) plus the tokenizer, written to ``path.tmp`` then renamed."""
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        tmp = path.with_name(path.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        unwrapped.save_pretrained(str(tmp), safe_serialization=True)
        tokenizer.save_pretrained(str(tmp))
        shutil.rmtree(path, ignore_errors=True)
        tmp.rename(path)
    accelerator.wait_for_everyone()


def _write_json(path: Path, value) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=1, default=float), encoding="utf-8")
    tmp.replace(path)
