"""k-means clusters of word vectors, to colour a projection by meaning groups."""
from __future__ import annotations

import numpy as np


def kmeans_labels(vectors: np.ndarray, k: int = 8, seed: int = 0) -> np.ndarray:
    """Cluster id ``(n,)`` int for each row of ``vectors`` ``(n, dim)``, on unit vectors (cosine-like).

    Clusters are found in the full dimension, not on the 2D picture, so a
    colour means "these vectors are close", whatever the projection did.
    MiniBatchKMeans above 10k rows keeps 50k words to a couple of seconds.
    """
    x = np.asarray(vectors, dtype=np.float32)
    if not 2 <= k <= 50:
        raise ValueError(f"The number of clusters must be between 2 and 50, not {k}.")
    if x.shape[0] < k:
        raise ValueError(f"Cannot make {k} clusters from {x.shape[0]} words.")
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if x.shape[0] > 10_000:
        model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
    else:
        model = KMeans(n_clusters=k, random_state=seed, n_init=3)
    from core.vectors.projection import one_thread

    with one_thread():
        return model.fit_predict(x).astype(np.int32)
