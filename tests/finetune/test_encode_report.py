"""Word-to-sub-word label alignment, truncation counts and report numbers."""
from __future__ import annotations

import pytest

from core.finetune import classification_scores, ner_scores
from core.finetune import tasks
from core.finetune.encode import IGNORE, check_max_length
from core.finetune.tasks.classification import TextData
from core.finetune.tasks.ner import TagData, align_labels


def encode(tokenizer, data, label2id, max_length):
    task = tasks.get("ner" if isinstance(data, TagData) else "classification")
    encoded = task.encode(tokenizer, data, label2id, max_length)
    return encoded.features, encoded.n_truncated


def test_align_labels_first_subtoken_only():
    # [CLS] hug ##ging face [SEP]: words 0, 0, 1
    assert align_labels([None, 0, 0, 1, None], [3, 5]) == [IGNORE, 3, IGNORE, 5, IGNORE]


def test_alignment_with_the_real_wordpiece_tokenizer():
    from core.models import load_tokenizer

    tok = load_tokenizer()
    data = TagData([["Okonkwo", "visited", "Ouagadougou"]], [["B-PER", "O", "B-LOC"]])
    label2id = {"O": 0, "B-PER": 1, "I-PER": 2, "B-LOC": 3, "I-LOC": 4}
    features, truncated = encode(tok, data, label2id, max_length=64)
    pieces = tok.convert_ids_to_tokens(features[0]["input_ids"])
    labels = features[0]["labels"]
    assert truncated == 0
    assert len(pieces) > 5  # the names split into several word pieces
    kept = [(p, lab) for p, lab in zip(pieces, labels) if lab != IGNORE]
    assert [lab for _, lab in kept] == [1, 0, 3]
    assert all(not p.startswith("##") for p, _ in kept)
    assert labels[0] == IGNORE and labels[-1] == IGNORE  # [CLS], [SEP]


def test_truncation_is_counted():
    from core.models import load_tokenizer

    data = TextData(["short", "this one is quite a lot longer than eight tokens for sure"], ["a", "b"])
    features, truncated = encode(load_tokenizer(), data, {"a": 0, "b": 1}, max_length=8)
    assert truncated == 1
    assert max(len(f["input_ids"]) for f in features) == 8
    assert [f["labels"] for f in features] == [0, 1]


def test_max_length_beyond_the_model_positions_is_refused():
    from types import SimpleNamespace

    with pytest.raises(ValueError, match="longer than this model's 512 positions"):
        check_max_length(1024, SimpleNamespace(max_position_embeddings=512))
    check_max_length(512, SimpleNamespace(max_position_embeddings=512))


def test_classification_scores_on_known_predictions():
    y_true = ["a", "a", "a", "b", "b", "c"]
    y_pred = ["a", "a", "b", "b", "c", "c"]
    s = classification_scores(y_true, y_pred, ["a", "b", "c"])
    assert s["accuracy"] == pytest.approx(4 / 6)
    per = {r["label"]: r for r in s["per_class"]}
    # a: P = 2/2, R = 2/3; b: P = 1/2, R = 1/2; c: P = 1/2, R = 1/1
    assert per["a"]["precision"] == pytest.approx(1.0) and per["a"]["recall"] == pytest.approx(2 / 3)
    assert per["b"]["f1"] == pytest.approx(0.5)
    assert per["c"]["f1"] == pytest.approx(2 * 0.5 * 1 / 1.5)
    macro = (0.8 + 0.5 + 2 / 3) / 3
    assert s["macro_f1"] == pytest.approx(macro)
    assert s["confusion"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert [r["support"] for r in s["per_class"]] == [3, 2, 1]


def test_ner_scores_are_entity_level():
    true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "O"]]  # PER boundary wrong -> not a match
    s = ner_scores(true, pred)
    assert s["precision"] == pytest.approx(2 / 3)  # predicted PER(1 word), LOC, ORG; LOC and ORG right
    assert s["recall"] == pytest.approx(2 / 3)
    per = {r["type"]: r for r in s["per_type"]}
    assert per["PER"]["f1"] == 0.0 and per["LOC"]["f1"] == 1.0 and per["ORG"]["support"] == 1
    assert s["accuracy"] == pytest.approx(5 / 6)  # token accuracy


def test_sentence_pairs_get_two_segments():
    from core.models import load_tokenizer

    data = TextData(["a cat sat"], ["yes"], pairs=["a dog ran"])
    features, _ = encode(load_tokenizer(), data, {"yes": 0}, max_length=32)
    types = features[0]["token_type_ids"]
    assert types.count(0) == 5 and types.count(1) == 4  # [CLS] a cat sat [SEP] | a dog ran [SEP]
