"""Nearest neighbours, pair similarity and analogies by cosine similarity.

cos(u, v) = u . v / (|u| |v|), in [-1, 1]; 1 means the same direction.
An analogy ``a - b + c`` (king - man + woman) asks for the word whose vector
is closest by cosine to ``unit(a) - unit(b) + unit(c)``, leaving out a, b, c
themselves (gensim's ``most_similar`` convention, 3CosAdd).
"""
from __future__ import annotations

import difflib

import numpy as np


def require_words(kv, words) -> None:
    """Raise ``ValueError`` naming every word of ``words`` that ``kv`` does not know, with suggestions."""
    missing = [w for w in words if w not in kv.key_to_index]
    if not missing:
        return
    hints = []
    for word in missing[:3]:
        close = difflib.get_close_matches(word, kv.index_to_key[:20000], n=3, cutoff=0.75)
        if close:
            hints.append(f"{word!r} -> did you mean {', '.join(close)}?")
    message = (
        f"Not in the vocabulary ({len(kv.index_to_key):,} words): {', '.join(repr(w) for w in missing)}."
    )
    if hints:
        message += " " + " ".join(hints)
    elif any(w != w.lower() for w in missing):
        message += " Vectors trained with lowercasing only know lowercase words."
    raise ValueError(message)


def clean_word(text: str) -> str:
    """A word as typed (spaces trimmed); ``ValueError`` if empty."""
    word = (text or "").strip()
    if not word:
        raise ValueError("Type a word first.")
    return word


def neighbours(kv, word: str, k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` words most similar to ``word`` by cosine, best first, as ``(word, cosine)``."""
    word = clean_word(word)
    require_words(kv, [word])
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}.")
    return [(w, float(s)) for w, s in kv.most_similar(word, topn=k)]


def similarity(kv, a: str, b: str) -> float:
    """Cosine similarity of two words, in [-1, 1]."""
    a, b = clean_word(a), clean_word(b)
    require_words(kv, [a, b])
    return float(kv.similarity(a, b))


def analogy(kv, a: str, b: str, c: str, k: int = 5) -> list[tuple[str, float]]:
    """``a - b + c``: the answer first, then ``k - 1`` runners-up, as ``(word, cosine)``.

    ``analogy(kv, "king", "man", "woman")[0][0]`` should be ``"queen"``.
    """
    a, b, c = clean_word(a), clean_word(b), clean_word(c)
    require_words(kv, [a, b, c])
    return [(w, float(s)) for w, s in kv.most_similar(positive=[a, c], negative=[b], topn=k)]


def neighbourhood(kv, words, k: int = 10, within: list[str] | None = None) -> dict[str, list[str]]:
    """For each known word in ``words``, its ``k`` nearest neighbours (restricted to ``within`` if given).

    Unknown words are skipped (the caller reports them); used to highlight a
    search and its neighbours on a projection.
    """
    out = {}
    restrict = None
    if within is not None:
        restrict_words = [w for w in within if w in kv.key_to_index]
        restrict = np.asarray([kv.key_to_index[w] for w in restrict_words])
        unit = kv.get_normed_vectors()[restrict]
    for word in words:
        if word not in kv.key_to_index:
            continue
        if restrict is None:
            out[word] = [w for w, _ in kv.most_similar(word, topn=k)]
            continue
        scores = unit @ kv.get_vector(word, norm=True)
        order = np.argsort(-scores)
        out[word] = [restrict_words[i] for i in order if restrict_words[i] != word][:k]
    return out
