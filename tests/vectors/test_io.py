"""core.vectors.io: round trips for every format, malformed files named by line, no unpickling."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from core.vectors.io import (
    detect_format,
    load_projector_tsv,
    load_run_vectors,
    load_vectors,
    make_keyed_vectors,
    save_glove,
    save_projector_tsv,
    save_run_vectors,
    save_word2vec,
)

WORDS = ["the", "猫", "café", "dog", "naïve"]


@pytest.fixture
def kv():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((len(WORDS), 7)).astype(np.float32)
    return make_keyed_vectors(WORDS, vectors, counts=[50, 20, 7, 5, 1])


@pytest.mark.parametrize("binary, fmt", [(False, "text"), (True, "binary")])
def test_word2vec_round_trip(tmp_path, kv, binary, fmt):
    path = tmp_path / ("v.bin" if binary else "v.txt")
    save_word2vec(kv, path, binary=binary)
    assert detect_format(path) == fmt
    back = load_vectors(path)
    assert back.index_to_key == WORDS
    np.testing.assert_array_equal(back.vectors, kv.vectors)  # repr(float) text is exact for float32


def test_glove_round_trip(tmp_path, kv):
    path = tmp_path / "glove.txt"
    save_glove(kv, path)
    assert not path.read_text(encoding="utf-8").splitlines()[0].split()[0].isdigit()
    assert detect_format(path) == "glove"
    back = load_vectors(path)
    assert back.index_to_key == WORDS
    np.testing.assert_array_equal(back.vectors, kv.vectors)


def test_projector_tsv_round_trip(tmp_path, kv):
    vec, meta = tmp_path / "vectors.tsv", tmp_path / "metadata.tsv"
    save_projector_tsv(kv, vec, meta)
    rows = vec.read_text().splitlines()
    assert len(rows) == 5 and all(len(r.split("\t")) == 7 for r in rows)
    assert meta.read_text(encoding="utf-8").splitlines() == WORDS  # single column: no header row
    back = load_projector_tsv(vec, meta)
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    save_projector_tsv(kv, vec, meta, limit=2)
    assert len(vec.read_text().splitlines()) == 2 and meta.read_text(encoding="utf-8").splitlines() == WORDS[:2]


def test_run_vectors_keep_counts(tmp_path, kv):
    save_run_vectors(kv, tmp_path)
    assert (tmp_path / "vectors.bin").exists()
    assert (tmp_path / "vocab.txt").read_text(encoding="utf-8").splitlines()[:2] == ["the 50", "猫 20"]
    back = load_run_vectors(tmp_path)
    assert [back.get_vecattr(w, "count") for w in WORDS] == [50, 20, 7, 5, 1]
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert not list(tmp_path.glob(".*tmp"))  # atomic writes leave no temporary files
    with pytest.raises(ValueError, match="no vectors.bin"):
        load_run_vectors(tmp_path / "missing")


def test_gensim_can_read_what_we_write(tmp_path, kv):
    from gensim.models import KeyedVectors

    save_word2vec(kv, tmp_path / "v.bin", binary=True)
    theirs = KeyedVectors.load_word2vec_format(str(tmp_path / "v.bin"), binary=True)
    np.testing.assert_array_equal(theirs["猫"], kv["猫"])


def test_limit_keeps_the_first_vectors(tmp_path, kv):
    for binary in (False, True):
        path = tmp_path / f"v{binary}"
        save_word2vec(kv, path, binary=binary)
        assert load_vectors(path, limit=2).index_to_key == WORDS[:2]


@pytest.mark.parametrize(
    "content, message",
    [
        ("2 3\na 1 2 3\nb 1 2\n", "line 3: expected 3 numbers after the word, found 2"),
        ("2 3\na 1 2 3\nb 1 x 3\n", "line 3: 'x' is not a number"),
        ("3 3\na 1 2 3\nb 1 2 3\n", "header says 3 vectors but the file has 2"),
        ("two three\na 1 2 3\n", None),  # no header -> treated as GloVe; then the ragged row is reported
        ("a 1 2 3\nb 4 5\n", "line 2: expected 3 numbers after the word, found 2"),
        ("", "empty"),
        ("\n\n  \n", "empty"),
        ("justaword\n", "line 1: expected a word followed by numbers"),
    ],
)
def test_malformed_text_files_name_the_line(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_vectors(path)
    if message:
        assert message in str(err.value)
    assert "bad.txt" in str(err.value)


def test_malformed_binary_files(tmp_path, kv):
    good = tmp_path / "good.bin"
    save_word2vec(kv, good, binary=True)
    data = good.read_bytes()
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(data[:-20])
    with pytest.raises(ValueError, match="vector 5 .*truncated"):
        load_vectors(truncated)
    wrong_count = tmp_path / "count.bin"
    wrong_count.write_bytes(data.replace(b"5 7\n", b"9 7\n", 1))
    with pytest.raises(ValueError, match="header says 9 vectors but the file ends after 5"):
        load_vectors(wrong_count)
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ValueError, match="not a word-vector file"):
        load_vectors(garbage)


def test_pickles_are_refused_not_loaded(tmp_path):
    path = tmp_path / "model.model"

    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('unpickled!')",))

    path.write_bytes(pickle.dumps(Boom(), protocol=4))
    with pytest.raises(ValueError, match="never unpickles"):
        load_vectors(path)


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="File not found"):
        load_vectors(tmp_path / "nope.txt")
    path = tmp_path / "v.txt"
    path.write_text("a 1 2\n")
    with pytest.raises(ValueError, match="Unknown vector format"):
        load_vectors(path, fmt="npz")


def test_words_with_spaces_cannot_be_saved(tmp_path):
    kv = make_keyed_vectors(["new york", "b"], np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="spaces"):
        save_word2vec(kv, tmp_path / "v.txt")


# ---------------------------------------------------------------- bug cases (tests/cases/<name>/)

CASES = __import__("pathlib").Path(__file__).resolve().parents[1] / "cases"


@pytest.mark.parametrize("name", ["small_vectors.txt", "small_vectors_nobom.txt"])
def test_bom_before_a_word2vec_header_is_still_word2vec_text(name):
    path = CASES / "analogy-missing-words" / name
    assert detect_format(path) == "text"  # not GloVe
    kv = load_vectors(path)
    assert kv.vectors.shape == (12, 6) and kv.index_to_key[0] == "king"


def test_bom_and_crlf_before_a_header_written_here(tmp_path, kv):
    # Another file of the kind: our own vectors, saved by Notepad (BOM + CRLF).
    path = tmp_path / "v.txt"
    save_word2vec(kv, path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert detect_format(path) == "text"
    back = load_vectors(path)
    assert back.index_to_key == WORDS
    np.testing.assert_array_equal(back.vectors, kv.vectors)


@pytest.mark.parametrize("name, word, row", [
    ("glove_first.txt", ". . .", 0), ("glove_mid.txt", "at info@example.org", 3), ("glove_nbsp.txt", ".\xa0.\xa0.", 0)])
def test_glove_words_with_spaces_keep_their_vectors(name, word, row):
    from core.vectors.io import read_vectors

    path = CASES / "glove-token-with-space" / name
    kv, report = read_vectors(path)
    assert kv.vector_size == 5 and len(kv) == 7
    assert kv.index_to_key[row] == word
    raw = path.read_text(encoding="utf-8").splitlines()[row].split(" ")
    np.testing.assert_array_equal(kv[word], np.array(raw[-5:], dtype=np.float32))
    if " " in word:
        assert [n.code for n in report.notes] == ["spaced_words"]


def test_spaced_words_in_a_word2vec_text_file_and_ragged_rows(tmp_path):
    # Another format (with header) and a word made of two numbers-free pieces at the end of the file.
    path = tmp_path / "v.txt"
    path.write_text("3 2\na 1 2\nb 3 4\nnew york 5 6\n", encoding="utf-8")
    assert load_vectors(path)["new york"].tolist() == [5.0, 6.0]
    path.write_text("a 1 2 3\nb 4 5 6\nc 7 8 9 10\n", encoding="utf-8")  # a row with an extra number
    with pytest.raises(ValueError, match="line 3: expected 3 numbers after the word, found 4"):
        load_vectors(path)


def test_binary_with_a_non_utf8_word_loads_with_a_note():
    from core.vectors.io import read_vectors

    kv, report = read_vectors(CASES / "w2v-binary-nonutf8" / "vectors.bin")
    assert len(kv) == 4 and kv.index_to_key[0] == "river" and kv.index_to_key[3] == "naïve"
    assert kv.index_to_key[1] == "caf\ufffd"
    assert [n.code for n in report.notes] == ["bad_words"] and report.notes[0].fields["n"] == 1
    kv, report = read_vectors(CASES / "w2v-binary-nonutf8" / "truncated_word.bin")
    assert len(kv) == 2 and kv.index_to_key[1].endswith("\ufffd") and kv.index_to_key[1].startswith("éé")


def test_binary_with_a_gbk_word_written_here(tmp_path, kv):
    # Another character and position: the last word written in GBK by a C tool.
    path = tmp_path / "v.bin"
    save_word2vec(kv, path, binary=True)
    data = path.read_bytes().replace("naïve".encode(), "北京".encode("gbk"))
    path.write_bytes(data)
    from core.vectors.io import read_vectors

    back, report = read_vectors(path)
    assert back.index_to_key[:4] == WORDS[:4] and "\ufffd" in back.index_to_key[4]
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert report.notes[0].code == "bad_words"


def test_nan_and_inf_in_text_vectors_name_the_line():
    path = CASES / "vectors-nan-text" / "vectors.txt"
    with pytest.raises(ValueError, match=r"vectors.txt, line 7 \('boat'\): contains NaN or infinity"):
        load_vectors(path)


@pytest.mark.parametrize("value", ["-inf", "NaN", "infinity"])
def test_non_finite_values_in_glove_and_binary(tmp_path, kv, value):
    path = tmp_path / "g.txt"
    path.write_text(f"a 1 2\nb 3 {value}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2 \('b'\): contains NaN or infinity"):
        load_vectors(path)
    bad = make_keyed_vectors(["x", "y"], np.array([[1, 2], [3, float(value)]], dtype=np.float32))
    with pytest.raises(ValueError, match="'y'.*NaN or infinity"):
        save_word2vec(bad, tmp_path / "b.bin", binary=True)  # never written in the first place


def test_binary_duplicates_keep_the_first_vector_and_are_counted(tmp_path):
    from core.vectors.io import read_vectors

    path = tmp_path / "dup.bin"
    with open(path, "wb") as fh:
        fh.write(b"3 2\n")
        for word, vec in (("a", [1, 2]), ("b", [3, 4]), ("a", [5, 6])):
            fh.write(word.encode() + b" " + np.array(vec, "<f4").tobytes() + b"\n")
    kv, report = read_vectors(path)
    assert kv.index_to_key == ["a", "b"] and kv["a"].tolist() == [1.0, 2.0]
    assert [n.code for n in report.notes] == ["duplicates"]
