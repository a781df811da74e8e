"""Masked LM (BERT, Devlin et al. 2019): predict the 15% of tokens chosen, reading the whole text.

    x~ = BERT's rule on x: of the chosen 15%, 80% -> [MASK], 10% -> a random token, 10% kept
    L  = -1/|M| sum_{i in M} log p(x_i | x~)          (only the chosen positions M count)

Data: the corpus packed into ``[CLS] x_1 .. x_{L-2} [SEP]`` blocks; each step draws
``batch_size`` blocks at random and masks them anew ("dynamic masking", RoBERTa). The
held-out blocks are masked the same way in every evaluation of every run.
"""
from __future__ import annotations

from core.pretrain.objectives import register
from core.pretrain.objectives.base import Objective, extrapolation_budget, scores_of, top_k_scores


def masked_scores(model, blocks, vocab, select_prob: float, device, batch_size: int = 16) -> dict | None:
    """Masked-token ``loss``, ``accuracy`` (top-1), ``top5`` and ``perplexity`` on ``blocks`` (n, L); None if empty.

    The masks are drawn with a fixed seed (``EVAL_MASK_SEED``), so every evaluation of every
    run sees the same task. ``model`` is any model whose output ``logits`` are the MLM head's.
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
            s, c, t, n = top_k_scores(logits[chosen], y[chosen])
            loss_sum, correct, top5, count = loss_sum + s, correct + c, top5 + t, count + n
    model.train(was_training)
    return scores_of(loss_sum, correct, top5, count)


@register
class MaskedLM(Objective):
    name = "mlm"
    order = 10
    family = "autoencoding"
    model_class = "EmbedLabBertForMaskedLM"
    head = "AutoModelForMaskedLM"
    architectures = ("ForMaskedLM",)
    view = "masks"
    source = "Devlin et al. 2019, BERT, sec. 3.1 (masked LM); Liu et al. 2019, RoBERTa (dynamic masking)"
    formula = r"\mathcal{L}_{\mathrm{MLM}} = -\frac{1}{|M|}\sum_{i \in M} \log p_\theta\big(x_i \mid \tilde{x}\big)"

    def prepare(self, text, config) -> dict:
        from core.pretrain.data import make_blocks

        vocab = text.vocab
        stream = text.stream("train")
        blocks = make_blocks(stream, config.seq_len, vocab.cls_id, vocab.sep_id)
        if blocks.shape[0] == 0:
            raise ValueError(f"the corpus has {len(stream)} tokens, fewer than one training sequence of "
                             f"{config.seq_len}; use a longer text or a smaller seq_len.")
        return {"train": blocks, "valid_stream": text.stream("valid"), "vocab": vocab,
                "valid": make_blocks(text.stream("valid"), config.seq_len, vocab.cls_id, vocab.sep_id,
                                     config.eval_tokens)}

    def batch(self, data, step, seed, config) -> dict:
        from core.pretrain.data import masked_batch

        ids, labels = masked_batch(data["train"], config.batch_size, data["vocab"], config.mask_prob, seed, step)
        return {"input_ids": ids, "labels": labels}

    def loss(self, model, batch):
        out = model(input_ids=batch["input_ids"], labels=batch["labels"], only_labelled=True)  # logits (n_labelled, V)
        gold = batch["labels"][batch["labels"] != -100]
        return out.loss, {"correct": (out.logits.detach().argmax(-1) == gold).sum(), "count": gold.numel()}

    def evaluate(self, model, data, config, device, factor: int | None = None):
        from core.pretrain.data import make_blocks

        vocab = data["vocab"]
        if factor is None:
            return masked_scores(model, data["valid"], vocab, config.mask_prob, device)
        blocks = make_blocks(data["valid_stream"], factor * config.seq_len, vocab.cls_id, vocab.sep_id,
                             extrapolation_budget(config))
        return masked_scores(model, blocks, vocab, config.mask_prob, device, batch_size=max(1, 16 // factor))
