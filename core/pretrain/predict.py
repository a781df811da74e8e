"""What a masked-LM model guesses for each [MASK] in a sentence (the page's "try it" box)."""
from __future__ import annotations

MAX_CHARS = 500


def load(model_dir: str, *, user=None):
    """``(model, tokenizer)`` of a model folder with an MLM head, in eval mode (safetensors, no remote code).

    ``user``: the acting person in class mode (``core.models.resolve_model``); refused without one there.
    """
    from core.models import load_model, load_tokenizer

    return load_model(model_dir, "AutoModelForMaskedLM", user=user).eval(), load_tokenizer(model_dir, user=user)


def predict_masks(model, tokenizer, text: str, top_k: int = 5) -> list[list[tuple[str, float]]]:
    """For each ``[MASK]`` in ``text`` (in order), the ``top_k`` tokens with their probabilities.

    p = softmax(logits at the mask position). Raises ValueError when the text has no
    [MASK] or is longer than the model accepts.
    """
    import torch

    text = str(text)[:MAX_CHARS]
    mask = tokenizer.mask_token
    if mask not in text:
        raise ValueError(f"write {mask} where the model should guess a token, e.g. 今天天气很{mask}。")
    encoded = tokenizer(text, return_tensors="pt", truncation=True,
                        max_length=getattr(model.config, "max_position_embeddings", 512))
    with torch.no_grad():
        logits = model(**{k: v for k, v in encoded.items() if k in ("input_ids", "attention_mask")}).logits[0]
    where = (encoded["input_ids"][0] == tokenizer.mask_token_id).nonzero().flatten()
    out = []
    for position in where.tolist():
        probs = logits[position].float().softmax(-1)
        top = probs.topk(top_k)
        out.append([(tokenizer.convert_ids_to_tokens(int(i)), float(p)) for p, i in zip(top.values, top.indices)])
    return out
