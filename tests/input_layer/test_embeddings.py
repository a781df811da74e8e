"""Our step-by-step embedding layer equals the model's own, and the position swap does what it says."""
import math

import pytest
import torch

from core.input_layer import cosine_matrix, embedding_steps, position_part, tokenize, walk

SENTENCES = [
    ("The cat sat on the mat.", None),
    ("The cat sat on the mat.", "It was warm."),  # token type 1 in segment B
    ("我们在北京学习中文。", None),  # CJK characters one by one, with [UNK]
    ("Transformers tokenize unbelievably well", None),  # ## pieces
]


@pytest.mark.parametrize("text,pair", SENTENCES)
def test_step_by_step_sum_equals_model_embeddings(minilm, text, pair):
    model, tokenizer = minilm
    view = tokenize(tokenizer, text, pair)
    steps = embedding_steps(model.embeddings, view.input_ids, view.token_type_ids)
    with torch.no_grad():
        own = model.embeddings(input_ids=view.input_ids[None], token_type_ids=view.token_type_ids[None])[0]
    assert steps.final.shape == own.shape == (view.seq_len, 384)
    torch.testing.assert_close(steps.final, own, atol=1e-5, rtol=0)


def test_parts_are_the_table_rows_and_add_up(minilm):
    model, tokenizer = minilm
    view = tokenize(tokenizer, "The cat sat on the mat.", "It was warm.")
    steps = embedding_steps(model.embeddings, view.input_ids, view.token_type_ids)
    emb = model.embeddings
    ids = view.input_ids.tolist()
    for i, tid in enumerate(ids):
        assert torch.equal(steps.word[i], emb.word_embeddings.weight[tid])
        assert torch.equal(steps.position[i], emb.position_embeddings.weight[i])
        assert torch.equal(steps.token_type[i], emb.token_type_embeddings.weight[int(view.token_type_ids[i])])
    torch.testing.assert_close(steps.summed, steps.word + steps.position + steps.token_type)
    # LayerNorm's first step: every row mean 0, variance 1 (biased, as nn.LayerNorm).
    torch.testing.assert_close(steps.standardized.mean(-1), torch.zeros(view.seq_len), atol=1e-5, rtol=0)
    torch.testing.assert_close(steps.standardized.var(-1, unbiased=False), torch.ones(view.seq_len), atol=1e-4, rtol=0)
    # The two "the" (positions 1 and 5) share the word row but not the position row, so their inputs differ.
    assert ids[1] == ids[5]
    assert not torch.allclose(steps.final[1], steps.final[5])


def test_sinusoidal_swap_is_vaswani_formula(minilm):
    pytest.importorskip("core.positional")
    model, _ = minilm
    part = position_part(model.embeddings, 6, "sinusoidal")
    assert part.shape == (6, 384)
    for p in (0, 1, 5):
        for i in (0, 1, 50, 191):
            angle = p / 10000 ** (2 * i / 384)
            assert part[p, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
            assert part[p, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)


def test_no_position_makes_a_repeated_word_identical(minilm):
    model, tokenizer = minilm
    result = walk(model, tokenizer, "The cat sat on the mat.", position="none")
    assert torch.count_nonzero(result.steps.position) == 0
    assert torch.allclose(result.steps.final[1], result.steps.final[5])  # "the" twice
    assert result.input_similarity[1, 5].item() == pytest.approx(1.0, abs=1e-5)
    assert torch.count_nonzero(result.position_similarity) == 0  # no position vectors to compare
    assert result.embeddings_error is None  # only the learned part is the model's own


def test_walk_reports_agreement_with_the_model(minilm):
    model, tokenizer = minilm
    result = walk(model, tokenizer, "The cat sat on the mat.")
    assert result.embeddings_error < 1e-5 and result.attention_error < 1e-5
    assert result.shapes()["probs"] == (12, 9, 9)
    assert result.shapes()["one_hot"] == (9, 30522)


def test_unknown_position_kind_and_too_long_are_explained(minilm):
    model, _ = minilm
    with pytest.raises(ValueError, match="choose one of: sinusoidal, learned, none"):
        position_part(model.embeddings, 4, "rotary")
    with pytest.raises(ValueError, match="rope acts inside attention"):
        position_part(model.embeddings, 4, "rope")
    with pytest.raises(ValueError, match="512 positions"):
        position_part(model.embeddings, 513, "learned")


def test_the_position_kinds_are_the_registry_kinds_that_enter_at_the_input():
    from core import positional as pe
    from core.input_layer import position_kinds

    assert position_kinds() == tuple(k for k in pe.names() if pe.where(k) in ("input", "none"))
    assert {"learned", "sinusoidal", "none"} <= set(position_kinds()) and "rope" not in position_kinds()


@pytest.mark.parametrize("kind", __import__("core.input_layer", fromlist=["x"]).position_kinds())
def test_every_position_kind_walks_and_only_the_models_own_is_verified(minilm, kind):
    from core import positional as pe

    model, tokenizer = minilm
    result = walk(model, tokenizer, "The cat sat on the mat.", position=kind)
    own = model.embeddings.position_embeddings.weight[:9]
    assert result.steps.position.shape == (9, 384) and torch.isfinite(result.steps.final).all()
    assert torch.equal(result.steps.position, pe.get(kind).input_part(9, 384, own_table=own))
    assert (result.embeddings_error is not None) == torch.equal(result.steps.position, own)


def test_cosine_matrix_against_arithmetic():
    rows = torch.tensor([[3.0, 4.0], [4.0, 3.0], [0.0, 0.0], [-3.0, -4.0]])
    sim = cosine_matrix(rows)
    assert sim[0, 1].item() == pytest.approx(24 / 25)
    assert sim[0, 3].item() == pytest.approx(-1.0)
    assert sim[0, 0].item() == pytest.approx(1.0)
    assert sim[2].abs().sum().item() == 0.0  # a zero row is similar to nothing


def test_a_non_bert_model_is_refused_with_a_message(minilm):
    _, tokenizer = minilm

    class NotBert(torch.nn.Module):
        pass

    with pytest.raises(ValueError, match="not a BERT-style encoder"):
        walk(NotBert(), tokenizer, "hello")
