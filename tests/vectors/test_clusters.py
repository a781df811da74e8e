"""k-means colouring finds the groups that are really in the vectors."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from core.vectors.clusters import kmeans_labels
from tests.vectors.explorer_fixtures import blob_kv  # noqa: F401 (fixture)


def test_kmeans_recovers_separated_blobs(blob_kv):
    kv, truth = blob_kv
    labels = kmeans_labels(kv.vectors, k=6, seed=0)
    assert labels.shape == (600,)
    assert adjusted_rand_score(truth, labels) > 0.95
    np.testing.assert_array_equal(labels, kmeans_labels(kv.vectors, k=6, seed=0))


@pytest.mark.parametrize("k, n, message", [(1, 10, "between 2 and 50"), (5, 3, "Cannot make 5 clusters")])
def test_bad_cluster_counts(k, n, message):
    with pytest.raises(ValueError, match=message):
        kmeans_labels(np.random.default_rng(0).normal(size=(n, 4)), k=k)
