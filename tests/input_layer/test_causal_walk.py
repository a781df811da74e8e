"""The walk on a causal (GPT-style) EmbedLab model: its sums equal the model's own outputs, the mask is real."""
import pytest
import torch

from core.pretrain.config import POSITIONS

SENTENCE = "the cat sat on the mat ."


@pytest.mark.parametrize("position", POSITIONS)
def test_causal_walk_equals_the_models_own_outputs(embedlab, position):
    from core.input_layer import walk

    model, tokenizer = embedlab(position, "clm")
    result = walk(model, tokenizer, SENTENCE)
    n = result.tokens.seq_len
    assert result.causal and result.family == "embedlab-bert" and result.position_encoding == position
    assert result.tokens.tokens[0] != "[CLS]" and "[SEP]" not in result.tokens.tokens  # read as it was trained
    assert result.embeddings_error < 1e-5 and result.attention_error < 1e-5
    probs = result.attention.probs
    assert torch.equal(result.attention.mask, torch.ones(n, n, dtype=torch.bool).tril())
    assert probs.triu(1).abs().max() == 0  # no query attends to a later key
    assert torch.allclose(probs.sum(-1), torch.ones(2, n), atol=1e-5)
    assert probs[:, 0, 0].eq(1).all()  # the first token can only look at itself


def test_the_bert_and_gpt_of_the_same_weights_differ_only_above_the_diagonal(embedlab):
    """Same weights, mask on or off: the first query row of BERT spreads over all keys, GPT's is one-hot."""
    from core.input_layer import walk

    gpt, tokenizer = embedlab("none", "clm")  # no positions: the [CLS] BERT reads first shifts nothing
    result = walk(gpt, tokenizer, SENTENCE)
    gpt.config.causal = False  # the same model read bidirectionally: our walk and its own outputs both follow
    try:
        bert = walk(gpt, tokenizer, SENTENCE)
    finally:
        gpt.config.causal = True
    assert bert.attention.mask is None and bert.attention_error < 1e-5
    assert bert.attention.probs.triu(1).sum() > 0.5
    inner = bert.attention.scores[:, 1:-1, 1:-1]  # without [CLS] and [SEP]
    assert torch.allclose(inner, result.attention.scores, atol=1e-5)  # the same q . k before the mask


def test_next_token_guesses_come_from_the_models_own_head(embedlab):
    from core.input_layer import guess_next
    from core.input_layer.tokens import tokenize

    model, tokenizer = embedlab("rope", "clm")
    guesses = guess_next(model, tokenizer, SENTENCE, top_k=3)
    view = tokenize(tokenizer, SENTENCE, special_tokens=False)
    assert [g.shown for g in guesses] == view.tokens
    assert [g.original for g in guesses] == view.tokens[1:] + [None]
    with torch.no_grad():
        own = model(input_ids=view.input_ids[None]).logits[0].softmax(-1)
    for g in guesses:
        best = own[g.position].topk(3)
        assert g.tokens == tuple(tokenizer.convert_ids_to_tokens(best.indices.tolist()))
        assert g.probs == pytest.approx(best.values.tolist(), abs=1e-6)


def test_a_causal_model_is_loaded_with_its_lm_head_and_takes_no_pair(embedlab, embedlab_folder):
    from core.input_layer import as_family, model_class_for, walk

    assert model_class_for(embedlab_folder("learned", "clm")) == "AutoModelForCausalLM"
    assert model_class_for(embedlab_folder("learned", "mlm_nsp")) == "AutoModelForMaskedLM"
    model, tokenizer = embedlab("learned", "clm")
    facts = as_family(model).facts()
    assert facts["causal"] is True and facts["predicts"] == "next" and facts["mlm_head"] is False
    with pytest.raises(ValueError, match="reads one text, not a sentence pair"):
        walk(model, tokenizer, SENTENCE, "a dog ran .")
