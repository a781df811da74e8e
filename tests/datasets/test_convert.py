"""core.datasets.convert: each source format, on a tiny fake file, converts to what our readers take."""
from __future__ import annotations

import csv

import pytest

from core.datasets import convert


def test_pos_tagged_line_keeps_segmentation_and_strips_pos(tmp_path):
    path = tmp_path / "pd.txt"
    path.write_text("迈向/v  充满/v  希望/n\n\n江/nr  泽民/nr  发表/v  １/２/m\n", encoding="utf-8")
    lines = list(convert.read_pos_tagged(path))
    assert lines == [[("迈向", "v"), ("充满", "v"), ("希望", "n")],
                     [("江", "nr"), ("泽民", "nr"), ("发表", "v"), ("１/２", "m")]]


def test_pos_tagged_line_without_slash_names_the_line(tmp_path):
    path = tmp_path / "pd.txt"
    path.write_text("好/a\n坏 了/u\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: '坏' is not word/POS"):
        list(convert.read_pos_tagged(path))


def test_people_daily_entities_merge_surname_and_given_name():
    words = [("江", "nr"), ("泽民", "nr"), ("在", "p"), ("北京", "ns"), ("会见", "v"), ("新华社", "nt"),
             ("、", "w"), ("李", "nr")]
    chars, tags = convert.pos_to_entities(words)
    assert "".join(chars) == "江泽民在北京会见新华社、李"
    assert tags == ["B-PER", "I-PER", "I-PER", "O", "B-LOC", "I-LOC", "O", "O",
                    "B-ORG", "I-ORG", "I-ORG", "O", "B-PER"]


def test_two_places_side_by_side_stay_two_entities():
    _, tags = convert.pos_to_entities([("中国", "ns"), ("北京", "ns")])
    assert tags == ["B-LOC", "I-LOC", "B-LOC", "I-LOC"]


@pytest.mark.parametrize("bmes, bio", [
    (["B-LOC", "M-LOC", "E-LOC", "O", "S-PER"], ["B-LOC", "I-LOC", "I-LOC", "O", "B-PER"]),
    (["O", "E-ORG", "B-ORG", "E-ORG"], ["O", "B-ORG", "B-ORG", "I-ORG"]),  # stray end starts an entity
    (["B-person", "I-person", "I-other"], ["B-person", "I-person", "B-other"]),  # BIO passes; type change = new
])
def test_bmes_to_bio(bmes, bio):
    assert convert.bmes_to_bio(bmes) == bio


def test_bmes_to_bio_rejects_unknown_tag():
    with pytest.raises(ValueError, match="'X-LOC'"):
        convert.bmes_to_bio(["X-LOC"])


def test_token_tag_reader_takes_crlf_and_tab_only_separator_lines(tmp_path):
    msra = tmp_path / "msra.txt"
    msra.write_bytes("当 O\r\n北 B-LOC\r\n京 E-LOC\r\n\r\n好 O\r\n".encode("utf-8"))
    assert convert.read_token_tag(msra) == [(["当", "北", "京"], ["O", "B-LOC", "E-LOC"]), (["好"], ["O"])]
    wnut = tmp_path / "wnut.txt"
    wnut.write_text("Empire\tB-facility\nState\tI-facility\n\t\nhi\tO\n\t\n", encoding="utf-8")
    assert convert.read_token_tag(wnut) == [(["Empire", "State"], ["B-facility", "I-facility"]), (["hi"], ["O"])]


def test_token_tag_reader_names_a_bad_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("a O\nb c O\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        convert.read_token_tag(path)


def test_dedupe_drops_repeats_and_conflicting_texts():
    items = [("good", "pos"), ("bad", "neg"), ("good", "pos"), ("meh", "pos"), ("meh", "neg"), ("ok", "pos")]
    kept, counts = convert.dedupe(items)
    assert kept == [("good", "pos"), ("bad", "neg"), ("ok", "pos")]
    assert counts == {"duplicates": 1, "conflicting_labels": 1}


@pytest.mark.parametrize("n", [3, 10, 101, 1000])
def test_split_is_seeded_disjoint_and_complete(n):
    a = convert.split_indices(n, seed=7)
    assert a == convert.split_indices(n, seed=7)
    assert sorted(a["train"] + a["valid"] + a["test"]) == list(range(n))
    assert len(a["test"]) == max(n // 10, 1) and len(a["valid"]) == max(n // 10, 1)
    if n >= 100:
        assert a != convert.split_indices(n, seed=8)


def test_writers_produce_what_the_readers_take(tmp_path):
    rows = [('He said "hi", then left', "pos"), ("第二行", "neg")]
    assert convert.write_csv(tmp_path / "x.csv", rows) == 2
    with open(tmp_path / "x.csv", encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh)) == [["text", "label"], *map(list, rows)]
    convert.write_conll(tmp_path / "x.conll", [(["北", "京"], ["B-LOC", "I-LOC"]), (["好"], ["O"])])
    assert (tmp_path / "x.conll").read_text(encoding="utf-8") == "北 B-LOC\n京 I-LOC\n\n好 O\n\n"
    assert convert.write_corpus(tmp_path / "c.txt", [["迈向", "新", "世纪"], [], ["好"]]) == (2, 4)
    assert (tmp_path / "c.txt").read_text(encoding="utf-8") == "迈向 新 世纪\n好\n"


def test_clean_text_collapses_newlines():
    assert convert.clean_text("Title\n\nBody  text.\r\n") == "Title Body text."
