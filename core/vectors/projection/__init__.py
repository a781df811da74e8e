"""Project word vectors to 2D or 3D with any registered method (PCA, UMAP, t-SNE), seeded and cached.

The methods are one file each (``pca.py``, ``umap.py``, ``tsne.py``) over
the base class and registry in ``base.py``; ``compute.py`` holds what every
method shares (config, distinct rows, cache). Adding a method: a file with a
:class:`ProjectionMethod` subclass decorated with :func:`register` (the
registry finds the file), its strings in ``locales/explorer.json`` (``explorer.method_<name>``,
``explorer.explain_<name>``, one ``explorer.<param>`` and ``explorer.<param>_help``
per parameter); the parametrised tests in ``tests/vectors/test_projection.py``
pick it up.
"""
from core.vectors.projection.base import (
    METHODS,
    Param,
    ProjectionMethod,
    Stopped,
    get,
    names,
    register,
    unregister,
)
from core.vectors.projection.compute import (
    METRICS,
    Projection,
    ProjectionConfig,
    cache_path,
    default_cache_dir,
    distinct_rows,
    fingerprint,
    load_cached,
    one_thread,
    prepare,
    project,
    project_kv,
    save_cached,
    shared_vectors,
    top_words,
    word_counts,
)
from core.vectors.projection.umap import warm_umap

__all__ = [
    "METHODS", "METRICS", "Param", "Projection", "ProjectionConfig", "ProjectionMethod", "Stopped",
    "cache_path", "default_cache_dir", "distinct_rows", "fingerprint", "get", "load_cached",
    "names", "one_thread", "prepare", "project", "project_kv", "register", "save_cached",
    "shared_vectors", "top_words", "unregister", "warm_umap", "word_counts",
]
