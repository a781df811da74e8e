"""Reading a trained run honestly: scores with their coverage, degenerate vectors, neighbours.

Used by the word2vec job (what it stores in summary.json), the training page,
the runs table and ``python -m core word2vec``.

- A benchmark score is computed only over the items (word pairs, analogy
  questions) whose words are all in the vocabulary. A Spearman rho over 6 of
  353 pairs says nothing, so every score carries its coverage, and one under
  :data:`MIN_COVERAGE` or :data:`MIN_ITEMS` is *withheld* (shown greyed, with
  the reason).
- Vectors that have not learnt anything yet all point the same way: the mean
  cosine between frequent words is near 1 and every neighbour similarity is
  ~1.00. :func:`diagnose` detects that and says what to change.
"""
from __future__ import annotations

from dataclasses import dataclass

# A score needs at least this share of the benchmark's items in the vocabulary ...
MIN_COVERAGE = 0.20
# ... and at least this many items: a Spearman rho or an accuracy over fewer is mostly noise
# (the standard error of rho over n pairs is about 1 / sqrt(n - 3): 0.19 at n = 30).
MIN_ITEMS = 30
# Degenerate vectors: mean pairwise cosine of the most frequent words at or above this ...
DEGENERATE_MEAN_COSINE = 0.9
# ... or the median similarity of each word's nearest neighbour at or above this while the mean
# cosine is at least DEGENERATE_MEAN_WITH_NEIGHBOURS. Calibrated on the samples (default settings):
# lee/gensim 5 epochs: mean 0.84, neighbour 0.99 (useless neighbours, flagged); lee/gensim 20
# epochs: 0.24 / 0.70 and lee/torch: 0.38 / 0.74 (fine); zh/gensim 5 epochs: 0.99 / 1.00 (flagged);
# zh/gensim 20 epochs: 0.63 / 0.99 (template sentences: words in identical slots, not flagged).
DEGENERATE_NEIGHBOUR_COSINE = 0.98
DEGENERATE_MEAN_WITH_NEIGHBOURS = 0.7
# How many of the most frequent words the diagnosis looks at.
DIAGNOSE_WORDS = 200


@dataclass(frozen=True)
class Score:
    """One benchmark result of a run.

    ``benchmark``: the key in ``core.vectors.evaluate.evaluate``'s result
    (``wordsim353``, ``simlex999``, ``analogies``, ...); ``value``: Spearman
    rho or accuracy (None when nothing is covered); ``covered`` / ``total``:
    items (pairs or questions) used / in the benchmark; ``coverage`` =
    covered / total in 0..1.
    """

    benchmark: str
    value: float | None
    coverage: float | None
    covered: int | None = None
    total: int | None = None

    @property
    def withheld(self) -> bool:
        """True when the score rests on too few items to mean anything (see the module docstring)."""
        if self.value is None or self.coverage is None:
            return True
        if self.coverage < MIN_COVERAGE:
            return True
        return self.covered is not None and self.covered < MIN_ITEMS

    def coverage_text(self) -> str:
        """``"6/353 (1.7%)"``, or ``"1.7%"`` when the counts are unknown, or ``"–"``."""
        if self.coverage is None:
            return "–"
        percent = f"{100 * self.coverage:.1f}%"
        if self.covered is not None and self.total:
            return f"{self.covered}/{self.total} ({percent})"
        return percent

    def reason(self) -> str:
        """Why the score is withheld (English; the page translates its own), or ``""``."""
        if not self.withheld:
            return ""
        if not self.covered and not self.coverage:
            return "no item of this benchmark is in the vocabulary"
        return (f"computed on only {self.coverage_text()} of the benchmark's items; a score needs at least "
                f"{MIN_COVERAGE:.0%} and {MIN_ITEMS} items")

    def text(self) -> str:
        """``"0.412 (coverage 120/353 (34.0%))"`` or ``"withheld: <reason>"``."""
        if self.withheld:
            return f"withheld ({self.reason()})"
        return f"{self.value:.3f} (coverage {self.coverage_text()})"


def flatten(evaluation: dict) -> dict:
    """``evaluate()`` output as flat fields: ``<set>``, ``<set>_coverage``, ``<set>_n``, ``<set>_total``.

    ``<set>`` is each benchmark key; its value is the Spearman rho (similarity
    sets) or the accuracy (analogy sets). This is what eval records and
    summary.json hold.
    """
    flat: dict = {}
    for name, part in evaluation.items():
        if not isinstance(part, dict):
            continue
        if "spearman" in part:
            value, covered = part.get("spearman"), part.get("n_pairs")
        elif "accuracy" in part:
            value, covered = part.get("accuracy"), part.get("n_questions")
        else:
            continue
        flat[name] = value
        flat[f"{name}_coverage"] = part.get("coverage")
        flat[f"{name}_n"] = covered
        flat[f"{name}_total"] = part.get("n_total")
    return flat


def benchmarks(flat: dict) -> list[str]:
    """The benchmark keys in a flat record or summary (those with a ``<set>_coverage`` field), in order."""
    return [key[: -len("_coverage")] for key in flat if key.endswith("_coverage") and key[: -len("_coverage")] in flat]


def scores(flat: dict) -> list[Score]:
    """Every benchmark of a flat eval record or summary (see :func:`flatten`) as :class:`Score` objects."""
    out = []
    for name in benchmarks(flat):
        covered, total = flat.get(f"{name}_n"), flat.get(f"{name}_total")
        out.append(Score(name, flat.get(name), flat.get(f"{name}_coverage"),
                         int(covered) if covered is not None else None, int(total) if total is not None else None))
    return out


def relevant(found: list[Score]) -> list[Score]:
    """The scores worth showing for a corpus: benchmarks that cover any of its words (an English
    run is not shown the Chinese analogy set at 0%, nor a Chinese run the English sets); all of
    them when none covers anything, so the user sees why there is no score."""
    covered = [score for score in found if score.coverage]
    return covered or list(found)


def covered_benchmarks(records: list[dict]) -> list[str]:
    """Benchmarks with a score that is not withheld in some record of ``records`` (flat eval records):
    what a per-epoch plot can honestly show."""
    seen: list[str] = []
    for record in records:
        for score in scores(record):
            if not score.withheld and score.benchmark not in seen:
                seen.append(score.benchmark)
    return seen


# ---------------------------------------------------------------- degenerate vectors

@dataclass(frozen=True)
class Diagnosis:
    """How spread out the vectors of the ``words`` most frequent words are.

    ``mean_cosine``: mean cosine over all pairs of them (0 for random
    directions, 1 when all point the same way); ``neighbour_cosine``: median
    cosine between each of them and its nearest neighbour in the vocabulary.
    """

    words: int
    mean_cosine: float
    neighbour_cosine: float

    @property
    def degenerate(self) -> bool:
        return self.mean_cosine >= DEGENERATE_MEAN_COSINE or (
            self.neighbour_cosine >= DEGENERATE_NEIGHBOUR_COSINE and self.mean_cosine >= DEGENERATE_MEAN_WITH_NEIGHBOURS)

    def to_dict(self) -> dict:
        return {"words": self.words, "mean_cosine": self.mean_cosine, "neighbour_cosine": self.neighbour_cosine,
                "degenerate": self.degenerate}

    def message(self, epochs: int | None = None, min_count: int | None = None, words: int | None = None) -> str:
        """What is wrong and what to change (English; empty when the vectors look fine)."""
        if not self.degenerate:
            return ""
        return degenerate_message(self.mean_cosine, self.neighbour_cosine, degenerate_advice(epochs, min_count, words))


MANY_EPOCHS = 20  # from here on "train longer" is no longer the advice: the corpus is what is short
SMALL_CORPUS_WORDS = 1_000_000  # below this a corpus is small for word2vec (Mikolov et al. trained on billions)


def degenerate_advice(epochs: int | None, min_count: int | None = None, words: int | None = None) -> list[dict]:
    """What to change for degenerate vectors, in the order to try: ``[{"code", **fields}]``.

    Consistent with what the run already did: more epochs only when it trained fewer than
    :data:`MANY_EPOCHS` (a 50-epoch run is not told to "train 20-50 epochs"); after many
    epochs, a larger corpus, a lower min_count (when above 1) and fewer dimensions.
    Codes: ``more_epochs`` (``epochs``, ``suggested``), ``more_epochs_any`` (epochs unknown), ``larger_corpus`` (``words``),
    ``lower_min_count`` (``min_count``), ``lower_min_count_any``, ``smaller_vectors``, ``torch_engine``.
    """
    tips = []
    if epochs is None:
        tips.append({"code": "more_epochs_any"})
    elif epochs < MANY_EPOCHS:
        tips.append({"code": "more_epochs", "epochs": int(epochs), "suggested": min(50, max(MANY_EPOCHS, 4 * int(epochs)))})
    if words is None or words < SMALL_CORPUS_WORDS:
        tips.append({"code": "larger_corpus", "words": int(words) if words is not None else None})
    if min_count is None:
        tips.append({"code": "lower_min_count_any"})
    elif min_count > 1:
        tips.append({"code": "lower_min_count", "min_count": int(min_count)})
    if epochs is not None and epochs >= MANY_EPOCHS:
        tips.append({"code": "smaller_vectors"})
    if epochs is None or epochs < MANY_EPOCHS:
        tips.append({"code": "torch_engine"})
    return tips


ADVICE_EN = {
    "more_epochs": "train longer ({epochs} epochs so far; try {suggested})",
    "more_epochs_any": "train longer (more epochs, e.g. 20-50)",
    "larger_corpus": "use a larger corpus",
    "lower_min_count": "lower min_count (now {min_count})",
    "lower_min_count_any": "lower min_count",
    "smaller_vectors": "use fewer dimensions (vector size) for a corpus this small",
    "torch_engine": "on a small corpus the torch engine also learns faster",
}


def degenerate_message(mean_cosine: float, neighbour_cosine: float, advice: list[dict] | None = None) -> str:
    """The English warning for degenerate vectors, with ``advice`` (:func:`degenerate_advice`) as its second half."""
    tips = [ADVICE_EN[tip["code"]].format(**tip) for tip in (advice if advice is not None else degenerate_advice(None))]
    return (f"These vectors are degenerate: the frequent words all point almost the same way (mean cosine "
            f"{mean_cosine:.2f}, nearest-neighbour similarity {neighbour_cosine:.2f}), so neighbours and scores "
            "mean nothing. " + "; ".join(tips)[:1].upper() + "; ".join(tips)[1:] + ".")


def diagnose(kv, n_words: int = DIAGNOSE_WORDS) -> Diagnosis | None:
    """Check the ``n_words`` most frequent words of ``kv`` for degenerate (collapsed) vectors.

    Returns None when the vocabulary has fewer than 3 words.
    """
    import numpy as np

    n = min(int(n_words), len(kv.index_to_key))
    if n < 3:
        return None
    vectors = np.asarray(kv.vectors, dtype=np.float64)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    head = unit[:n]
    sims = head @ head.T  # (n, n)
    mean = (sims.sum() - np.trace(sims)) / (n * (n - 1))
    to_all = head @ unit.T  # (n, vocab)
    to_all[np.arange(n), np.arange(n)] = -np.inf
    nearest = np.median(to_all.max(axis=1))
    return Diagnosis(n, float(mean), float(nearest))


# ---------------------------------------------------------------- neighbours of a few words

def probe_words(kv, n_words: int = 6, skip: int = 20) -> list[str]:
    """A few frequent but not stop-word-frequent words to show neighbours of.

    Ranks ``skip``, ``2*skip``, ``4*skip``, ... (bounded by the vocabulary),
    so the list spans frequent to mid-frequency words.
    """
    size = len(kv.index_to_key)
    words, rank = [], min(skip, max(0, size - 1))
    while len(words) < n_words and rank < size:
        words.append(kv.index_to_key[rank])
        rank = max(rank + 1, rank * 2)
    return words


def neighbours_of(kv, words: list[str], k: int = 8) -> dict[str, list[tuple[str, float]]]:
    """``{word: [(neighbour, cosine), ...]}`` for the words of ``words`` that ``kv`` knows
    (``core.vectors.neighbours.neighbours``, best first)."""
    from core.vectors.neighbours import neighbours

    return {w: neighbours(kv, w, k) for w in words if w in kv.key_to_index}


def neighbours_table(found: dict[str, list[tuple[str, float]]]) -> dict[str, list[str]]:
    """``{word: ["neighbour (0.83)", ...]}``: one table column per probed word."""
    return {word: [f"{n} ({s:.2f})" for n, s in near] for word, near in found.items()}


def run_scores(run_dir) -> list[Score]:
    """A finished run's relevant benchmark scores with coverage: from ``evaluation.json``, else ``summary.json``."""
    import json
    from pathlib import Path

    run_dir = Path(run_dir)
    try:
        evaluation = json.loads((run_dir / "evaluation.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        try:
            summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = {}
        return relevant(scores(summary))
    return relevant(scores(flatten(evaluation)))


def score_cell(summary: dict, benchmark: str) -> str | None:
    """A runs-table cell: ``0.412 · 34.0%``, ``– · 1.7%`` when withheld for low coverage, None when absent."""
    score = next((s for s in scores(summary) if s.benchmark == benchmark), None)
    if score is None:
        value = summary.get(benchmark)
        return None if value is None else f"{value:.3f} · ?"
    coverage = f"{100 * score.coverage:.1f}%" if score.coverage is not None else "?"
    return f"– · {coverage}" if score.withheld else f"{score.value:.3f} · {coverage}"


def bench_scores(result: dict) -> list[tuple[str, Score]]:
    """``[(kind, Score), ...]`` for every benchmark in ``core.vectors.evaluate.evaluate``'s result, in its order;
    ``kind`` is that benchmark's ``benchmark_kind`` ("similarity" or "analogy")."""
    from core.vectors.evaluate import benchmark_kind

    return [(benchmark_kind(score.benchmark), score) for score in scores(flatten(result))]
