"""core.vectors.files: an upload read safely (never a pickle), downloads that read back as the same vectors."""
from __future__ import annotations

import numpy as np
import pytest

from core.vectors.files import PickleRefused, load_uploaded, projector_tsv, word2vec_text
from tests.vectors.explorer_fixtures import make_kv


def _kv():
    return make_kv(["king", "queen", "apple"], [[1.0, 0.5], [0.9, 0.6], [-0.2, 1.0]], counts=[30, 20, 10])


@pytest.mark.parametrize("name", ["model.model", "vectors.PKL", "v.pickle", "table.npy"])
def test_a_pickle_is_refused_by_its_name_before_anything_is_read(name):
    with pytest.raises(PickleRefused, match="never loaded"):
        load_uploaded(name, b"\x80\x04 anything")


def test_word2vec_text_downloads_load_back_as_the_same_vectors():
    kv = _kv()
    data = word2vec_text(kv)
    assert data.splitlines()[0] == b"3 2"
    again = load_uploaded("vectors.txt", data)
    assert again.index_to_key == kv.index_to_key
    assert np.allclose(again.vectors, kv.vectors, atol=1e-6)


def test_projector_tsv_has_one_row_per_word_in_both_files_and_respects_the_limit():
    vectors, metadata = projector_tsv(_kv(), limit=2)
    rows = vectors.decode().strip().splitlines()
    assert len(rows) == 2 and rows[0].split("\t") == ["1.0", "0.5"]
    assert "king" in metadata.decode() and "apple" not in metadata.decode()
