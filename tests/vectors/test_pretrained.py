"""The shipped MiniLM's token embedding table as KeyedVectors."""
from __future__ import annotations

import numpy as np
import pytest

from core.vectors.pretrained import minilm_token_vectors


@pytest.fixture(scope="module")
def minilm():
    return minilm_token_vectors()


def test_table_shape_and_order(minilm):
    assert minilm.vectors.shape == (30522, 384)
    assert minilm.vectors.dtype == np.float32
    assert minilm.index_to_key[0] == "[PAD]" and minilm.key_to_index["[CLS]"] == 101


def test_rows_equal_the_models_own_embedding(minilm):
    """Row i is what BERT's nn.Embedding returns for token id i."""
    import torch

    from core.models import load_model

    model = load_model()
    ids = torch.tensor([101, 2332, 102])
    with torch.no_grad():
        expected = model.embeddings.word_embeddings(ids).numpy()
    np.testing.assert_array_equal(minilm[["[CLS]", "king", "[SEP]"]], expected)


def test_the_table_knows_royalty(minilm):
    assert "queen" in [w for w, _ in minilm.most_similar("king", topn=5)]


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="model.safetensors"):
        minilm_token_vectors(tmp_path)
