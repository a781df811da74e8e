"""Tokenization views: chips data, [UNK] honesty for Chinese, one-hot rows."""
import pytest
import torch

from core.input_layer import chip_kinds, one_hot, one_hot_slice, one_hot_summary, one_hot_window, ordinary_ids, tokenize


def test_english_pair_tokens_ids_and_types(minilm):
    _, tokenizer = minilm
    view = tokenize(tokenizer, "The cat sat on the mat.", "It was warm.")
    assert view.tokens[:3] == ["[CLS]", "the", "cat"]
    assert view.input_ids[:3].tolist() == [101, 1996, 4937]
    assert view.token_type_ids.tolist() == [0] * 9 + [1] * 5
    assert view.special.tolist() == [True] + [False] * 7 + [True] + [False] * 4 + [True]
    assert view.labels()[1] == "1 the" and view.labels()[5] == "5 the"  # repeated words stay separate rows
    kinds = chip_kinds(view)
    assert kinds[0] == "special" and kinds[1] == "word" and kinds[9] == "segment_b"


def test_chinese_is_split_per_character_and_unknown_ones_become_unk(minilm):
    _, tokenizer = minilm
    view = tokenize(tokenizer, "我们在北京学习中文。")
    assert view.tokens == ["[CLS]", "我", "[UNK]", "[UNK]", "北", "京", "学", "[UNK]", "中", "文", "。", "[SEP]"]
    assert view.unk_count == 3
    assert [view.sources[i] for i, tok in enumerate(view.tokens) if tok == "[UNK]"] == ["们", "在", "习"]
    assert chip_kinds(view)[2] == "unk"


def test_wordpiece_continuation_pieces(minilm):
    _, tokenizer = minilm
    view = tokenize(tokenizer, "unbelievably")
    assert view.tokens[1:-1] == ["un", "##bel", "##ie", "##va", "##bly"]
    assert chip_kinds(view)[2] == "piece"


def test_empty_and_too_long_sentences_are_explained(minilm):
    _, tokenizer = minilm
    with pytest.raises(ValueError, match="empty"):
        tokenize(tokenizer, "   ")
    with pytest.raises(ValueError, match="at most 10"):
        tokenize(tokenizer, "one two three four five six seven eight nine ten", max_tokens=10)


def test_one_hot_shape_argmax_and_lookup(minilm):
    model, tokenizer = minilm
    view = tokenize(tokenizer, "The cat sat on the mat.")
    rows = one_hot(view.input_ids, view.vocab_size)
    assert rows.shape == (9, 30522)
    assert torch.equal(rows.argmax(dim=1), view.input_ids)
    assert rows.sum().item() == 9
    table = model.embeddings.word_embeddings.weight.detach()
    torch.testing.assert_close(rows @ table, table[view.input_ids])  # one-hot times table = row lookup


def test_one_hot_window_keeps_the_ones_and_labels_columns(minilm):
    _, tokenizer = minilm
    view = tokenize(tokenizer, "The cat")
    columns, matrix = one_hot_window(view.input_ids, view.vocab_size, neighbours=1)
    assert {101, 1996, 4937, 102} <= set(columns) and 4936 in columns and 4938 in columns
    assert matrix.shape == (4, len(columns)) and matrix.sum().item() == 4
    labels, _ = one_hot_slice(tokenizer, view)
    assert "4937 cat" in labels


def test_one_hot_summary_and_bad_ids():
    summary = one_hot_summary(9, 30522, 384)
    assert summary["one_hot_numbers"] == 274698 and summary["dense_numbers"] == 3456
    assert summary["zero_share"] == pytest.approx(1 - 1 / 30522)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        one_hot(torch.tensor([5, 12]), 10)


def test_ordinary_ids_exclude_bracketed_tokens(minilm):
    _, tokenizer = minilm
    ids = ordinary_ids(tokenizer)
    assert 103 not in ids.tolist() and 1 not in ids.tolist()  # [MASK], [unused0]
    assert 4937 in ids.tolist()
