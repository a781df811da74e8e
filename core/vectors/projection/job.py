"""The "projection" job: a UMAP or t-SNE of many words in a worker process (core.jobs), cached for the page.

The page writes the ``(n, dim)`` vectors to a file under the projection
cache, submits ``core.jobs.submit("projection", config)`` and polls; the job
writes the coordinates to the same cache file :func:`project_kv` reads, so the
finished picture is reused by every later view (and by other tabs).

Config (JSON): ``{"input": path of a float32 .npy (n, dim), "output": cache
file path, "projection": ProjectionConfig.to_dict(), "source": display name}``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from core.vectors.projection.base import Stopped
from core.vectors.projection.compute import ProjectionConfig, project, save_cached


def run(config: dict, ctx) -> None:
    """Project ``config["input"]`` and save to ``config["output"]``; progress and cancel through ``ctx``."""
    try:
        projection = ProjectionConfig(**config["projection"])
        source, output = Path(config["input"]), Path(config["output"])
    except (KeyError, TypeError) as err:
        raise ValueError(f"a projection job needs input, output and projection settings ({err}).") from None
    if not source.is_file():
        raise ValueError(f"the vectors to project are gone ({source.name}); open the explorer and start again.")
    vectors = np.load(source, allow_pickle=False)

    def on_progress(fraction: float, message: str) -> None:
        if ctx.should_stop():
            raise Stopped()
        ctx.progress(min(max(fraction, 0.0), 0.99), message=message)

    ctx.progress(0.0, message=f"{projection.method} of {vectors.shape[0]:,} words")
    try:
        coords = project(vectors, projection, on_progress=on_progress)
    except Stopped:
        ctx.log({"type": "projection", "stopped": True})
        return
    finally:
        try:
            source.unlink()  # the input was written for this job alone
        except OSError:
            pass
    save_cached(output, coords)
    np.save(ctx.run_dir / "coords.npy", coords, allow_pickle=False)
    ctx.log({"type": "projection", "n": int(coords.shape[0]), "dims": int(coords.shape[1]), "key": projection.key()})
    ctx.progress(1.0, message="done")


def resource(config: dict) -> str:
    """Projections run on the CPU (umap-learn, openTSNE and scikit-learn have no GPU path here)."""
    return "cpu"


def submit_projection(kv, fp: str, config: ProjectionConfig, name: str, title: str = "", user=None) -> str:
    """Start a "projection" job for ``config`` on ``kv``'s top words; returns its run id.

    The ``(n, dim)`` vectors are written under the projection cache for the worker;
    the result lands in the cache file (``cache_path(fp, config)``) the page reads.
    ``name`` is the vectors' display name, ``title`` the run's (default: method · name); ``user``: who
    submits it (``core.jobs.submit``'s; class mode refuses None).
    Raises ``ValueError`` when the cache folder cannot be written.
    """
    import secrets

    from core.jobs import submit
    from core.vectors.projection.compute import cache_path, top_words

    target = cache_path(fp, config)
    source = target.parent / "inputs" / f"{config.key()}-{secrets.token_hex(4)}.npy"
    save_cached(source, kv[top_words(kv, config.n_words)])
    if not source.is_file():
        raise ValueError(f"cannot write the vectors for the job under {source.parent}; check that the cache "
                         "folder is writable (EMBEDLAB_CACHE).")
    return submit("projection", {"input": str(source), "output": str(target), "projection": config.to_dict(),
                                 "source": name}, name=title or f"{config.method} · {name}", user=user)
