"""core.text: decoding, rejection, tokenizing, streaming, formats and samples."""
from __future__ import annotations

import codecs
import json
import zipfile

import pytest

from core.text import (
    MAX_UPLOAD_BYTES,
    CorpusError,
    cjk_share,
    detect_encoding,
    detect_language,
    read_corpus,
    sniff,
    tokenize,
)
from core.text.decode import SNIFF_BYTES

EN = "The quick brown fox jumps over the lazy dog.\nA café serves crème brûlée; naïve résumé — “quoted” text.\n" * 20
ZH = "我们今天去北京的图书馆看书。老师和学生都很喜欢这本书。\n春天来了，公园里开满了花，天气越来越暖和。\n" * 20


@pytest.mark.parametrize(
    "text, encoding, expected",
    [
        (EN, "utf-8", "utf-8"),
        (ZH, "utf-8", "utf-8"),
        (ZH, "utf-8-sig", "utf-8-sig"),
        (ZH, "utf-16", "utf-16"),  # Python writes a BOM for "utf-16"
        (ZH, "gb18030", "gb18030"),
        (ZH, "gbk", "gb18030"),  # GBK is a subset of GB18030: decoding with the superset is lossless
        (EN, "cp1252", None),  # any single-byte codec that decodes the text identically is right
    ],
)
def test_each_encoding_decodes_back_to_the_text(tmp_path, text, encoding, expected):
    path = tmp_path / "upload.txt"
    path.write_bytes(text.encode(encoding))
    info = sniff(path)
    if expected is not None:
        assert info.encoding == expected
    assert path.read_bytes().decode(info.encoding) .lstrip("\ufeff") == text
    corpus = read_corpus(path)
    assert corpus.encoding == info.encoding
    first = next(iter(corpus))
    assert first == tokenize(text.splitlines()[0], "zh")


def test_latin1_is_reported_and_accents_survive(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(EN.encode("latin-1", errors="replace"))
    corpus = read_corpus(path)
    words = {w for s in corpus for w in s}
    assert {"café", "crème", "naïve", "résumé"} <= words
    assert corpus.encoding.replace("-", "_").lower() in {"cp1252", "latin_1", "iso8859_1", "iso8859_15", "cp1250"}


def test_detection_uses_only_the_head_but_a_later_bad_byte_is_never_replaced(tmp_path):
    # Invalid UTF-8 far beyond the sniffed head: the head says UTF-8, the stream finds the bad byte.
    head = ("hello world\n" * (SNIFF_BYTES // 12 + 10)).encode()
    path = tmp_path / "big.txt"
    path.write_bytes(head + b"tail \xff\xfe word\n")
    assert detect_encoding(head[:SNIFF_BYTES]) == "utf-8"
    corpus = read_corpus(path)
    assert corpus.encoding == "utf-8"
    sentences = list(corpus)
    assert len(sentences) > 5000
    # Everything before was ASCII, so the file is re-detected and read whole; the switch is reported.
    assert corpus.encoding != "utf-8" and corpus.report.notes[0].code == "encoding_switch"
    assert not any("\ufffd" in w for s in sentences for w in s)


def test_utf8_cut_in_the_middle_of_a_character_is_still_utf8():
    data = ("中文" * 100).encode("utf-8")[:-1]
    assert detect_encoding(data) == "utf-8"


@pytest.mark.parametrize(
    "data, what",
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "executable"),
        (b"PK\x03\x04" + b"\x00" * 50, "ZIP"),
        (b"some text\x00\x00\x01 binary", "NUL"),
        (b"\x80\x04\x95\x10\x00", "pickle"),
    ],
)
def test_binary_files_are_rejected_with_a_clear_message(tmp_path, data, what):
    path = tmp_path / "upload.txt"
    path.write_bytes(data)
    with pytest.raises(CorpusError, match=what) as err:
        read_corpus(path)
    assert "Upload plain text" in str(err.value)
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize("data", [b"", b"   \n\n\t  \n"])
def test_empty_files_are_rejected(tmp_path, data):
    path = tmp_path / "empty.txt"
    path.write_bytes(data)
    with pytest.raises(CorpusError, match="empty|white space"):
        read_corpus(path)


def test_missing_file_and_size_limit(tmp_path, monkeypatch):
    with pytest.raises(CorpusError, match="not found"):
        read_corpus(tmp_path / "nope.txt")
    path = tmp_path / "small.txt"
    path.write_text("hello world\n")
    import core.text.decode as decode

    monkeypatch.setattr(decode, "MAX_UPLOAD_BYTES", 5)
    with pytest.raises(CorpusError, match="limit"):
        decode.check_size(path, limit=5)
    assert MAX_UPLOAD_BYTES >= 1024**3


def test_english_tokenizer_options():
    line = "Don't panic: the e-mail said HELLO, world!"
    assert tokenize(line, "en") == ["don't", "panic", "the", "e-mail", "said", "hello", "world"]
    assert tokenize(line, "en", lowercase=False)[5] == "HELLO"
    kept = tokenize(line, "en", strip_punctuation=False)
    assert ":" in kept and "," in kept and "!" in kept


def test_chinese_is_segmented_into_words():
    tokens = tokenize("我们今天去北京的图书馆看书。", "zh")
    assert "北京" in tokens and "图书馆" in tokens
    assert "。" not in tokens
    assert "。" in tokenize("我们今天去北京。", "zh", strip_punctuation=False)
    assert "".join(tokens) == "我们今天去北京的图书馆看书"


def test_mixed_chinese_and_english():
    tokens = tokenize("我在用 PyTorch 训练 word2vec 模型，效果很好！", "zh")
    assert "pytorch" in tokens and "word2vec" in tokens and "模型" in tokens
    assert "！" not in tokens and "，" not in tokens


def test_language_detection_by_cjk_share(tmp_path):
    assert detect_language(ZH) == "zh"
    assert detect_language(EN) == "en"
    assert detect_language("EmbedLab 是一个学习词向量的网站") == "zh"
    assert cjk_share("abc") == 0.0 and cjk_share("中文") == 1.0
    path = tmp_path / "zh.txt"
    path.write_text(ZH, encoding="utf-8")
    assert read_corpus(path).language == "zh"
    assert read_corpus(path, language="en").language == "en"
    with pytest.raises(CorpusError, match="language"):
        read_corpus(path, language="fr")


def test_corpus_streams_one_file_pass_per_iteration(tmp_path, monkeypatch):
    path = tmp_path / "c.txt"
    path.write_text("one two three\nfour five\n\nsix\n", encoding="utf-8")
    corpus = read_corpus(path)
    opened = []
    real_open = open

    def counting_open(file, *args, **kwargs):
        if str(file) == str(path):
            opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    first = list(corpus)
    second = list(corpus)
    assert first == second == [["one", "two", "three"], ["four", "five"], ["six"]]
    assert len(opened) == 2 and corpus.passes == 2
    # Lazy: taking one sentence does not read the rest.
    iterator = iter(corpus)
    assert next(iterator) == ["one", "two", "three"]


def test_long_lines_are_split_not_truncated(tmp_path):
    from core.text import MAX_SENTENCE_TOKENS

    path = tmp_path / "long.txt"
    path.write_text(" ".join(f"w{i}" for i in range(MAX_SENTENCE_TOKENS + 5)) + "\n")
    pieces = list(read_corpus(path))
    assert [len(p) for p in pieces] == [MAX_SENTENCE_TOKENS, 5]


def test_csv_column_choice(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('id,text,label\n1,"Great film, loved it",pos\n2,Boring plot,neg\n', encoding="utf-8")
    info = sniff(path)
    assert info.kind == "csv" and info.columns == ["id", "text", "label"] and info.default == "text"
    assert list(read_corpus(path)) == [["great", "film", "loved", "it"], ["boring", "plot"]]
    assert list(read_corpus(path, column="label")) == [["pos"], ["neg"]]
    assert list(read_corpus(path, column=2)) == [["pos"], ["neg"]]
    with pytest.raises(CorpusError, match="no column 'body'.*id, text, label"):
        read_corpus(path, column="body")


def test_tsv_and_semicolon_csv(tmp_path):
    tsv = tmp_path / "data.tsv"
    tsv.write_text("sentence\tscore\nhello there\t1\n", encoding="utf-8")
    assert list(read_corpus(tsv)) == [["hello", "there"]]
    semi = tmp_path / "data.csv"
    semi.write_text("text;label\nbonjour monde;a\n", encoding="utf-8")
    assert list(read_corpus(semi)) == [["bonjour", "monde"]]


def test_jsonl_field_and_bad_line(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [{"id": 1, "body": "我喜欢北京"}, {"id": 2, "body": "Hello world"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    info = sniff(path)
    assert info.fields == ["id", "body"] and info.default == "body"
    assert list(read_corpus(path)) == [["我", "喜欢", "北京"], ["hello", "world"]]
    with pytest.raises(CorpusError, match="line 1: no field 'title'"):
        list(read_corpus(path, field="title"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"text": broken\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="line 2: not valid JSON"):
        list(read_corpus(bad))


def test_zip_of_txt_files_with_different_encodings(tmp_path):
    path = tmp_path / "texts.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a/one.txt", "alpha beta\n".encode("utf-8"))
        zf.writestr("two.txt", ("我们去北京看书。" * 30).encode("gb18030"))
        zf.writestr("image.png", b"\x89PNG\r\n\x1a\n")
        zf.writestr("__MACOSX/._one.txt", b"junk")
    info = sniff(path)
    assert info.kind == "zip" and info.members == ["a/one.txt", "two.txt"]
    assert "gb18030" in info.encoding
    sentences = list(read_corpus(path))
    assert sentences[0] == ["alpha", "beta"]
    assert "北京" in sentences[1]
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("readme.md", "x")
    with pytest.raises(CorpusError, match="no .txt files"):
        read_corpus(empty)


def test_samples_by_name():
    lee = read_corpus("lee")
    assert lee.name == "lee" and lee.language == "en"
    assert len(next(iter(lee))) > 5
    zh = read_corpus("zh")
    assert zh.language == "zh" and zh.encoding == "utf-8"
    words = {w for s in zh for w in s}
    assert {"北京", "上海", "老师", "学生"} <= words
    with pytest.raises(ValueError, match="Unknown sample"):
        from core.text import sample_path

        sample_path("klingon")


def test_utf16_bom_file_decodes_text_with_nul_bytes(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "hello world\n".encode("utf-16-le"))
    assert list(read_corpus(path)) == [["hello", "world"]]


def test_sniff_gives_the_preview_facts(tmp_path):
    path = tmp_path / "notes.txt"
    text = "\n第一行：我们学习词向量。\nSecond line in English.\n\nthird\nfour\nfive\nsix\n"
    path.write_bytes(text.encode("gbk"))
    info = sniff(path)
    assert (info.kind, info.size, info.encoding) == ("txt", len(text.encode("gbk")), "gb18030")
    assert info.preview == ["第一行：我们学习词向量。", "Second line in English.", "third", "four", "five"]
    assert info.columns == [] and info.fields == []


def test_a_segmented_dataset_is_split_on_spaces_and_loses_full_width_punctuation(tmp_path, monkeypatch):
    """People's Daily comes segmented: no jieba, and ，、（ ） standing as words are punctuation, not words."""
    from types import SimpleNamespace

    from core import datasets

    corpus_file = tmp_path / "corpus.txt"
    corpus_file.write_text("迈向 充满 希望 的 新 世纪 —— 一九九八年 新年 讲话 （ 附 图片 １ 张 ）\n中共中央 总书记 、 国家 主席\n",
                           encoding="utf-8")
    fake = SimpleNamespace(task="corpus", segmented=True, title_en="People's Daily (test)",
                           files=lambda: {"corpus": str(corpus_file)})
    monkeypatch.setattr(datasets, "get", lambda name: fake)
    corpus = read_corpus("dataset:fake")
    sentences = list(corpus)
    # NFKC (issue 23): the full-width digit １ is the digit 1
    assert sentences[0] == ["迈向", "充满", "希望", "的", "新", "世纪", "一九九八年", "新年", "讲话", "附", "图片", "1", "张"]
    assert sentences[1] == ["中共中央", "总书记", "国家", "主席"]  # jieba would split 中共中央 and 总书记 otherwise
    assert corpus.name == "People's Daily (test)"
    kept = list(read_corpus("dataset:fake", strip_punctuation=False))
    assert "(" in kept[0] and "、" in kept[1]  # NFKC: the full-width bracket （ is (; 、 has no other form
