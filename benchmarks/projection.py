"""How long the explorer's projections take: UMAP in a fresh process, t-SNE (openTSNE vs scikit-learn), cache.

    python benchmarks/projection.py                          # 5k words, every step
    python benchmarks/projection.py --sizes 50000 --steps tsne
    python benchmarks/projection.py --sizes 5000 --steps umap_compile umap_fresh

Prints one JSON line per measurement: {"bench", "n", "dim", "seconds", ...}.
Each step runs in its own subprocess, so "fresh" really is a new process, and
a step past ``--timeout`` is reported as ``{"timed_out": true}``.

- ``umap_compile``: the first UMAP after installing (empty numba cache): compile + fit.
- ``umap_fresh``: a new process after that one: ``seconds`` = its first fit,
  ``warm_seconds`` = the same fit again in the same process, ``ratio`` = first / warm
  (issue #14 target: <= 1.5).
- ``tsne`` (openTSNE, what the explorer uses in 2D) and its peer ``tsne_sklearn``
  (scikit-learn Barnes-Hut), each with trustworthiness on a 3k sample (10 neighbours).
- ``pca``, ``cached_figure`` (cache load + figure + JSON of the page's picture).
The numba cache lives in a temporary ``EMBEDLAB_CACHE`` of this run unless ``--cache`` names one.
The vectors: 200 Gaussian clusters of Zipf-like sizes plus noise, so neighbour graphs look like word vectors'.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def vectors(n: int, dim: int, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(200, dim))
    weights = 1.0 / np.arange(1, 201)  # Zipf-like cluster sizes
    labels = rng.choice(200, size=n, p=weights / weights.sum())
    return (centres[labels] + rng.normal(size=(n, dim))).astype(np.float32)


def _trust(x, coords) -> float:
    import numpy as np
    from sklearn.manifold import trustworthiness

    sample = np.random.default_rng(1).choice(len(x), size=min(len(x), 3000), replace=False)
    return round(float(trustworthiness(x[sample], coords[sample], n_neighbors=10)), 4)


def step(kind: str, n: int, dim: int) -> dict:
    """One measurement, run inside a fresh subprocess."""
    sys.path.insert(0, str(ROOT))
    from core.vectors.projection import ProjectionConfig, project, project_kv, top_words  # noqa: F401

    x = vectors(n, dim)
    out: dict = {}
    if kind in ("umap_compile", "umap_fresh"):
        from core.numba_cache import cached_kernels, import_umap

        start = time.perf_counter()
        import_umap()
        out["import_seconds"] = round(time.perf_counter() - start, 2)
        out["cached_kernels_before"] = cached_kernels()
        config = ProjectionConfig(method="umap", n_words=n, seed=0)
        start = time.perf_counter()
        coords = project(x, config)
        out["seconds"] = round(time.perf_counter() - start, 2)
        if kind == "umap_fresh":
            start = time.perf_counter()
            project(x, config)
            out["warm_seconds"] = round(time.perf_counter() - start, 2)
            out["ratio"] = round(out["seconds"] / out["warm_seconds"], 2)
        out["trustworthiness_3k_sample"] = _trust(x, coords)
        return out
    if kind in ("pca", "tsne"):
        start = time.perf_counter()
        coords = project(x, ProjectionConfig(method=kind, n_words=n, seed=0))
        out["seconds"] = round(time.perf_counter() - start, 2)
        out["trustworthiness_3k_sample"] = _trust(x, coords)
        if kind == "tsne":
            import openTSNE

            out["library"] = f"openTSNE {openTSNE.__version__}"
        return out
    if kind == "tsne_sklearn":
        import sklearn

        from core.vectors.projection.compute import pca, prepare
        from core.vectors.projection.tsne import PCA_DIMS, _sklearn_tsne

        start = time.perf_counter()
        prepared = prepare(x, "cosine")  # what project() gives the method
        reduced = pca(prepared, PCA_DIMS).astype("float32") if dim > PCA_DIMS else prepared
        coords = _sklearn_tsne(reduced, 2, 30.0, 0)
        out["seconds"] = round(time.perf_counter() - start, 2)
        out["trustworthiness_3k_sample"] = _trust(x, coords)
        out["library"] = f"scikit-learn {sklearn.__version__}"
        return out
    if kind == "cached_figure":
        import tempfile

        from gensim.models import KeyedVectors

        from core.plots.explorer import projection_figure

        kv = KeyedVectors(dim)
        kv.add_vectors([f"w{i}" for i in range(n)], x)
        config = ProjectionConfig(method="pca", n_words=n)
        with tempfile.TemporaryDirectory() as cache:
            project_kv(kv, config, cache_dir=cache)  # fill the disk cache
            start = time.perf_counter()
            proj = project_kv(kv, config, cache_dir=cache)
            out["cache_load_seconds"] = round(time.perf_counter() - start, 3)
        assert proj.from_cache
        start = time.perf_counter()
        fig = projection_figure(proj.coords, proj.words, counts=proj.counts, highlight=["w1"],
                                neighbours=[f"w{i}" for i in range(2, 12)], labels=["w20"])
        out["figure_seconds"] = round(time.perf_counter() - start, 3)
        start = time.perf_counter()
        payload = fig.to_json()
        out["to_json_seconds"] = round(time.perf_counter() - start, 3)
        out["json_mb"] = round(len(payload) / 1e6, 2)
        out["seconds"] = round(out["cache_load_seconds"] + out["figure_seconds"] + out["to_json_seconds"], 3)
        return out
    raise ValueError(kind)


def run_step(kind: str, n: int, dim: int, timeout: float, cache: str) -> dict:
    cmd = [sys.executable, __file__, "--step", kind, "--n", str(n), "--dim", str(dim)]
    env = {**os.environ, "EMBEDLAB_CACHE": cache}
    env.pop("NUMBA_CACHE_DIR", None)
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired:
        return {"timed_out": True, "seconds": None, "wall_seconds": round(time.perf_counter() - start, 1)}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000])
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=1200, help="seconds allowed per measurement")
    parser.add_argument("--steps", nargs="+", default=["cached_figure", "pca", "umap_compile", "umap_fresh",
                                                       "tsne", "tsne_sklearn"])
    parser.add_argument("--cache", default="", help="EMBEDLAB_CACHE for the steps (default: a new temporary one)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.n, args.dim)))
        return 0
    import tempfile

    machine = f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_version()}"
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or tmp
        for n in args.sizes:
            for kind in args.steps:
                load = os.getloadavg()[0]
                result = run_step(kind, n, args.dim, args.timeout, cache)
                record = {"bench": f"projection.{kind}", "n": n, "dim": args.dim, **result, "machine": machine,
                          "load_before": round(load, 1), "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
