"""Unicode NFKC before tokenising: the one normalisation of text for word2vec, pretraining and fine-tuning.

Chinese news and GBK-era text write Latin letters and digits full-width
(２０２３年, ＧＤＰ, ｉＰｈｏｎｅ); Japanese files carry half-width katakana (ｶﾀｶﾅ).
A segmenter or a WordPiece vocabulary sees those as other characters than
their ordinary forms, so "２０２３" becomes four one-digit words (fxsjy/jieba#769).
Unicode NFKC (compatibility decomposition, then canonical composition; Unicode
Standard Annex #15) maps them to the forms the rest of the world writes:
２０２３ -> 2023, ＧＤＰ -> GDP, ５．２％ -> 5.2%, ｶﾀｶﾅ -> カタカナ, ① -> 1. It is what
SentencePiece does by default (``nmt_nfkc``) and what the ``tokenizers``
library's ``normalizers.NFKC`` does, so our own text and our WordPiece
tokenizers agree (:func:`tokenizer_normalizer`).

- :func:`normalize` ``(text) -> str``: NFKC of one text.
- :class:`Normalizer`: the same, counting the characters it changed (for the
  reading report: ``note("nfkc", ...)``).
"""
from __future__ import annotations

import unicodedata

FORM = "NFKC"


def normalize(text: str) -> str:
    """``text`` in Unicode NFKC (``unicodedata.normalize``); already-normal text is returned as is, fast."""
    if text.isascii() or unicodedata.is_normalized(FORM, text):
        return text
    return unicodedata.normalize(FORM, text)


class Normalizer:
    """NFKC that counts what it changed: ``changed`` characters in ``texts`` of the texts seen, ``examples``.

    ``normalizer(text) -> str``. ``examples`` keeps up to five ``(before, after)`` pairs of changed
    characters (e.g. ``("２", "2")``) for the report.
    """

    def __init__(self) -> None:
        self.changed = 0
        self.texts = 0
        self.examples: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if text.isascii() or unicodedata.is_normalized(FORM, text):
            return text
        self.texts += 1
        for ch in text:
            if ch.isascii():
                continue
            after = unicodedata.normalize(FORM, ch)
            if after != ch:
                self.changed += 1
                if len(self.examples) < 5 and ch not in self.examples:
                    self.examples[ch] = after
        return unicodedata.normalize(FORM, text)

    def note(self):
        """The reading-report note for what was changed (None when nothing was)."""
        if not self.changed:
            return None
        from core.text.report import note

        shown = ", ".join(f"{a}→{b}" for a, b in self.examples.items())
        return note("nfkc", "{n} character(s) in {texts} text(s) were normalised by Unicode NFKC before tokenising "
                    "(full-width letters and digits made half-width, e.g. {examples}).",
                    n=self.changed, texts=self.texts, examples=shown)


def tokenizer_normalizer(*, lowercase: bool = True):
    """The ``tokenizers`` normaliser of EmbedLab's WordPiece tokenizers: NFKC, then BERT's (CJK spacing, case).

    ``normalizers.Sequence([NFKC(), BertNormalizer(clean_text, handle_chinese_chars, lowercase)])``, so a
    pretrained tokenizer reads ``ＧＤＰ２０２３`` as it reads ``gdp2023``.
    """
    from tokenizers import normalizers

    return normalizers.Sequence([
        normalizers.NFKC(),
        normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=lowercase),
    ])
