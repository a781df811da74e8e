"""Projections: shapes, seeded determinism, cache hits, config validation, UMAP quality."""
from __future__ import annotations

import numpy as np
import pytest

from core.vectors import projection
from core.vectors.projection import ProjectionConfig, project, project_kv, top_words, word_counts

from tests.vectors.explorer_fixtures import blob_kv, make_kv, royal_kv  # noqa: F401 (fixtures)


@pytest.mark.parametrize("method, dims", [("pca", 2), ("pca", 3), ("tsne", 2)])
def test_shapes_and_seeded_determinism(blob_kv, method, dims):
    kv, _ = blob_kv
    config = ProjectionConfig(method=method, dims=dims, n_words=80, perplexity=10, seed=1)
    a = project(kv[top_words(kv, 80)], config)
    b = project(kv[top_words(kv, 80)], config)
    assert a.shape == (80, dims) and a.dtype == np.float32
    assert np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)


def test_pca_matches_svd_of_centred_unit_vectors(blob_kv):
    kv, _ = blob_kv
    x = kv.vectors[:100].astype(np.float64)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    centred = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    expected = centred @ vt[:2].T
    got = project(kv.vectors[:100], ProjectionConfig(method="pca", n_words=100))
    # PCA axes are defined up to sign: compare column by column modulo sign.
    for j in range(2):
        sign = np.sign(expected[:, j] @ got[:, j])
        np.testing.assert_allclose(got[:, j], sign * expected[:, j], atol=1e-4)


def test_umap_deterministic_and_trustworthy_on_blobs(blob_kv):
    """One test pays UMAP's numba compile.

    Calibration (this data, n_neighbors=15): seeds 0-4 gave 0.967-0.969, three other
    blob draws 0.968-0.970; PCA gives 0.957 and random coordinates 0.52. The bound 0.93 leaves margin.
    """
    from sklearn.manifold import trustworthiness

    kv, _ = blob_kv
    x = kv.vectors[:250]
    config = ProjectionConfig(method="umap", n_words=250, n_neighbors=15, min_dist=0.1, metric="euclidean", seed=0)
    a = project(x, config)
    b = project(x, config)
    assert a.shape == (250, 2)
    np.testing.assert_array_equal(a, b)
    assert trustworthiness(x, a, n_neighbors=10) >= 0.93


def test_cache_hit_does_not_recompute(blob_kv, tmp_path, monkeypatch):
    kv, _ = blob_kv
    calls = []
    real = projection.project

    def counting(vectors, config):
        calls.append(config)
        return real(vectors, config)

    monkeypatch.setattr(projection, "project", counting)
    config = ProjectionConfig(method="pca", n_words=200)
    first = project_kv(kv, config, cache_dir=tmp_path)
    second = project_kv(kv, config, cache_dir=tmp_path)
    assert len(calls) == 1
    assert not first.from_cache and second.from_cache
    np.testing.assert_array_equal(first.coords, second.coords)
    assert second.words == first.words
    # Another configuration or other vectors are a miss.
    project_kv(kv, ProjectionConfig(method="pca", n_words=200, dims=3), cache_dir=tmp_path)
    other = make_kv(kv.index_to_key, kv.vectors * 2.0)
    project_kv(other, config, cache_dir=tmp_path)
    assert len(calls) == 3


def test_damaged_cache_file_is_recomputed(blob_kv, tmp_path):
    kv, _ = blob_kv
    config = ProjectionConfig(method="pca", n_words=50)
    project_kv(kv, config, cache_dir=tmp_path)
    (cached,) = list(tmp_path.rglob("*.npy"))
    cached.write_bytes(b"not an array")
    again = project_kv(kv, config, cache_dir=tmp_path)
    assert not again.from_cache and again.coords.shape == (50, 2)


def test_cache_key_ignores_parameters_the_method_does_not_use():
    a = ProjectionConfig(method="pca", min_dist=0.1, perplexity=30)
    b = ProjectionConfig(method="pca", min_dist=0.5, perplexity=10)
    assert a.key() == b.key()
    assert ProjectionConfig(method="umap", min_dist=0.1).key() != ProjectionConfig(method="umap", min_dist=0.5).key()
    assert ProjectionConfig(seed=1).key() != ProjectionConfig(seed=2).key()


@pytest.mark.parametrize("bad, message", [
    (dict(method="lda"), "method"), (dict(dims=4), "dims"), (dict(n_words=1), "n_words"),
    (dict(n_neighbors=1), "n_neighbors"), (dict(min_dist=1.5), "min_dist"),
    (dict(metric="manhattan"), "metric"), (dict(perplexity=0), "perplexity"),
])
def test_config_rejects_bad_values_with_a_message(bad, message):
    with pytest.raises(ValueError, match=message):
        ProjectionConfig(**bad)


def test_top_words_skips_special_tokens_and_keeps_frequency_order():
    kv = make_kv(["[PAD]", "[unused0]", "the", "[CLS]", "of", "cat"], np.eye(6))
    assert top_words(kv, 2) == ["the", "of"]
    assert top_words(kv, 10) == ["the", "of", "cat"]


def test_word_counts_real_or_absent(royal_kv):
    counts = word_counts(royal_kv, ["king", "queen"])
    assert list(counts) == [1000, 990]
    plain = make_kv(["a", "b", "c"], np.eye(3))
    assert word_counts(plain, ["a", "b"]) is None
    # gensim's invented counts (vocab size - rank) say nothing: treated as absent.
    for i, w in enumerate(["a", "b", "c"]):
        plain.set_vecattr(w, "count", 3 - i)
    assert word_counts(plain, ["a", "b", "c"]) is None


def test_fingerprint_changes_with_vectors_and_words(royal_kv):
    fp = projection.fingerprint(royal_kv)
    assert fp == projection.fingerprint(make_kv(royal_kv.index_to_key, royal_kv.vectors))
    assert fp != projection.fingerprint(make_kv(royal_kv.index_to_key, royal_kv.vectors + 1e-3))
    assert fp != projection.fingerprint(make_kv(royal_kv.index_to_key[::-1], royal_kv.vectors))


def test_too_few_words_is_a_clear_error():
    with pytest.raises(ValueError, match="at least"):
        project(np.eye(3, dtype=np.float32)[:2], ProjectionConfig(method="pca", n_words=3, dims=2))
