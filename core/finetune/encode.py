"""Text to model inputs: tokenisation, truncation counts, word-to-sub-word label alignment."""
from __future__ import annotations

from core.finetune.data import TagData, TextData

IGNORE = -100  # label id that PyTorch's cross-entropy skips


def align_labels(word_ids: list[int | None], word_labels: list[int]) -> list[int]:
    """One label per sub-word token, from one label per word.

    The first sub-token of each word carries the word's label; the other
    sub-tokens of that word and the special tokens ([CLS], [SEP], padding;
    ``word_id`` None) get ``-100`` so the loss and the metrics ignore them.
    ``word_ids`` (seq_len,) as a fast tokenizer's ``word_ids()`` returns.
    """
    out, previous = [], None
    for word in word_ids:
        if word is None or word == previous:
            out.append(IGNORE)
        else:
            out.append(word_labels[word])
        previous = word
    return out


def model_max_length(model_config) -> int | None:
    """How many positions the model has (None when it does not say)."""
    for name in ("max_position_embeddings", "n_positions", "max_seq_len"):
        value = getattr(model_config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def check_max_length(max_length: int, model_config) -> None:
    limit = model_max_length(model_config)
    if limit is not None and max_length > limit:
        raise ValueError(f"max_length {max_length} is longer than this model's {limit} positions; "
                         f"set max_length to {limit} or less.")


def encode(tokenizer, data: TextData | TagData, label2id: dict[str, int], max_length: int) -> tuple[list[dict], int]:
    """Tokenise every example; returns ``(features, n_truncated)``.

    Each feature is a dict of lists (``input_ids`` (seq_len,), ``attention_mask``, maybe
    ``token_type_ids``, and ``labels``: an int for classification, (seq_len,) ints for NER),
    unpadded: the collator pads each batch to its own longest example.
    """
    if isinstance(data, TagData):
        full = tokenizer(data.tokens, is_split_into_words=True)
        n_truncated = sum(len(ids) > max_length for ids in full["input_ids"])
        enc = tokenizer(data.tokens, is_split_into_words=True, truncation=True, max_length=max_length)
        features = []
        for i, tags in enumerate(data.tags):
            feature = {k: enc[k][i] for k in enc.keys()}
            feature["labels"] = align_labels(enc.word_ids(i), [label2id[t] for t in tags])
            features.append(feature)
        return features, n_truncated
    args = (data.texts, data.pairs) if data.pairs is not None else (data.texts,)
    full = tokenizer(*args)
    n_truncated = sum(len(ids) > max_length for ids in full["input_ids"])
    enc = tokenizer(*args, truncation=True, max_length=max_length)
    features = []
    for i, label in enumerate(data.labels):
        feature = {k: enc[k][i] for k in enc.keys()}
        feature["labels"] = label2id[label]
        features.append(feature)
    return features, n_truncated
