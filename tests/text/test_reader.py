"""core.text.reader: the one reader. Each bug case under tests/cases/ is a test with its right value,
and each kind has a second input written here (another position, character or delimiter)."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from core.text import CorpusError, decode_file, format_report, read_corpus, read_lines, read_table, tokenize
from core.text.decode import SNIFF_BYTES, EncodingQuestion, guess_encoding

CASES = Path(__file__).resolve().parents[1] / "cases"


# ---------------------------------------------------------------- tsv-leading-quote

@pytest.mark.parametrize("name", ["train_unbalanced.tsv", "train.tsv"])
def test_tsv_leading_quote_case_reads_8_rows_and_keeps_quotes(name):
    path = CASES / "tsv-leading-quote" / name
    table = read_table(path)
    assert len(table.frame) == 8 and list(table.frame.columns) == ["text", "label"]
    assert set(table.frame["label"]) == {"pos", "neg"}  # no label swallowed into a text
    assert not table.frame["text"].str.contains("\t|\n").any()
    raw_texts = [ln.split("\t")[0] for ln in path.read_text(encoding="utf-8").splitlines()[1:]]
    assert table.frame["text"].tolist() == raw_texts  # quotes kept as written, nothing stripped
    assert table.report.delimiter == "\t" and table.report.rows_read == 8 and table.report.rows_dropped == 0
    assert any(n.code == "tsv_no_quoting" for n in table.report.notes)
    corpus = read_corpus(path)  # the word2vec corpus reader reads the same 8 texts
    sentences = list(corpus)
    assert len(sentences) == 8 and corpus.report.rows_read == 8
    assert sentences[1][0] == "boring"


def test_tsv_quote_in_the_middle_and_at_the_end_of_a_field(tmp_path):
    # Another position (a quote opening in the last field, one closing mid-field), another extension.
    path = tmp_path / "data.tab"
    path.write_text('label\tsentence\npos\tHe said "wow\nneg\tplain text\npos\ta 12" pizza\nneg\t"quoted"\n',
                    encoding="utf-8")
    table = read_table(path)
    assert table.frame["sentence"].tolist() == ['He said "wow', "plain text", 'a 12" pizza', '"quoted"']
    assert table.line_numbers == [2, 3, 4, 5]
    assert [s[0] for s in read_corpus(path, column="sentence")] == ["he", "plain", "a", "quoted"]


# ---------------------------------------------------------------- latin1-after-64k

def test_latin1_after_64k_case_keeps_cafe_and_says_so():
    path = CASES / "latin1-after-64k" / "corpus.txt"
    corpus = read_corpus(path)
    words = {w for s in corpus for w in s}
    assert {"café", "naïve", "résumé", "façade"} <= words
    assert not any("\ufffd" in w for w in words)
    assert corpus.encoding == "cp1252"
    assert any(n.code == "encoding_switch" for n in corpus.report.notes)
    assert "cp1252" in format_report(corpus.report)
    text, report = decode_file(path)
    assert "café" in text and report.encoding == "cp1252" and "\ufffd" not in text


def test_bad_byte_late_in_a_utf8_file_stops_with_line_and_likely_encoding(tmp_path):
    # Another character and position: real UTF-8 (so not all ASCII) in the head, then one GBK line far below.
    head = "naïve café line\n" + "plain words here\n" * (SNIFF_BYTES // 17 + 100)
    path = tmp_path / "mixed.txt"
    path.write_bytes(head.encode("utf-8") + "北京欢迎你，我们都很喜欢这座城市。\n".encode("gbk") * 50)
    bad_line = head.count("\n") + 1
    with pytest.raises(CorpusError, match=rf"line {bad_line}: .*not valid utf-8.*gb18030"):
        list(read_lines(path))
    with pytest.raises(CorpusError, match=rf"line {bad_line}"):
        list(read_corpus(path))


def test_ascii_head_then_gbk_switches_with_a_note(tmp_path):
    path = tmp_path / "late_gbk.txt"
    lines = "hello there\n" * (SNIFF_BYTES // 12 + 10)
    path.write_bytes(lines.encode() + "这些美丽的风景让我们很高兴。\n".encode("gbk"))
    got = list(read_lines(path))
    assert got[-1] == "这些美丽的风景让我们很高兴。"
    reader = read_lines(path)
    list(reader)
    assert reader.report.encoding == "gb18030" and reader.report.notes[0].code == "encoding_switch"


def test_an_encoding_given_by_the_user_is_used_strictly(tmp_path):
    path = tmp_path / "u.txt"
    path.write_bytes("ok\ncafé\n".encode("utf-8"))
    assert list(read_lines(path, encoding="cp1252")) == ["ok", "cafÃ©"]  # what the user asked for
    path.write_bytes(b"ok\n\x81\n")
    with pytest.raises(CorpusError, match="line 2"):
        list(read_lines(path, encoding="cp1252"))  # 0x81 is undefined in cp1252: never replaced


# ---------------------------------------------------------------- gbk-short

@pytest.mark.parametrize("name", ["mostly_ascii_gbk.txt", "short_gbk.txt", "one_line_gbk.txt",
                                  "subtitles_gbk.txt", "reviews_gbk.csv"])
def test_gbk_short_case_is_gb18030(name):
    path = CASES / "gbk-short" / name
    text, report = decode_file(path)
    assert report.encoding == "gb18030"
    assert text == path.read_bytes().decode("gbk")


def test_mostly_ascii_gbk_is_segmented_as_chinese():
    sentences = list(read_corpus(CASES / "gbk-short" / "mostly_ascii_gbk.txt"))
    assert sentences[0] == ["chapter", "1"]
    assert sentences[2] == tokenize("今天天气很好。", "zh") and "".join(sentences[2]) == "今天天气很好"


def test_utf16le_without_bom_is_text_not_binary():
    path = CASES / "gbk-short" / "utf16le_nobom.txt"
    text, report = decode_file(path)
    assert report.encoding == "utf-16-le" and report.encoding_why_code == "utf16"
    assert text.splitlines()[0] == "今天天气很好，我们去公园散步。"
    assert "北京大学" in {w for s in read_corpus(path) for w in s}


@pytest.mark.parametrize("text, encoding, expected", [
    ("Title\nAuthor: Li\n他在北京大学读书。\n", "gbk", "gb18030"),  # another short mostly-ASCII GBK file
    ("Notes 2024\n我们喜欢学习。\n", "gb18030", "gb18030"),
    ("안녕하세요. 오늘 날씨가 좋네요. 우리는 공원에 갑니다.\n", "cp949", "cp949"),  # real Korean stays Korean
    ("這是一個繁體中文的句子，我們今天去台北。\n", "big5", "big5"),
    ("Привет, как дела? Сегодня хорошая погода.\n", "cp1251", "cp1251"),
    ("A café serves crème brûlée.\n", "cp1252", "cp1252"),
    ("今天天气很好我们去公园散步他在北京大学读书", "utf-16-le", "utf-16-le"),  # no BOM, no NUL byte at all
])
def test_detector_prefers_our_users_encodings_but_keeps_plausible_others(text, encoding, expected):
    guess = guess_encoding(text.encode(encoding), complete=True)
    assert guess.encoding == expected, guess


def test_a_single_character_is_no_evidence_and_says_so():
    # issue 23: too little text to tell the language, so the user is asked, with the readings side by side
    with pytest.raises(EncodingQuestion, match="cannot tell the encoding") as asked:
        guess_encoding("ok 好\n".encode("gbk"), complete=True)
    shown = {c.encoding: c for c in asked.value.candidates}
    assert "gb18030" in shown and shown["gb18030"].preview == ("ok 好",) and len(shown) >= 2


def test_utf16_big_endian_without_bom_and_real_binary(tmp_path):
    path = tmp_path / "be.txt"
    path.write_bytes("hello 世界\nsecond line\n".encode("utf-16-be"))
    assert decode_file(path)[0] == "hello 世界\nsecond line\n"
    binary = tmp_path / "data.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(CorpusError, match="binary"):
        decode_file(binary)


# ---------------------------------------------------------------- csv-bom-utf16-unseen (reader level)

@pytest.mark.parametrize("name", ["bom.csv", "excel_unicode.txt"])
def test_bom_and_excel_unicode_tables_read_6_rows_text_label(name):
    table = read_table(CASES / "csv-bom-utf16-unseen" / name)
    assert list(table.frame.columns) == ["text", "label"]
    assert len(table.frame) == 6 and table.report.rows_read == 6
    assert table.frame["text"].iloc[0] == "great little café"
    assert not any(v.endswith("\r") for v in table.frame["label"])


def test_utf16_be_bom_semicolon_table(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(codecs.BOM_UTF16_BE + "label;text\r\npos;schön\r\nneg;schlecht, leider\r\n".encode("utf-16-be"))
    table = read_table(path)
    assert table.report.delimiter == ";" and table.report.encoding == "utf-16"
    assert table.frame.to_dict("records") == [{"label": "pos", "text": "schön"},
                                              {"label": "neg", "text": "schlecht, leider"}]


# ---------------------------------------------------------------- the table reader and its report

def test_header_is_detected_and_said(tmp_path):
    path = tmp_path / "ag.csv"
    path.write_text('"3","Markets slip","Shares fell on Tuesday after banks said so."\n'
                    '"1","Talks resume","Delegations met again to discuss rules."\n', encoding="utf-8")
    table = read_table(path)
    assert table.report.header is False and "number" in table.report.header_note
    assert len(table.frame) == 2 and table.report.columns == ("column_1", "column_2", "column_3")
    forced = read_table(path, header=True)
    assert forced.report.header is True and len(forced.frame) == 1


def test_ragged_rows_are_dropped_with_line_numbers(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("text,label\ngood,pos\nbad row\nfine,neg\na,b,c\n", encoding="utf-8")
    table = read_table(path)
    assert table.frame["text"].tolist() == ["good", "fine"]
    assert table.report.rows_dropped == 2
    assert [line for line, _ in table.report.dropped] == [3, 5]
    assert "Line 3 dropped" in format_report(table.report)


def test_jsonl_labels_stay_as_written(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": 1}\n{"text": "b", "label": null}\n{"text": "c", "label": 0}\n',
                    encoding="utf-8")
    table = read_table(path)
    assert table.frame["label"].tolist() == ["1", "", "0"]
    assert table.report.format == "jsonl"


def test_report_in_both_languages(tmp_path):
    from core.i18n import translate

    path = tmp_path / "z.tsv"
    path.write_bytes("text\tlabel\n你好，今天天气很好\tpos\n".encode("gbk"))
    report = read_table(path).report
    en = report.lines()
    zh = report.lines(lambda key, **f: translate(key, "zh", **f))
    assert any("gb18030" in line for line in en) and any("gb18030" in line for line in zh)
    assert any("制表符" in line for line in zh) and not any(line.startswith("reading.") for line in en + zh)
    assert report.to_dict()["columns"] == ["text", "label"]


def test_decode_file_switches_for_a_late_accent_or_names_the_line(tmp_path):
    # decode_file (the fine-tune reader's road): the same rule as the stream.
    path = tmp_path / "late.csv"
    path.write_bytes(b"text,label\n" + b"plain words,pos\n" * 5000 + "très bien,pos\n".encode("cp1252"))
    table = read_table(path)
    assert table.frame["text"].iloc[-1] == "très bien" and table.report.encoding == "cp1252"
    assert table.report.notes[0].code == "head_guess_wrong"
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("text,label\ncafé,pos\n".encode() + b"plain,neg\n" * 8000 + "très,pos\n".encode("cp1252"))
    with pytest.raises(CorpusError, match="line 8003: 0xE8 is not valid utf-8"):
        read_table(mixed)
