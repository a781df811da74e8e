"""What the training page shows of a corpus before training: the reading report, first sentences, counts."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class CorpusPreview:
    """What the page shows before training: from the first ``max_tokens`` tokens of the corpus.

    ``sentences``: the first few sentences as token lists; ``counts``: word
    frequencies, most frequent first (for the Zipf plot); ``tokens``: tokens
    read; ``truncated``: True if the corpus is longer than what was read (``stopped_by`` says which
    budget ended the reading: ``"tokens"``, ``"lines"`` or ``"time"``);
    ``report``: the reader's ``core.text.reader.ReadingReport`` (None when
    the reader gives none); ``segmented``: the corpus came split into words by
    its source (a ``dataset:`` corpus), so no segmenter ran.
    """

    name: str
    encoding: str
    language: str
    sentences: list[list[str]] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)
    tokens: int = 0
    n_sentences: int = 0
    truncated: bool = False
    stopped_by: str | None = None  # "tokens", "lines" or "time": which budget ended the preview (None: whole file)
    report: object | None = None
    segmented: bool = False

    def token_lines(self, max_tokens: int = 30, separator: str = " | ") -> str:
        """The first sentences, one per line, tokens joined by ``separator`` (long ones cut with "…")."""
        return "\n".join(separator.join(s[:max_tokens]) + (" …" if len(s) > max_tokens else "")
                         for s in self.sentences)

    def vocab_size(self, min_count: int) -> int:
        """How many distinct words occur at least ``min_count`` times (in what was read)."""
        return sum(1 for _, count in self.counts if count >= min_count)

    def too_small(self, min_count: int) -> tuple[int, int] | None:
        """``(words kept, a min_count that keeps two)`` when ``min_count`` leaves fewer than the two words
        training needs, else None (also None for a truncated preview: the whole corpus may have more)."""
        if self.truncated:
            return None
        kept = self.vocab_size(min_count)
        if kept >= 2:
            return None
        counts = [c for _, c in self.counts[:2]]
        return kept, counts[1] if len(counts) == 2 else 1


MAX_PREVIEW_TOKENS = 2_000_000  # the preview counts at most this many tokens ...
MAX_PREVIEW_LINES = 500_000  # ... read at most this many lines (empty ones too) ...
MAX_PREVIEW_SECONDS = 5.0  # ... and stops after this long, whichever comes first


def preview_corpus(config: dict, *, n_sentences: int = 5, max_tokens: int = MAX_PREVIEW_TOKENS,
                   max_lines: int = MAX_PREVIEW_LINES, max_seconds: float = MAX_PREVIEW_SECONDS) -> CorpusPreview:
    """Read the head of a job's corpus for the page's preview, within a budget.

    Stops at ``max_tokens`` tokens, ``max_lines`` lines (cells, fields; blank lines count) or
    ``max_seconds`` seconds of reading, whichever comes first; ``truncated`` is then True and
    ``stopped_by`` says which (``"tokens"``, ``"lines"``, ``"time"``), so the page can say so. A zip
    is streamed member by member, never inflated in memory. ``config``: a word2vec job config (or
    just its reading fields, see ``core.word2vec.job.open_corpus``). Raises ``ValueError``
    (``core.text.CorpusError``) for files that cannot be used, and when the part read has no words
    (a message that says whether the rest of the file was left unread).
    """
    import time

    from core.word2vec.job import open_corpus

    corpus = open_corpus(config)
    counter: Counter[str] = Counter()
    preview = CorpusPreview(corpus.name, corpus.encoding, corpus.language,
                            segmented=bool(getattr(corpus, "segmented", False)))
    deadline = time.monotonic() + max_seconds
    bounded = hasattr(corpus, "sentences")
    sentences = corpus.sentences(max_units=max_lines, deadline=deadline) if bounded else iter(corpus)
    for sentence in sentences:
        if len(preview.sentences) < n_sentences:
            preview.sentences.append(sentence)
        counter.update(sentence)
        preview.tokens += len(sentence)
        preview.n_sentences += 1
        if preview.tokens >= max_tokens:
            preview.stopped_by = "tokens"
            break
        if not bounded and time.monotonic() > deadline:
            preview.stopped_by = "time"
            break
    preview.stopped_by = preview.stopped_by or (getattr(corpus, "stopped", None) if bounded else None)
    preview.truncated = preview.stopped_by is not None
    preview.report = getattr(corpus, "report", None)
    if preview.tokens == 0:
        if preview.truncated:
            raise ValueError(f"{corpus.name}: no words in the part read for the preview (it stopped after "
                             f"{max_seconds:g} s or {max_lines:,} lines); check the file, column or field.")
        raise ValueError(f"{corpus.name} has no words after tokenizing; check the file, column or field.")
    preview.counts = counter.most_common()
    return preview
