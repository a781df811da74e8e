"""What watching a run costs it: samples/s of one fine-tune with 0, 1 and 10 tabs watching, against the CLI.

    nice -n 10 python benchmarks/watchers.py                    # 2 rounds of cli, 0, 1, 10 watchers, 4 epochs
    python benchmarks/watchers.py --watchers 0,1,10 --rounds 3 --epochs 2

One app server (``streamlit run app.py`` on a free port of 127.0.0.1, its own
runs folder) is started and warmed once (one page load, so imports and caches
are in place, as on a class's server). Then, in every round and in a rotated
order so all see the same machine load:

- ``cli``: ``python -m core finetune`` with the same settings, in the foreground
  (the server is up and idle);
- ``N`` watchers: the same fine-tune submitted to the server's runs folder
  (``core.jobs.submit``: a worker process, as the Train button makes), and N
  real Streamlit websocket sessions (``benchmarks/wsclient.py``: what a browser
  tab sends, without drawing) open the fine-tune page on ``?run=<id>`` as soon
  as it is submitted and stay on it, rerunning every live block at the interval
  the server asks for (``st.fragment(run_every=...)``), until the run ends. The
  tabs run in their own process at nice 19: they stand for browsers on other
  machines, so they must not take the cores the run and the server need; their
  CPU is reported apart.

Throughput is the run's own ``samples_per_s`` (training steps only, from
train_summary.json), so model loading and evaluation do not count. Each run
prints one JSON line (also: the server's CPU seconds per second while the run
trained, the tabs' live-block reruns and their latency, the load average);
the last lines are the median per setting and its ratio to the CLI.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def emit(**record) -> None:
    print(json.dumps(record), flush=True)


def settings(args) -> dict:
    return {"task": "classification", "train_file": "sample:sentiment", "epochs": args.epochs, "early_stopping": 0,
            "batch_size": 16, "max_length": 64, "log_every": 1, "seed": 42}


def cli_flags(config: dict) -> list[str]:
    return ["--task", config["task"], "--train", config["train_file"], "--epochs", str(config["epochs"]),
            "--early-stopping", "0", "--batch-size", str(config["batch_size"]),
            "--max-length", str(config["max_length"]), "--log-every", "1", "--seed", str(config["seed"])]


def summary_of(run_dir: Path) -> dict:
    data = json.loads((run_dir / "train_summary.json").read_text())
    return {"samples_per_s": round(data["samples_per_s"], 3), "train_s": round(data["timing"]["train_s"], 1)}


class Server:
    """``streamlit run app.py`` on a free port with its own runs folder (the app's shipped config)."""

    def __init__(self, runs: Path):
        from scripts.screenshot import free_port

        self.runs = runs
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(runs.parent / "server.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
             f"--server.port={self.port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none"],
            cwd=ROOT, env={**os.environ, "EMBEDLAB_RUNS": str(runs)}, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("streamlit did not start within 180 s")

    def cpu_s(self) -> float:
        import psutil

        times = psutil.Process(self.proc.pid).cpu_times()
        return times.user + times.system

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


async def watch(url: str, run_id: str, done, timeout_s: float) -> dict:
    """One tab on the fine-tune page of ``run_id`` until ``done()``: every live block rerun at its interval."""
    from benchmarks.wsclient import Session

    async with Session(url, timeout_s=timeout_s) as tab:
        first = await tab.open("finetune", f"run={run_id}")
        due = {fid: time.monotonic() + every for fid, every in tab.fragments.items()}
        latencies, errors = [], first.exceptions()
        while not done() and tab.fragments:
            fid = min(due, key=due.get)
            await asyncio.sleep(max(0.0, due[fid] - time.monotonic()))
            if done() or fid not in tab.fragments:
                break
            started = time.perf_counter()
            run = await tab.rerun(fragment_id=fid, auto=True)
            latencies.append(time.perf_counter() - started)
            errors += run.exceptions()
            due = {f: due.get(f, time.monotonic()) for f in tab.fragments}
            due[fid] = time.monotonic() + tab.fragments.get(fid, 0.0)
    return {"page_load_s": first.seconds, "reruns": len(latencies), "latencies": latencies, "errors": errors}


def tabs_main(url: str, run_id: str, runs: str, watchers: int, timeout_s: float) -> None:
    """The ``--tabs`` child: ``watchers`` tabs on ``run_id`` until it ends; prints one JSON line (and its CPU)."""
    import resource

    import core.jobs as jobs

    os.environ["EMBEDLAB_RUNS"] = runs

    def done() -> bool:
        return jobs.get_status(run_id)["state"] not in jobs.ACTIVE

    async def main():
        return await asyncio.gather(*(watch(url, run_id, done, timeout_s) for _ in range(watchers)))

    results = asyncio.run(main())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"results": results, "cpu_s": usage.ru_utime + usage.ru_stime}), flush=True)


def run_watched(server: Server, config: dict, watchers: int, timeout_s: float) -> dict:
    """One run submitted as the Train button does, ``watchers`` tabs on it from a separate process.

    The tabs stand in for browsers on other machines: they run in their own process at the lowest
    priority (nice 19), so the training worker and the server get the cores first, and their own
    CPU is reported apart (``tabs_cpu_per_s``). What is measured is what watching costs the server.
    """
    import core.jobs as jobs

    os.environ["EMBEDLAB_RUNS"] = str(server.runs)
    run_id = jobs.submit("finetune", config, name=f"watched by {watchers}")
    path = jobs.run_dir(run_id)
    tabs = None
    if watchers:
        tabs = subprocess.Popen(["nice", "-n", "19", sys.executable, __file__, "--tabs", server.url, run_id,
                                 str(server.runs), str(watchers), str(timeout_s)],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True)

    def done() -> bool:
        return jobs.get_status(run_id)["state"] not in jobs.ACTIVE

    load = os.getloadavg()[0]
    cpu, wall0 = {}, time.time()
    deadline = time.time() + timeout_s
    while not done() and time.time() < deadline:  # server CPU from the first step to the last
        steps = [r for r in jobs.read_metrics(run_id)[0] if r.get("type") == "step"]
        if steps and "start" not in cpu:
            cpu["start"], cpu["t0"] = server.cpu_s(), time.time()
        time.sleep(0.5)
    if "start" in cpu:
        cpu["end"], cpu["t1"] = server.cpu_s(), time.time()
    results, tabs_cpu = [], None
    if tabs is not None:
        out, _ = tabs.communicate(timeout=120)
        report = json.loads(out.strip().splitlines()[-1])
        results, tabs_cpu = report["results"], report["cpu_s"]
    state = jobs.get_status(run_id)["state"]
    if state != "done":
        raise RuntimeError(f"run {run_id} ended {state}: {jobs.get_status(run_id).get('error')}")
    latencies = [x for r in results for x in r["latencies"]]
    wall = max(time.time() - wall0, 1e-9)
    record = {"setting": f"{watchers} watchers", "watchers": watchers, **summary_of(path),
              "server_cpu_per_s": round((cpu["end"] - cpu["start"]) / max(cpu["t1"] - cpu["t0"], 1e-9), 3)
              if "start" in cpu else None,
              "tabs_cpu_per_s": round(tabs_cpu / wall, 3) if tabs_cpu is not None else None,
              "live_reruns": sum(r["reruns"] for r in results),
              "rerun_p50_s": round(statistics.median(latencies), 3) if latencies else None,
              "page_load_max_s": round(max((r["page_load_s"] for r in results), default=0.0), 1),
              "page_errors": sum(len(r["errors"]) for r in results), "load_avg_1min": round(load, 1)}
    jobs.delete_run(run_id)
    return record


def run_cli(server: Server, config: dict) -> dict:
    load = os.getloadavg()[0]
    env = {**os.environ, "EMBEDLAB_RUNS": str(server.runs)}
    out = subprocess.run([sys.executable, "-m", "core", "finetune", *cli_flags(config), "--name", "cli", "--quiet"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    run_id = next(line.split()[1] for line in out.splitlines() if line.startswith("run "))
    return {"setting": "cli", "watchers": None, **summary_of(server.runs / run_id), "load_avg_1min": round(load, 1)}


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--tabs":  # the tabs' own process (see run_watched)
        url, run_id, runs, watchers, timeout_s = sys.argv[2:7]
        tabs_main(url, run_id, runs, int(watchers), float(timeout_s))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", default="0,1,10", help="comma-separated numbers of watching tabs")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--timeout-s", type=float, default=1800.0)
    args = parser.parse_args()
    counts = [int(n) for n in args.watchers.split(",")]
    config = settings(args)
    import platform

    emit(machine=platform.processor() or platform.machine(), cores=os.cpu_count(), nice=os.nice(0),
         load_avg=[round(x, 1) for x in os.getloadavg()], settings=config)
    rows = []
    with tempfile.TemporaryDirectory(prefix="embedlab-watchers-") as tmp:
        runs = Path(tmp) / "runs"
        runs.mkdir()
        server = Server(runs)
        try:
            from benchmarks.wsclient import Session

            async def warm():
                async with Session(server.url, timeout_s=args.timeout_s) as tab:
                    return (await tab.open("finetune")).seconds
            emit(warm_page_load_s=round(asyncio.run(warm()), 1))
            settings_order = ["cli"] + counts
            for round_no in range(args.rounds):
                order = settings_order[round_no % len(settings_order):] + settings_order[:round_no % len(settings_order)]
                for setting in order:
                    row = run_cli(server, config) if setting == "cli" else run_watched(server, config, setting,
                                                                                       args.timeout_s)
                    row["round"] = round_no + 1
                    emit(**row)
                    rows.append(row)
        finally:
            server.stop()
    cli = statistics.median(r["samples_per_s"] for r in rows if r["setting"] == "cli")
    for setting in ["cli"] + [f"{n} watchers" for n in counts]:
        speeds = [r["samples_per_s"] for r in rows if r["setting"] == setting]
        emit(summary=setting, median_samples_per_s=round(statistics.median(speeds), 3), runs=len(speeds),
             ratio_to_cli=round(statistics.median(speeds) / cli, 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
