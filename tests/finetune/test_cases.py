"""The bug cases of issue #11 that the fine-tune readers own (tests/cases/<name>/), each with its right value,
plus a second input of the same kind written here (another position, character or delimiter)."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from core.finetune import data as fd
from core.finetune import tasks

CASES = Path(__file__).resolve().parents[1] / "cases"


def write(tmp_path, name, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- ner-zero-subword-token


def test_ner_zero_subword_token_case_test_scores_equal_valid_scores(tiny_model, tmp_path):
    """test_zwsp.conll is valid.conll with a U+200B word first in every sentence: same predictions, same F1."""
    from core.finetune import FinetuneConfig, read_run, train

    case = CASES / "ner-zero-subword-token"
    config = FinetuneConfig(task="ner", train_file=str(case / "train.conll"), valid_file=str(case / "valid.conll"),
                            test_file=str(case / "test_zwsp.conll"), model=str(tiny_model), epochs=8, batch_size=8,
                            learning_rate=3e-3, warmup_ratio=0.0, max_length=48, early_stopping=0, device="cpu")
    train(config, tmp_path / "run")
    report = read_run(tmp_path / "run")["report"]
    assert report["valid"]["f1"] > 0.5  # the model learned something, so a shift would show
    assert report["test"]["f1"] == pytest.approx(report["valid"]["f1"])
    assert report["test"]["no_pieces"] == 24 and report["valid"]["no_pieces"] == 0  # counted in the report
    for v, t in zip(report["valid_details"]["examples"], report["test_details"]["examples"]):
        assert t["tokens"][0] == "\u200b" and t["predicted"][0] == "O"
        assert t["predicted"][1:] == v["predicted"]  # every word keeps its own prediction


@pytest.mark.parametrize("invisible", ["\u00ad", "\ufe0f", "\x07"])
def test_a_word_without_pieces_in_mid_sentence_keeps_every_other_prediction_in_place(invisible):
    from core.finetune.tasks.ner import TagData
    from core.models import load_tokenizer

    ner = tasks.get("ner")
    data = TagData([["Maria", invisible, "lives", "in", "Paris"]], [["B-PER", "O", "O", "O", "B-LOC"]])
    labels = ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]
    encoded = ner.encode(load_tokenizer(), data, {lab: i for i, lab in enumerate(labels)}, max_length=32)
    assert encoded.words == [[0, 2, 3, 4]]  # the invisible word has no piece
    gold = [x for x in encoded.features[0]["labels"] if x != tasks.IGNORE]  # a model that is always right
    scores, details = ner.scores(data, encoded, [gold], [], labels)
    assert details["examples"][0]["predicted"] == ["B-PER", "O", "O", "O", "B-LOC"]
    assert scores["f1"] == 1.0 and scores["no_pieces"] == 1


def test_the_playground_tags_each_word_in_its_own_place(tiny_model, tiny_conll, tmp_path):
    from core.finetune import FinetuneConfig, load_predictor, train

    config = FinetuneConfig(task="ner", train_file=str(tiny_conll), valid_file=str(tiny_conll), test_fraction=0.0,
                            model=str(tiny_model), epochs=8, batch_size=4, learning_rate=3e-3, warmup_ratio=0.0,
                            max_length=32, early_stopping=0, device="cpu")
    train(config, tmp_path / "run")
    predictor = load_predictor(tmp_path / "run")
    plain = predictor.tag("Maria lives in Paris .")
    for invisible in ("\u200b", "\u00ad"):
        text = f"{invisible} Maria lives in Paris {invisible} ."
        tagged = predictor.tag(text)
        words = [w["word"] for w in tagged["words"]]
        assert words == [invisible, "Maria", "lives", "in", "Paris", invisible, "."]
        assert tagged["no_pieces"] == 2
        visible = [w["tag"] for w in tagged["words"] if w["word"] != invisible]
        assert visible == [w["tag"] for w in plain["words"]]
        for w in tagged["words"]:
            assert text[w["start"]:w["end"]] == w["word"]


# ---------------------------------------------------------------- csv-label-guess


def test_csv_label_guess_case_takes_stars_by_its_name_and_says_so(runs_root, capsys):
    from core.cli.finetune import print_reading
    from core.finetune import FinetuneConfig

    view = fd.inspect("classification", str(CASES / "csv-label-guess" / "reviews.csv"))
    assert view.report.label_column == "stars" and view.report.text_column == "text"
    assert view.guess["why"] == {"text": "name", "label": "name"}
    assert view.summary["n"] == 40
    print_reading(FinetuneConfig(train_file=str(CASES / "csv-label-guess" / "reviews.csv")))
    out = capsys.readouterr().out
    assert "label column 'stars' chosen by its name; pass --label-col" in out


def test_a_table_without_a_label_name_is_asked_for_never_guessed(tmp_path, runs_root, capsys):
    from core.cli import main

    rows = ["review_id,text,useful,funny,cool"] + [f"r{i},a review number {i} of this place,{i % 3},{i % 2},0"
                                                   for i in range(12)]
    path = write(tmp_path, "votes.csv", ("\n".join(rows) + "\n").encode())
    with pytest.raises(ValueError, match=r"which column holds the label\? votes.csv has columns 'review_id', "
                                         r"'text', 'useful', 'funny', 'cool'; pass --label-col NAME"):
        fd.load(path, "classification")
    view = fd.inspect("classification", str(path))  # the page: ask with the column picker
    assert view.missing == ["label"] and view.guess["label"] is None and view.guess["text"] == "text"
    assert main(["finetune", "--train", str(path), "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "--label-col" in err and "'funny'" in err
    assert fd.load(path, "classification", label_col="useful")[0].labels[:3] == ["0", "1", "2"]


# ---------------------------------------------------------------- csv-no-header


def test_csv_no_header_case_reads_24_rows_and_says_the_first_row_is_data():
    path = CASES / "csv-no-header" / "train.csv"
    view = fd.inspect("classification", str(path))
    assert view.report.header is False and "number" in view.report.header_note
    assert view.missing == ["text", "label"]  # numbered columns say nothing: the user picks them
    data, report = fd.load(path, "classification", text_col="column_3", label_col="column_1")
    assert len(data) == 24 and report.rows_read == 24
    assert data.labels[0] == "3"  # the first row is an example, not a header


def test_a_header_that_looks_like_data_can_be_forced_header_less(tmp_path):
    rows = ["good fun,pos"] + [f"text number {i},{'pos' if i % 2 else 'neg'}" for i in range(9)]
    path = write(tmp_path, "plain.csv", ("\n".join(rows) + "\n").encode())
    data, report = fd.load(path, "classification", no_header=True, text_col="column_1", label_col="column_2")
    assert len(data) == 10 and data.texts[0] == "good fun" and report.header is False
    from core.finetune import FinetuneConfig
    from core.finetune.trainer import read_options

    assert read_options(FinetuneConfig(no_header=True, delimiter="\\t")).delimiter == "\t"


# ---------------------------------------------------------------- csv-semicolon


def test_csv_semicolon_case_reads_8_examples():
    data, report = fd.load(CASES / "csv-semicolon" / "reviews.csv", "classification")
    assert len(data) == 8 and report.delimiter == ";"
    assert set(data.labels) == {"positiv", "negativ"} and any("," in text for text in data.texts)


def test_a_pipe_delimited_table_is_sniffed_too(tmp_path):
    rows = ["text|label"] + [f"a text, with a comma {i}|{'a' if i % 2 else 'b'}" for i in range(6)]
    data, report = fd.load(write(tmp_path, "p.csv", ("\r\n".join(rows)).encode("cp1252")), "classification")
    assert len(data) == 6 and report.delimiter == "|" and data.texts[0] == "a text, with a comma 0"


# ---------------------------------------------------------------- jsonl-null-label-float


def test_jsonl_null_label_case_keeps_integer_labels(tmp_path):
    from core.finetune import FinetuneConfig
    from core.finetune.trainer import prepare

    case = CASES / "jsonl-null-label-float"
    data, report = fd.load(case / "train.jsonl", "classification")
    assert len(data) == 12 and set(data.labels) == {"0", "1"} and report.rows_dropped == 1
    config = FinetuneConfig(train_file=str(case / "train.jsonl"), valid_file=str(case / "valid.jsonl"),
                            test_fraction=0.0)
    assert prepare(config)["labels"] == ["0", "1"]  # valid.jsonl's labels match


def test_a_json_array_with_a_null_label_elsewhere_keeps_its_numbers(tmp_path):
    text = '[{"text": "a", "label": 7}, {"text": "b", "label": 3}, {"text": "c", "label": null}, ' \
           '{"text": "d", "label": 7}, {"text": "e", "label": 2.5}]'
    data, report = fd.load(write(tmp_path, "d.json", text.encode()), "classification")
    assert data.labels == ["7", "3", "7", "2.5"] and report.rows_dropped == 1


# ---------------------------------------------------------------- conll-crlf-txt


def test_conll_crlf_case_is_read_as_conll_like_its_lf_copy():
    case = CASES / "conll-crlf-txt"
    crlf, report = fd.load(case / "train.txt", "ner")
    lf, _ = fd.load(case / "train_lf.txt", "ner")
    assert report.format == "conll" and len(crlf) == len(lf) == 12
    assert crlf.tokens == lf.tokens and crlf.tags == lf.tags


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_conll_with_tabs_and_other_line_endings_is_detected(tmp_path, newline):
    lines = ["Ann\tB-PER", "met\tO", "Bob\tB-PER", "", "Rome\tB-LOC", "is\tO", "old\tO", ""]
    path = write(tmp_path, "ner.txt", newline.join(lines).encode())
    assert fd.detect_format(path) == "conll"
    data, _ = fd.load(path, "ner")
    assert data.tokens == [["Ann", "met", "Bob"], ["Rome", "is", "old"]]


# ---------------------------------------------------------------- conll-tag-schemes


@pytest.mark.parametrize("name", ["bilou", "iobes", "iob1_docstart_tab", "underscore"])
def test_conll_tag_schemes_case_converts_to_bio_with_a_note(name):
    data, _ = fd.load(CASES / "conll-tag-schemes" / f"{name}.conll", "ner")
    assert len(data) == 3
    assert all(tags == ["B-PER", "I-PER", "O", "B-LOC", "O"] for tags in data.tags), data.tags
    assert {"code": "converted_bio", "count": 3} in data.notes


def test_conll_tag_schemes_case_refuses_io_tags_with_the_line_number():
    with pytest.raises(ValueError, match=r"io_plain.conll line 1: 'PER' is not a BIO tag"):
        fd.load(CASES / "conll-tag-schemes" / "io_plain.conll", "ner")


def test_bilou_unit_entity_at_sentence_end_and_a_zero_for_o(tmp_path):
    path = write(tmp_path, "b.conll", "New\tB-LOC\nYork\tL-LOC\nin\tO\nJune\tU-DATE\n\nx\tU-PER\n".encode())
    data, _ = fd.load(path, "ner")
    assert data.tags == [["B-LOC", "I-LOC", "O", "B-DATE"], ["B-PER"]]
    with pytest.raises(ValueError, match=r"line 2: '0' is not a BIO tag \(a zero, not the letter O\?\)"):
        fd.load(write(tmp_path, "z.conll", b"Ann B-PER\nsings 0\n"), "ner")


# ---------------------------------------------------------------- csv-bom-utf16-unseen


@pytest.mark.parametrize("name", ["bom.csv", "excel_unicode.txt"])
def test_csv_bom_utf16_case_reads_6_examples_with_text_and_label(name):
    data, report = fd.load(CASES / "csv-bom-utf16-unseen" / name, "classification")
    assert len(data) == 6 and report.text_column == "text" and report.label_column == "label"
    assert not any(text.startswith("\ufeff") for text in data.texts)


def test_csv_bom_utf16_case_names_the_unseen_test_label_before_training():
    from core.finetune import FinetuneConfig
    from core.finetune.trainer import prepare

    case = CASES / "csv-bom-utf16-unseen"
    config = FinetuneConfig(train_file=str(case / "bom.csv"), test_file=str(case / "test_unseen.csv"),
                            model="no-such-model-is-ever-loaded")
    with pytest.raises(ValueError, match=r"test data has labels that never occur in the training data: 'neutral'"):
        prepare(config)
    view = fd.inspect("classification", str(case / "bom.csv"), test_file=str(case / "test_unseen.csv"))
    assert len(view.errors) == 1 and "'neutral'" in view.errors[0]  # the page shows it before Train


def test_utf16_big_endian_comma_table_and_an_unseen_validation_label(tmp_path):
    text = "text,label\n" + "".join(f"line {i},{'a' if i % 2 else 'b'}\n" for i in range(6))
    train = write(tmp_path, "be.csv", codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    valid = write(tmp_path, "v.csv", "text,label\nthis,a\nthat,mixed\n".encode())
    data, _ = fd.load(train, "classification")
    assert len(data) == 6 and data.labels[:2] == ["b", "a"]
    view = fd.inspect("classification", str(train), valid_file=str(valid))
    assert "validation data has labels that never occur in the training data: 'mixed'" in view.errors[0]
