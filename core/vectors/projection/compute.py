"""Project word vectors with any registered method: config, distinct rows, on-disk cache.

A projection maps the ``(n_words, dim)`` matrix of the top-N most frequent
words to ``(n_words, dims)`` coordinates (``dims`` is 2 or 3). Identical
vectors (untrained rows, ``<pad>``/``<unk>``-like tokens, a word listed
twice) are merged before the fit and drawn at one point: UMAP and t-SNE
would otherwise scatter copies of one vector into a cloud (lmcinnes/umap#2,
#90, #284), which reads as structure that is not there.

Results are cached on disk by (vectors fingerprint, method, parameters) as
``.npy`` files, so a second visit to the same picture is instant even after
a restart, and a background job's result is picked up by the page.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import ClassVar
from pathlib import Path

import numpy as np

from core import settings
from core.settings import setting
from core.vectors.projection.base import METHODS, Progress

METRICS = ("cosine", "euclidean")
# Tokens like [PAD], [CLS], [unused12] are bookkeeping, not words: never plot them.
_SPECIAL = re.compile(r"^\[[^\]]+\]$")


@dataclass(frozen=True)
class ProjectionConfig:
    """What to project and how; every field that changes the picture is in the cache key.

    Each field declares its settings schema (:func:`core.settings.setting`); the method's
    own parameters are the method's :class:`~core.vectors.projection.base.Param` s.
    """

    STRINGS: ClassVar[str] = "explorer"

    method: str = setting("pca", choices=METHODS, label="explorer.method")  # a registered method
    dims: int = setting(2, choices=(2, 3), label="explorer.dims")  # 2 for a flat map, 3 for a rotatable cloud
    n_words: int = setting(5000, low=3, label="explorer.n_words", help="explorer.n_words_help")  # top-N words
    metric: str = setting("cosine", choices=METRICS, label="explorer.metric", help="explorer.metric_help")
    seed: int = setting(0, low=0, high=2**32 - 1, label="explorer.seed")  # the same seed, the same picture
    # The method's own parameters (e.g. UMAP n_neighbors); missing ones take the method's defaults.
    params: dict = field(default_factory=dict, hash=False)

    def __post_init__(self):
        settings.validate(self)  # an unknown method is the registry's ValueError naming the known ones
        object.__setattr__(self, "params", METHODS.get(self.method).check_params(self.params))

    def to_dict(self) -> dict:
        """Plain JSON-able dict; ``ProjectionConfig(**d)`` gives the same config back."""
        return {"method": self.method, "dims": self.dims, "n_words": self.n_words, "metric": self.metric,
                "seed": self.seed, "params": dict(self.params)}

    def key(self) -> str:
        """A short stable string naming this configuration (used in cache file names).

        Only what changes the method's result goes in, so changing UMAP's
        ``min_dist`` does not throw away a cached PCA.
        """
        method = METHODS.get(self.method)
        used = {"method": self.method, "version": method.version, "dims": self.dims, "n_words": self.n_words,
                "seed": self.seed, "params": self.params}
        if method.uses_metric:
            used["metric"] = self.metric
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


def prepare(vectors: np.ndarray, metric: str) -> np.ndarray:
    """float32 copy ``(n, dim)``; rows scaled to unit length for cosine (then euclidean ranks like cosine)."""
    x = np.asarray(vectors, dtype=np.float32)
    if not np.isfinite(x).all():
        bad = int((~np.isfinite(x)).any(axis=1).sum())
        raise ValueError(f"{bad} vector(s) contain NaN or infinity; fix or drop those words before projecting.")
    if metric == "cosine":
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        x = x / np.maximum(norms, 1e-12)
    return x


DISTINCT_DECIMALS = 5  # rows equal to 5 decimals of their largest coordinate are one vector


def distinct_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(unique (m, d), inverse (n,))`` with ``unique[inverse] ~= x``; unique rows in first-seen order.

    Rows count as one when they agree to ``DISTINCT_DECIMALS`` decimals of the
    matrix's largest absolute value, so float rounding (``3 * v`` scaled back
    to unit length) does not split one direction into two points.
    """
    scale = float(np.abs(x).max()) if x.size else 1.0
    key = np.round(x / max(scale, 1e-30), DISTINCT_DECIMALS)
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return x[first[order]], rank[np.ravel(inverse)]


def shared_vectors(words: list[str], vectors: np.ndarray, metric: str = "cosine") -> list[list[str]]:
    """Groups (2+ words each, largest first) of ``words`` whose prepared vectors are identical."""
    _, inverse = distinct_rows(prepare(vectors, metric))
    groups: dict[int, list[str]] = {}
    for word, g in zip(words, inverse):
        groups.setdefault(int(g), []).append(word)
    return sorted((g for g in groups.values() if len(g) > 1), key=len, reverse=True)


def one_thread():
    """Run BLAS/OpenMP on one thread inside the ``with`` block.

    On a shared server (a class of 30 on a few cores) multi-threaded BLAS
    spins against other processes: PCA of 10k x 100 took 4.1 s on 2 busy
    threads and 0.29 s on one. Small dense algebra is never worth the threads.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def pca(x: np.ndarray, dims: int) -> np.ndarray:
    """The first ``dims`` principal components ``(n, dims)`` of ``x`` (zero columns when rank is lower)."""
    from sklearn.decomposition import PCA

    k = min(dims, x.shape[1], x.shape[0])
    with one_thread():
        out = PCA(n_components=k, svd_solver="full").fit_transform(x)
    if k < dims:  # fewer input dimensions (or points) than asked for: the missing axes are flat
        out = np.hstack([out, np.zeros((out.shape[0], dims - k), dtype=out.dtype)])
    return out


def project(vectors: np.ndarray, config: ProjectionConfig, on_progress: Progress | None = None) -> np.ndarray:
    """Coordinates ``(n, config.dims)`` float32 for ``vectors`` ``(n, dim)``; deterministic for a seed.

    Identical rows (after the metric's scaling) get identical coordinates.
    When only ``m <= dims + 1`` distinct vectors (or fewer than the method
    needs) remain, they are placed by PCA, which is exact there: ``m``
    points span at most ``m - 1`` dimensions. Raises ``ValueError`` when
    there are too few words or a vector is not finite.
    """
    method = METHODS.get(config.method)
    x = prepare(vectors, config.metric)
    n = x.shape[0]
    if n < max(3, config.dims + 1):
        raise ValueError(f"Need at least {config.dims + 1} words to project to {config.dims}D; got {n}.")
    unique, inverse = distinct_rows(x)
    m = unique.shape[0]
    if m == 1:
        coords = np.zeros((1, config.dims))
    elif m <= config.dims + 1 or m < method.min_points:
        coords = pca(unique, config.dims)
    else:
        coords = method.fit(unique, config.dims, config.seed, dict(config.params), on_progress=on_progress)
    coords = np.asarray(coords, dtype=np.float32)
    if coords.shape != (m, config.dims):
        raise RuntimeError(f"{config.method} returned shape {coords.shape}, expected {(m, config.dims)}.")
    return coords[inverse]


def default_cache_dir() -> Path:
    """Where projections are cached: ``$EMBEDLAB_CACHE/projections``, else ``<runs dir>/.cache/projections``."""
    env = os.environ.get("EMBEDLAB_CACHE")
    if env:
        return Path(env) / "projections"
    return Path(os.environ.get("EMBEDLAB_RUNS", "runs")) / ".cache" / "projections"


def cache_path(fp: str, config: ProjectionConfig, cache_dir: str | Path | None = None) -> Path:
    """``<cache_dir>/<fingerprint>/<config.key()>.npy``."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return root / fp / f"{config.key()}.npy"


def load_cached(path: Path, n: int, dims: int) -> np.ndarray | None:
    """Coordinates from a cache file if it is there and has shape ``(n, dims)``; else None."""
    if not path.is_file():
        return None
    try:
        coords = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None  # a damaged cache file is recomputed and overwritten
    return coords if coords.shape == (n, dims) else None


def save_cached(path: Path, coords: np.ndarray) -> None:
    """Write coordinates atomically (a second tab never reads half a file); a read-only disk only costs speed."""
    from core.atomic import atomic_write

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.save(fh, np.asarray(coords, dtype=np.float32), allow_pickle=False)

    try:
        atomic_write(path, write)
    except OSError:
        pass


@dataclass(frozen=True)
class Projection:
    """A projection ready to plot.

    ``coords`` ``(n, dims)`` float32, ``words`` (n,), their ``counts`` (n,) or
    None, and ``shared``: groups of words drawn at one point because they
    have one vector (largest first).
    """

    words: list
    coords: np.ndarray
    counts: np.ndarray | None
    config: ProjectionConfig
    from_cache: bool = False
    shared: list = field(default_factory=list)


def project_kv(kv, config: ProjectionConfig, cache_dir: str | Path | None | bool = None,
               fp: str | None = None, on_progress: Progress | None = None) -> Projection:
    """Project the top ``config.n_words`` words of ``kv``; reuse the on-disk cache when it has them.

    ``cache_dir=None`` uses :func:`default_cache_dir`; pass ``False`` to skip
    the disk cache. ``fp`` is :func:`fingerprint` of ``kv`` if already known.
    """
    words = top_words(kv, config.n_words)
    counts = word_counts(kv, words)
    vectors = kv[words]
    shared = shared_vectors(words, vectors, config.metric)
    path = None if cache_dir is False else cache_path(fp or fingerprint(kv), config, cache_dir)
    if path is not None:
        coords = load_cached(path, len(words), config.dims)
        if coords is not None:
            return Projection(words, coords, counts, config, from_cache=True, shared=shared)
    coords = project(vectors, config, on_progress=on_progress)
    if path is not None:
        save_cached(path, coords)
    return Projection(words, coords, counts, config, from_cache=False, shared=shared)
