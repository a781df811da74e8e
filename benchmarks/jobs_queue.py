"""What the background-job layer costs: submit latency, start-up delay, queue throughput, idle waiting.

    python benchmarks/jobs_queue.py [--jobs 30] [--slots 2]

Prints one JSON line per measurement. The peer is the same tiny job function
called in-process one after another (no queue, no worker): the difference is
the price of running every job in its own supervised process.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def emit(**fields) -> None:
    print(json.dumps({"benchmark": "jobs_queue", "machine": f"{platform.machine()}, {os.cpu_count()} cores", **fields}),
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=0.05, help="how long each tiny job sleeps")
    args = parser.parse_args()
    os.environ["EMBEDLAB_RUNS"] = tempfile.mkdtemp(prefix="embedlab-bench-")
    os.environ["EMBEDLAB_MAX_CPU_JOBS"] = str(args.slots)
    import psutil

    import core.jobs as jobs
    from tests.jobs.tiny_jobs import sleep_job

    jobs.register_kind("t_sleep", "tests.jobs.tiny_jobs:sleep_job")
    config = {"device": "cpu", "seconds": args.seconds}

    # peer: the same job function, in-process, sequentially
    class Ctx:
        run_dir = Path(tempfile.mkdtemp())

        def should_stop(self):
            return False

    start = time.perf_counter()
    for _ in range(args.jobs):
        sleep_job(config, Ctx())
    emit(measure="throughput", impl="in-process sequential (peer)", jobs=args.jobs,
         wall_s=round(time.perf_counter() - start, 3))

    # one job alone: submit latency and delay until the job function runs
    t0 = time.time()
    run_id = jobs.submit("t_sleep", config)
    submit_ms = (time.time() - t0) * 1000
    jobs.wait(run_id, timeout=60, poll=0.02)
    began = json.loads((jobs.run_dir(run_id) / "interval.json").read_text())[0]
    emit(measure="single_job", impl="core.jobs", submit_ms=round(submit_ms, 1),
         start_delay_s=round(began - t0, 3), state=jobs.get_status(run_id)["state"])

    # many at once: throughput with the slot limit, and what queued workers cost while they wait
    t0 = time.perf_counter()
    ids = [jobs.submit("t_sleep", config) for _ in range(args.jobs)]
    submit_all = time.perf_counter() - t0
    states = [jobs.wait(r, timeout=600, poll=0.05)["state"] for r in ids]
    wall = time.perf_counter() - t0
    emit(measure="throughput", impl=f"core.jobs ({args.slots} slots)", jobs=args.jobs, wall_s=round(wall, 3),
         per_job_overhead_s=round(wall * args.slots / args.jobs - args.seconds, 3),
         submit_all_s=round(submit_all, 3), done=states.count("done"), lost=args.jobs - states.count("done"))

    # idle cost: N workers queued behind a long job, CPU seconds they burn in 5 s
    blocker = jobs.submit("t_sleep", {"device": "cpu", "seconds": 60}, resource="cpu")
    os.environ["EMBEDLAB_MAX_CPU_JOBS"] = "1"
    waiting = [jobs.submit("t_sleep", config) for _ in range(args.jobs)]
    time.sleep(2)
    procs = []
    for r in waiting:
        try:
            procs.append(psutil.Process(jobs.get_status(r)["pid"]))
        except (psutil.NoSuchProcess, TypeError):
            pass
    before = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
    time.sleep(5)
    after = sum(p.cpu_times().user + p.cpu_times().system for p in procs)
    rss = sum(p.memory_info().rss for p in procs) / len(procs) / 2**20
    emit(measure="idle_waiting", impl="core.jobs", waiting_workers=len(procs),
         cpu_fraction_of_one_core=round((after - before) / 5, 4), rss_mib_per_worker=round(rss, 1))
    for r in [blocker, *waiting]:
        jobs.cancel(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
