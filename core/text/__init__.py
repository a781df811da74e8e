"""Reading what people upload: the one reader (with its reading report), tokenizing and streaming a corpus.

Public names (see docs/CONTRACTS.md): ``read_corpus``, ``Corpus``,
``CorpusError``, ``SAMPLES``, ``MAX_UPLOAD_BYTES``, ``sniff``, ``FileInfo``,
``tokenize``, ``detect_language``, ``detect_encoding``, ``guess_encoding``,
``EncodingQuestion`` (the reader asks: ``.candidates``, each a ``Candidate``);
the reader (``core.text.reader``): ``read_lines``, ``read_table``,
``decode_file``, ``ReadingReport``, ``Table``, ``format_report``.
"""
from core.text.corpus import MAX_SENTENCE_TOKENS, Corpus, FileInfo, read_corpus, sniff
from core.text.decode import (
    MAX_UPLOAD_BYTES,
    Candidate,
    CorpusError,
    EncodingGuess,
    EncodingQuestion,
    detect_encoding,
    guess_encoding,
)
from core.text.reader import Table, TextLines, decode_file, read_lines, read_table
from core.text.report import Note, ReadingReport, format_report
from core.text.samples import SAMPLES, cache_dir, sample_path
from core.text.tokenize import cjk_share, detect_language, tokenize

__all__ = [
    "MAX_SENTENCE_TOKENS",
    "MAX_UPLOAD_BYTES",
    "SAMPLES",
    "Candidate",
    "Corpus",
    "CorpusError",
    "EncodingGuess",
    "EncodingQuestion",
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
