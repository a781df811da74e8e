"""Loaders, column guessing, BIO conversion, splits and the data summary."""
from __future__ import annotations

import collections

import pytest

from core.finetune import data as fd
from core.finetune import tasks
from core.finetune.tasks.classification import TextData, guess_columns
from core.finetune.tasks.ner import to_bio

CLS, NER = tasks.get("classification"), tasks.get("ner")


def load(path, task, **options):
    return fd.load(path, task, **options)[0]


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("name,text", [
    ("d.csv", "review,stars\nGreat film,pos\nAwful plot,neg\n"),
    ("d.tsv", "review\tstars\nGreat film\tpos\nAwful plot\tneg\n"),
    ("d.jsonl", '{"review": "Great film", "stars": "pos"}\n{"review": "Awful plot", "stars": "neg"}\n'),
])
def test_table_formats_read_the_same_rows(tmp_path, name, text):
    data = load(write(tmp_path, name, text), "classification", text_col="review", label_col="stars")
    assert data.texts == ["Great film", "Awful plot"]
    assert data.labels == ["pos", "neg"]


def test_wrong_column_names_list_the_available_columns(tmp_path):
    path = write(tmp_path, "d.csv", "review,stars\nGreat,pos\nBad,neg\n")
    with pytest.raises(ValueError, match=r"no column 'text'.*'review', 'stars'"):
        load(path, "classification", text_col="text", label_col="stars")
    with pytest.raises(ValueError, match="must be different"):
        load(path, "classification", text_col="review", label_col="review")


def test_malformed_csv_and_jsonl_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="line 2: not valid JSON"):
        load(write(tmp_path, "bad.jsonl", '{"a": 1}\n{"a": \n'), "classification")
    with pytest.raises(ValueError, match="empty"):
        load(write(tmp_path, "empty.csv", ""), "classification")


def test_guess_columns_by_name_and_by_content():
    import pandas as pd

    named = pd.DataFrame({"id": ["1", "2"], "sentence": ["a b c", "d e f"], "label": ["x", "y"]})
    assert guess_columns(named) == {"text": "sentence", "text_pair": None, "label": "label",
                                    "why": {"text": "name", "label": "name"}}
    pairs = pd.DataFrame({"premise": ["a long one"] * 4, "hypothesis": ["b"] * 4, "gold_label": ["e", "n", "c", "e"]})
    assert {k: v for k, v in guess_columns(pairs).items() if k != "why"} == {
        "text": "premise", "text_pair": "hypothesis", "label": "gold_label"}
    # No helpful names: the long free text is the text (shown as a guess); a label is never guessed by content.
    anon = pd.DataFrame({"c1": ["spam", "ham", "spam", "ham", "ham", "spam"],
                         "c2": [f"message number {i} with words" for i in range(6)]})
    assert guess_columns(anon)["text"] == "c2"
    assert guess_columns(anon)["why"]["text"] == "longest"
    assert guess_columns(anon)["label"] is None


def test_empty_rows_are_dropped_and_reported(tmp_path):
    data = load(write(tmp_path, "d.csv", "text,label\nfine,a\n,b\nok,\nyes,b\n"), "classification")
    assert data.texts == ["fine", "yes"]
    assert {"code": "dropped_empty", "count": 2} in data.notes


def test_fasttext_latin1_sample_reads_every_line():
    data = load("sample:sentiment", "classification")
    assert len(data) == 200
    assert collections.Counter(data.labels) == {"neg": 100, "pos": 100}
    assert not any("__label__" in t for t in data.texts)


def test_fasttext_malformed_line_names_its_number(tmp_path):
    path = write(tmp_path, "d.txt", "__label__a good\nno label here\n")
    with pytest.raises(ValueError, match="line 2 has no __label__"):
        load(path, "classification", fmt="fasttext")
    multi = load(write(tmp_path, "m.txt", "__label__a __label__b both\n__label__c one\n"), "classification")
    assert multi.labels == ["a", "c"] and multi.texts == ["both", "one"]
    assert multi.notes == [{"code": "multi_label", "count": 1}]


def test_detect_format_from_content(tmp_path):
    assert fd.detect_format(write(tmp_path, "a.txt", "__label__x hi\n__label__y yo\n")) == "fasttext"
    assert fd.detect_format(write(tmp_path, "b.txt", "-DOCSTART- O\n\nParis B-LOC\nis O\n\nRome B-LOC\n")) == "conll"
    assert fd.detect_format(write(tmp_path, "c.txt", '{"text": "a", "label": "b"}\n')) == "jsonl"
    assert fd.detect_format(write(tmp_path, "d.txt", "text\tlabel\nhello there\tx\n")) == "tsv"


def test_conll_reader_skips_docstart_and_converts_iob1(tmp_path):
    text = "-DOCSTART- -X- O O\n\nEU NNP I-ORG\nrejects VBZ O\nGerman JJ I-MISC\ncall NN O\n\nPeter I-PER\nBlackburn I-PER\n"
    data = load(write(tmp_path, "d.conll", text), "ner")
    assert data.tokens == [["EU", "rejects", "German", "call"], ["Peter", "Blackburn"]]
    assert data.tags == [["B-ORG", "O", "B-MISC", "O"], ["B-PER", "I-PER"]]
    assert data.notes[0]["code"] == "converted_bio"


def test_conll_malformed_lines(tmp_path):
    with pytest.raises(ValueError, match="line 2 has one column"):
        load(write(tmp_path, "a.conll", "Paris B-LOC\nlonely\n"), "ner")
    with pytest.raises(ValueError, match="'LOC' is not a BIO tag"):
        load(write(tmp_path, "b.conll", "Paris LOC\n"), "ner")
    with pytest.raises(ValueError, match="looks like a csv file, which the classification task reads"):
        load(write(tmp_path, "c.csv", "text,label\na,b\n"), "ner")


@pytest.mark.parametrize("iob,bio", [
    (["I-PER", "I-PER", "O", "I-LOC"], ["B-PER", "I-PER", "O", "B-LOC"]),
    (["I-PER", "B-PER", "I-PER"], ["B-PER", "B-PER", "I-PER"]),  # IOB1: B- only between two same-type entities
    (["I-ORG", "I-LOC"], ["B-ORG", "B-LOC"]),
    (["B-LOC", "I-LOC", "O"], ["B-LOC", "I-LOC", "O"]),  # BIO is unchanged
    (["S-PER", "B-ORG", "E-ORG"], ["B-PER", "B-ORG", "I-ORG"]),  # IOBES
])
def test_to_bio(iob, bio):
    assert to_bio(iob) == bio


def test_shipped_ner_sample_is_valid_bio():
    data = load("sample:ner", "ner")
    assert 150 <= len(data) <= 250
    assert all(to_bio(tags) == tags for tags in data.tags)
    types = {t[2:] for tags in data.tags for t in tags if t != "O"}
    assert types == {"PER", "ORG", "LOC", "MISC"}


def test_split_is_stratified_seeded_and_disjoint():
    texts = [f"t{i}" for i in range(100)]
    labels = ["a"] * 80 + ["b"] * 20
    data = TextData(texts, labels)
    train, valid, test = fd.split(data, 0.2, 0.1, seed=3)
    assert (len(train), len(valid), len(test)) == (70, 20, 10)
    assert collections.Counter(valid.labels) == {"a": 16, "b": 4}
    assert collections.Counter(test.labels) == {"a": 8, "b": 2}
    assert not set(train.texts) & set(valid.texts) and not set(valid.texts) & set(test.texts)
    again = fd.split(data, 0.2, 0.1, seed=3)
    assert again[1].texts == valid.texts
    assert fd.split(data, 0.2, 0.1, seed=4)[1].texts != valid.texts


def test_unseen_labels_are_named():
    with pytest.raises(ValueError, match=r"never occur in the training data: 'maybe'"):
        fd.check_labels(["neg", "pos"], CLS.labels_in(TextData(["x", "y"], ["pos", "maybe"])), "validation")


def test_summary_warnings_and_token_lengths():
    from core.models import load_tokenizer

    texts = ["good"] * 12 + ["bad movie"] * 2 + ["good"]
    labels = ["pos"] * 12 + ["neg"] * 2 + ["neg"]
    summary = CLS.summarize(TextData(texts, labels), load_tokenizer(), max_length=3)
    codes = {w["code"]: w for w in summary["warnings"]}
    assert codes["duplicates"]["count"] == 13
    assert codes["conflicting"]["count"] == 1  # "good" is labelled both pos and neg
    assert "imbalance" not in codes  # 12:3 is below the 5:1 threshold
    assert codes["few_examples"]["labels"] == "neg"
    assert summary["lengths"][0] == 3 and summary["lengths"][-2] == 4  # [CLS] good [SEP]; [CLS] bad movie [SEP]
    assert codes["truncated"]["count"] == 2
    assert summary["label_counts"] == {"pos": 12, "neg": 3}


def test_imbalance_warning():
    summary = CLS.summarize(TextData([str(i) for i in range(24)], ["a"] * 20 + ["b"] * 4))
    assert any(w["code"] == "imbalance" and w["ratio"] == 5.0 for w in summary["warnings"])
