"""t-SNE: neighbour probabilities in the full space matched by a heavy-tailed kernel in 2D/3D.

2D runs through openTSNE (FFT-accelerated interpolation, Linderman et al.
2019), the implementation the t-SNE authors' community recommends for large
n; openTSNE only lays out 1D and 2D, so 3D runs through scikit-learn's
Barnes-Hut t-SNE. Both start from PCA and use the learning rate n/12
(Belkina et al. 2019). Measured trustworthiness and speed against
scikit-learn: ``benchmarks/projection.py --steps tsne tsne_sklearn``.
"""
from __future__ import annotations

import numpy as np

from core.vectors.projection.base import Param, ProjectionMethod, register
from core.vectors.projection.compute import one_thread, pca

PCA_DIMS = 50  # standard practice (van der Maaten): PCA to 50 dims first keeps the neighbourhoods, searches faster
EARLY_ITER, MAIN_ITER = 250, 500  # openTSNE's defaults (exaggeration 12 for 250 steps, then 500 steps)


@register
class TSNE(ProjectionMethod):
    name = "tsne"
    order = 30
    title = "t-SNE"
    axis = "t-SNE"
    params = (
        Param("perplexity", 30.0, 2.0, 100.0, 1.0, label="perplexity",
              help="Effective number of neighbours each point cares about (5-50 typical)."),
    )
    formula = (
        r"\min_{Y} \mathrm{KL}(P\,\Vert\,Q) = \sum_{i\neq j} p_{ij}\log\frac{p_{ij}}{q_{ij}}",
        r"q_{ij} \propto \big(1+\lVert y_i-y_j\rVert^2\big)^{-1}",
    )
    source = ("van der Maaten & Hinton (2008), Visualizing Data using t-SNE, JMLR 9; "
              "Linderman et al. (2019), Fast interpolation-based t-SNE, Nature Methods 16")
    library = "openTSNE (2D, FFT), scikit-learn Barnes-Hut (3D)"
    url = "https://jmlr.org/papers/v9/vandermaaten08a.html"
    job_above = 3_000
    min_points = 4
    version = "opentsne"  # 2D pictures made by scikit-learn before are not reused

    def fit(self, x, dims, seed, params, on_progress=None) -> np.ndarray:
        n = x.shape[0]
        if x.shape[1] > PCA_DIMS:
            x = pca(x, PCA_DIMS).astype(np.float32)
        # perplexity must stay below n / 3 (each point needs 3 * perplexity neighbours)
        perplexity = min(float(params["perplexity"]), max(1.0, (n - 1) / 3.0))
        if dims == 2:
            return _opentsne(x, perplexity, seed, on_progress)
        return _sklearn_tsne(x, dims, perplexity, seed)


def _opentsne(x: np.ndarray, perplexity: float, seed: int, on_progress=None) -> np.ndarray:
    from openTSNE import TSNE as OpenTSNE

    total = EARLY_ITER + MAIN_ITER
    phase = {"offset": 0}

    def callback(iteration, error, embedding):
        if on_progress:
            on_progress(0.1 + 0.9 * (phase["offset"] + iteration) / total, f"iteration {phase['offset'] + iteration}")
        return False

    if on_progress:
        on_progress(0.02, "neighbours")

    tsne = OpenTSNE(
        n_components=2, perplexity=perplexity, initialization="pca", learning_rate="auto",
        early_exaggeration_iter=EARLY_ITER, n_iter=MAIN_ITER, random_state=seed, n_jobs=1,
        callbacks=[_phase_aware(callback, phase)] if on_progress else None, callbacks_every_iters=25,
        verbose=False,
    )
    with one_thread():
        return np.asarray(tsne.fit(x))


def _phase_aware(callback, phase):
    """openTSNE restarts its iteration count for the second phase; add EARLY_ITER once it does."""
    last = {"iteration": 0}

    def wrapped(iteration, error, embedding):
        if iteration < last["iteration"]:
            phase["offset"] = EARLY_ITER
        last["iteration"] = iteration
        return callback(iteration, error, embedding)

    return wrapped


def _sklearn_tsne(x: np.ndarray, dims: int, perplexity: float, seed: int) -> np.ndarray:
    from sklearn.manifold import TSNE as SkTSNE

    tsne = SkTSNE(n_components=dims, perplexity=perplexity, init="pca", learning_rate="auto", random_state=seed)
    if x.shape[0] >= 5000:
        return tsne.fit_transform(x)
    # Small sets: OpenMP threads synchronise 1,000 times for little work each, and on a
    # busy shared server that costs 20x (measured: 80 words 0.8 s on 1 thread, 15 s on 2).
    with one_thread():
        return tsne.fit_transform(x)
