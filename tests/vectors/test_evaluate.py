"""core.vectors.evaluate: numbers checked against independent arithmetic and against gensim."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from core.vectors.evaluate import analogies, evaluate, word_pairs
from core.vectors.io import make_keyed_vectors


def _kv(mapping: dict[str, list[float]]):
    return make_keyed_vectors(list(mapping), np.array(list(mapping.values()), dtype=np.float32))


def test_word_pairs_spearman_matches_hand_computation(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("# comment\nA\tb\t9\na\tc\t5\nb\tc\t1\na\tzzz\t3\n", encoding="utf-8")
    kv = _kv({"a": [1, 0], "b": [1, 0.1], "c": [0, 1]})
    result = word_pairs(kv, path, detail=True)
    cos = lambda x, y: float(np.dot(x, y) / np.linalg.norm(x) / np.linalg.norm(y))  # noqa: E731
    model = [cos([1, 0], [1, 0.1]), cos([1, 0], [0, 1]), cos([1, 0.1], [0, 1])]
    assert result["n_pairs"] == 3 and result["coverage"] == pytest.approx(0.75)  # "zzz" is out of vocabulary
    assert result["spearman"] == pytest.approx(stats.spearmanr([9, 5, 1], model).statistic)
    assert result["pearson"] == pytest.approx(stats.pearsonr([9, 5, 1], model).statistic)
    assert [p[:3] for p in result["pairs"]] == [["A", "b", 9.0], ["a", "c", 5.0], ["b", "c", 1.0]]
    assert result["pairs"][0][3] == pytest.approx(model[0], abs=1e-6)


def test_analogy_textbook_example(tmp_path):
    # king - man + woman = queen, with vectors built so that it holds exactly.
    path = tmp_path / "q.txt"
    path.write_text(": royals\nman king woman queen\nman king woman apple\n: other\nx y z w\n", encoding="utf-8")
    kv = _kv({
        "man": [1, 0, 0], "woman": [1, 1, 0], "king": [1, 0, 1], "queen": [1, 1, 1], "apple": [-1, 0, 0],
    })
    result = analogies(kv, path, detail=True)
    assert result["n_questions"] == 2 and result["n_total"] == 3
    assert result["accuracy"] == pytest.approx(0.5)
    assert result["coverage"] == pytest.approx(2 / 3)
    assert result["sections"][0] == {"section": "royals", "correct": 1, "total": 2, "accuracy": 0.5}
    assert result["sections"][1]["accuracy"] is None


def test_evaluate_agrees_with_gensim_on_trained_vectors():
    from gensim.test.utils import datapath

    from core.vectors.io import load_vectors

    kv = load_vectors(datapath("lee_fasttext.vec"))
    ours = evaluate(kv, detail=True)
    pearson, spearman, oov = kv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    assert ours["wordsim353"]["spearman"] == pytest.approx(spearman.statistic, abs=1e-6)
    assert ours["wordsim353"]["pearson"] == pytest.approx(pearson.statistic, abs=1e-6)
    assert ours["wordsim353"]["coverage"] == pytest.approx(1 - oov / 100)
    score, sections = kv.evaluate_word_analogies(datapath("questions-words.txt"))
    assert ours["analogies"]["accuracy"] == pytest.approx(score)
    total = sections[-1]
    assert ours["analogies"]["n_questions"] == len(total["correct"]) + len(total["incorrect"])
    assert set(ours) == {"wordsim353", "simlex999", "analogies", "zh_analogies"}
    assert ours["zh_analogies"]["coverage"] == 0 and ours["zh_analogies"]["accuracy"] is None
    assert set(ours["simlex999"]) >= {"spearman", "pearson", "coverage", "n_pairs", "pairs"}


def test_no_coverage_gives_none_not_a_crash():
    kv = _kv({"qqq": [1.0, 0.0], "rrr": [0.0, 1.0]})
    result = evaluate(kv)
    assert result["wordsim353"]["spearman"] is None and result["wordsim353"]["coverage"] == 0
    assert result["analogies"]["accuracy"] is None and result["analogies"]["n_questions"] == 0
    assert result["zh_analogies"]["accuracy"] is None and result["zh_analogies"]["n_questions"] == 0


# -- the Chinese analogy set (data/zh_analogy) ------------------------------------------

def test_chinese_set_is_the_shipped_file_and_well_formed():
    import importlib.util

    from core.vectors.evaluate import ZH_ANALOGY_FILE, read_analogies

    sections = read_analogies(ZH_ANALOGY_FILE)
    assert len(sections) >= 6 and sum(len(q) for _, q in sections) >= 300
    for name, questions in sections:
        words = {w for q in questions for w in q}
        pairs = {(q[0], q[1]) for q in questions}
        assert len(words) == 2 * len(pairs), name  # no word in two pairs: one right answer per question
        assert len(questions) == len(pairs) * (len(pairs) - 1), name
    spec = importlib.util.spec_from_file_location("make_questions", ZH_ANALOGY_FILE.parent / "make_questions.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    assert make.render(make.SECTIONS) == ZH_ANALOGY_FILE.read_text(encoding="utf-8")  # regenerates identically


def _zh_toy_vectors():
    """Four capital pairs and three male-female pairs, built so that b - a + c = d exactly,
    plus a decoy placed exactly where questions answered by 北京 point (北京 itself is nudged off it)."""
    capitals = [("中国", "北京"), ("日本", "东京"), ("美国", "华盛顿"), ("英国", "伦敦")]
    genders = [("父亲", "母亲"), ("儿子", "女儿"), ("丈夫", "妻子")]
    dim = len(capitals) + len(genders) + 3
    eye = np.eye(dim, dtype=np.float32)
    capital_offset, gender_offset, extra = eye[-3], eye[-2], eye[-1]
    mapping = {"诱饵": eye[0] + capital_offset}  # the decoy comes first in the vocabulary
    for i, (country, capital) in enumerate(capitals):
        mapping[country] = eye[i]
        mapping[capital] = eye[i] + capital_offset + (0.3 * extra if capital == "北京" else 0)
    for k, (male, female) in enumerate(genders, len(capitals)):
        mapping[male] = eye[k]
        mapping[female] = eye[k] + gender_offset
    return _kv({w: list(v) for w, v in mapping.items()})


def test_chinese_analogies_reported_with_coverage_and_expected_accuracy():
    from core.vectors.evaluate import ZH_ANALOGY_FILE, read_analogies

    total = sum(len(q) for _, q in read_analogies(ZH_ANALOGY_FILE))
    result = evaluate(_zh_toy_vectors(), detail=True)
    zh = result["zh_analogies"]
    # 4 capital pairs -> 12 questions, of which the 3 answered by 北京 go to the decoy; 3 gender pairs -> 6, all right.
    assert zh["n_questions"] == 18 and zh["n_total"] == total
    assert zh["coverage"] == pytest.approx(18 / total)
    assert zh["accuracy"] == pytest.approx(15 / 18)
    by_name = {s["section"]: s for s in zh["sections"]}
    assert by_name["国家-首都"] == {"section": "国家-首都", "correct": 9, "total": 12, "accuracy": 0.75}
    assert by_name["男性-女性"]["accuracy"] == 1.0 and by_name["名词-量词"]["accuracy"] is None
    assert len(by_name) >= 6
    # The Chinese set's sections are named in Chinese (they were "capital-countries" ...).
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in by_name)
    assert result["analogies"]["coverage"] == 0 and result["wordsim353"]["coverage"] == 0  # English sets untouched


def test_chinese_result_has_the_shape_of_the_english_one():
    result = evaluate(_zh_toy_vectors())
    assert set(result["zh_analogies"]) == set(result["analogies"]) == {"accuracy", "coverage", "n_questions", "n_total"}
