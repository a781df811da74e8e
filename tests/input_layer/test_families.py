"""The walk takes EmbedLab's own models too: for every position encoding our sums equal the model's outputs."""
import pytest
import torch

from core.pretrain.config import POSITIONS

SENTENCE, PAIR = "the cat sat on the mat .", "a dog ran in the park ."
WHERE = {"learned": "input", "sinusoidal": "input", "rope": "attention", "alibi": "attention", "none": "none"}


def test_where_table_covers_every_encoding():
    assert set(WHERE) == set(POSITIONS)


@pytest.mark.parametrize("position", POSITIONS)
def test_walk_equals_the_models_own_outputs(embedlab, position):
    from core.input_layer import walk

    model, tokenizer = embedlab(position)
    result = walk(model, tokenizer, SENTENCE, PAIR)
    n = result.tokens.seq_len
    assert result.family == "embedlab-bert" and result.position_encoding == position
    assert result.where == WHERE[position]
    assert result.steps.final.shape == (n, 32) and result.attention.probs.shape == (2, n, n)
    assert result.embeddings_error < 1e-5 and result.attention_error < 1e-5
    # the check can fail: attention is far from uniform, so a wrong step would show
    assert (result.attention.probs - 1 / n).abs().max() > 0.05


@pytest.mark.parametrize("position", POSITIONS)
def test_position_enters_where_the_model_says(embedlab, position):
    from core.input_layer import walk

    model, tokenizer = embedlab(position)
    result = walk(model, tokenizer, SENTENCE)
    at_input = torch.count_nonzero(result.steps.position) > 0
    assert at_input == (WHERE[position] == "input")
    assert (result.attention.position_scores is not None) == (WHERE[position] == "attention")
    if position == "learned":  # the model's own trained rows
        table = model.bert.positions.table.weight[: result.tokens.seq_len]
        assert torch.equal(result.steps.position, table.detach())
    if position == "sinusoidal":  # Vaswani's table, at the scale the model adds it (core/pretrain/model.py)
        from core.positional import sinusoidal

        scale = model.config.initializer_range * 2 ** 0.5
        assert torch.allclose(result.steps.position, scale * sinusoidal(result.tokens.seq_len, 32))


def test_alibi_position_scores_are_minus_slope_times_distance(embedlab):
    from core.input_layer import walk
    from core.positional import alibi_slopes

    model, tokenizer = embedlab("alibi")
    result = walk(model, tokenizer, SENTENCE)
    n = result.tokens.seq_len
    pos = torch.arange(n)
    expected = -alibi_slopes(2)[:, None, None] * (pos[None, :] - pos[:, None]).abs()
    torch.testing.assert_close(result.attention.position_scores, expected.float(), atol=1e-5, rtol=0)


def test_rope_rotates_q_and_k_and_keeps_their_lengths(embedlab):
    from core.input_layer import as_family, walk

    model, tokenizer = embedlab("rope")
    result = walk(model, tokenizer, SENTENCE)
    family = as_family(model)
    h = family.attention_input(result.steps.final)
    q, k, _ = (m.float() for m in family.project_qkv(h))
    att = result.attention
    torch.testing.assert_close(att.q.norm(dim=-1), q.norm(dim=-1), atol=1e-5, rtol=0)  # a rotation
    assert not torch.allclose(att.q[:, 1:], q[:, 1:], atol=1e-3)  # but not the identity past position 0
    torch.testing.assert_close(att.q[:, 0], q[:, 0], atol=1e-6, rtol=0)  # position 0 turns by 0
    torch.testing.assert_close(att.content_scores, q @ k.transpose(1, 2) / 4.0, atol=1e-5, rtol=0)  # sqrt(16)


@pytest.mark.parametrize("position,step,wrong", [
    ("rope", "rotate", lambda q, k: (q, k)),  # forget RoPE's rotation (as a BERT-only walk would)
    ("alibi", "score_bias", lambda n: None),  # forget ALiBi's bias
    ("learned", "attention_input", lambda x: x),  # read X instead of LN_1(X) (post-LN instead of pre-LN)
])
def test_a_missing_step_is_caught_by_the_check(embedlab, position, step, wrong):
    from core.input_layer import as_family, walk

    model, tokenizer = embedlab(position)
    family = as_family(model)
    setattr(family, step, wrong)
    assert walk(family, tokenizer, SENTENCE).attention_error > 1e-3


def test_swap_choices_follow_what_the_model_has(embedlab, minilm):
    from core.input_layer import position_choices

    assert position_choices(minilm[0]) == ("sinusoidal", "learned", "none")
    assert position_choices(embedlab("learned")[0]) == ("sinusoidal", "learned", "none")
    assert position_choices(embedlab("sinusoidal")[0]) == ("sinusoidal", "none")  # no trained table to borrow


def test_swapping_out_the_models_own_part_is_not_verified(embedlab):
    from core.input_layer import walk

    model, tokenizer = embedlab("sinusoidal")
    result = walk(model, tokenizer, SENTENCE, position="none")
    assert torch.count_nonzero(result.steps.position) == 0 and result.embeddings_error is None
    with pytest.raises(ValueError, match="0 positions"):
        walk(model, tokenizer, SENTENCE, position="learned")


def test_too_long_for_the_model_is_explained(embedlab):
    from core.input_layer import walk

    model, tokenizer = embedlab("rope")
    with pytest.raises(ValueError, match="64 positions"):
        walk(model, tokenizer, " ".join(["cat"] * 70))


def test_the_loader_keeps_the_mlm_head_only_where_there_is_one(embedlab_folder):
    from core.input_layer import model_class_for

    assert model_class_for(embedlab_folder("alibi")) == "AutoModelForMaskedLM"
    assert model_class_for(None) == "AutoModel"  # MiniLM: a sentence encoder without a head


def test_families_know_their_facts(embedlab, minilm):
    from core.input_layer import as_family

    facts = as_family(embedlab("alibi")[0]).facts()
    assert facts == {"family": "embedlab-bert", "layers": 1, "dim": 32, "heads": 2, "positions": 64,
                     "vocab": facts["vocab"], "position": "alibi", "where": "attention", "mlm_head": True,
                     "causal": False, "predicts": "masked"}
    mini = as_family(minilm[0]).facts()
    assert (mini["family"], mini["position"], mini["where"], mini["mlm_head"]) == ("bert", "learned", "input", False)


@pytest.mark.gpu
@pytest.mark.parametrize("position", POSITIONS)
def test_walk_and_guesses_on_cuda_match_the_model(embedlab_folder, position):
    from core.input_layer import guess_masks, load_input_model, walk
    from core.models import load_tokenizer

    folder = embedlab_folder(position)
    model, tokenizer = load_input_model(folder).to("cuda"), load_tokenizer(folder)
    result = walk(model, tokenizer, SENTENCE, PAIR)
    assert result.steps.final.device.type == "cpu" and result.attention.probs.device.type == "cpu"
    assert result.embeddings_error < 1e-4 and result.attention_error < 1e-4
    guess = guess_masks(model, tokenizer, "the [MASK] sat on the mat .")[0]
    assert list(guess.probs) == sorted(guess.probs, reverse=True) and sum(guess.probs) <= 1 + 1e-5
