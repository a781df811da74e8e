"""The top-5 guesses at each [MASK] are the softmax of the model's own logits, sorted, from a real head."""
import pytest
import torch

from core.pretrain.config import POSITIONS


@pytest.mark.parametrize("position", POSITIONS)
def test_top5_is_the_softmax_of_the_models_logits(embedlab, position):
    from core.input_layer import guess_masks, tokenize

    model, tokenizer = embedlab(position)
    text = "the [MASK] sat on the [MASK] ."
    guesses = guess_masks(model, tokenizer, text)
    view = tokenize(tokenizer, text)
    where = (view.input_ids == tokenizer.mask_token_id).nonzero().flatten().tolist()
    assert [g.position for g in guesses] == where and len(where) == 2
    with torch.no_grad():
        logits = model(input_ids=view.input_ids[None], token_type_ids=view.token_type_ids[None]).logits[0]
    for guess in guesses:
        probs = logits[guess.position].softmax(-1)
        top = probs.topk(5)
        assert guess.shown == "[MASK]" and guess.original is None
        assert list(guess.probs) == sorted(guess.probs, reverse=True) and sum(guess.probs) <= 1 + 1e-6
        assert list(guess.tokens) == tokenizer.convert_ids_to_tokens(top.indices.tolist())
        torch.testing.assert_close(torch.tensor(guess.probs), top.values, atol=1e-6, rtol=0)


def test_the_two_masks_get_their_own_guesses(embedlab):
    from core.input_layer import guess_masks

    model, tokenizer = embedlab("learned")
    first, second = guess_masks(model, tokenizer, "the [MASK] sat on the [MASK] .")
    assert first.probs != second.probs  # position 2 and 6 differ, so do the rows the head reads


def test_guesses_at_the_masking_demos_selected_tokens_name_the_original(embedlab):
    from core.input_layer import MaskConfig, guess_at, mask_tokens, tokenize

    model, tokenizer = embedlab("rope")
    view = tokenize(tokenizer, "the cat sat on the mat .", "a dog ran in the park .")
    masked = mask_tokens(view.input_ids, view.special, view.mask_id, MaskConfig(select_prob=0.5, seed=3),
                         vocab_size=len(tokenizer))
    chosen = masked.selected.nonzero().flatten().tolist()
    assert chosen
    guesses = guess_at(model, tokenizer, masked.masked_ids, chosen, view.token_type_ids, original_ids=view.input_ids)
    for guess in guesses:
        assert guess.original == view.tokens[guess.position]
        assert guess.shown == tokenizer.convert_ids_to_tokens(int(masked.masked_ids[guess.position]))
        rank = guess.rank_of_original
        assert rank is None or guess.tokens[rank - 1] == guess.original


def test_no_mask_no_head_and_bad_positions_are_explained(embedlab, minilm):
    from core.input_layer import guess_at, guess_masks

    model, tokenizer = embedlab("alibi")
    with pytest.raises(ValueError, match=r"write \[MASK\]"):
        guess_masks(model, tokenizer, "the cat sat .")
    with pytest.raises(ValueError, match="positions must lie"):
        guess_at(model, tokenizer, torch.tensor([2, 5, 3]), [3])
    with pytest.raises(ValueError, match="no masked-LM head"):
        guess_masks(*minilm, "The cat sat on the [MASK].")
