"""Set-2 bug cases of the one reader (issue 23), each with its right value, plus an input of each kind
written here: line endings, full-width forms, joined tables, East Asian encodings."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from core.finetune import data as fd
from core.text import EncodingQuestion, read_corpus, read_table
from core.text.decode import guess_encoding

CASES = Path(__file__).resolve().parent


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- cr-only-line-endings


def test_cr_only_corpus_gives_the_sentences_of_its_lf_original(tmp_path):
    from gensim.test.utils import datapath

    lines = Path(datapath("lee_background.cor")).read_text(encoding="utf-8").splitlines()[:40]
    lf = write(tmp_path, "lee_lf.txt", ("\n".join(lines) + "\n").encode())
    cr = write(tmp_path, "lee_cr.txt", "\r".join(lines).encode())
    truth, corpus = list(read_corpus(lf)), read_corpus(cr)
    sentences = list(corpus)
    assert len(sentences) == 40 and sentences == truth
    assert max(len(s) for s in sentences) < 1000  # never one sentence of 7,000 tokens
    assert corpus.report.line_endings == (("CR", 39),)
    assert any("CR only" in line for line in corpus.report.lines())


def test_cr_only_csv_gives_12_rows_in_the_word2vec_and_the_fine_tune_readers():
    path = CASES / "cr-only-line-endings" / "reviews_mac.csv"
    corpus = read_corpus(path)
    assert len(list(corpus)) == 12 and corpus.report.line_endings[0][0] == "CR"
    data, report = fd.load(str(path), "classification")
    assert len(data) == 12 and set(data.labels) == {"pos", "neg"}
    assert report.line_endings[0][0] == "CR"


def test_mixed_line_endings_are_all_line_breaks_and_counted(tmp_path):
    # Another input: GBK Chinese, a CRLF part, a CR-only part and LF lines (files pasted together).
    text = "今天天气很好。\r\n我们去公园散步。\r\n他在北京大学读书。\r这部电影的音乐非常动人。\r大家都很高兴。\n晚上回家了。\n"
    path = write(tmp_path, "mixed.txt", text.encode("gbk"))
    corpus = read_corpus(path)
    sentences = list(corpus)
    assert len(sentences) == 6 and sentences[3][:2] == ["这部", "电影"]
    assert dict(corpus.report.line_endings) == {"CRLF": 2, "CR": 2, "LF": 2}
    # ... and a UTF-16 (BOM) table with CR-only rows, read by the fine-tune reader
    table = write(tmp_path, "mac.tsv", "text\tlabel\rgood film\tpos\rbad film\tneg\r".encode("utf-16"))
    frame = read_table(table).frame
    assert frame["label"].tolist() == ["pos", "neg"]


def test_a_crlf_split_across_read_chunks_is_one_line_ending(tmp_path):
    from core.text.stream import TextLines

    path = write(tmp_path, "crlf.txt", b"".join(b"line %d\r\n" % i for i in range(500)))
    lines = TextLines(path, chunk_bytes=17)  # chunks end between CR and LF
    assert list(lines) == [f"line {i}" for i in range(500)]
    assert lines.report.line_endings == (("CRLF", 500),)


# ---------------------------------------------------------------- zh-fullwidth-alnum


def _pairs():
    folder = CASES / "zh-fullwidth-alnum"
    return folder / "news_fullwidth.txt", folder / "news_halfwidth.txt"


def test_full_width_sentences_give_the_words_of_their_nfkc_twin_in_word2vec():
    full, half = _pairs()
    corpus = read_corpus(full)
    got, truth = list(corpus), list(read_corpus(half))
    assert sum(a == b for a, b in zip(got, truth)) == 20
    assert got[0] == ["2023", "年", "中国", "gdp", "同比", "增长", "5.2%"]
    nfkc = [n for n in corpus.report.notes if n.code == "nfkc"]
    assert nfkc and nfkc[0].fields["n"] > 50 and nfkc[0].fields["texts"] == 20


def test_full_width_text_gives_the_pieces_of_its_twin_in_the_pretraining_tokenizer():
    from core.pretrain.data import train_tokenizer

    full, half = _pairs()
    full_lines = full.read_text(encoding="utf-8").splitlines()
    half_lines = half.read_text(encoding="utf-8").splitlines()
    tokenizer = train_tokenizer(full_lines * 2, 400, min_frequency=1)  # trained on the full-width text itself
    assert [tokenizer.tokenize(a) for a in full_lines] == [tokenizer.tokenize(b) for b in half_lines]
    assert "2023" in tokenizer.get_vocab() and "２" not in tokenizer.get_vocab()


def test_fine_tuning_reads_full_width_text_as_its_nfkc_twin_and_counts_it(tmp_path):
    # Another input: Japanese with half-width katakana and full-width letters, in a CSV for fine-tuning.
    path = write(tmp_path, "ja.csv", "text,label\nｽﾏｰﾄﾌｫﾝのＡＩ機能が便利です,pos\n電池が１日もたない,neg\n".encode())
    data, report = fd.load(str(path), "classification")
    assert data.texts == ["スマートフォンのAI機能が便利です", "電池が1日もたない"]
    assert any(n.code == "nfkc" for n in report.notes)
    conll = write(tmp_path, "ner.conll", "ｉＰｈｏｎｅ B-PRODUCT\n１５ I-PRODUCT\n発売 O\n".encode())
    tagged, report = fd.load(str(conll), "ner")
    assert tagged.tokens == [["iPhone", "15", "発売"]] and any(n.code == "nfkc" for n in report.notes)


# ---------------------------------------------------------------- csv-repeated-header


def test_joined_exports_drop_the_repeated_header_with_its_line():
    path = CASES / "csv-repeated-header" / "train.csv"
    data, report = fd.load(str(path), "classification")
    assert len(data) == 20 and sorted(set(data.labels)) == ["neg", "pos"]
    assert "label" not in data.labels and not any(t.startswith("\ufeff") for t in data.texts)
    assert report.dropped == ((12, "the header row again (files joined one after the other)"),)
    corpus = read_corpus(path)
    words = [w for s in corpus for w in s]
    assert len(list(corpus)) == 20 and "text" not in words and corpus.report.dropped[0][0] == 12


def test_other_joined_tables_excel_sep_line_trailing_delimiter_and_json_arrays(tmp_path):
    # Three TSV parts joined, the header spelt in capitals and without a BOM.
    part = "Text\tLabel\r\nok film\tpos\r\nbad film\tneg\r\n"
    tsv = write(tmp_path, "joined.tsv", (part * 3).encode())
    table = read_table(tsv)
    assert len(table.frame) == 6 and [line for line, _ in table.report.dropped] == [4, 7]
    # Excel's "sep=;" first line, and a ; after every row (an empty last column)
    excel = write(tmp_path, "excel.csv", "sep=;\r\ntext;label;\r\ngut;pos;\r\nschlecht;neg;\r\n".encode("cp1252"))
    table = read_table(excel)
    assert table.report.delimiter == ";" and list(table.frame.columns) == ["text", "label"]
    assert table.frame["label"].tolist() == ["pos", "neg"] and table.line_numbers == [3, 4]
    assert {n.code for n in table.report.notes} >= {"excel_sep", "trailing_delimiter"}
    data, _ = fd.load(str(excel), "classification")
    assert data.texts == ["gut", "schlecht"]
    # a .json array of objects is rows wherever JSON lines are
    array = write(tmp_path, "rows.json", b'[\n  {"text": "good film", "label": "pos"},\n  {"text": "bad film", "label": "neg"}\n]\n')
    data, _ = fd.load(str(array), "classification")
    assert data.texts == ["good film", "bad film"]
    assert [s for s in read_corpus(array)] == [["good", "film"], ["bad", "film"]]


# ---------------------------------------------------------------- sjis-kanji-names


def test_japanese_excel_csv_of_kanji_names_reads_as_cp932():
    folder = CASES / "sjis-kanji-names"
    data, report = fd.load(str(folder / "names_cp932.csv"), "classification", text_col="name", label_col="gender")
    truth, _ = fd.load(str(folder / "names_utf8.csv"), "classification", text_col="name", label_col="gender")
    assert data.texts == truth.texts and set(data.labels) == {"男", "女"}
    assert report.encoding == "cp932" and report.language == "ja"
    assert any(n.code == "no_model_ja" for n in report.notes)  # read right, and said that no model reads it


def test_eight_names_are_cp932_or_a_question_never_korean():
    folder = CASES / "sjis-kanji-names"
    try:
        corpus = read_corpus(folder / "names8_cp932.txt")
    except EncodingQuestion as asked:
        assert "cp932" in [c.encoding for c in asked.candidates]
        return
    truth = [s for s in read_corpus(folder / "names8_utf8.txt")]
    assert list(corpus) == truth and corpus.encoding == "cp932"


def test_fine_tune_model_for_japanese_data_is_not_the_chinese_one():
    from core.finetune.data import inspect
    from core.models import model_for_language

    view = inspect("classification", str(CASES / "sjis-kanji-names" / "names_cp932.csv"),
                   fd.ReadOptions(text_col="name", label_col="gender"))
    assert view.language == "ja" and model_for_language(view.language).name != "embedlab-bert-zh"


# ---------------------------------------------------------------- East Asian encodings, three sizes each

TEXTS = CASES / "east-asian-encodings"
MATRIX = [("ja.txt", "ja", ["shift_jis", "cp932", "euc_jp", "utf-16-le", "utf-16-be"]),
          ("ko.txt", "ko", ["euc_kr", "cp949", "utf-16-le", "utf-16-be"]),
          ("zh_hant.txt", "zh-Hant", ["big5", "utf-16-le", "utf-16-be"]),
          ("zh_hans.txt", "zh", ["gb18030", "gbk", "utf-16-le", "utf-16-be"]),
          ("names_ja.txt", "ja", ["cp932", "euc_jp", "utf-16-le"]),
          ("names_ko.txt", "ko", ["cp949", "utf-16-be"])]
CELLS = [(f, lang, enc, size) for f, lang, encs in MATRIX for enc in encs for size in ("line", "paragraph", "100KB")]


def _text(name: str, size: str) -> str:
    text = (TEXTS / name).read_text(encoding="utf-8")
    if size == "line":
        return text.splitlines()[0]
    return text if size == "paragraph" else text * (100_000 // len(text.encode("utf-16-le")) + 1)


@pytest.mark.parametrize("name,language,encoding,size", CELLS, ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CELLS])
def test_east_asian_file_is_read_right_or_asked_never_another_language(tmp_path, name, language, encoding, size):
    text = _text(name, size)
    path = write(tmp_path, "upload.txt", text.encode(encoding))
    try:
        corpus = read_corpus(path)
    except EncodingQuestion as asked:  # stopped: the right reading is among the candidates, first lines shown
        right = [c for c in asked.candidates if codecs.lookup(c.encoding).name in _same(encoding)]
        assert right and right[0].preview[0] == text.splitlines()[0][:80]
        assert size == "line"  # a paragraph is enough evidence
        return
    assert codecs.lookup(corpus.encoding).name in _same(encoding)
    assert path.read_bytes().decode(corpus.encoding) == text
    assert corpus.report.language == language or (language == "ja" and name.startswith("names"))


def _same(encoding: str) -> set[str]:
    """Codecs that decode text in ``encoding`` to the same characters (supersets)."""
    groups = [{"shift_jis", "cp932"}, {"euc_kr", "cp949"}, {"gbk", "gb18030"}]
    name = codecs.lookup(encoding).name.replace("-", "_")
    for group in groups:
        if name in group:
            return {codecs.lookup(g).name for g in group}
    return {codecs.lookup(encoding).name}


def test_a_question_shows_each_reading_and_the_chosen_encoding_reads_the_file(tmp_path):
    path = write(tmp_path, "names.txt", "김민준".encode("cp949"))
    with pytest.raises(EncodingQuestion) as asked:
        read_corpus(path)
    message = str(asked.value)
    assert "names.txt" in message and "--encoding" in message and "cp949" in message
    assert len(asked.value.candidates) >= 2 and all(c.preview for c in asked.value.candidates)
    corpus = read_corpus(path, encoding="cp949")
    assert list(corpus) == [["김민준"]] and corpus.report.encoding_confidence is None  # "as chosen"


def test_charset_normalizer_alone_reads_the_eight_names_as_korean():
    """Why our own judgement runs after charset-normalizer's: its best match for names8_cp932.txt is cp949."""
    from charset_normalizer import from_bytes

    data = (CASES / "sjis-kanji-names" / "names8_cp932.txt").read_bytes()
    assert from_bytes(data).best().encoding == "cp949"
    assert guess_encoding(data, complete=True).encoding == "cp932"


# ---------------------------------------------------------------- conll-index-column


def _roles(report) -> dict[str, str]:
    return {column: role for column, role, _ in report.columns_roles}


def test_germeval_words_from_the_token_column_tags_from_the_outer_column():
    data, report = fd.load(str(CASES / "conll-index-column" / "germeval_train.conll"), "ner")
    assert len(data) == 6 and data.tokens[0][:4] == ["Die", "Brücke", "bei", "Köln"]
    assert all(s[:3] != ["1", "2", "3"] for s in data.tokens)  # never the index "1", "2", "3" as words
    assert data.tags[0][3] == "B-LOC"
    assert _roles(report) == {"1": "index", "2": "token", "3": "tags", "4": "tags_other"}
    assert any("--label-col 4" in line for line in report.lines())  # the outer taken, and said how to take the inner
    inner, inner_report = fd.load(str(CASES / "conll-index-column" / "germeval_train.conll"), "ner", label_col="4")
    assert inner.tokens == data.tokens and inner.tags != data.tags and inner_report.label_column == "4"
    assert _roles(inner_report) == {"1": "index", "2": "token", "3": "tags_other", "4": "tags"}  # the outer: not used
    shown = [line for line in report.lines() if line.startswith(("Column 3", "Column 4"))]
    assert "the entity tags used" in shown[0] and "other entity tags" in shown[1], shown
    saved = report.replace(columns_roles=tuple((c, {"tags": "ner", "tags_other": "ner_other"}.get(r, r), w)
                                               for c, r, w in report.columns_roles))
    assert saved.lines() == report.lines()  # a report saved under the old role names reads the same


def test_indexed_conll03_takes_the_ner_column_after_pos_and_chunk_and_converts_iob1():
    data, report = fd.load(str(CASES / "conll-index-column" / "conll03_indexed.conll"), "ner")
    assert data.tokens[0][:3] == ["EU", "rejects", "German"] and data.tags[0][:3] == ["B-ORG", "O", "B-MISC"]
    assert _roles(report) == {"1": "index", "2": "token", "3": "pos", "4": "chunk", "5": "tags"}


def test_germeval_as_distributed_skips_its_comment_lines():
    data, report = fd.load(str(CASES / "conll-index-column" / "germeval_train.tsv"), "ner")
    truth, _ = fd.load(str(CASES / "conll-index-column" / "germeval_train.conll"), "ner")
    assert data.tokens == truth.tokens and data.tags == truth.tags
    assert any(n.code == "conll_comments" and n.fields["n"] == 6 for n in report.notes)


CONLLU = """# sent_id = 1
# text = Visité el Museo del Prado en Madrid.
1\tVisité\tvisitar\tVERB\t_\t_\t0\troot\t_\tNER=O
2\tel\tel\tDET\t_\t_\t3\tdet\t_\tNER=O
3\tMuseo\tMuseo\tPROPN\t_\t_\t1\tobj\t_\tNER=B-LOC
4-5\tdel\t_\t_\t_\t_\t_\t_\t_\t_
4\tde\tde\tADP\t_\t_\t6\tcase\t_\tNER=I-LOC
5\tel\tel\tDET\t_\t_\t6\tdet\t_\tNER=I-LOC
6\tPrado\tPrado\tPROPN\t_\t_\t3\tnmod\t_\tNER=I-LOC
7\ten\ten\tADP\t_\t_\t8\tcase\t_\tNER=O
8\tMadrid\tMadrid\tPROPN\t_\t_\t1\tobl\t_\tNER=B-LOC|SpaceAfter=No
9\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\tNER=O

# sent_id = 2
# text = Ana vive en Lima.
1\tAna\tAna\tPROPN\t_\t_\t2\tnsubj\t_\tNER=B-PER
2\tvive\tvivir\tVERB\t_\t_\t0\troot\t_\tNER=O
3\ten\ten\tADP\t_\t_\t4\tcase\t_\tNER=O
4\tLima\tLima\tPROPN\t_\t_\t2\tobl\t_\tNER=B-LOC|SpaceAfter=No
"""


def test_conllu_takes_form_skips_ranges_and_comments_and_reads_ner_from_misc(tmp_path):
    # Other inputs of the kind: CoNLL-U (.conllu), and a MultiCoNER-style file with "# id" lines.
    data, report = fd.load(str(write(tmp_path, "es.conllu", CONLLU.encode())), "ner")
    assert data.tokens[0] == ["Visité", "el", "Museo", "de", "el", "Prado", "en", "Madrid", "."]
    assert data.tags[0][2:6] == ["B-LOC", "I-LOC", "I-LOC", "I-LOC"] and data.tags[1][0] == "B-PER"
    roles = _roles(report)
    assert roles["1"] == "index" and roles["2"] == "token" and roles["10"] == "tags"
    assert {n.code for n in report.notes} >= {"conll_comments", "conllu_ranges"}
    multiconer = ("# id 5c1e domain=en\nthe _ _ O\n#1 _ _ O\nsong _ _ O\nby _ _ O\ntaylor _ _ B-PER\nswift _ _ I-PER\n\n"
                  "# id 77aa domain=en\nparis _ _ B-LOC\n")
    data, report = fd.load(str(write(tmp_path, "en_train.conll", multiconer.encode())), "ner")
    assert data.tokens == [["the", "#1", "song", "by", "taylor", "swift"], ["paris"]]  # "#1" is a token
    assert data.tags[0][4:] == ["B-PER", "I-PER"] and _roles(report)["4"] == "tags"


def test_an_indexed_iobes_file_with_a_chunk_column(tmp_path):
    text = "1\tJohn\tNNP\tB-NP\tS-PER\n2\tlives\tVBZ\tB-VP\tO\n3\tin\tIN\tB-PP\tO\n4\tNew\tNNP\tB-NP\tB-LOC\n" \
           "5\tYork\tNNP\tI-NP\tE-LOC\n\n1\tMary\tNNP\tB-NP\tS-PER\n2\tsmiles\tVBZ\tB-VP\tO\n"
    data, report = fd.load(str(write(tmp_path, "iobes.txt", text.encode())), "ner")
    assert data.tags[0] == ["B-PER", "O", "O", "B-LOC", "I-LOC"]
    assert _roles(report) == {"1": "index", "2": "token", "3": "pos", "4": "chunk", "5": "tags"}


# ---------------------------------------------------------------- labelling-tool exports

EXPORTS = CASES / "labelling-exports"


def _conll_truth(n: int = 60):
    from core.finetune.tasks.ner import read_conll

    path = Path(__file__).resolve().parents[2] / "data" / "ner_sample" / "ner_sample.conll"
    data = read_conll(path, path.read_text(encoding="utf-8"))
    return data.tokens[:n], data.tags[:n]


@pytest.mark.parametrize("name", ["doccano_ner.jsonl", "labelstudio_ner.json"])
def test_ner_exports_give_the_words_and_tags_of_the_conll_they_were_made_from(name):
    data, report = fd.load(str(EXPORTS / name), "ner")
    tokens, tags = _conll_truth()
    # the two faulty spans added to the export (an overlap, one past the end) are left out: the tags are the truth
    assert data.tokens == tokens and data.tags == tags
    assert report.format == ("doccano" if name.startswith("doccano") else "labelstudio")
    codes = [n.code for n in report.notes]
    assert codes.count("span_overlap") == 1 and codes.count("span_outside") == 1  # reported by line
    lines = "\n".join(report.lines())
    assert ("line 4:" in lines and "line 6:" in lines) if name.endswith("jsonl") else "line 142:" in lines


@pytest.mark.parametrize("name", ["doccano_ner_zh.jsonl", "labelstudio_ner_zh.json"])
def test_chinese_export_spans_are_aligned_to_characters(name):
    data, report = fd.load(str(EXPORTS / name), "ner")
    assert len(data) == 30 and report.language == "zh"
    first = "".join(data.tokens[0])
    assert all(len(w) == 1 for w in data.tokens[0])  # one character per word, as MSRA NER
    entities = [(first[i:j], t) for i, j, t in _entities(data.tags[0])]
    assert entities and all(len(e) >= 2 for e, _ in entities)
    assert not [n for n in report.notes if n.code.startswith("span_")]  # every span fits its characters


def _entities(tags):
    out, start = [], None
    for i, tag in enumerate(tags + ["O"]):
        if start is not None and not tag.startswith("I-"):
            out.append((start, i, tags[start][2:]))
            start = None
        if tag.startswith("B-"):
            start = i
    return out


@pytest.mark.parametrize("name", ["doccano_classification.jsonl", "labelstudio_classification.json"])
def test_classification_exports_take_one_label_and_report_the_rest_by_line(name):
    data, report = fd.load(str(EXPORTS / name), "classification")
    assert len(data) == 10 and set(data.labels) == {"pos", "neg"} and data.texts[0] == "A warm and funny film"
    reasons = [why.code for why in report.dropped_why]
    assert reasons == ["export_multi_label", "export_no_label"]
    if name.endswith(".jsonl"):
        assert [line for line, _ in report.dropped] == [11, 12]


def test_an_english_span_that_cuts_a_word_tags_the_word_and_says_so(tmp_path):
    from core.text.exports import Annotated, spans_to_tags

    words, tags, problems = spans_to_tags(Annotated("Maria Lopez lives in Lisbon.", [(0, 9, "PER"), (21, 27, "LOC")], line=3))
    assert words == ["Maria", "Lopez", "lives", "in", "Lisbon", "."]
    assert tags == ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]
    assert [p.note.code for p in problems] == ["span_inside_word"] and problems[0].line == 3


@pytest.mark.parametrize("name", ["doccano_ner.jsonl", "labelstudio_ner.json"])
def test_ner_export_fine_tunes_end_to_end_from_the_cli_with_entity_f1(name, tmp_path, runs_root, capsys):
    from tests.finetune.helpers import make_tiny_model

    import core.jobs as jobs
    from core.cli import main

    model = make_tiny_model(tmp_path / "tiny")
    code = main(["finetune", "--task", "ner", "--train", str(EXPORTS / name), "--model", str(model), "--epochs", "12",
                 "--batch-size", "8", "--lr", "5e-3", "--warmup-ratio", "0", "--max-length", "48",
                 "--early-stopping", "0", "--device", "cpu"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Reading report for " + name in out and ("doccano" in out or "Label Studio" in out)
    run = jobs.list_runs("finetune")[0]
    assert run["state"] == "done" and set(run["summary"]) == {"f1", "precision", "recall"}
    assert run["summary"]["f1"] > 0.3  # entity-level F1 (seqeval) of a 2-layer model trained for seconds
    assert "f1" in out.splitlines()[-1]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_word_segmented_chinese_reads_as_chinese_not_japanese(tmp_path, encoding):
    """People's Daily and most Chinese NLP corpora come with spaces between words; spaced hanzi without kana
    were read as Japanese ("no Japanese model ships") before both languages' no-spaces rule applied."""
    text = ("迈向 充满 希望 的 新 世纪 —— 一九九八年 新年 讲话\n"
            "中共中央 总书记 、 国家 主席 江泽民 发表 新年 讲话\n"
            "我们 的 祖国 正在 走向 繁荣 富强 ， 人民 生活 不断 改善 。\n"
            "北京 的 冬天 很 冷 ， 但是 大家 都 很 高兴 。\n") * 3
    corpus = read_corpus(write(tmp_path, "segmented.txt", text.encode(encoding)))
    assert corpus.report.language == "zh" and not any(n.code == "no_model_ja" for n in corpus.report.notes)
    assert codecs.lookup(corpus.encoding).name in _same(encoding)
    assert list(corpus)[0][:3] == ["迈向", "充满", "希望"]
