"""The corpus reader on the bug cases that are about streaming and sentences:
one very long line (text8 style) and Chinese prose wrapped over lines."""
from __future__ import annotations

from pathlib import Path

from core.text import read_corpus, read_lines, sniff
from core.text.stream import TextLines
from core.text.wrap import join_wrapped, looks_wrapped

CASES = Path(__file__).resolve().parents[1] / "cases"


def test_one_long_line_case_is_read_in_pieces_without_losing_a_word():
    path = CASES / "w2v-one-long-line" / "oneline_small.txt"
    words = path.read_text(encoding="utf-8").split()
    lines = TextLines(path, max_piece_bytes=4096)
    pieces = list(lines)
    assert len(pieces) > 10 and all(len(p.encode()) <= 4096 for p in pieces)
    assert " ".join(pieces).split() == words  # cut at spaces: no word split or lost
    assert any(n.code == "long_lines" for n in lines.report.notes)
    assert [w for s in read_corpus(path) for w in s] == [w.lower() for w in words]


def test_long_line_without_spaces_is_cut_at_a_character_boundary(tmp_path):
    # Another character: GBK Chinese with no ASCII space, cut mid-character by the piece size.
    text = "我们今天去北京的图书馆看书" * 400
    path = tmp_path / "novel.txt"
    path.write_bytes(text.encode("gbk") + b"\n")
    pieces = list(TextLines(path, max_piece_bytes=1001))  # odd: lands inside a 2-byte character
    assert "".join(pieces) == text and len(pieces) > 5
    assert all("\ufffd" not in p for p in pieces)


def test_wrapped_chinese_prose_is_joined_before_segmenting(tmp_path):
    path = tmp_path / "novel.txt"
    path.write_text("我们在北京看到了这\n些美丽的风景，大家都很高兴\n地拍了很多照片。\n\n第二段只有一行。\n",
                    encoding="utf-8")
    assert sniff(path).wrapped
    corpus = read_corpus(path)
    sentences = list(corpus)
    assert len(sentences) == 2 and "这些" in sentences[0] and "这" not in sentences[0]
    assert any(n.code == "wrapped_lines" for n in corpus.report.notes)
    unjoined = list(read_corpus(path, join_lines=False))
    assert "这些" not in unjoined[0]  # what the old line-per-sentence reading did


def test_wrap_rules_blank_line_end_punctuation_and_mixed_text():
    # Another break: a quote closing after the full stop ends the sentence; a break next to English
    # (a title line, an English sentence) is not Chinese prose running on, so it stays a break.
    lines = ["Chapter 1", "他说：“今天我们去公园", "散步吧。”", "Deep learning is", "fun", "我们", "学习，", "", "新的一段"]
    assert list(join_wrapped(lines)) == ["Chapter 1", "他说：“今天我们去公园散步吧。”", "Deep learning is", "fun",
                                         "我们学习，", "新的一段"]


def test_one_sentence_per_line_files_are_not_joined(tmp_path):
    # A list of short titles / an already segmented corpus: not wrapped prose.
    rows = ["第一章", "北京 的 秋天 很 美 丽 也 很 凉 快 大家 都 喜欢", "春天", "我们 喜欢 学习",
            "他 在 北京 大学 读书 每天 都 很 忙", "夏天"]
    assert not looks_wrapped(rows)
    path = tmp_path / "segmented.txt"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert len(list(read_corpus(path))) == len(rows)


def test_read_lines_report_counts_lines(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"one\r\ntwo\r\n\r\nthree")
    reader = read_lines(path)
    assert list(reader) == ["one", "two", "", "three"]
    assert reader.report.rows_read == 4 and reader.report.encoding == "utf-8"
