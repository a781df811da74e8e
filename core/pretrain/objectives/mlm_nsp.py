"""Masked LM + next-sentence prediction (BERT as published, Devlin et al. 2019, sec. 3.1).

    input  [CLS] A [SEP] B [SEP]           segment ids 0 for [CLS] A [SEP], 1 for B [SEP]
    B      the text that follows A in the same document (label 0, "IsNext") for half the pairs,
           text from another document (label 1, "NotNext") for the other half
    L      = L_MLM (BERT's 15% rule on the pair) + CE(W_nsp tanh(W_p h_[CLS]), label)

Data: sentences are the corpus lines cut after sentence-final punctuation (。！？!?.；);
a document is a run of consecutive training lines (a blank line, a table row's end or a
held-out line ends one), so A and B of a training pair never touch the held-out text, and
held-out pairs are built from held-out lines only. A line that is one sentence alone in its
document is cut in the middle, so every document has a "next". As in BERT, A is one or more
sentences and B fills the rest of the sequence; when the pair is too long, A loses words at
its start and B at its end (the A|B boundary, what NSP is about, stays). The labels of every
batch are exactly half IsNext and half NotNext. MLM is scored on the same held-out blocks as
the masked-LM objective, so the two are compared on the same task.
"""
from __future__ import annotations

from core.pretrain.objectives import register
from core.pretrain.objectives.mlm import MaskedLM, masked_scores

IS_NEXT, NOT_NEXT = 0, 1  # Hugging Face's convention for next_sentence_label
SENTENCE_ENDS = tuple("。！？!?；;…") + (".",)
EVAL_PAIR_SEED = 4321


def split_sentences(line: str) -> list[str]:
    """A line of space-separated tokens cut after each token that ends a sentence (。！？!?.; ...)."""
    out, current = [], []
    for token in line.split():
        current.append(token)
        if token.endswith(SENTENCE_ENDS):
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


class Segments:
    """The sentences of a split as token ids, grouped into documents (runs of consecutive lines).

    ``ids[k]`` the ids of sentence k (int32), ``doc[k]`` its document, ``end[d]`` one past the last
    sentence of document d; ``line[k]`` the index of the line it came from (for tests and reports).
    ``starts``: the sentences that have a next sentence in their document (where an IsNext pair can begin).
    """

    def __init__(self, tokenizer, lines: list[str], runs: list[int]):
        import numpy as np

        from core.pretrain.data import encode_lines

        bounds = list(runs) + [len(lines)]
        texts, doc, line_of = [], [], []
        for d, (first, last) in enumerate(zip(bounds[:-1], bounds[1:])):
            sentences = [(i, s) for i in range(first, last) for s in split_sentences(lines[i])]
            if len(sentences) == 1 and len(sentences[0][1].split()) >= 2:  # cut a lone sentence in two
                i, words = sentences[0][0], sentences[0][1].split()
                sentences = [(i, " ".join(words[:len(words) // 2])), (i, " ".join(words[len(words) // 2:]))]
            for i, s in sentences:
                texts.append(s)
                doc.append(d)
                line_of.append(i)
        encoded = encode_lines(tokenizer, texts)
        keep = [k for k, ids in enumerate(encoded) if len(ids)]
        self.ids = [encoded[k] for k in keep]
        self.doc = np.asarray([doc[k] for k in keep], dtype=np.int64)
        self.line = np.asarray([line_of[k] for k in keep], dtype=np.int64)
        n = len(self.ids)
        self.end = np.searchsorted(self.doc, self.doc, side="right") if n else np.zeros(0, dtype=np.int64)
        self.starts = np.nonzero(np.arange(n) + 1 < self.end)[0]
        self.n_docs = int(len(np.unique(self.doc))) if n else 0

    def __len__(self) -> int:
        return len(self.ids)


def draw_pair(segments: Segments, rng, budget: int, is_next: bool):
    """``(A sentence indexes, B sentence indexes)`` of one pair, A and B together about ``budget`` tokens.

    A starts at a random sentence that has a next one; the chunk of following sentences of its
    document (up to ``budget`` tokens, at least two sentences) is cut at a random point: A is the
    first part, B the rest (IsNext) or, for NotNext, sentences from a random other document.
    """
    s = int(segments.starts[rng.integers(len(segments.starts))])
    end = int(segments.end[s])
    chunk, total = [], 0
    j = s
    while j < end and (total < budget or len(chunk) < 2):
        chunk.append(j)
        total += len(segments.ids[j])
        j += 1
    a_n = int(rng.integers(1, len(chunk)))
    a = chunk[:a_n]
    if is_next:
        return a, chunk[a_n:]
    a_len = sum(len(segments.ids[k]) for k in a)
    n = len(segments)
    u = int(rng.integers(n))
    for _ in range(20):  # another document (BERT: a random document); with a single document, not the true next
        if (segments.n_docs > 1 and segments.doc[u] != segments.doc[s]) or (segments.n_docs <= 1 and u != chunk[a_n]):
            break
        u = int(rng.integers(n))
    b, total = [], a_len
    for k in range(u, int(segments.end[u])):
        b.append(k)
        total += len(segments.ids[k])
        if total >= budget:
            break
    return a, b


def pair_tensor(segments: Segments, a: list[int], b: list[int], seq_len: int, vocab):
    """``(input_ids, token_type_ids, attention_mask)``, each ``(seq_len,)``, of ``[CLS] A [SEP] B [SEP]`` + padding."""
    import numpy as np
    import torch

    budget = seq_len - 3
    a_ids = np.concatenate([segments.ids[k] for k in a])
    b_ids = np.concatenate([segments.ids[k] for k in b])
    while len(a_ids) + len(b_ids) > budget:  # the longer side loses a token away from the A|B boundary
        if len(a_ids) > len(b_ids):
            a_ids = a_ids[1:]
        else:
            b_ids = b_ids[:-1]
    ids = [vocab.cls_id, *a_ids.tolist(), vocab.sep_id, *b_ids.tolist(), vocab.sep_id]
    types = [0] * (len(a_ids) + 2) + [1] * (len(b_ids) + 1)
    pad = seq_len - len(ids)
    return (torch.tensor(ids + [vocab.pad_id] * pad), torch.tensor(types + [0] * pad),
            torch.tensor([1] * len(ids) + [0] * pad))


def pairs_batch(segments: Segments, labels, seq_len: int, vocab, rng) -> dict:
    """Unmasked pairs for ``labels`` (0 IsNext / 1 NotNext): ``input_ids``, ``token_type_ids``, ``attention_mask``,
    ``next_sentence_label``, each ``(batch, seq_len)`` / ``(batch,)``."""
    import torch

    rows = [pair_tensor(segments, *draw_pair(segments, rng, seq_len - 3, int(y) == IS_NEXT), seq_len, vocab)
            for y in labels]
    return {"input_ids": torch.stack([r[0] for r in rows]), "token_type_ids": torch.stack([r[1] for r in rows]),
            "attention_mask": torch.stack([r[2] for r in rows]),
            "next_sentence_label": torch.as_tensor(list(labels), dtype=torch.long)}


def balanced_labels(n: int, rng):
    """``n`` labels, half IsNext and half NotNext (one more IsNext when n is odd), in random order."""
    import numpy as np

    return rng.permutation(np.asarray([IS_NEXT] * (n - n // 2) + [NOT_NEXT] * (n // 2)))


def next_sentence(model, tokenizer, a: str, b: str) -> float:
    """p(B follows A): the NSP head's softmax at column 0 for ``[CLS] a [SEP] b [SEP]``. ValueError for empty text."""
    import torch

    if not str(a).strip() or not str(b).strip():
        raise ValueError("write two sentences, A and B, to ask whether B follows A.")
    limit = int(getattr(model.config, "max_position_embeddings", 512))
    encoded = tokenizer(str(a)[:500], str(b)[:500], return_tensors="pt", truncation=True, max_length=limit)
    with torch.no_grad():
        logits = model(input_ids=encoded["input_ids"], token_type_ids=encoded["token_type_ids"],
                       attention_mask=encoded["attention_mask"]).seq_relationship_logits[0]
    return float(logits.float().softmax(-1)[IS_NEXT])


@register
class MaskedLMNextSentence(MaskedLM):
    name = "mlm_nsp"
    order = 20
    family = "autoencoding"
    model_class = "EmbedLabBertForPreTraining"
    head = "AutoModelForPreTraining"
    architectures = ("ForPreTraining",)
    view = "pair"
    scores = ("loss", "accuracy", "top5", "perplexity", "nsp_loss", "nsp_accuracy")
    source = "Devlin et al. 2019, BERT, sec. 3.1 (masked LM and next-sentence prediction)"
    formula = (r"\mathcal{L} = \mathcal{L}_{\mathrm{MLM}} - \log p_\theta\big(y \mid h_{[\mathrm{CLS}]}\big),\quad "
               r"y \in \{\mathrm{IsNext}, \mathrm{NotNext}\}")

    def prepare(self, text, config) -> dict:
        import numpy as np

        data = super().prepare(text, config)  # the masked-LM held-out blocks: the same task as mlm's
        train = Segments(text.tokenizer, text.train_lines, text.info.get("train_runs") or [0])
        if not len(train.starts):
            raise ValueError("next-sentence prediction needs documents of at least two sentences; this corpus has "
                             "none. Use a longer text or the mlm objective.")
        valid = Segments(text.tokenizer, text.valid_lines, list(range(len(text.valid_lines))))
        pairs = None
        if len(valid.starts):
            rng = np.random.default_rng(EVAL_PAIR_SEED)
            n = max(2, min(config.eval_tokens // config.seq_len, 2 * len(valid.starts)))
            pairs = pairs_batch(valid, [i % 2 for i in range(n)], config.seq_len, text.vocab, rng)  # exactly 50/50
        return {**data, "train": train, "valid_segments": valid, "valid_pairs": pairs}

    def batch(self, data, step, seed, config) -> dict:
        import numpy as np

        from core.pretrain.data import mask, step_seed

        rng = np.random.default_rng(step_seed(seed, step))
        pairs = pairs_batch(data["train"], balanced_labels(config.batch_size, rng), config.seq_len, data["vocab"], rng)
        pairs["input_ids"], pairs["labels"] = mask(pairs["input_ids"], data["vocab"], config.mask_prob,
                                                   step_seed(seed + 1, step))
        return pairs

    def loss(self, model, batch):
        out = model(**batch, only_labelled=True)
        gold = batch["labels"][batch["labels"] != -100]
        nsp_gold = batch["next_sentence_label"]
        return out.loss, {"correct": (out.logits.detach().argmax(-1) == gold).sum(), "count": gold.numel(),
                          "mlm_loss": out.mlm_loss.detach().float(), "nsp_loss": out.nsp_loss.detach().float(),
                          "batches": 1, "nsp_correct": (out.seq_relationship_logits.detach().argmax(-1) == nsp_gold).sum(),
                          "nsp_count": nsp_gold.numel()}

    def step_fields(self, loss, sums):
        import math

        batches = max(1.0, sums.get("batches", 0.0))
        mlm_loss = sums.get("mlm_loss", 0.0) / batches
        return {"accuracy": sums.get("correct", 0.0) / max(1.0, sums.get("count", 0.0)),
                "perplexity": math.exp(min(mlm_loss, 50.0)), "mlm_loss": mlm_loss,
                "nsp_loss": sums.get("nsp_loss", 0.0) / batches,
                "nsp_accuracy": sums.get("nsp_correct", 0.0) / max(1.0, sums.get("nsp_count", 0.0))}

    def evaluate(self, model, data, config, device, factor: int | None = None):
        scores = super().evaluate(model, data, config, device, factor)
        if factor is not None or scores is None or data["valid_pairs"] is None:
            return scores
        return {**scores, **nsp_scores(model, data["valid_pairs"], device)}


def nsp_scores(model, pairs: dict, device, batch_size: int = 16) -> dict:
    """``nsp_loss`` and ``nsp_accuracy`` of the NSP head on unmasked held-out pairs (half IsNext)."""
    import torch

    was_training = model.training
    model.eval()
    loss_sum, correct, n = 0.0, 0, int(pairs["input_ids"].shape[0])
    with torch.no_grad():
        for start in range(0, n, batch_size):
            part = {k: v[start:start + batch_size].to(device) for k, v in pairs.items()}
            gold = part.pop("next_sentence_label")
            logits = model(**part).seq_relationship_logits.float()
            loss_sum += torch.nn.functional.cross_entropy(logits, gold, reduction="sum").item()
            correct += int((logits.argmax(-1) == gold).sum())
    model.train(was_training)
    return {"nsp_loss": loss_sum / max(1, n), "nsp_accuracy": correct / max(1, n), "nsp_pairs": n}


__all__ = ["IS_NEXT", "NOT_NEXT", "MaskedLMNextSentence", "masked_scores", "next_sentence", "split_sentences"]
