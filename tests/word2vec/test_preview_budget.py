"""The corpus preview works within a budget: a tiny zip of endless blank lines cannot hold the page (issue 20)."""
from __future__ import annotations

import io
import time
import zipfile

import pytest

from core.word2vec.preview import preview_corpus


def _blank_lines_zip(path, megabytes: int = 100):
    """One line of text and ``megabytes`` MiB of newlines, deflated to about 100 KB (the issue's file)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("notes.txt", "w") as member:
            member.write(b"the cat sat on the mat\n")
            chunk = b"\n" * (1 << 20)
            for _ in range(megabytes):
                member.write(chunk)
    return path


def test_a_zip_of_blank_lines_stops_at_the_line_budget(tmp_path):
    path = _blank_lines_zip(tmp_path / "notes.zip")
    assert path.stat().st_size < 200_000
    started = time.perf_counter()
    preview = preview_corpus({"corpus": str(path)}, max_lines=200_000, max_seconds=60)
    assert time.perf_counter() - started < 30  # 100 MiB unread; the old preview ran for minutes
    assert preview.truncated and preview.stopped_by == "lines"
    assert preview.tokens == 6 and preview.sentences == [["the", "cat", "sat", "on", "the", "mat"]]


def test_the_time_budget_stops_a_slow_read(tmp_path):
    path = _blank_lines_zip(tmp_path / "notes.zip")
    preview = preview_corpus({"corpus": str(path)}, max_lines=10**9, max_seconds=0.2)
    assert preview.truncated and preview.stopped_by == "time"


def test_nothing_in_the_budget_is_a_message_that_says_so(tmp_path):
    path = tmp_path / "blank.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", "... !!! ???\n" + "\n" * 300_000 + "late words\n")  # no word in the budget
    with pytest.raises(ValueError, match="no words in the part read for the preview"):
        preview_corpus({"corpus": str(path)}, max_lines=1000)


def test_a_zip_member_of_one_endless_line_is_read_in_pieces(tmp_path):
    """Streamed, never inflated: a 64 MiB line without a newline comes in bounded pieces."""
    import tracemalloc

    from core.text import read_corpus

    path = tmp_path / "one_line.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("long.txt", "w") as member:
            for _ in range(64):
                member.write(b"word " * (1 << 18))  # 1.25 MiB, no newline
    corpus = read_corpus(str(path))
    tracemalloc.start()
    longest = max(len(piece) for piece in corpus.texts())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert longest <= 1 << 18 and peak < 32 * 2**20


def test_a_whole_small_file_is_not_truncated(tmp_path):
    path = tmp_path / "small.txt"
    path.write_text("a b c\nd e f\n", encoding="utf-8")
    preview = preview_corpus({"corpus": str(path)})
    assert not preview.truncated and preview.stopped_by is None and preview.tokens == 6
