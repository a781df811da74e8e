"""The fine-tune loop: an Accelerate-driven PyTorch loop over a Hugging Face model.

The same code runs on a CPU, one GPU (mixed precision), Apple MPS, and several
GPUs under ``accelerate launch -m core finetune ...``. Reading top to bottom:

1. :func:`prepare_data` reads the files, splits them (stratified, seeded) and checks labels.
2. :func:`train` loads the model with a new head, tokenises (dynamic padding per batch),
   builds AdamW (no decay on biases/LayerNorm) with linear warmup and decay, then loops:
   forward, backward (gradient accumulation), clip, step; a ``step`` record every
   ``log_every`` updates; an ``eval`` record each epoch (or every ``eval_every``); early
   stopping on the validation score; a resumable checkpoint each epoch.
3. At the end the best weights are saved with ``save_pretrained`` (safetensors, label map in
   ``config.json``) with the tokenizer, and ``report.json`` holds the test-set report.

Files written in ``run_dir``: ``model/``, ``checkpoint/`` (model + optimizer + scheduler + RNG +
``trainer_state.json``), ``labels.json``, ``report.json``, ``train_summary.json`` (``summary.json``, the runs table's headline
scores, is written by the job/CLI).
"""
from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path
from typing import Callable

from core.finetune import data as data_mod
from core.finetune.config import FinetuneConfig
from core.finetune.encode import IGNORE, check_max_length, encode
from core.finetune.report import classification_scores, headline, misclassified, ner_scores

OOM_MESSAGE = "out of GPU memory: lower batch size or max_length (or use gradient accumulation)."
NAN_MESSAGE = "loss became NaN: lower the learning rate (e.g. 2e-5) or use mixed_precision 'no'."


def _noop(*args, **kwargs):
    return None


def prepare_data(config: FinetuneConfig) -> dict:
    """``{"train", "valid", "test", "labels", "notes"}`` from the config's files.

    ``valid``/``test`` come from the files when given, else from a stratified, seeded
    split of the training file; ``test`` may be None. Raises ValueError for labels in
    the validation/test data that the training data never shows.
    """
    load = lambda src: data_mod.load(src, config.task, config.file_format, config.text_col,  # noqa: E731
                                     config.label_col, config.text_pair_col)
    train = load(config.train_file)
    valid = load(config.valid_file) if config.valid_file else None
    test = load(config.test_file) if config.test_file else None
    notes = list(train.notes)
    valid_fraction = 0.0 if valid is not None else config.valid_fraction
    test_fraction = 0.0 if test is not None else config.test_fraction
    if valid_fraction or test_fraction:
        train, held_valid, held_test = data_mod.split(train, valid_fraction, test_fraction, config.seed)
        valid = valid if valid is not None else held_valid
        test = test if test is not None else held_test
    if config.max_train_samples and len(train) > config.max_train_samples:
        import random

        keep = sorted(random.Random(config.seed).sample(range(len(train)), config.max_train_samples))
        train = train.subset(keep)
    labels = data_mod.label_list(train)
    if len(labels) < 2:
        raise ValueError(f"the training data has only one class ({labels[0] if labels else 'none'}); "
                         "a classifier needs at least two.")
    data_mod.check_labels(labels, valid, "validation")
    if test is not None:
        data_mod.check_labels(labels, test, "test")
    return {"train": train, "valid": valid, "test": test, "labels": labels, "notes": notes}


def _precision(choice: str) -> str:
    import torch

    if choice != "auto":
        return choice
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "no"


def _launched() -> bool:
    """True under ``accelerate launch`` / torchrun, where the launcher picks devices."""
    return "LOCAL_RANK" in os.environ or int(os.environ.get("WORLD_SIZE", "1")) > 1


def make_accelerator(config: FinetuneConfig):
    from accelerate import Accelerator
    from accelerate.utils import DataLoaderConfiguration

    from core.device import pick

    if _launched():
        # The launcher places each process; without a GPU, processes talk over gloo (MULTI_CPU).
        import torch

        cpu = config.device == "cpu" or not torch.cuda.is_available()
    else:
        cpu = pick(config.device).type == "cpu"  # ValueError when a missing device is asked for
    precision = "no" if cpu else _precision(config.mixed_precision)
    return Accelerator(
        mixed_precision=precision,
        gradient_accumulation_steps=config.grad_accum,
        cpu=cpu,
        dataloader_config=DataLoaderConfiguration(use_seedable_sampler=True),
    )


def _is_oom(err: BaseException) -> bool:
    import torch

    return isinstance(err, torch.cuda.OutOfMemoryError) or "out of memory" in str(err).lower()


def train(config: FinetuneConfig, run_dir: str | Path, *, log: Callable[[dict], None] | None = None,
          progress: Callable[..., None] | None = None, should_stop: Callable[[], bool] | None = None) -> dict:
    """Fine-tune ``config.model`` on ``config``'s data; returns the summary dict.

    ``log(record)`` receives ``{"type": "step", step, epoch, loss, lr, samples_per_s}`` and
    ``{"type": "eval", step, epoch, split, loss, accuracy, macro_f1 | f1, precision, recall}``;
    ``progress(fraction, eta_s=..., message=...)``; ``should_stop()`` ends the run early with the
    model and a checkpoint saved. Raises ValueError for anything a user can fix.
    """
    import torch

    try:
        return _train(config, Path(run_dir), log or _noop, progress or _noop, should_stop or (lambda: False))
    except torch.cuda.OutOfMemoryError:
        raise ValueError(OOM_MESSAGE) from None
    except RuntimeError as err:
        if _is_oom(err):
            raise ValueError(OOM_MESSAGE) from None
        raise


def _train(config, run_dir, log, progress, should_stop) -> dict:
    import torch
    import transformers
    from accelerate.utils import set_seed
    from torch.utils.data import DataLoader

    from core.models import load_model, load_tokenizer

    transformers.logging.set_verbosity_error()  # "newly initialized weights" is expected for a new head
    run_dir.mkdir(parents=True, exist_ok=True)
    accelerator = make_accelerator(config)
    main = accelerator.is_main_process
    log = log if main else _noop
    progress = progress if main else _noop

    progress(0.0, message="reading data")
    parts = prepare_data(config)
    labels = parts["labels"]
    label2id = {lab: i for i, lab in enumerate(labels)}
    id2label = dict(enumerate(labels))

    progress(0.0, message="loading model")
    set_seed(config.seed)
    tokenizer = load_tokenizer(config.model)
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError("this model has no fast tokenizer (tokenizer.json); EmbedLab needs one for word alignment.")
    cls_name = "AutoModelForTokenClassification" if config.task == "ner" else "AutoModelForSequenceClassification"
    model = load_model(config.model, cls_name, num_labels=len(labels), id2label=id2label, label2id=label2id,
                       ignore_mismatched_sizes=True)
    check_max_length(config.max_length, model.config)

    features, truncated = {}, {}
    for name in ("train", "valid", "test"):
        if parts[name] is not None:
            features[name], truncated[name] = encode(tokenizer, parts[name], label2id, config.max_length)
    if truncated.get("train"):
        log({"type": "info", "message": f"{truncated['train']} training examples are longer than "
             f"max_length={config.max_length} tokens and were cut", "truncated": truncated["train"]})

    if config.task == "ner":
        collator = transformers.DataCollatorForTokenClassification(tokenizer, pad_to_multiple_of=8 if accelerator.mixed_precision != "no" else None)
    else:
        collator = transformers.DataCollatorWithPadding(tokenizer, pad_to_multiple_of=8 if accelerator.mixed_precision != "no" else None)
    generator = torch.Generator().manual_seed(config.seed)
    train_dl = DataLoader(features["train"], batch_size=config.batch_size, shuffle=True, collate_fn=collator,
                          generator=generator)
    eval_dl = lambda name: DataLoader(features[name], batch_size=config.batch_size * 2, collate_fn=collator)  # noqa: E731
    valid_dl = eval_dl("valid")

    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
         "weight_decay": config.weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    model, optimizer, train_dl, valid_dl = accelerator.prepare(model, optimizer, train_dl, valid_dl)
    updates_per_epoch = max(1, math.ceil(len(train_dl) / config.grad_accum))
    total_updates = updates_per_epoch * config.epochs
    # AcceleratedScheduler steps once per process on each update, hence the factor.
    scheduler = transformers.get_linear_schedule_with_warmup(
        optimizer, int(config.warmup_ratio * total_updates) * accelerator.num_processes,
        total_updates * accelerator.num_processes)
    scheduler = accelerator.prepare(scheduler)

    state = {"step": 0, "epoch": 0, "batch_in_epoch": 0, "best": None, "best_step": None, "bad_evals": 0}
    best_weights = None
    if config.resume_from:
        state, best_weights = _resume(accelerator, Path(config.resume_from), run_dir, model)
        log({"type": "info", "message": f"resumed from step {state['step']}", "resumed_step": state["step"]})

    metric = "f1" if config.task == "ner" else "macro_f1"
    timing = {"train_s": 0.0, "train_cpu_s": 0.0, "train_samples": 0, "eval_s": 0.0, "checkpoint_s": 0.0}
    start_step, loop_start = state["step"], time.perf_counter()
    loss_sum, loss_count, samples_since, since = torch.zeros((), device=accelerator.device), 0, 0, time.perf_counter()
    stopped = early = False

    def run_eval() -> None:
        nonlocal best_weights, early
        t0 = time.perf_counter()
        scores, _ = evaluate(accelerator, model, valid_dl, parts["valid"], config.task, labels)
        timing["eval_s"] += time.perf_counter() - t0
        log({"type": "eval", "split": "valid", "step": state["step"], "epoch": state["step"] / updates_per_epoch,
             **{k: v for k, v in scores.items() if isinstance(v, float)}})
        score = scores[metric]
        if state["best"] is None or score > state["best"]:
            state.update(best=score, best_step=state["step"], bad_evals=0)
            best_weights = {k: v.detach().to("cpu", copy=True) for k, v in accelerator.unwrap_model(model).state_dict().items()}
        else:
            state["bad_evals"] += 1
            early = bool(config.early_stopping) and state["bad_evals"] >= config.early_stopping
        model.train()

    def checkpoint() -> None:
        t0 = time.perf_counter()
        save_checkpoint(accelerator, run_dir, state, best_weights)
        timing["checkpoint_s"] += time.perf_counter() - t0

    model.train()
    for epoch in range(state["epoch"], config.epochs):
        train_dl.set_epoch(epoch)
        skip = state["batch_in_epoch"]
        loader = accelerator.skip_first_batches(train_dl, skip) if skip else train_dl
        tick, tick_cpu = time.perf_counter(), time.process_time()
        for batch in loader:
            with accelerator.accumulate(model):
                loss = model(**batch).loss
                accelerator.backward(loss)
                if accelerator.sync_gradients:
                    accelerator.clip_grad_norm_(model.parameters(), config.max_grad_norm)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            state["batch_in_epoch"] += 1
            loss_sum += loss.detach()
            loss_count += 1
            samples_since += batch["input_ids"].shape[0] * accelerator.num_processes
            if not accelerator.sync_gradients:
                continue
            state["step"] += 1
            step = state["step"]
            if step % config.log_every == 0 or step == total_updates:
                mean_loss = (accelerator.reduce(loss_sum, "mean").item()) / max(1, loss_count)
                if not math.isfinite(mean_loss):
                    raise ValueError(NAN_MESSAGE)
                now = time.perf_counter()
                log({"type": "step", "step": step, "epoch": round(step / updates_per_epoch, 4), "loss": mean_loss,
                     "lr": scheduler.get_last_lr()[0], "samples_per_s": samples_since / max(1e-9, now - since)})
                timing["train_samples"] += samples_since
                loss_sum.zero_()
                loss_count, samples_since, since = 0, 0, now
                elapsed = now - loop_start - timing["eval_s"] - timing["checkpoint_s"]
                done = step - start_step
                eta = elapsed / done * (total_updates - step) if done else None
                progress(min(0.99, step / total_updates), eta_s=eta,
                         message=f"epoch {epoch + 1}/{config.epochs} · step {step}/{total_updates} · loss {mean_loss:.4f}")
            if config.eval_every and step % config.eval_every == 0:
                timing["train_s"] += time.perf_counter() - tick
                timing["train_cpu_s"] += time.process_time() - tick_cpu
                run_eval()
                tick, tick_cpu = time.perf_counter(), time.process_time()
            if config.checkpoint_every and step % config.checkpoint_every == 0:
                checkpoint()
            if _stop_requested(accelerator, should_stop):
                stopped = True
                break
            if early:
                break
        timing["train_s"] += time.perf_counter() - tick
        timing["train_cpu_s"] += time.process_time() - tick_cpu  # CPU seconds: robust on a busy machine
        if stopped or early:
            break
        state["epoch"], state["batch_in_epoch"] = epoch + 1, 0
        if not config.eval_every:
            run_eval()
        if not config.checkpoint_every or early:
            checkpoint()
        if early:
            break
    timing["train_samples"] += samples_since
    if stopped:
        checkpoint()

    progress(0.99, message="saving the model")
    unwrapped = accelerator.unwrap_model(model)
    if best_weights is not None:
        unwrapped.load_state_dict(best_weights)
    save_model(accelerator, unwrapped, tokenizer, run_dir / "model")
    summary = {"task": config.task, "labels": labels, "steps": state["step"], "total_steps": total_updates,
               "best_step": state["best_step"], "best_valid": state["best"], "stopped_early": early,
               "cancelled": stopped, "truncated": truncated, "timing": timing,
               "samples_per_s": timing["train_samples"] / max(1e-9, timing["train_s"]),
               "n_train": len(parts["train"]), "n_valid": len(parts["valid"]),
               "n_test": len(parts["test"]) if parts["test"] is not None else 0}
    if not stopped:
        progress(0.995, message="writing the report")
        report = {"task": config.task, "labels": labels, "truncated": truncated}
        for name in ("valid", "test"):
            if parts[name] is None:
                continue
            dl = valid_dl if name == "valid" else accelerator.prepare(eval_dl("test"))
            scores, details = evaluate(accelerator, model, dl, parts[name], config.task, labels)
            report[name] = scores
            report[f"{name}_details"] = details
            if name == "test":
                log({"type": "eval", "split": "test", "step": state["step"], "epoch": state["step"] / updates_per_epoch,
                     **{k: v for k, v in scores.items() if isinstance(v, float)}})
        final = report.get("test") or report.get("valid")
        summary["scores"] = headline(config.task, final)
        summary["scores_split"] = "test" if "test" in report else "valid"
        if main:
            _write_json(run_dir / "report.json", report)
    if main:
        _write_json(run_dir / "labels.json", {"id2label": {str(k): v for k, v in id2label.items()}, "label2id": label2id})
        _write_json(run_dir / "train_summary.json", summary)
    accelerator.wait_for_everyone()
    accelerator.end_training()
    return summary


def _stop_requested(accelerator, should_stop) -> bool:
    """The main process asks; all processes get the same answer (so none hangs in a collective)."""
    wanted = bool(should_stop()) if accelerator.is_main_process else False
    if accelerator.num_processes == 1:
        return wanted
    import torch

    flag = torch.tensor(int(wanted), device=accelerator.device)
    return bool(accelerator.reduce(flag, "sum").item())


def evaluate(accelerator, model, dataloader, part, task: str, labels: list[str]) -> tuple[dict, dict]:
    """Scores and per-example predictions on one split.

    Classification details: ``{"predicted", "confidence", "misclassified"}``; NER details:
    ``{"examples": [{"tokens", "true", "predicted"}] (first 50)}``. Scores include ``loss``.
    """
    import torch

    model.eval()
    preds, confs, loss_sum, batches = [], [], 0.0, 0
    with torch.no_grad():
        for batch in dataloader:
            out = model(**batch)
            loss_sum += accelerator.gather_for_metrics(out.loss.detach().reshape(1)).float().mean().item()
            batches += 1
            logits = out.logits.float()
            if task == "ner":
                logits = accelerator.pad_across_processes(logits, dim=1, pad_index=0)
                gold = accelerator.pad_across_processes(batch["labels"], dim=1, pad_index=IGNORE)
                logits, gold = accelerator.gather_for_metrics((logits, gold))
                for row_pred, row_gold in zip(logits.argmax(-1).tolist(), gold.tolist()):
                    preds.append([labels[p] for p, g in zip(row_pred, row_gold) if g != IGNORE])
            else:
                prob = torch.softmax(logits, dim=-1)
                conf, pred = prob.max(dim=-1)
                conf, pred = accelerator.gather_for_metrics((conf, pred))
                preds.extend(labels[i] for i in pred.tolist())
                confs.extend(conf.tolist())
    loss = loss_sum / max(1, batches)
    if task == "ner":
        # Truncated sentences lose their last words' tags; pad predictions with "O" so lengths match.
        true = part.tags
        preds = [p + ["O"] * (len(t) - len(p)) for p, t in zip(preds, true)]
        scores = {**ner_scores(true, preds), "loss": loss}
        examples = [{"tokens": w, "true": t, "predicted": p} for w, t, p in list(zip(part.tokens, true, preds))[:50]]
        return scores, {"examples": examples}
    scores = {**classification_scores(part.labels, preds, labels), "loss": loss}
    texts = part.texts if part.pairs is None else [f"{a} ‖ {b}" for a, b in zip(part.texts, part.pairs)]
    return scores, {"predicted": preds, "confidence": confs,
                    "misclassified": misclassified(texts, part.labels, preds, confs)}


def save_model(accelerator, unwrapped, tokenizer, path: Path) -> None:
    """``save_pretrained`` (safetensors, id2label/label2id in config.json) plus the tokenizer."""
    accelerator.wait_for_everyone()
    tmp = path.with_name(path.name + ".tmp")
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
    unwrapped.save_pretrained(tmp, is_main_process=accelerator.is_main_process, save_function=accelerator.save,
                              safe_serialization=True)
    if accelerator.is_main_process:
        tokenizer.save_pretrained(tmp)
        shutil.rmtree(path, ignore_errors=True)
        tmp.rename(path)
    accelerator.wait_for_everyone()


def save_checkpoint(accelerator, run_dir: Path, state: dict, best_weights) -> None:
    """model + optimizer + scheduler + RNG (``accelerator.save_state``) and ``trainer_state.json``.

    Written to ``checkpoint.tmp`` then renamed, so a crash mid-save keeps the previous checkpoint.
    """
    final, tmp = run_dir / "checkpoint", run_dir / "checkpoint.tmp"
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
    accelerator.wait_for_everyone()
    accelerator.save_state(str(tmp))
    if accelerator.is_main_process:
        _write_json(tmp / "trainer_state.json", state)
        if best_weights is not None:
            from safetensors.torch import save_file

            save_file({k: v.contiguous() for k, v in best_weights.items()}, str(tmp / "best_weights.safetensors"))
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    accelerator.wait_for_everyone()


def _resume(accelerator, source: Path, run_dir: Path, model):
    folder = source / "checkpoint"
    if not (folder / "trainer_state.json").is_file():
        raise ValueError(f"{source} has no checkpoint to resume from (it stopped before its first checkpoint); "
                         "start a new run instead.")
    try:
        accelerator.load_state(str(folder))
    except (RuntimeError, KeyError, ValueError) as err:
        raise ValueError(f"the checkpoint in {source} does not fit this model and settings ({str(err)[:200]}); "
                         "resume with the same model, task and data.") from None
    state = json.loads((folder / "trainer_state.json").read_text())
    best = None
    if (folder / "best_weights.safetensors").is_file():
        from safetensors.torch import load_file

        best = load_file(str(folder / "best_weights.safetensors"))
    return state, best


def _write_json(path: Path, value) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=1, default=float), encoding="utf-8")
    tmp.replace(path)
