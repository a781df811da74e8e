"""Our first-layer attention equals the model's output_attentions, and the formula holds number by number."""
import numpy as np
import pytest
import torch

from core.input_layer import embedding_steps, first_layer_attention, model_attentions, tokenize


@pytest.mark.parametrize("text,pair", [
    ("The cat sat on the mat.", None),
    ("The cat sat on the mat.", "It was warm."),
    ("我们在北京学习中文。", None),
])
def test_probs_equal_model_output_attentions(minilm, text, pair):
    model, tokenizer = minilm
    view = tokenize(tokenizer, text, pair)
    steps = embedding_steps(model.embeddings, view.input_ids, view.token_type_ids)
    ours = first_layer_attention(model, steps.final)
    with torch.no_grad():
        out = model(input_ids=view.input_ids[None], token_type_ids=view.token_type_ids[None], output_attentions=True)
    theirs = out.attentions[0][0]
    assert ours.probs.shape == theirs.shape == (12, view.seq_len, view.seq_len)
    torch.testing.assert_close(ours.probs, theirs, atol=1e-5, rtol=0)
    torch.testing.assert_close(model_attentions(model, view.input_ids, view.token_type_ids), theirs)


def test_scores_and_softmax_by_hand(minilm):
    model, tokenizer = minilm
    view = tokenize(tokenizer, "The cat sat.")
    x = embedding_steps(model.embeddings, view.input_ids).final.double().numpy()
    att = first_layer_attention(model, torch.from_numpy(x).float())
    sa = model.encoder.layer[0].attention.self
    head, d_k = 7, 32
    cols = slice(head * d_k, (head + 1) * d_k)
    wq, bq = sa.query.weight.detach().double().numpy()[cols], sa.query.bias.detach().double().numpy()[cols]
    wk, bk = sa.key.weight.detach().double().numpy()[cols], sa.key.bias.detach().double().numpy()[cols]
    q = x @ wq.T + bq
    k = x @ wk.T + bk
    scores = q @ k.T / np.sqrt(d_k)
    probs = np.exp(scores - scores.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    np.testing.assert_allclose(att.q[head].numpy(), q, atol=1e-4)
    np.testing.assert_allclose(att.scores[head].numpy(), scores, atol=1e-4)
    np.testing.assert_allclose(att.probs[head].numpy(), probs, atol=1e-5)
    np.testing.assert_allclose(att.probs.sum(-1).numpy(), 1.0, atol=1e-5)
    torch.testing.assert_close(att.context, att.probs @ att.v)


def test_bad_input_shape_is_explained(minilm):
    model, _ = minilm
    with pytest.raises(ValueError, match="seq_len, dim"):
        first_layer_attention(model, torch.zeros(2, 3, 384))


@pytest.mark.gpu
def test_walk_on_cuda_matches_the_model():
    from core.input_layer import load_input_model, walk
    from core.models import load_tokenizer

    model = load_input_model().to("cuda")
    result = walk(model, load_tokenizer(), "The cat sat on the mat.", "It was warm.")
    assert result.steps.final.device.type == "cpu"  # results come back to the CPU for plotting and saving
    assert result.embeddings_error < 1e-4 and result.attention_error < 1e-4
