"""What the input-layer page computes, shared by every session and warmed when the server starts.

Each function is cached once per server process (``ui.cache.shared``, out of the
reach of a visitor's clear-cache message): thirty students who open the page
with the same sentence cost one walk through the model, not thirty. The
page (``app_pages/input_layer.py``) calls these; :func:`warm` computes the
page's defaults (both shipped models, the example sentences, the tokenizers
trained on the shipped corpora) in a background thread (``ui.warmup``), so
the first student does not wait for them either (``EMBEDLAB_WARM_PAGES=0``
turns that off).
"""
from __future__ import annotations

from core import input_layer as il
from ui.cache import shared

MAX_PAGE_TOKENS = 128  # more rows than this make the heatmaps unreadable on a projector
FERTILITY_SIZES = [100, 300, 1000, 3000, 10000]
DEFAULT_VOCAB_SIZE = 1000
# Text to split with the trained tokenizers: in the corpus's language; for an upload, in the UI's.
PROBE_TEXT = {
    "lee": "The government announced unbelievably fast negotiations with Australian bushfire authorities",
    "zh": "我们在北京学习中文，自然语言处理很有意思。",
}
CORPUS_FOR_LANGUAGE = {"en": "lee", "zh": "zh"}  # the shipped corpus a user of that UI language starts with
DEFAULT_MASK = (0.15, 0)  # (select_prob, seed) the page starts with


@shared(max_entries=4)
def load_model_and_tokenizer(path: str):
    """The model (with its MLM head when it has one, eager attention, eval mode) and its tokenizer.

    Shared by every visitor, so it loads as the server (``SHELL``): the page only passes a path the
    person may read (a model ``list_models(user=me())`` listed, or one ``check_typed_model`` allowed).
    """
    from core.jobs import SHELL
    from core.models import load_tokenizer
    from ui.warmup import transformers_ready

    transformers_ready()
    return il.load_input_model(path, user=SHELL), load_tokenizer(path, user=SHELL)


@shared(max_entries=4)
def random_pool(tokenizer_path: str, _tokenizer):
    return il.ordinary_ids(_tokenizer)


@shared(max_entries=64)
def walk(path: str, text: str, pair: str, position: str | None = None) -> il.InputWalk:
    """The walk of ``text`` (and ``pair``) through the model at ``path`` (shared, read-only)."""
    model, tokenizer = load_model_and_tokenizer(path)
    return il.walk(il.as_family(model), tokenizer, text, pair, position=position, max_tokens=MAX_PAGE_TOKENS)


@shared(max_entries=64)
def masking_demo(path: str, text: str, pair: str, prob: float, seed: int) -> tuple:
    """``(masked, statistics over 2,000 draws, MLM guesses at the selected tokens or None)`` of the demo."""
    model, tokenizer = load_model_and_tokenizer(path)
    family, view = il.as_family(model), walk(path, text, pair).tokens
    config = il.MaskConfig(select_prob=prob, seed=seed)
    pool = random_pool(tokenizer.name_or_path, tokenizer)
    masked = il.mask_tokens(view.input_ids, view.special, view.mask_id, config, random_pool=pool)
    stats = il.masking_statistics(view.input_ids, view.special, view.mask_id, config, repeats=2000, random_pool=pool)
    chosen = masked.selected.nonzero().flatten().tolist()
    guesses = il.guess_at(family, tokenizer, masked.masked_ids, chosen, view.token_type_ids,
                          original_ids=view.input_ids) if family.has_mlm_head and chosen else None
    return masked, stats, guesses


@shared(max_entries=64)
def own_guesses(path: str, text: str):
    """The MLM head's top-5 at each [MASK] of ``text``."""
    model, tokenizer = load_model_and_tokenizer(path)
    return il.guess_masks(il.as_family(model), tokenizer, text, max_tokens=MAX_PAGE_TOKENS)


COMPARE_TOKENS = 64  # the BERT-vs-GPT view: two heatmaps side by side, more tokens than this do not read


@shared(max_entries=32)
def compare_walk(path: str, text: str) -> il.InputWalk:
    """The walk of ``text`` alone (no pair) through the model at ``path``, for the BERT-vs-GPT view."""
    model, tokenizer = load_model_and_tokenizer(path)
    return il.walk(il.as_family(model), tokenizer, text, max_tokens=COMPARE_TOKENS)


@shared(max_entries=64)
def next_guesses(path: str, text: str, max_tokens: int = COMPARE_TOKENS):
    """A causal model's top-5 for the token after each position of ``text``."""
    model, tokenizer = load_model_and_tokenizer(path)
    return il.guess_next(il.as_family(model), tokenizer, text, max_tokens=max_tokens)


@shared(max_entries=64)
def guess_masked(path: str, text: str, at: int):
    """The MLM head's top-5 at position ``at`` of ``text``'s walk with that one token replaced by [MASK]."""
    model, tokenizer = load_model_and_tokenizer(path)
    view = compare_walk(path, text).tokens
    masked = view.input_ids.clone()
    masked[at] = tokenizer.mask_token_id
    return il.guess_at(il.as_family(model), tokenizer, masked, [at], view.token_type_ids,
                       original_ids=view.input_ids)[0]


@shared(max_entries=8)
def corpus_lines(source: str, data: bytes | None, name: str) -> list[str]:
    return il.read_lines(data, name) if source == "upload" else il.sample_lines(source)


@shared(max_entries=32)
def compare_tokenizers(lines: list[str], text: str, vocab_size: int) -> dict:
    return il.compare(lines, text, vocab_size)


@shared(max_entries=8)
def fertility(lines: list[str]) -> dict:
    return il.fertility(lines, FERTILITY_SIZES, max_words=5000)


def warm() -> None:
    """Compute what the page shows first, for both UI languages (each step skipped if it fails)."""
    from core.jobs import SHELL
    from core.models import list_models, model_for_language

    models = list_models(user=SHELL)  # the shipped models; in class mode the server acts as the teacher here
    for language, corpus in CORPUS_FOR_LANGUAGE.items():
        try:
            path = model_for_language(language, models).path
            text, pair = il.EXAMPLES.get(language, ("", ""))
            walk(str(path), text, pair)
            masking_demo(str(path), text, pair, *DEFAULT_MASK)
            lines = corpus_lines(corpus, None, "")
            compare_tokenizers(lines, PROBE_TEXT[corpus], DEFAULT_VOCAB_SIZE)
            fertility(lines)
        except Exception:  # noqa: BLE001 - a warm-up never breaks anything: the page computes and reports it
            continue
    shipped = {m.name: str(m.path) for m in models}
    try:  # the BERT-vs-GPT view's Chinese default: the shipped pair on the example sentence
        for name in ("embedlab-bert-zh", "embedlab-gpt-zh"):
            compare_walk(shipped[name], il.EXAMPLES["zh"][0])
    except Exception:  # noqa: BLE001 - as above
        pass
