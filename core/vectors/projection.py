"""Project word vectors to 2D or 3D with PCA, UMAP or t-SNE, seeded and cached.

A projection maps the ``(n_words, dim)`` matrix of the top-N most frequent
words to ``(n_words, dims)`` coordinates (``dims`` is 2 or 3). PCA is a
linear map (instant); UMAP and t-SNE are non-linear and keep local
neighbourhoods, at a cost of seconds to minutes for tens of thousands of words.

Results are cached on disk by (vectors fingerprint, method, parameters) as
``.npy`` files, so a second visit to the same picture is instant even after a
restart. UMAP compiles its numba kernels on first use (~10-20 s);
:func:`warm_umap` pays that once per process on a tiny problem.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

METHODS = ("pca", "umap", "tsne")
METRICS = ("cosine", "euclidean")
# Tokens like [PAD], [CLS], [unused12] are bookkeeping, not words: never plot them.
_SPECIAL = re.compile(r"^\[[^\]]+\]$")


@dataclass(frozen=True)
class ProjectionConfig:
    """What to project and how; every field changes the picture, so all are in the cache key."""

    method: str = "pca"  # "pca" (linear, instant), "umap" (local+global structure), "tsne" (local clusters)
    dims: int = 2  # 2 for a flat map, 3 for a rotatable cloud
    n_words: int = 5000  # top-N most frequent words; 5k is readable and every method is fast on it
    n_neighbors: int = 15  # UMAP: neighbourhood size; small -> fine local detail, large -> global shape
    min_dist: float = 0.1  # UMAP: how tightly points may pack; 0.0 clumps, 0.99 spreads evenly
    metric: str = "cosine"  # distance between word vectors; cosine is what word2vec similarity means
    perplexity: float = 30.0  # t-SNE: effective number of neighbours each point cares about (5-50 typical)
    seed: int = 0  # random seed: the same seed gives the same picture every time

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}.")
        if self.dims not in (2, 3):
            raise ValueError(f"dims must be 2 or 3, not {self.dims}.")
        if self.n_words < 3:
            raise ValueError(f"n_words must be at least 3 to project anything, not {self.n_words}.")
        if not 2 <= self.n_neighbors <= 200:
            raise ValueError(f"n_neighbors must be between 2 and 200, not {self.n_neighbors}.")
        if not 0.0 <= self.min_dist <= 0.99:
            raise ValueError(f"min_dist must be between 0.0 and 0.99, not {self.min_dist}.")
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {self.metric!r}.")
        if not 1.0 <= self.perplexity <= 100.0:
            raise ValueError(f"perplexity must be between 1 and 100, not {self.perplexity}.")

    def key(self) -> str:
        """A short stable string naming this configuration (used in cache file names).

        Parameters that do not affect ``method`` are left out, so changing the
        UMAP ``min_dist`` does not throw away a cached PCA.
        """
        used = {"method": self.method, "dims": self.dims, "n_words": self.n_words, "seed": self.seed}
        if self.method == "umap":
            used.update(n_neighbors=self.n_neighbors, min_dist=self.min_dist, metric=self.metric)
        elif self.method == "tsne":
            used.update(perplexity=self.perplexity, metric=self.metric)
        else:
            used.update(metric=self.metric)
        text = json.dumps(used, sort_keys=True)
        return f"{self.method}{self.dims}d-" + hashlib.sha1(text.encode()).hexdigest()[:12]


def top_words(kv, n: int) -> list[str]:
    """The ``n`` most frequent plottable words of ``kv`` (its index order, special tokens skipped).

    gensim keeps ``index_to_key`` sorted by frequency for trained and
    word2vec-format vectors; for the MiniLM table it is the vocabulary rank.
    """
    out = []
    for word in kv.index_to_key:
        if not _SPECIAL.match(word):
            out.append(word)
            if len(out) >= n:
                break
    return out


def word_counts(kv, words: list[str]) -> np.ndarray | None:
    """Corpus counts of ``words`` ``(n,)``, or ``None`` when ``kv`` has no real counts.

    gensim invents counts (``vocab_size - rank``) when a file came without a
    vocabulary; those say nothing beyond the rank, so they count as absent.
    """
    if "count" not in getattr(kv, "expandos", {}):
        return None
    size = len(kv.index_to_key)
    counts = np.asarray([kv.get_vecattr(w, "count") for w in words], dtype=np.int64)
    ranks = np.asarray([kv.key_to_index[w] for w in words], dtype=np.int64)
    if np.all(counts == size - ranks) or np.all(counts <= 0):
        return None
    return counts


def fingerprint(kv) -> str:
    """A hash of the vocabulary and the vectors: same vectors -> same string (hex, 20 chars)."""
    h = hashlib.blake2b(digest_size=10)
    h.update("\n".join(kv.index_to_key).encode("utf-8"))
    vectors = np.ascontiguousarray(kv.vectors, dtype=np.float32)
    h.update(str(vectors.shape).encode())
    h.update(vectors.tobytes())
    return h.hexdigest()


def _prepare(vectors: np.ndarray, metric: str) -> np.ndarray:
    """float32 copy; rows scaled to unit length for cosine (then euclidean distance ranks like cosine)."""
    x = np.asarray(vectors, dtype=np.float32)
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        x = x / np.maximum(norms, 1e-12)
    return x


def project(vectors: np.ndarray, config: ProjectionConfig) -> np.ndarray:
    """Coordinates ``(n, config.dims)`` float32 for ``vectors`` ``(n, dim)``; deterministic for a seed.

    Raises ``ValueError`` when there are too few points for the method.
    """
    x = _prepare(vectors, config.metric)
    n = x.shape[0]
    if n < max(3, config.dims + 1):
        raise ValueError(f"Need at least {config.dims + 1} words to project to {config.dims}D; got {n}.")
    if config.method == "pca":
        return _pca(x, config.dims).astype(np.float32)
    if config.method == "umap":
        return _umap(x, config).astype(np.float32)
    return _tsne(x, config).astype(np.float32)


def one_thread():
    """Run BLAS/OpenMP on one thread inside the ``with`` block.

    On a shared server (a class of 30 on a few cores) multi-threaded BLAS
    spins against other processes: PCA of 10k x 100 took 4.1 s on 2 busy
    threads and 0.29 s on one. Small dense algebra is never worth the threads.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _pca(x: np.ndarray, dims: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    k = min(dims, x.shape[1], x.shape[0])
    with one_thread():
        out = PCA(n_components=k, svd_solver="full").fit_transform(x)
    if k < dims:  # fewer input dimensions than asked for: the missing axes are flat
        out = np.hstack([out, np.zeros((out.shape[0], dims - k), dtype=out.dtype)])
    return out


def _umap(x: np.ndarray, config: ProjectionConfig) -> np.ndarray:
    import umap  # heavy: numba

    n = x.shape[0]
    # x is already unit-length for cosine, so euclidean gives the same neighbours and is faster in numba.
    reducer = umap.UMAP(
        n_components=config.dims,
        n_neighbors=min(config.n_neighbors, n - 1),
        min_dist=config.min_dist,
        metric="euclidean",
        random_state=config.seed,  # also forces n_jobs=1: reproducible, slower
        init="spectral" if n > config.dims + 1 else "random",
        low_memory=True,
    )
    return reducer.fit_transform(x)


def _tsne(x: np.ndarray, config: ProjectionConfig) -> np.ndarray:
    from sklearn.manifold import TSNE

    n = x.shape[0]
    if x.shape[1] > 50:
        # Standard practice (van der Maaten): PCA to 50 dims first, which keeps the
        # neighbourhoods and makes the neighbour search several times faster.
        x = _pca(x, 50).astype(np.float32)
    perplexity = min(config.perplexity, max(1.0, (n - 1) / 3.0))
    tsne = TSNE(
        n_components=config.dims,
        perplexity=perplexity,
        init="pca",
        learning_rate="auto",
        random_state=config.seed,
    )
    if n >= 5000:
        return tsne.fit_transform(x)
    # Small sets: OpenMP threads synchronise 1,000 times for little work each, and on a
    # busy shared server that costs 20x (measured: 80 words 0.8 s on 1 thread, 15 s on 2).
    with one_thread():
        return tsne.fit_transform(x)


def default_cache_dir() -> Path:
    """Where projections are cached: ``$EMBEDLAB_CACHE`` or ``<runs dir>/.cache/projections``."""
    env = os.environ.get("EMBEDLAB_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("EMBEDLAB_RUNS", "runs")) / ".cache" / "projections"


@dataclass(frozen=True)
class Projection:
    """A projection ready to plot: ``coords`` ``(n, dims)``, the ``words`` (n,), their ``counts`` or None."""

    words: list
    coords: np.ndarray
    counts: np.ndarray | None
    config: ProjectionConfig
    from_cache: bool = False


def project_kv(kv, config: ProjectionConfig, cache_dir: str | Path | None = None,
               fp: str | None = None) -> Projection:
    """Project the top ``config.n_words`` words of ``kv``; reuse the on-disk cache when it has them.

    ``cache_dir=None`` uses :func:`default_cache_dir`; pass ``False`` to skip
    the disk cache. ``fp`` is :func:`fingerprint` of ``kv`` if already known.
    The cache file is ``<cache_dir>/<fingerprint>/<config.key()>.npy``.
    """
    words = top_words(kv, config.n_words)
    counts = word_counts(kv, words)
    path = None
    if cache_dir is not False:
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        path = root / (fp or fingerprint(kv)) / f"{config.key()}.npy"
        if path.is_file():
            try:
                coords = np.load(path, allow_pickle=False)
                if coords.shape == (len(words), config.dims):
                    return Projection(words, coords, counts, config, from_cache=True)
            except (OSError, ValueError):
                pass  # a damaged cache file is recomputed and overwritten
    coords = project(kv[words], config)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, coords, allow_pickle=False)
            os.replace(tmp, path)  # atomic: a second tab never reads half a file
        except OSError:
            pass  # a read-only disk only costs speed
    return Projection(words, coords, counts, config, from_cache=False)


def warm_umap() -> float:
    """Compile UMAP's numba kernels on a tiny problem; returns the seconds it took."""
    import time

    import umap

    start = time.perf_counter()
    x = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    # Above 4,096 points UMAP switches from exact neighbours to NNDescent, which has its
    # own kernels; forcing the approximate path here compiles both on a tiny problem.
    for approximate in (False, True):
        umap.UMAP(n_neighbors=5, random_state=0, low_memory=True, n_epochs=20,
                  force_approximation_algorithm=approximate).fit_transform(x)
    return time.perf_counter() - start
