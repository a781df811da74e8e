"""UMAP: a fuzzy k-neighbour graph of the words, laid out in 2D/3D by stochastic gradient descent.

The numba kernels of umap-learn and pynndescent are compiled once per install
and loaded from the on-disk cache afterwards (:mod:`core.numba_cache`). One
kernel cannot be cached: pynndescent's ``nn_descent`` takes the distance as a
function argument ("dynamic globals"), and compiling it costs a fresh process
most of a first UMAP (measured at 5k points on a busy 2-core machine: 300 s
cold, 2.4 s warm). Up to :data:`EXACT_KNN_UP_TO` words the k nearest
neighbours are therefore found exactly by scikit-learn (brute force, BLAS;
1.8 s at 5k) and handed to UMAP as ``precomputed_knn``, which also makes the
graph exact rather than approximate. Above it, UMAP's own NNDescent runs
(inside a background job).
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from core.vectors.projection.base import Param, ProjectionMethod, register
from core.vectors.projection.compute import one_thread

EXACT_KNN_UP_TO = 20_000  # exact neighbours: n^2 * dim work, ~30 s of one core at 20k x 100


@register
class UMAP(ProjectionMethod):
    name = "umap"
    order = 20
    title = "UMAP"
    compiled = True
    axis = "UMAP"
    params = (
        Param("n_neighbors", 15, 2, 100, 1, label="n_neighbors",
              help="Neighbourhood size: small keeps fine local detail, large shows the global shape."),
        Param("min_dist", 0.1, 0.0, 0.99, 0.01, label="min_dist",
              help="How tightly points may pack: 0.0 clumps, 0.99 spreads evenly."),
    )
    formula = (
        r"\min_{Y} \sum_{i,j} p_{ij}\log\frac{p_{ij}}{q_{ij}} + (1-p_{ij})\log\frac{1-p_{ij}}{1-q_{ij}}",
        r"q_{ij} = \big(1 + a\,\lVert y_i-y_j\rVert^{2b}\big)^{-1}",
    )
    source = ("McInnes, Healy & Melville (2018), UMAP: Uniform Manifold Approximation and Projection, "
              "arXiv:1802.03426")
    library = "umap-learn (exact neighbours from scikit-learn up to 20,000 words)"
    url = "https://arxiv.org/abs/1802.03426"
    job_above = 3_000
    min_points = 4  # spectral layout needs a few points; fewer distinct vectors are placed exactly by PCA

    def fit(self, x, dims, seed, params, on_progress=None) -> np.ndarray:
        umap = _import_umap()
        n = x.shape[0]
        k = min(int(params["n_neighbors"]), n - 1)
        knn = None
        if n <= EXACT_KNN_UP_TO:
            if on_progress:
                on_progress(0.05, "neighbours")
            knn = exact_knn(x, k)  # UMAP's n_neighbors counts the point itself as its first neighbour
        if on_progress:
            on_progress(0.3, "layout")
        # x is already unit-length for cosine, so euclidean gives the same neighbours and is faster in numba.
        reducer = umap.UMAP(
            n_components=dims,
            n_neighbors=k,
            min_dist=float(params["min_dist"]),
            metric="euclidean",
            random_state=seed,  # also forces n_jobs=1: reproducible, slower
            init="spectral" if n > dims + 1 else "random",
            low_memory=True,
            n_jobs=1,
            precomputed_knn=knn if knn is not None else (None, None, None),
        )
        # umap-learn has no progress callback, so a cancel waits for the fit; the job worker
        # kills a job that does not stop within a few seconds of the cancel.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*(knn_search_index|n_jobs value).*")
            coords = reducer.fit_transform(x)
        if on_progress:
            on_progress(1.0, "layout")
        return coords


def exact_knn(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, None]:
    """``(indices (n, k) int, distances (n, k) float32, None)``: each row's ``k`` nearest rows, itself first."""
    from sklearn.neighbors import NearestNeighbors

    with one_thread():
        dist, idx = NearestNeighbors(n_neighbors=k, algorithm="brute", metric="euclidean").fit(x).kneighbors(x)
    return idx.astype(np.int32), dist.astype(np.float32), None


def _import_umap():
    from core.numba_cache import import_umap

    return import_umap()


def warm_umap() -> float:
    """Compile (or load from the disk cache) UMAP's numba kernels on a tiny problem; returns the seconds."""
    start = time.perf_counter()
    x = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    UMAP().fit(x, 2, 0, {"n_neighbors": 5, "min_dist": 0.1})  # the path the page takes
    return time.perf_counter() - start


__all__ = ["UMAP", "exact_knn", "warm_umap"]
