"""What a fine-tuned model must beat: simple baselines fitted on the same training split, scored on the same test.

A score means little alone: 0.63 accuracy on two balanced classes is barely
better than a coin, 0.63 on ten is good. Every report puts these next to the
model's own score:

- classification: the **majority class** (always say the most frequent training
  label) and **TF-IDF + logistic regression** (word 1-2-grams; character 1-2-grams
  for Chinese, which has no spaces), scikit-learn's ``TfidfVectorizer`` and
  ``LogisticRegression`` (the classic strong linear baseline, e.g. Wang & Manning 2012);
- NER: the **dictionary / majority-tag** baseline (each word gets the tag it had most
  often in training, unseen words "O"; the CoNLL-2003 shared task's baseline, Tjong Kim
  Sang & De Meulder 2003), scored with the same entity-level F1 (seqeval).

:func:`verdict` compares a model's score with them and says, as codes a page
translates, whether the model is at or below a baseline and what to change.
"""
from __future__ import annotations

from collections import Counter

CJK_SHARE = 0.3  # texts whose characters are at least this share CJK are read as Chinese (character n-grams)
MARGIN = 0.01  # a model within this of a baseline is "at" it, not above


def _is_chinese(texts: list[str]) -> bool:
    sample = "".join(texts[:200])
    letters = [ch for ch in sample if not ch.isspace()]
    cjk = sum(1 for ch in letters if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
    return bool(letters) and cjk / len(letters) >= CJK_SHARE


def majority_class(y_train: list[str], y_test: list[str]) -> dict:
    """Always predict the most frequent training label: ``{"label", "accuracy", "macro_f1"}`` on ``y_test``."""
    from sklearn.metrics import f1_score

    if not y_train or not y_test:
        return {"label": None, "accuracy": 0.0, "macro_f1": 0.0}
    label = Counter(y_train).most_common(1)[0][0]
    predicted = [label] * len(y_test)
    return {"label": label, "accuracy": sum(y == label for y in y_test) / len(y_test),
            "macro_f1": float(f1_score(y_test, predicted, average="macro", zero_division=0))}


def tfidf_logistic(x_train: list[str], y_train: list[str], x_test: list[str], y_test: list[str],
                   language: str | None = None) -> dict | None:
    """TF-IDF + logistic regression fitted on the training texts: ``{"accuracy", "macro_f1", "features"}``.

    ``language`` "zh" (or None with mostly CJK text) uses character 1-2-grams, else word
    1-2-grams; ``min_df=2`` and sublinear tf. None when it cannot be fitted (one label only,
    no vocabulary left).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.pipeline import make_pipeline

    if len(set(y_train)) < 2 or not x_test:
        return None
    chinese = language == "zh" or (language is None and _is_chinese(x_train))
    features = "char 1-2-grams" if chinese else "word 1-2-grams"
    vectorizer = TfidfVectorizer(analyzer="char" if chinese else "word", ngram_range=(1, 2),
                                 min_df=2 if len(x_train) >= 50 else 1, sublinear_tf=True)
    model = make_pipeline(vectorizer, LogisticRegression(max_iter=2000, C=10.0))
    try:
        model.fit(x_train, y_train)
    except ValueError:  # empty vocabulary (e.g. every text a single rare token)
        return None
    predicted = model.predict(x_test)
    return {"features": features, "accuracy": float(accuracy_score(y_test, predicted)),
            "macro_f1": float(f1_score(y_test, predicted, average="macro", zero_division=0))}


def majority_tag(train_words: list[list[str]], train_tags: list[list[str]], test_words: list[list[str]],
                 test_tags: list[list[str]]) -> dict:
    """Dictionary baseline for NER: every word gets its most frequent training tag ("O" if unseen).

    Returns the entity-level scores of :func:`core.finetune.report.ner_scores` (``f1``,
    ``precision``, ``recall``, ``accuracy``) plus ``known_words`` (the dictionary's size).
    Words are compared as written, then lower-cased.
    """
    from core.finetune.report import ner_scores

    counts: dict[str, Counter] = {}
    for words, tags in zip(train_words, train_tags):
        for word, tag in zip(words, tags):
            counts.setdefault(word, Counter())[tag] += 1
            counts.setdefault(word.lower(), Counter())[tag] += 1
    best = {word: c.most_common(1)[0][0] for word, c in counts.items()}
    predicted = [[best.get(w, best.get(w.lower(), "O")) for w in words] for words in test_words]
    scores = ner_scores(test_tags, predicted)
    return {key: scores[key] for key in ("f1", "precision", "recall", "accuracy")} | {"known_words": len(best)}


def verdict(score: float | None, baselines: dict, *, metric: str) -> dict | None:
    """How a model's ``score`` (``metric``) compares with the best baseline that reports ``metric``.

    Returns ``{"code": "below"|"at"|"above", "baseline": name, "baseline_score", "score", "metric"}``
    (``"at"``: within :data:`MARGIN`), or None when no baseline has that score.
    ``baselines`` maps a baseline's name to its scores (the report's ``"baselines"``).
    """
    scored = {name: b[metric] for name, b in (baselines or {}).items()
              if isinstance(b, dict) and isinstance(b.get(metric), (int, float))}
    if score is None or not scored:
        return None
    name = max(scored, key=scored.get)
    best = scored[name]
    code = "below" if score < best - MARGIN else "at" if score <= best + MARGIN else "above"
    return {"code": code, "baseline": name, "baseline_score": best, "score": score, "metric": metric}


def advice(summary: dict, config: dict, *, positions: int | None = None) -> list[dict]:
    """What to change when a model is at or below its baseline: ``[{"code", **fields}]`` in the order to try.

    Looks at what the run did (``summary``: steps, examples, truncation, early stop) and its
    settings (``config``): too few examples or epochs, a learning rate far below the model's
    own default (:func:`core.finetune.defaults.for_model`), inputs cut by ``max_length``.
    """
    from core.finetune.defaults import for_model

    tips = []
    model_defaults = for_model(config.get("model", ""), positions=positions)
    lr = float(config.get("learning_rate") or 0.0)
    if lr and lr < model_defaults.learning_rate / 3:
        tips.append({"code": "learning_rate", "lr": lr, "suggested": model_defaults.learning_rate})
    epochs_done = (summary.get("steps") or 0) / max(1, (summary.get("total_steps") or 1)) * int(config.get("epochs") or 1)
    if not summary.get("stopped_early") and epochs_done < model_defaults.epochs:
        tips.append({"code": "epochs", "epochs": int(config.get("epochs") or 1), "suggested": model_defaults.epochs})
    limit = int(config.get("max_train_samples") or 0)
    if limit and summary.get("n_train", 0) >= limit:
        tips.append({"code": "more_examples", "n": summary.get("n_train", 0)})
    elif summary.get("n_train", 0) < 500:
        tips.append({"code": "few_examples", "n": summary.get("n_train", 0)})
    cut = (summary.get("truncated") or {}).get("train") or 0
    if cut and summary.get("n_train"):
        if cut / summary["n_train"] > 0.1:
            tips.append({"code": "max_length", "max_length": int(config.get("max_length") or 0), "cut": cut})
    return tips


NAMES_EN = {"majority": "majority class", "tfidf": "TF-IDF + logistic regression", "majority_tag": "majority tag per word"}
ADVICE_EN = {
    "learning_rate": "raise the learning rate to the model's own {suggested:.0e} (this run: {lr:.0e})",
    "epochs": "train more epochs (this run: {epochs}; the model's default: {suggested})",
    "more_examples": "train on more examples (this run used {n:,}; set Max training examples higher or to 0)",
    "few_examples": "label more examples ({n:,} is few for fine-tuning)",
    "max_length": "raise max length ({cut:,} training examples were cut at {max_length} tokens)",
}


def describe(summary: dict) -> list[str]:
    """English lines for the CLI: each baseline's score beside the model's, and what to change when it is not above."""
    found, verdict = summary.get("baselines") or {}, summary.get("verdict")
    if not found or not verdict:
        return []
    metric = verdict["metric"]
    parts = [f"{NAMES_EN.get(name, name)} {scores[metric]:.4f}" for name, scores in found.items()
             if isinstance(scores.get(metric), (int, float))]
    lines = [f"baselines ({metric}, same split): " + "; ".join(parts) + f"; the model: {verdict['score']:.4f}"]
    if verdict["code"] != "above":
        where = "below" if verdict["code"] == "below" else "at"
        tips = [ADVICE_EN[tip["code"]].format(**tip) for tip in summary.get("advice") or [] if tip["code"] in ADVICE_EN]
        lines.append(f"the model is {where} the {NAMES_EN.get(verdict['baseline'], verdict['baseline'])} baseline"
                     + (": " + "; ".join(tips) if tips else "") + ".")
    return lines
