"""The input layer of a BERT model, step by step, with the model's real numbers.

    text -> WordPiece tokens -> ids (one-hot rows)                   tokens.py
    -> word + position + token-type rows -> sum -> LayerNorm         embeddings.py
    -> first-layer Q, K, V -> scaled scores -> softmax per head      attention.py
Also: BERT's masked-LM 15% / 80-10-10 rule (mlm.py), what a masked-LM head guesses
at each [MASK] (predict.py), a BPE/WordPiece trainer (subword.py), and ``walk``
which runs all of it for one sentence (walk.py). The walk takes any model family
``families/`` knows: Hugging Face BERT (families/bert.py) and EmbedLab's own models, the
bidirectional embedlab-bert and the causal embedlab-gpt, with any position encoding
(families/embedlab.py). For a causal model it adds the causal mask (a token sees itself and
earlier ones) and ``guess_next`` gives its next-token guesses.
"""
from core.input_layer.attention import AttentionSteps, first_layer_attention, model_attentions
from core.input_layer.embeddings import (
    POSITION_KINDS, EmbeddingParts, EmbeddingSteps, cosine_matrix, embedding_parts, embedding_steps, position_choices,
    position_kinds, position_part,
)
from core.input_layer.families import EncoderFamily, as_family
from core.input_layer.mlm import (
    ACTIONS, MaskConfig, MaskResult, action_names, mask_tokens, masking_statistics, shown_tokens,
)
from core.input_layer.subword import (
    SubwordConfig, compare, fertility, merges, pieces_per_word, read_lines, sample_lines, split, train_subword,
)
from core.input_layer.tokens import (
    MAX_TOKENS, TokenView, chip_kinds, one_hot, one_hot_slice, one_hot_summary, one_hot_window, ordinary_ids, sparsity, tokenize,
)
from core.input_layer.predict import TOP_K, MaskGuess, guess_at, guess_masks, guess_next
from core.input_layer.walk import InputWalk, load_input_model, model_class_for, walk

EXAMPLES = {  # (sentence A, sentence B) the page starts with, by language
    "en": ("The cat sat on the mat.", "It was warm."),
    "zh": ("我们在北京学习中文。", "天天学中文。"),  # B: every character in MiniLM's vocabulary
}

__all__ = [
    "ACTIONS", "EXAMPLES", "MAX_TOKENS", "POSITION_KINDS", "TOP_K",
    "AttentionSteps", "EmbeddingParts", "EmbeddingSteps", "EncoderFamily", "InputWalk", "MaskConfig", "MaskGuess",
    "MaskResult", "SubwordConfig", "TokenView", "as_family", "embedding_parts", "guess_at", "guess_masks", "guess_next",
    "model_class_for", "position_choices",
    "one_hot_slice", "one_hot_summary", "action_names", "chip_kinds", "compare", "fertility", "shown_tokens", "cosine_matrix", "embedding_steps", "first_layer_attention", "load_input_model", "mask_tokens",
    "masking_statistics", "merges", "model_attentions", "one_hot", "one_hot_window", "ordinary_ids",
    "pieces_per_word", "position_kinds", "position_part", "read_lines", "sample_lines", "sparsity", "split", "tokenize",
    "train_subword", "walk",
]
