"""Reading what people upload: decoding, tokenizing and streaming a corpus.

Public names (see docs/CONTRACTS.md): ``read_corpus``, ``Corpus``,
``CorpusError``, ``SAMPLES``, ``MAX_UPLOAD_BYTES``, ``sniff``, ``FileInfo``,
``tokenize``, ``detect_language``, ``detect_encoding``.
"""
from core.text.corpus import MAX_SENTENCE_TOKENS, Corpus, FileInfo, read_corpus, sniff
from core.text.decode import MAX_UPLOAD_BYTES, CorpusError, detect_encoding
from core.text.samples import SAMPLES, cache_dir, sample_path
from core.text.tokenize import cjk_share, detect_language, tokenize

__all__ = [
    "MAX_SENTENCE_TOKENS",
    "MAX_UPLOAD_BYTES",
    "SAMPLES",
    "Corpus",
    "CorpusError",
    "FileInfo",
    "cache_dir",
    "cjk_share",
    "detect_encoding",
    "detect_language",
    "read_corpus",
    "sample_path",
    "sniff",
    "tokenize",
]
