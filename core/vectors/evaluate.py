"""Intrinsic evaluation of word vectors on the sets gensim ships.

- WordSim353 (relatedness) and SimLex-999 (similarity): Spearman and Pearson
  correlation between human scores and cosine similarity, over the pairs
  whose two words are both in the vocabulary (``coverage`` = that share).
- Google analogies (questions-words.txt, "a : b :: c : ?"): 3CosAdd, i.e. the
  nearest word to ``b - a + c`` by cosine, excluding a, b and c; accuracy over
  questions whose four words are among the ``restrict_vocab`` most frequent
  words (as gensim's ``evaluate_word_analogies``), coverage reported.
- EmbedLab's Chinese analogies (``data/zh_analogy/questions-words-zh.txt``,
  CC0, 2,326 questions in 8 sections; see its README): the same 3CosAdd
  scoring, reported as ``zh_analogies``. English vectors cover none of it
  (coverage 0, accuracy None) and Chinese vectors none of the English sets.

Lookups are case-insensitive (the files are mixed case; most vocabularies
here are lower-cased). Pure numpy, batched: seconds even for 300k words.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

SIMILARITY_SETS = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
ANALOGY_FILE = "questions-words.txt"
ZH_ANALOGY_FILE = Path(__file__).resolve().parents[2] / "data" / "zh_analogy" / "questions-words-zh.txt"


def benchmark_kind(name: str) -> str:
    """``"similarity"`` (a Spearman correlation over word pairs) or ``"analogy"`` (an accuracy over questions)."""
    return "similarity" if name in SIMILARITY_SETS else "analogy"


def _datapath(name: str) -> str:
    from gensim.test.utils import datapath

    return datapath(name)


def _lower_index(kv, restrict: int | None = None) -> dict[str, int]:
    """lower-cased word -> row, the most frequent spelling winning (rows are sorted by frequency)."""
    index: dict[str, int] = {}
    words = kv.index_to_key if restrict is None else kv.index_to_key[:restrict]
    for i, word in enumerate(words):
        index.setdefault(str(word).lower(), i)
    return index


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def read_pairs(path: str | Path) -> list[tuple[str, str, float]]:
    """``word1<TAB>word2<TAB>score`` lines; ``#`` comments skipped."""
    pairs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            a, b, score = line.rstrip("\n").split("\t")[:3]
            pairs.append((a, b, float(score)))
    return pairs


def word_pairs(kv, path: str | Path, detail: bool = False) -> dict:
    """Correlation of cosine similarity with human scores over in-vocabulary pairs."""
    from scipy import stats

    pairs = read_pairs(path)
    index = _lower_index(kv)
    unit = None
    found = []
    for a, b, human in pairs:
        ia, ib = index.get(a.lower()), index.get(b.lower())
        if ia is not None and ib is not None:
            found.append((a, b, human, ia, ib))
    result = {"spearman": None, "pearson": None, "coverage": len(found) / len(pairs) if pairs else 0.0,
              "n_pairs": len(found), "n_total": len(pairs)}
    if found:
        ia = np.array([f[3] for f in found])
        ib = np.array([f[4] for f in found])
        unit = _unit(np.asarray(kv.vectors[np.union1d(ia, ib)], dtype=np.float64))
        rows = {r: k for k, r in enumerate(np.union1d(ia, ib))}
        model = np.array([unit[rows[x]] @ unit[rows[y]] for x, y in zip(ia, ib)])
        human = np.array([f[2] for f in found])
        if len(found) >= 3 and np.ptp(model) > 0 and np.ptp(human) > 0:
            result["spearman"] = float(stats.spearmanr(human, model).statistic)
            result["pearson"] = float(stats.pearsonr(human, model).statistic)
        if detail:
            result["pairs"] = [[f[0], f[1], float(f[2]), float(m)] for f, m in zip(found, model)]
    elif detail:
        result["pairs"] = []
    return result


def read_analogies(path: str | Path) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Sections of ``a b c d`` questions, from a file with ``: section`` headers."""
    sections: list[tuple[str, list]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            if line.startswith(":"):
                sections.append((line[1:].strip(), []))
                continue
            parts = line.split()
            if len(parts) == 4:
                if not sections:
                    sections.append(("questions", []))
                sections[-1][1].append(tuple(parts))
    return sections


def analogies(kv, path: str | Path, restrict_vocab: int = 300_000, detail: bool = False, chunk: int = 2048) -> dict:
    """3CosAdd analogy accuracy over questions whose words are all in the top ``restrict_vocab``."""
    sections = read_analogies(path)
    n_total = sum(len(q) for _, q in sections)
    index = _lower_index(kv, restrict_vocab)
    n_rows = min(len(kv.index_to_key), restrict_vocab)
    unit = None  # normalised only when some question is covered (English vectors on the Chinese set: never)
    per_section = []
    correct_all = total_all = 0
    for name, questions in sections:
        q = [[index.get(w.lower()) for w in question] for question in questions]
        q = np.array([row for row in q if None not in row], dtype=np.int64).reshape(-1, 4)
        if len(q) and unit is None:
            unit = _unit(np.asarray(kv.vectors[:n_rows], dtype=np.float32))
        correct = 0
        for start in range(0, len(q), chunk):
            part = q[start : start + chunk]
            target = unit[part[:, 1]] - unit[part[:, 0]] + unit[part[:, 2]]
            scores = _unit(target) @ unit.T  # (chunk, vocab)
            rows = np.arange(len(part))
            for col in range(3):
                scores[rows, part[:, col]] = -np.inf
            correct += int((scores.argmax(1) == part[:, 3]).sum())
        per_section.append(
            {"section": name, "correct": correct, "total": int(len(q)),
             "accuracy": correct / len(q) if len(q) else None}
        )
        correct_all += correct
        total_all += len(q)
    result = {
        "accuracy": correct_all / total_all if total_all else None,
        "coverage": total_all / n_total if n_total else 0.0,
        "n_questions": int(total_all),
        "n_total": int(n_total),
    }
    if detail:
        result["sections"] = per_section
    return result


def evaluate(kv, detail: bool = False) -> dict:
    """WordSim353, SimLex-999, Google-analogy and Chinese-analogy scores of ``kv`` (a gensim ``KeyedVectors``).

    Returns ``{"wordsim353": {...}, "simlex999": {...}, "analogies": {...},
    "zh_analogies": {...}}`` (see the module docstring); ``zh_analogies`` has
    the shape of ``analogies`` (``accuracy``, ``coverage``, ``n_questions``,
    ``n_total``; with detail, ``sections``). Correlations/accuracy are None
    when no item is covered by the vocabulary.
    """
    result = {name: word_pairs(kv, _datapath(file), detail=detail) for name, file in SIMILARITY_SETS.items()}
    result["analogies"] = analogies(kv, _datapath(ANALOGY_FILE), detail=detail)
    result["zh_analogies"] = analogies(kv, ZH_ANALOGY_FILE, detail=detail)
    return result
