"""How long the explorer's projections take, cold and warm, and how fast a cached one comes back.

    python benchmarks/projection.py                 # 10k and 50k words, dim 100
    python benchmarks/projection.py --sizes 2000 --timeout 120

Prints one JSON line per measurement: {"bench", "n", "dim", "seconds", ...}.
Each timed step runs in its own subprocess, so "cold" really is a fresh
process (UMAP's numba compile included) and a step past ``--timeout`` is
reported as ``{"timed_out": true}`` instead of stalling the rest.
The vectors are "random-ish": 200 Gaussian clusters of uneven size plus
noise, so neighbour graphs look like word vectors', not like pure noise.
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


def step(kind: str, n: int, dim: int, cache: str) -> dict:
    """One measurement, run inside a fresh subprocess."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from core.vectors.projection import ProjectionConfig, project, project_kv, warm_umap

    x = vectors(n, dim)
    out = {}
    start = time.perf_counter()
    import sklearn.decomposition  # noqa: F401  (imports are not what a user waits for twice)
    import sklearn.manifold  # noqa: F401
    if kind.startswith("umap"):
        import umap  # noqa: F401
    out["import_seconds"] = round(time.perf_counter() - start, 2)
    if kind == "umap_compile":
        out["seconds"] = warm_umap()
        return out
    if kind in ("pca", "tsne", "umap_cold", "umap_warm"):
        method = kind.split("_")[0]
        if kind == "umap_warm":
            out["compile_seconds"] = warm_umap()
        config = ProjectionConfig(method=method, n_words=n, seed=0)
        start = time.perf_counter()
        coords = project(x, config)
        out["seconds"] = time.perf_counter() - start
        if n <= 20_000:
            from sklearn.manifold import trustworthiness

            sample = np.random.default_rng(1).choice(n, size=min(n, 3000), replace=False)
            out["trustworthiness_3k_sample"] = round(float(trustworthiness(x[sample], coords[sample], n_neighbors=10)), 3)
        return out
    if kind == "cached_figure":
        from gensim.models import KeyedVectors

        from core.plots.explorer import projection_figure

        kv = KeyedVectors(dim)
        kv.add_vectors([f"w{i}" for i in range(n)], x)
        config = ProjectionConfig(method="pca", n_words=n)
        project_kv(kv, config, cache_dir=cache)  # fill the disk cache
        start = time.perf_counter()
        proj = project_kv(kv, config, cache_dir=cache)
        out["cache_load_seconds"] = time.perf_counter() - start
        assert proj.from_cache
        start = time.perf_counter()
        fig = projection_figure(proj.coords, proj.words, counts=proj.counts, highlight=["w1"], labels=["w2"])
        out["figure_seconds"] = time.perf_counter() - start
        start = time.perf_counter()
        payload = fig.to_json()
        out["to_json_seconds"] = time.perf_counter() - start
        out["json_mb"] = round(len(payload) / 1e6, 2)
        out["seconds"] = out["cache_load_seconds"] + out["figure_seconds"] + out["to_json_seconds"]
        return out
    raise ValueError(kind)


def run_step(kind: str, n: int, dim: int, timeout: float, cache: str) -> dict:
    cmd = [sys.executable, __file__, "--step", kind, "--n", str(n), "--dim", str(dim), "--cache", cache]
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"timed_out": True, "seconds": None, "wall_seconds": round(time.perf_counter() - start, 1)}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=1200, help="seconds allowed per measurement")
    parser.add_argument("--steps", nargs="+", default=["cached_figure", "pca", "umap_compile", "umap_cold",
                                                         "umap_warm", "tsne"])
    parser.add_argument("--cold-up-to", type=int, default=20_000, help="measure UMAP cold only up to this n")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cache", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, args.n, args.dim, args.cache)))
        return 0
    import tempfile

    machine = f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_version()}"
    with tempfile.TemporaryDirectory() as cache:
        for n in args.sizes:
            for kind in args.steps:
                if kind == "umap_compile" and n != args.sizes[0]:
                    continue  # compile time does not depend on n
                if kind == "umap_cold" and n > args.cold_up_to:
                    continue  # cold = compile + warm fit; saves minutes of a shared CPU
                result = run_step(kind, n, args.dim, args.timeout, cache)
                record = {"bench": f"projection.{kind}", "n": n, "dim": args.dim, **result, "machine": machine,
                          "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
