"""Scores from predictions: the classic classification report and entity-level NER scores."""
from __future__ import annotations


def classification_scores(y_true: list[str], y_pred: list[str], labels: list[str]) -> dict:
    """Accuracy, macro F1, per-class precision/recall/F1/support and the confusion matrix.

    The numbers are scikit-learn's (``classification_report``, ``confusion_matrix``);
    ``confusion[i][j]`` counts examples of true class ``labels[i]`` predicted as ``labels[j]``.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    if not y_true:
        return {"accuracy": 0.0, "macro_f1": 0.0, "per_class": [], "labels": labels, "confusion": [], "n": 0}
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    macro = precision_recall_fscore_support(y_true, y_pred, labels=labels, average="macro", zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_precision": float(macro[0]),
        "macro_recall": float(macro[1]),
        "macro_f1": float(macro[2]),
        "labels": list(labels),
        "per_class": [
            {"label": lab, "precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
            for i, lab in enumerate(labels)
        ],
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def multilabel_scores(true_sets: list[list[str]], pred_sets: list[list[str]], labels: list[str]) -> dict:
    """Micro and macro precision/recall/F1, exact-match accuracy and per-label scores of label sets.

    scikit-learn's ``precision_recall_fscore_support`` on label-indicator arrays (n, K): micro
    pools every (text, label) decision, macro averages the K per-label F1; ``accuracy`` is the
    share of texts whose whole label set is right (subset accuracy).
    """
    import numpy as np
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    if not true_sets:
        return {"n": 0, "micro_f1": 0.0, "macro_f1": 0.0, "accuracy": 0.0, "labels": labels, "per_class": []}
    index = {lab: i for i, lab in enumerate(labels)}

    def hot(sets):
        out = np.zeros((len(sets), len(labels)), dtype=int)
        for row, labs in enumerate(sets):
            out[row, [index[lab] for lab in labs if lab in index]] = 1
        return out

    y_true, y_pred = hot(true_sets), hot(pred_sets)
    micro = precision_recall_fscore_support(y_true, y_pred, average="micro", zero_division=0)
    macro = precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
    return {
        "n": len(true_sets), "accuracy": float(accuracy_score(y_true, y_pred)),
        "micro_precision": float(micro[0]), "micro_recall": float(micro[1]), "micro_f1": float(micro[2]),
        "macro_precision": float(macro[0]), "macro_recall": float(macro[1]), "macro_f1": float(macro[2]),
        "labels": list(labels),
        "per_class": [{"label": lab, "precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                       "support": int(s[i])} for i, lab in enumerate(labels)],
    }


def ner_scores(true_tags: list[list[str]], pred_tags: list[list[str]]) -> dict:
    """Entity-level (seqeval, BIO) precision/recall/F1 overall and per entity type.

    An entity counts as found only when its type and both boundaries match.
    """
    from seqeval.metrics import accuracy_score, classification_report, f1_score, precision_score, recall_score

    if not true_tags or not any(t != "O" for tags in true_tags for t in tags):
        return {"n": len(true_tags), "precision": 0.0, "recall": 0.0, "f1": 0.0, "accuracy": 0.0, "per_type": []}
    report = classification_report(true_tags, pred_tags, output_dict=True, zero_division=0)
    per_type = [
        {"type": name, "precision": float(v["precision"]), "recall": float(v["recall"]),
         "f1": float(v["f1-score"]), "support": int(v["support"])}
        for name, v in report.items()
        if not name.endswith(" avg")
    ]
    return {
        "n": len(true_tags),
        "precision": float(precision_score(true_tags, pred_tags, zero_division=0)),
        "recall": float(recall_score(true_tags, pred_tags, zero_division=0)),
        "f1": float(f1_score(true_tags, pred_tags, zero_division=0)),
        "accuracy": float(accuracy_score(true_tags, pred_tags)),
        "per_type": per_type,
    }


def misclassified(texts: list[str], y_true: list[str], y_pred: list[str], confidence: list[float],
                  limit: int = 50) -> list[dict]:
    """The wrong predictions, most confident first (those teach the most)."""
    rows = [
        {"text": t, "true": a, "predicted": b, "confidence": float(c)}
        for t, a, b, c in zip(texts, y_true, y_pred, confidence)
        if a != b
    ]
    rows.sort(key=lambda r: -r["confidence"])
    return rows[:limit]
