"""The encoder: each position encoding learns, enters where it should, and round-trips through the Auto classes."""
from __future__ import annotations

import pytest
import torch

from core.pretrain.config import POSITIONS

pytest.importorskip("transformers")


def small_config(position: str, **extra):
    from core.pretrain.model import EmbedLabBertConfig

    return EmbedLabBertConfig(vocab_size=60, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                              intermediate_size=64, max_position_embeddings=64, position_encoding=position,
                              hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, **extra)


def mlm_model(position: str, seed: int = 0):
    from core.pretrain.model import EmbedLabBertForMaskedLM

    torch.manual_seed(seed)
    return EmbedLabBertForMaskedLM(small_config(position)).eval()


@pytest.mark.parametrize("position", POSITIONS)
def test_each_encoding_trains_and_its_loss_falls(position):
    model = mlm_model(position).train()
    gen = torch.Generator().manual_seed(1)
    ids = torch.randint(5, 60, (8, 16), generator=gen)
    labels = torch.where(torch.rand(ids.shape, generator=gen) < 0.3, ids, torch.full_like(ids, -100))
    inputs = torch.where(labels != -100, torch.full_like(ids, 4), ids)  # [MASK] = 4
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(25):
        loss = model(input_ids=inputs, labels=labels, only_labelled=True).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    # calibrated: after 25 steps every encoding ends at 0.50-0.79 of its first loss (none/RoPE/ALiBi slowest)
    assert losses[-1] < 0.85 * losses[0], losses


@pytest.mark.parametrize("position", POSITIONS)
def test_only_the_none_encoding_is_blind_to_word_order(position):
    """Without positions self-attention is permutation-equivariant; every encoding must break that."""
    model = mlm_model(position)
    ids = torch.tensor([[2, 11, 12, 13, 14, 15, 16, 3]])
    perm = torch.tensor([0, 6, 5, 4, 3, 2, 1, 7])
    with torch.no_grad():
        out = model.bert(ids).last_hidden_state[0]
        permuted = model.bert(ids[:, perm]).last_hidden_state[0]
    same = torch.allclose(out[perm], permuted, atol=1e-5)
    from core.pretrain.model import POSITION_ENCODINGS

    assert same == (POSITION_ENCODINGS[position].where == "none")


def test_where_position_enters():
    from core.pretrain.model import POSITION_ENCODINGS

    assert {k: v.where for k, v in POSITION_ENCODINGS.items()} == {
        "learned": "input", "sinusoidal": "input", "rope": "attention", "alibi": "attention", "none": "none"}
    assert small_config("rope").position_where == "attention"


def test_sinusoidal_input_is_the_vaswani_table_at_the_embeddings_scale():
    from core.positional import sinusoidal

    model = mlm_model("sinusoidal")
    table = model.bert.positions.input(10, "cpu", torch.float32)
    scale = model.config.initializer_range * 2 ** 0.5
    assert torch.allclose(table, scale * sinusoidal(10, 32))
    # as loud as the token embeddings, so neither drowns the other
    rms = lambda t: float(t.pow(2).mean().sqrt())  # noqa: E731
    assert 0.5 < rms(table) / rms(model.bert.embeddings.word_embeddings.weight) < 2.0


def test_padding_does_not_change_the_real_tokens():
    model = mlm_model("alibi")
    ids = torch.tensor([[2, 11, 12, 13, 3]])
    padded = torch.tensor([[2, 11, 12, 13, 3, 0, 0]])
    with torch.no_grad():
        a = model(input_ids=ids).logits
        b = model(input_ids=padded, attention_mask=(padded != 0).long()).logits[:, :5]
    assert torch.allclose(a, b, atol=1e-5)


def test_eager_and_fused_attention_agree_and_attentions_are_returned():
    model = mlm_model("rope")
    ids = torch.tensor([[2, 11, 12, 13, 14, 3]])
    with torch.no_grad():
        fused = model(input_ids=ids).logits
        eager = model(input_ids=ids, output_attentions=True)
    assert torch.allclose(fused, eager.logits, atol=1e-5)
    assert len(eager.attentions) == 2 and eager.attentions[0].shape == (1, 2, 6, 6)
    assert torch.allclose(eager.attentions[0].sum(-1), torch.ones(1, 2, 6), atol=1e-5)


def test_too_long_input_is_a_clear_error():
    model = mlm_model("learned")
    with pytest.raises(ValueError, match="at most 64"):
        model(input_ids=torch.ones(1, 65, dtype=torch.long))


def test_bad_config_is_a_value_error():
    with pytest.raises(ValueError, match="position_encoding must be one of"):
        small_config("t5")
    with pytest.raises(ValueError, match="multiple of num_attention_heads"):
        small_config("rope", ).__class__(hidden_size=30, num_attention_heads=4)


@pytest.mark.parametrize("position", ["learned", "rope"])
def test_save_load_gives_the_same_predictions_through_the_auto_classes(tmp_path, position):
    from transformers import AutoModelForMaskedLM

    from core.pretrain import register

    register()
    model = mlm_model(position, seed=3)
    model.save_pretrained(tmp_path, safe_serialization=True)
    assert (tmp_path / "model.safetensors").is_file()
    loaded = AutoModelForMaskedLM.from_pretrained(tmp_path, use_safetensors=True, trust_remote_code=False).eval()
    assert type(loaded).__name__ == "EmbedLabBertForMaskedLM"
    ids = torch.tensor([[2, 11, 12, 4, 14, 3]])
    with torch.no_grad():
        assert torch.allclose(model(input_ids=ids).logits, loaded(input_ids=ids).logits, atol=1e-6)


def test_a_pretrained_folder_loads_with_classification_heads_as_the_fine_tune_runner_asks(tmp_path):
    """core.models.load_model with the fine-tune runner's arguments: new head, same encoder weights."""
    from core.models import load_model

    model = mlm_model("alibi", seed=5)
    model.save_pretrained(tmp_path, safe_serialization=True)
    labels = {0: "neg", 1: "pos"}
    seq = load_model(str(tmp_path), "AutoModelForSequenceClassification", num_labels=2, id2label=labels,
                     label2id={v: k for k, v in labels.items()}, ignore_mismatched_sizes=True).eval()
    tok = load_model(str(tmp_path), "AutoModelForTokenClassification", num_labels=3).eval()
    assert torch.equal(seq.bert.embeddings.word_embeddings.weight, model.bert.embeddings.word_embeddings.weight)
    ids = torch.tensor([[2, 11, 12, 13, 3], [2, 14, 15, 3, 0]])
    mask = (ids != 0).long()
    out = seq(input_ids=ids, attention_mask=mask, labels=torch.tensor([0, 1]))
    assert out.logits.shape == (2, 2) and torch.isfinite(out.loss)
    out.loss.backward()
    assert tok(input_ids=ids, attention_mask=mask).logits.shape == (2, 5, 3)


def test_where_agrees_with_the_positional_registry():
    """The page draws where each encoding enters from core.positional; the model must put it there."""
    registry = pytest.importorskip("core.positional.registry")
    from core.pretrain.model import POSITION_ENCODINGS

    for name, cls in POSITION_ENCODINGS.items():
        assert registry.where(name) == cls.where, name
