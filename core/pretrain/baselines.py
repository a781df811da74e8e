"""The unigram baseline of a pretraining run: what a model that ignores context entirely would score.

A masked (or next-token) LM that has learned nothing of context can still guess
the most frequent token every time. Its accuracy is that token's share of the
held-out tokens (the masked positions are drawn uniformly from the non-special
tokens, so the expected share is the same), its top-5 the share of the five most
frequent, its perplexity exp(cross-entropy of the held-out tokens under the
training unigram distribution, add-one smoothed). A run at or below these
numbers has learned nothing usable: the shoot-out draws them as its chance line.
"""
from __future__ import annotations

import math


def unigram(train_ids, valid_ids, special_ids=(), vocab_size: int | None = None) -> dict | None:
    """``{"accuracy", "top5", "perplexity", "token_id", "tokens"}`` of the training unigram on ``valid_ids``.

    ``train_ids`` / ``valid_ids``: 1-D sequences of token ids (numpy arrays); ids in
    ``special_ids`` ([CLS], [SEP], [PAD], [MASK] ...) are never targets and are left out.
    ``vocab_size`` (default: largest id + 1) sizes the add-one smoothing. None when
    either split has no ordinary token.
    """
    import numpy as np

    train = np.asarray(train_ids).ravel()
    valid = np.asarray(valid_ids).ravel()
    special = np.asarray(sorted(special_ids), dtype=train.dtype if train.size else np.int64)
    train = train[~np.isin(train, special)]
    valid = valid[~np.isin(valid, special)]
    if not train.size or not valid.size:
        return None
    size = int(vocab_size or max(int(train.max()), int(valid.max())) + 1)
    counts = np.bincount(train, minlength=size).astype(np.float64)
    order = np.argsort(-counts, kind="stable")
    valid_counts = np.bincount(valid, minlength=size)
    probs = (counts + 1.0) / (counts.sum() + size)
    cross_entropy = -float((valid_counts * np.log(probs)).sum()) / valid.size
    return {"accuracy": float(valid_counts[order[0]] / valid.size),
            "top5": float(valid_counts[order[:5]].sum() / valid.size),
            "perplexity": float(math.exp(cross_entropy)), "token_id": int(order[0]), "tokens": int(valid.size)}
