"""PCA: the linear projection onto the directions of largest variance (instant, exact, no parameters)."""
from __future__ import annotations

import numpy as np

from core.vectors.projection.base import ProjectionMethod, register
from core.vectors.projection.compute import pca


@register
class PCA(ProjectionMethod):
    name = "pca"
    order = 10
    title = "PCA"
    axis = "PC"
    formula = (r"y_i = W^\top (x_i - \bar{x})", r"\operatorname{Cov}(x)\, W = W \Lambda_{\text{top-}d}")
    source = "Pearson (1901), On lines and planes of closest fit; Hotelling (1933)"
    library = "scikit-learn PCA (full SVD)"
    url = "https://doi.org/10.1080/14786440109462720"
    # PCA is linear and instant up to 100k words (past the TF Projector's load cap).
    max_words = 100_000
    default_words = 5_000
    job_above = None
    min_points = 1

    def fit(self, x, dims, seed, params, on_progress=None) -> np.ndarray:
        return pca(x, dims)  # deterministic: no seed needed (sklearn's full SVD, signs fixed by svd_flip)
