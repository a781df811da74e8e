"""Causal LM (GPT, Radford et al. 2018): predict every next token, attention masked to the past.

    L = -1/(n-1) sum_{i<n} log p(x_{i+1} | x_1 .. x_i)      every position predicts the one after it

Data: the corpus as one stream with [SEP] after each line (so the model learns where a
line ends and generation can stop), cut into blocks of ``seq_len`` consecutive tokens;
each step draws ``batch_size`` blocks at random. Every position is a prediction, so a
step reads ~6.7x more targets than masked LM's 15% (and pays for the vocabulary
projection at every position). The page shows the next-token guesses and a continuation:
greedy (always the most probable token) or sampled from the ``top_k`` most probable,
softened by a temperature (Fan et al. 2018).
"""
from __future__ import annotations

import re

from core.pretrain.objectives import register
from core.pretrain.objectives.base import Objective, extrapolation_budget, scores_of, top_k_scores

MAX_PROMPT_CHARS = 500
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
# a space between two Chinese characters, or between one and a punctuation mark (NFKC reads "，" as ","): "时候, 也有"
_CJK_GAP = re.compile(rf"(?<={_CJK}) (?={_CJK}|[^\w\s])|(?<=[^\w\s]) (?={_CJK})")


def next_token_scores(model, blocks, device, batch_size: int = 16) -> dict | None:
    """Next-token ``loss``, ``accuracy``, ``top5``, ``perplexity`` over every position of ``blocks`` (n, L)."""
    import torch

    if blocks is None or blocks.shape[0] == 0:
        return None
    was_training = model.training
    model.eval()
    loss_sum, correct, top5, count = 0.0, 0, 0, 0
    with torch.no_grad():
        for start in range(0, blocks.shape[0], batch_size):
            x = blocks[start:start + batch_size].to(device)
            logits = model(input_ids=x).logits[:, :-1].float()
            s, c, t, n = top_k_scores(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1))
            loss_sum, correct, top5, count = loss_sum + s, correct + c, top5 + t, count + n
    model.train(was_training)
    return scores_of(loss_sum, correct, top5, count)


def readable(text: str) -> str:
    """A decoded WordPiece string without the spaces the decoder puts between Chinese characters (and between
    one and a punctuation mark); English keeps its spaces."""
    return _CJK_GAP.sub("", text)


def prompt_ids(tokenizer, prompt: str):
    """``(1, n)`` ids of ``prompt`` without [CLS]/[SEP] (the causal LM never read them at the start)."""
    import torch

    prompt = str(prompt)[:MAX_PROMPT_CHARS].strip()
    ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    if not ids:
        raise ValueError("write a few words for the model to continue, e.g. 今天天气 or The cat.")
    return torch.tensor([ids])


def next_tokens(model, tokenizer, prompt: str, top_k: int = 5) -> list[tuple[str, float]]:
    """The ``top_k`` most probable next tokens after ``prompt``: p = softmax(logits at the last position)."""
    import torch

    ids = prompt_ids(tokenizer, prompt)
    limit = int(getattr(model.config, "max_position_embeddings", 512))
    with torch.no_grad():
        probs = model(input_ids=ids[:, -limit:]).logits[0, -1].float().softmax(-1)
    top = probs.topk(min(top_k, probs.shape[-1]))
    return [(tokenizer.convert_ids_to_tokens(int(i)), float(p)) for p, i in zip(top.values, top.indices)]


def continue_text(model, tokenizer, prompt: str, *, max_new_tokens: int = 30, sample: bool = False,
                  top_k: int = 10, temperature: float = 1.0, seed: int = 0) -> str:
    """``prompt`` continued by transformers' ``generate``: greedy, or sampled from the ``top_k`` tokens at ``temperature``.

    Stops at [SEP] (a line's end) or after ``max_new_tokens``; sampling is seeded (the same seed,
    the same text) and leaves the global random state as it was. Returns only the new text.
    ValueError for an empty prompt or settings out of range.
    """
    import torch

    if not 1 <= max_new_tokens <= 200:
        raise ValueError(f"max_new_tokens must be between 1 and 200, not {max_new_tokens}.")
    if sample and (top_k < 1 or not 0 < temperature <= 5):
        raise ValueError("top_k must be at least 1 and temperature in (0, 5].")
    ids = prompt_ids(tokenizer, prompt)
    room = int(model.config.max_position_embeddings) - ids.shape[1]
    if room < 1:
        raise ValueError(f"the prompt fills the model's {model.config.max_position_embeddings} positions; shorten it.")
    options = {"do_sample": True, "top_k": top_k, "temperature": temperature} if sample else {"do_sample": False}
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)
        out = model.generate(ids.to(model.device), attention_mask=torch.ones_like(ids).to(model.device),
                             max_new_tokens=min(max_new_tokens, room), use_cache=False,
                             eos_token_id=tokenizer.sep_token_id, pad_token_id=tokenizer.pad_token_id, **options)
    return readable(tokenizer.decode(out[0, ids.shape[1]:].tolist(), skip_special_tokens=True))


@register
class CausalLM(Objective):
    name = "clm"
    order = 30
    family = "autoregressive"
    model_class = "EmbedLabGPTForCausalLM"
    config_class = "EmbedLabGPTConfig"
    head = "AutoModelForCausalLM"
    architectures = ("ForCausalLM", "LMHeadModel")
    view = "generate"
    accuracy_name = "next-token accuracy"
    source = "Radford et al. 2018, GPT (causal LM); Press & Wolf 2017 / GPT-2 (tied input and output embeddings)"
    formula = (r"\mathcal{L}_{\mathrm{CLM}} = -\frac{1}{n-1}\sum_{i=1}^{n-1} "
               r"\log p_\theta\big(x_{i+1} \mid x_1, \dots, x_i\big)")

    def prepare(self, text, config) -> dict:
        from core.pretrain.data import make_plain_blocks

        sep = text.vocab.sep_id
        stream = text.stream("train", separator=sep)
        blocks = make_plain_blocks(stream, config.seq_len)
        if blocks.shape[0] == 0:
            raise ValueError(f"the corpus has {len(stream)} tokens, fewer than one training sequence of "
                             f"{config.seq_len}; use a longer text or a smaller seq_len.")
        valid_stream = text.stream("valid", separator=sep)
        return {"train": blocks, "valid_stream": valid_stream,
                "valid": make_plain_blocks(valid_stream, config.seq_len, config.eval_tokens)}

    def batch(self, data, step, seed, config) -> dict:
        from core.pretrain.data import draw_rows

        return {"input_ids": data["train"][draw_rows(data["train"].shape[0], config.batch_size, seed, step)]}

    def loss(self, model, batch):
        ids = batch["input_ids"]
        out = model(input_ids=ids, labels=ids)
        gold = ids[:, 1:]
        return out.loss, {"correct": (out.logits[:, :-1].detach().argmax(-1) == gold).sum(), "count": gold.numel()}

    def evaluate(self, model, data, config, device, factor: int | None = None):
        from core.pretrain.data import make_plain_blocks

        if factor is None:
            return next_token_scores(model, data["valid"], device)
        blocks = make_plain_blocks(data["valid_stream"], factor * config.seq_len, extrapolation_budget(config))
        return next_token_scores(model, blocks, device, batch_size=max(1, 16 // factor))
