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
    assert set(ours) == {"wordsim353", "simlex999", "analogies"}
    assert set(ours["simlex999"]) >= {"spearman", "pearson", "coverage", "n_pairs", "pairs"}


def test_no_coverage_gives_none_not_a_crash():
    kv = _kv({"qqq": [1.0, 0.0], "rrr": [0.0, 1.0]})
    result = evaluate(kv)
    assert result["wordsim353"]["spearman"] is None and result["wordsim353"]["coverage"] == 0
    assert result["analogies"]["accuracy"] is None and result["analogies"]["n_questions"] == 0
