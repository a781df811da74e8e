"""BERT's masking rule: 15% selected, then 80/10/10, special tokens never touched, seeded."""
import pytest
import torch

from core.input_layer import MaskConfig, mask_tokens, masking_statistics
from core.input_layer.mlm import IGNORE_INDEX, KEPT, MASKED, NOT_SELECTED, RANDOM

MASK_ID = 103


def _batch(n_rows=4000, seq=50, seed=1):
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(1000, 30000, (n_rows, seq), generator=gen)
    special = torch.zeros_like(ids, dtype=torch.bool)
    special[:, 0] = special[:, -1] = True
    ids[:, 0], ids[:, -1] = 101, 102
    return ids, special


def test_proportions_on_a_large_sample():
    ids, special = _batch()
    result = mask_tokens(ids, special, MASK_ID, MaskConfig(seed=0), vocab_size=30522)
    ordinary = int((~special).sum())  # 192,000 tokens
    selected = result.selected
    n_sel = int(selected.sum())
    # Binomial(192000, 0.15): sd ~ 0.0008; 0.005 is > 6 sd.
    assert n_sel / ordinary == pytest.approx(0.15, abs=0.005)
    action = result.action[selected]
    assert (action == MASKED).float().mean().item() == pytest.approx(0.8, abs=0.01)
    assert (action == RANDOM).float().mean().item() == pytest.approx(0.1, abs=0.01)
    assert (action == KEPT).float().mean().item() == pytest.approx(0.1, abs=0.01)


def test_special_tokens_never_selected_and_labels_follow_selection():
    ids, special = _batch(500)
    result = mask_tokens(ids, special, MASK_ID, MaskConfig(select_prob=1.0, seed=3), vocab_size=30522)
    assert not result.selected[special].any()
    assert result.selected[~special].all()  # select_prob 1: every ordinary token
    assert torch.equal(result.masked_ids[special], ids[special])
    assert torch.equal(result.labels[result.selected], ids[result.selected])
    assert (result.labels[~result.selected] == IGNORE_INDEX).all()
    assert (result.masked_ids[result.action == MASKED] == MASK_ID).all()
    assert torch.equal(result.masked_ids[result.action == KEPT], ids[result.action == KEPT])
    assert (result.action[special] == NOT_SELECTED).all()


def test_random_replacements_come_from_the_pool():
    ids, special = _batch(500)
    pool = torch.tensor([7, 8, 9])
    result = mask_tokens(ids, special, MASK_ID, MaskConfig(seed=5), random_pool=pool)
    replaced = result.masked_ids[result.action == RANDOM]
    assert replaced.numel() > 0 and set(replaced.tolist()) <= {7, 8, 9}


def test_seeded_determinism():
    ids, special = _batch(50)
    a = mask_tokens(ids, special, MASK_ID, MaskConfig(seed=42), vocab_size=30522)
    b = mask_tokens(ids, special, MASK_ID, MaskConfig(seed=42), vocab_size=30522)
    c = mask_tokens(ids, special, MASK_ID, MaskConfig(seed=43), vocab_size=30522)
    assert torch.equal(a.masked_ids, b.masked_ids) and torch.equal(a.action, b.action)
    assert not torch.equal(a.action, c.action)


def test_statistics_of_one_sentence_repeated():
    ids = torch.tensor([101, 1996, 4937, 2938, 2006, 1996, 13523, 1012, 102])
    special = torch.tensor([True] + [False] * 7 + [True])
    stats = masking_statistics(ids, special, MASK_ID, MaskConfig(seed=0), repeats=20000, vocab_size=30522)
    assert stats["n_ordinary"] == 7 * 20000
    assert stats["selected"] == pytest.approx(0.15, abs=0.01)
    assert stats["mask"] == pytest.approx(0.8, abs=0.02)
    assert stats["random"] + stats["keep"] == pytest.approx(0.2, abs=0.02)


@pytest.mark.parametrize("kwargs,message", [
    ({"select_prob": 0.0}, "select_prob"),
    ({"mask_share": 0.9, "random_share": 0.2}, "at most 1"),
    ({"seed": -1}, "seed"),
])
def test_config_is_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MaskConfig(**kwargs)


def test_custom_shares_all_mask():
    ids, special = _batch(200)
    result = mask_tokens(ids, special, MASK_ID, MaskConfig(mask_share=1.0, random_share=0.0), vocab_size=30522)
    assert (result.action[result.selected] == MASKED).all()
