"""Projections: every registered method gives seeded, finite coordinates; identical vectors share a point;
the cache is reused; bad settings are clear errors; UMAP and t-SNE keep neighbourhoods (calibrated bounds)."""
from __future__ import annotations

import numpy as np
import pytest

from core.vectors import projection
from core.vectors.projection import (
    METHODS, ProjectionConfig, ProjectionMethod, get, project, project_kv, register, top_words, unregister,
    word_counts,
)

from tests.vectors.explorer_fixtures import blob_kv, make_kv, royal_kv  # noqa: F401 (fixtures)

ALL = list(METHODS)


def test_the_three_methods_are_registered_in_page_order():
    assert ALL[:3] == ["pca", "umap", "tsne"]


@pytest.mark.parametrize("method", ALL)
def test_each_method_owns_its_formula_source_and_valid_defaults(method):
    spec = get(method)
    assert spec.formula and all(isinstance(line, str) and "\\" in line for line in spec.formula)
    assert spec.source and spec.axis and spec.title
    assert spec.check_params({}) == spec.defaults()  # defaults pass their own limits
    assert 3 <= spec.default_words <= spec.max_words


@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("dims", [2, 3])
def test_shapes_and_seeded_determinism(blob_kv, method, dims):
    kv, _ = blob_kv
    x = kv[top_words(kv, 80)]
    config = ProjectionConfig(method=method, dims=dims, n_words=80, seed=1)
    a, b = project(x, config), project(x, config)
    assert a.shape == (80, dims) and a.dtype == np.float32
    assert np.isfinite(a).all()
    np.testing.assert_array_equal(a, b)
    assert len(np.unique(a.round(4), axis=0)) > 70  # distinct vectors stay distinct points


@pytest.mark.parametrize("method", ALL)
def test_identical_vectors_are_drawn_at_one_point(method):
    """Case vectors-duplicates-umap, second input: 25 copies of one vector among 60 random ones."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(60, 12)).astype(np.float32)
    x[[3, 10, 17, 22, 40]] = x[7]  # same vector: <pad>-like rows
    x[50:58] = x[2] * 3.0  # a scaled copy is the same direction: one point under cosine
    coords = project(x, ProjectionConfig(method=method, n_words=60, seed=0))
    same = coords[[3, 7, 10, 17, 22, 40]]
    np.testing.assert_array_equal(same, np.broadcast_to(same[0], same.shape))
    np.testing.assert_array_equal(coords[50:58], np.broadcast_to(coords[2], (8, 2)))
    others = np.delete(coords, [3, 10, 17, 22, 40, 50, 51, 52, 53, 54, 55, 56, 57], axis=0)
    assert len(np.unique(others, axis=0)) == len(others)
    # under euclidean the scaled copies are other points
    euclid = project(x, ProjectionConfig(method=method, n_words=60, seed=0, metric="euclidean"))
    assert not np.allclose(euclid[50], euclid[2])


@pytest.mark.parametrize("method", ALL)
def test_few_distinct_vectors_are_placed_exactly(method):
    """All 30 rows identical -> one point; three distinct vectors in 2D keep their true distances."""
    same = np.tile(np.arange(8, dtype=np.float32), (30, 1))
    coords = project(same, ProjectionConfig(method=method, n_words=30))
    assert np.ptp(coords, axis=0).max() == 0.0
    three = np.array([[0, 0, 0], [3, 0, 0], [0, 4, 0]] * 4, dtype=np.float32)
    coords = project(three, ProjectionConfig(method=method, n_words=12, metric="euclidean"))
    d = np.linalg.norm(coords[0] - coords[1]), np.linalg.norm(coords[0] - coords[2]), np.linalg.norm(coords[1] - coords[2])
    np.testing.assert_allclose(d, (3, 4, 5), atol=1e-4)


def test_pca_matches_svd_of_centred_unit_vectors(blob_kv):
    kv, _ = blob_kv
    x = kv.vectors[:100].astype(np.float64)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    centred = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    expected = centred @ vt[:2].T
    got = project(kv.vectors[:100], ProjectionConfig(method="pca", n_words=100))
    for j in range(2):  # PCA axes are defined up to sign
        sign = np.sign(expected[:, j] @ got[:, j])
        np.testing.assert_allclose(got[:, j], sign * expected[:, j], atol=1e-4)


@pytest.mark.parametrize("method, bound", [("umap", 0.93), ("tsne", 0.93)])
def test_nonlinear_methods_keep_neighbourhoods_on_blobs(blob_kv, method, bound):
    """Calibration (this data, 250 points, 10 neighbours): UMAP seeds 0-4 0.967-0.969, openTSNE 0.97-0.98;
    PCA gives 0.957 and random coordinates 0.52. The bound 0.93 leaves margin."""
    from sklearn.manifold import trustworthiness

    kv, _ = blob_kv
    x = kv.vectors[:250]
    coords = project(x, ProjectionConfig(method=method, n_words=250, metric="euclidean", seed=0))
    assert trustworthiness(x, coords, n_neighbors=10) >= bound


def test_progress_is_reported_and_can_stop_a_fit(blob_kv):
    kv, _ = blob_kv
    seen = []
    project(kv.vectors[:200], ProjectionConfig(method="tsne", n_words=200), on_progress=lambda f, m: seen.append(f))
    assert seen and seen == sorted(seen) and 0 < seen[-1] <= 1.0

    def stop(fraction, message):
        if fraction > 0.3:
            raise projection.Stopped()

    with pytest.raises(projection.Stopped):
        project(kv.vectors[:200], ProjectionConfig(method="tsne", n_words=200), on_progress=stop)


def test_cache_hit_does_not_recompute(blob_kv, tmp_path, monkeypatch):
    kv, _ = blob_kv
    calls = []
    spec = get("pca")
    real = spec.fit
    monkeypatch.setattr(spec, "fit", lambda *a, **k: calls.append(1) or real(*a, **k))
    config = ProjectionConfig(method="pca", n_words=200)
    first = project_kv(kv, config, cache_dir=tmp_path)
    second = project_kv(kv, config, cache_dir=tmp_path)
    assert len(calls) == 1
    assert not first.from_cache and second.from_cache
    np.testing.assert_array_equal(first.coords, second.coords)
    assert second.words == first.words
    project_kv(kv, ProjectionConfig(method="pca", n_words=200, dims=3), cache_dir=tmp_path)
    project_kv(make_kv(kv.index_to_key, kv.vectors * 2.0 + 1.0), config, cache_dir=tmp_path)
    assert len(calls) == 3


def test_damaged_cache_file_is_recomputed(blob_kv, tmp_path):
    kv, _ = blob_kv
    config = ProjectionConfig(method="pca", n_words=50)
    project_kv(kv, config, cache_dir=tmp_path)
    (cached,) = list(tmp_path.rglob("*.npy"))
    cached.write_bytes(b"not an array")
    again = project_kv(kv, config, cache_dir=tmp_path)
    assert not again.from_cache and again.coords.shape == (50, 2)


def test_cache_key_holds_only_what_changes_the_picture():
    assert ProjectionConfig(method="pca", metric="cosine").key() != ProjectionConfig(method="pca", metric="euclidean").key()
    a = ProjectionConfig(method="umap", params={"min_dist": 0.1})
    assert a.key() == ProjectionConfig(method="umap").key()  # defaults filled in before hashing
    assert a.key() != ProjectionConfig(method="umap", params={"min_dist": 0.5}).key()
    assert ProjectionConfig(seed=1).key() != ProjectionConfig(seed=2).key()
    assert ProjectionConfig(**a.to_dict()) == a


@pytest.mark.parametrize("bad, message", [
    (dict(method="lda"), "known methods: pca, umap, tsne"), (dict(dims=4), "dims"), (dict(n_words=1), "n_words"),
    (dict(method="umap", params={"n_neighbors": 1}), "n_neighbors must be between 2 and 100"),
    (dict(method="umap", params={"min_dist": 1.5}), "min_dist"),
    (dict(method="tsne", params={"perplexity": 0}), "perplexity"),
    (dict(method="pca", params={"perplexity": 30}), "pca has no parameter perplexity"),
    (dict(metric="manhattan"), "metric"),
])
def test_config_rejects_bad_values_with_a_message(bad, message):
    with pytest.raises(ValueError, match=message):
        ProjectionConfig(**bad)


def test_nan_vectors_are_a_clear_error():
    x = np.ones((10, 4), dtype=np.float32)
    x[3, 1] = np.nan
    with pytest.raises(ValueError, match="1 vector.*NaN"):
        project(x, ProjectionConfig(n_words=10))


def test_a_registered_toy_method_is_usable_everywhere(blob_kv, tmp_path):
    class FirstCoordinates(ProjectionMethod):
        name = "firsttwo"
        title = "First coordinates"
        axis = "x"
        formula = (r"y_i = (x_{i1}, \dots, x_{id})",)
        source = "a test"

        def fit(self, x, dims, seed, params, on_progress=None):
            return x[:, :dims]

    register(FirstCoordinates)
    try:
        kv, _ = blob_kv
        proj = project_kv(kv, ProjectionConfig(method="firsttwo", n_words=50, metric="euclidean"), cache_dir=tmp_path)
        np.testing.assert_allclose(proj.coords, kv[proj.words][:, :2])
        assert "firsttwo" in projection.names()
    finally:
        unregister("firsttwo")
    with pytest.raises(ValueError, match="unknown projection method 'firsttwo'"):
        ProjectionConfig(method="firsttwo")


def test_top_words_skips_special_tokens_and_keeps_frequency_order():
    kv = make_kv(["[PAD]", "[unused0]", "the", "[CLS]", "of", "cat"], np.eye(6))
    assert top_words(kv, 2) == ["the", "of"]
    assert top_words(kv, 10) == ["the", "of", "cat"]


def test_word_counts_real_or_absent(royal_kv):
    counts = word_counts(royal_kv, ["king", "queen"])
    assert list(counts) == [1000, 990]
    plain = make_kv(["a", "b", "c"], np.eye(3))
    assert word_counts(plain, ["a", "b"]) is None
    for i, w in enumerate(["a", "b", "c"]):  # gensim's invented counts (vocab size - rank) say nothing
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
