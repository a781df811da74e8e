"""Reading what people upload: the one reader (with its reading report), tokenizing and streaming a corpus.

Public names (see docs/CONTRACTS.md): ``read_corpus``, ``Corpus``,
``CorpusError``, ``SAMPLES``, ``MAX_UPLOAD_BYTES``, ``sniff``, ``FileInfo``,
``tokenize``, ``detect_language``, ``detect_encoding``, ``guess_encoding``;
the reader (``core.text.reader``): ``read_lines``, ``read_table``,
``decode_file``, ``ReadingReport``, ``Table``, ``format_report``.
"""
from core.text.corpus import MAX_SENTENCE_TOKENS, Corpus, FileInfo, read_corpus, sniff
from core.text.decode import MAX_UPLOAD_BYTES, CorpusError, EncodingGuess, detect_encoding, guess_encoding
from core.text.reader import Table, TextLines, decode_file, read_lines, read_table
from core.text.report import Note, ReadingReport, format_report
from core.text.samples import SAMPLES, cache_dir, sample_path
from core.text.tokenize import cjk_share, detect_language, tokenize

__all__ = [
    "MAX_SENTENCE_TOKENS",
    "MAX_UPLOAD_BYTES",
    "SAMPLES",
    "Corpus",
    "CorpusError",
    "EncodingGuess",
    "FileInfo",
    "Note",
    "ReadingReport",
    "Table",
    "TextLines",
    "cache_dir",
    "cjk_share",
    "decode_file",
    "detect_encoding",
    "detect_language",
    "format_report",
    "guess_encoding",
    "read_corpus",
    "read_lines",
    "read_table",
    "sample_path",
    "sniff",
    "tokenize",
]
