"""What running jobs on Ray costs next to running them on this machine: submit-to-start latency and a small
word2vec run, both executors in the same run, on a real two-node Ray cluster on 127.0.0.1.

    python benchmarks/ray_executor.py [--starts 5] [--word2vec 2] [--epochs 3]

Prints one JSON line per measurement (the peer is the local executor, measured alternately with Ray in the
same run), plus the machine's load average before and after: on a shared machine the absolute numbers move
with the load, the difference between the executors is the point.

- ``start``: ``submit()`` returns (ms), then how long until the job function runs (s): a tiny job that
  records when it started (``tests.jobs.tiny_jobs:sleep_job``), one at a time.
- ``word2vec``: the same small word2vec job (gensim, the ``lee`` sample, ``--epochs`` epochs, 50 dims) from
  ``submit()`` until the run is done, and the job's own training time (``train_seconds``); the overhead is
  what the executor adds around the same work.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def emit(**fields) -> None:
    print(json.dumps({"benchmark": "ray_executor", "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                      **fields}), flush=True)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def use(executor: str, address: str) -> None:
    if executor == "ray":
        os.environ.update(EMBEDLAB_EXECUTOR="ray", EMBEDLAB_RAY_ADDRESS=address)
    else:
        os.environ.pop("EMBEDLAB_EXECUTOR", None)


def one_start(jobs, root: Path) -> tuple[float, float]:
    """(submit ms, seconds from submit to the job function running) of one tiny job."""
    t0 = time.time()
    run_id = jobs.submit("t_sleep", {"device": "cpu", "seconds": 0.05})
    submit_ms = (time.time() - t0) * 1000
    status = jobs.wait(run_id, timeout=300, poll=0.05)
    assert status["state"] == "done", status
    started = json.loads((root / run_id / "interval.json").read_text())[0]
    return submit_ms, started - t0


def one_word2vec(jobs, config: dict) -> tuple[float, float]:
    """(seconds from submit to done, the job's own training seconds) of one word2vec run."""
    t0 = time.time()
    run_id = jobs.submit("word2vec", config)
    status = jobs.wait(run_id, timeout=900, poll=0.1)
    wall = time.time() - t0
    assert status["state"] == "done", status
    return wall, float(jobs.read_summary(run_id)["train_seconds"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5, help="tiny jobs per executor for the start latency")
    parser.add_argument("--word2vec", type=int, default=2, help="word2vec runs per executor")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="embedlab-raybench-")) / "runs"
    root.mkdir()
    os.environ.update(EMBEDLAB_RUNS=str(root), EMBEDLAB_MAX_CPU_JOBS="1", EMBEDLAB_RAY_CPUS="1",
                      OMP_NUM_THREADS="1", EMBEDLAB_JOB_THREADS="1")
    from tests.jobs.ray_cluster import LocalCluster

    before = load()
    t0 = time.time()
    cluster = LocalCluster(num_cpus=1).start()
    emit(measure="cluster_start", impl="ray (head + 1 worker node, 127.0.0.1)", seconds=round(time.time() - t0, 1),
         load_avg_1_5_15=before)
    try:
        import core.jobs as jobs
        from core.word2vec.job import build_job_config

        jobs.register_kind("t_sleep", "tests.jobs.tiny_jobs:sleep_job")
        config = build_job_config("lee", {"epochs": args.epochs, "vector_size": 50, "min_count": 2},
                                  engine="gensim", device="cpu")
        use("ray", cluster.address)
        one_start(jobs, root)  # warm-up: the first Ray job also starts Ray's worker processes
        starts = {"local": [], "ray": []}
        for _ in range(args.starts):
            for executor in ("local", "ray"):
                use(executor, cluster.address)
                starts[executor].append(one_start(jobs, root))
        for executor, values in starts.items():
            submit_ms = [v[0] for v in values]
            delays = [v[1] for v in values]
            emit(measure="start", impl=executor, n=len(values), submit_ms_median=round(statistics.median(submit_ms), 1),
                 start_s_median=round(statistics.median(delays), 2), start_s_max=round(max(delays), 2),
                 load_avg_1_5_15=load())
        runs = {"local": [], "ray": []}
        for _ in range(args.word2vec):
            for executor in ("local", "ray"):
                use(executor, cluster.address)
                runs[executor].append(one_word2vec(jobs, config))
        for executor, values in runs.items():
            walls, trains = [v[0] for v in values], [v[1] for v in values]
            emit(measure="word2vec", impl=executor, corpus="lee", epochs=args.epochs, n=len(values),
                 wall_s_median=round(statistics.median(walls), 2), train_s_median=round(statistics.median(trains), 2),
                 overhead_s_median=round(statistics.median(w - t for w, t in values), 2), load_avg_1_5_15=load())
    finally:
        cluster.shutdown()
    emit(measure="machine_load", load_avg_1_5_15_before=before, load_avg_1_5_15_after=load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
