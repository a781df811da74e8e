"""A class of N students on one EmbedLab server: page loads, interactions, memory, job waits, errors.

    python benchmarks/classroom.py --students 1,10,30              # this checkout's app
    python benchmarks/classroom.py --app /path/to/other/checkout   # the same lesson on another version

For each N the script starts the app (``streamlit run app.py`` on a free port
of 127.0.0.1, its own empty runs folder), lets N simulated students arrive
within ``--ramp-s`` seconds, and has each one run the lesson the way a browser
tab would, over Streamlit's websocket in its own protobuf messages
(``benchmarks/wsclient.py``), with a few seconds of "reading" between steps. Before
they arrive the teacher opens the home page and the script waits until the server
is quiet (``--no-teacher-first`` skips that):

1. the home page, then the positional-encodings page; move the sequence-length slider;
2. the word2vec page: choose "upload", upload a small corpus of their own (half of
   the class English text, half Chinese), 3 epochs, min count 2, Train; watch the live
   block (its fragment reruns every second, as a browser's does) until the run ends;
3. the embedding explorer opened on their run (``?run=<id>``);
4. the input-layer page, then a Chinese sentence typed into it.

Half the students use the Chinese UI (``?lang=zh``). It prints one JSON line per
step and per memory sample, then one summary line per N: latency p50/p95/max of
page loads, interactions and live-block reruns; the server's RSS (baseline before
the first student, peak, at the end, and ``--after-s`` seconds after every tab
closed); the jobs' wait in the queue and run time; every error (exceptions drawn on
a page, error boxes, time-outs, refused requests, runs that did not finish); the
machine and its load average (other work on the machine is not stopped: read the
load next to the numbers). Traffic goes only to 127.0.0.1. Every wait is bounded
(``--step-timeout-s``, ``--deadline-s``).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import wsclient  # noqa: E402
from benchmarks.wsclient import Session, click, number_state, option_state, slider_state, text_state  # noqa: E402

ZH_SENTENCES = ("我们在北京学习中文，自然语言处理很有意思。", "今天的天气很好，我们去公园散步。",
                "老师说每个词都会变成一个向量。", "位置编码告诉模型每个字在句子里的位置。",
                "学生们在教室里一起训练词向量。", "这本小说的第一句话很有名。")


# ------------------------------------------------------------------ the machine

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    import psutil

    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "os": platform.platform(terse=True)}


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (k - low), 3)


def spread(values: list[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
            "max": round(max(values), 3) if values else None}


# ------------------------------------------------------------------ the server

class Server:
    """``streamlit run app.py`` of ``app_dir`` on 127.0.0.1:``port``, with its own runs folder."""

    def __init__(self, app_dir: Path, port: int, runs: Path, cache: Path, log: Path, extra_env: dict,
                 extra_args: list[str] = ()):
        env = {**os.environ, "EMBEDLAB_RUNS": str(runs), "EMBEDLAB_CACHE": str(cache), **extra_env}
        env.pop("PYTHONPATH", None)
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
               f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
               "--browser.gatherUsageStats=false", *extra_args]
        self.log = log.open("wb")
        self.proc = subprocess.Popen(cmd, cwd=app_dir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        import urllib.request

        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with code {self.proc.returncode}")
            try:
                urllib.request.urlopen(self.url + "/_stcore/health", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"the app did not answer within {timeout_s:.0f} s")

    def memory(self) -> dict:
        """RSS of the server process and, separately, of its job workers (MiB)."""
        import psutil

        try:
            proc = psutil.Process(self.proc.pid)
            server = proc.memory_info().rss
            workers = [c for c in proc.children(recursive=True)]
            worker_rss = 0
            for child in workers:
                try:
                    worker_rss += child.memory_info().rss
                except psutil.Error:
                    pass
            return {"server_mb": round(server / 2**20, 1), "workers": len(workers),
                    "workers_mb": round(worker_rss / 2**20, 1)}
        except psutil.Error:
            return {"server_mb": None, "workers": 0, "workers_mb": 0.0}

    def stop(self) -> None:
        import psutil

        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            children = []
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        for child in children:  # job workers the benchmark's server started
            try:
                child.kill()
            except psutil.Error:
                pass
        self.log.close()


# ------------------------------------------------------------------ one student

class Student:
    def __init__(self, index: int, url: str, runs: Path, args, emit, corpus: bytes, corpus_name: str):
        self.index, self.url, self.runs, self.args, self.emit = index, url, runs, args, emit
        self.lang = "zh" if index % 2 else "en"
        self.rng = random.Random(1000 + index)
        self.corpus, self.corpus_name = corpus, corpus_name
        self.errors: list[dict] = []
        self.started = time.time()  # the class's start (set again by run_class), for the steps' end_t
        self.run_id: str | None = None
        self.steps_done = 0

    def record(self, step: str, kind: str, run: wsclient.Run | None, seconds: float | None = None) -> None:
        fields = {"measure": "step", "student": self.index, "lang": self.lang, "step": step, "kind": kind,
                  "seconds": round(seconds if seconds is not None else run.seconds, 3),
                  "end_t": round(time.time() - self.started, 1)}
        if run is not None:
            fields["kb"] = round(run.bytes / 1024, 1)
            problems = [("exception", text) for text in run.exceptions()] + \
                       [("error_box", text) for text in run.alerts("error")]
            for what, text in problems:
                self.error(step, what, text)
            fields["errors"] = len(problems)
        self.emit(**fields)
        self.steps_done += 1

    def error(self, step: str, what: str, text: str) -> None:
        entry = {"student": self.index, "step": step, "error": what, "text": str(text)[:400]}
        self.errors.append(entry)
        self.emit(measure="error", **entry)

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.args.think_s))

    async def lesson(self) -> None:
        step = "connect"
        tab = Session(self.url, timeout_s=self.args.step_timeout_s)
        try:
            step = "home"
            self.record(step, "page", await tab.open("", f"lang={self.lang}"))
            await self.think()
            step = "positional"
            run = await tab.rerun(page="positional")
            self.record(step, "page", run)
            await self.think()
            step = "positional_slider"
            slider = run.widget("positional_seq_len")
            self.record(step, "interaction", await tab.rerun([slider_state(slider, 256)]))
            await self.think()
            await self.train(tab)
            await self.think()
            step = "explorer"
            if self.run_id:
                run = await tab.rerun(page="explorer", query=f"lang={self.lang}&run={self.run_id}")
                self.record(step, "page", run)
                await self.think()
            step = "input_layer"
            run = await tab.rerun(page="input_layer", query=f"lang={self.lang}")
            self.record(step, "page", run)
            await self.think()
            if self.lang != "zh":
                step = "input_layer_pick_zh"
                run = await tab.rerun([option_state(run.widget(f"il_pick_{self.lang}"), 1)])
                self.record(step, "interaction", run)
                await self.think()
            step = "input_layer_sentence"
            sentence = ZH_SENTENCES[self.index % len(ZH_SENTENCES)]
            self.record(step, "interaction", await tab.rerun([text_state(run.widget("il_text_zh"), sentence)]))
        except asyncio.CancelledError:
            self.error(step, "deadline", f"the lesson was not finished within --deadline-s={self.args.deadline_s}")
            raise
        except Exception as err:  # noqa: BLE001 - every failure is a finding: record it, go on with the others
            self.error(step, type(err).__name__, str(err) or repr(err))
        finally:
            await tab.close()

    async def train(self, tab: Session) -> None:
        run = await tab.rerun(page="train_word2vec", query=f"lang={self.lang}")
        self.record("train_page", "page", run)
        await self.think()
        source = run.widget("train_source")
        run = await tab.rerun([option_state(source, len(source.options) - 1)])  # "upload", the last choice
        self.record("train_choose_upload", "interaction", run)
        started = time.perf_counter()
        state = await tab.upload(run.widget("train_upload"), self.corpus_name, self.corpus)
        run = await tab.rerun([state])
        self.record("train_upload", "interaction", run, time.perf_counter() - started)
        await self.think()
        run = await tab.rerun([number_state(run.widget("train_hp_epochs"), 3),
                               number_state(run.widget("train_hp_min_count"), 2)])
        self.record("train_settings", "interaction", run)
        await self.think()
        button = run.widget("train_start")
        if button is None or button.disabled:
            self.error("train_click", "train_disabled", "the Train button was missing or disabled")
            return
        run = await tab.rerun([click(button)])
        self.record("train_click", "interaction", run)
        self.run_id = dict(part.split("=", 1) for part in tab.query.split("&") if "=" in part).get("run")
        if not self.run_id:
            self.error("train_click", "no_run", "no ?run= after Train")
            return
        status_file = self.runs / self.run_id / "status.json"

        def finished() -> bool:
            try:
                return json.loads(status_file.read_text())["state"] not in ("queued", "running")
            except (OSError, ValueError, KeyError):
                return False

        times = await tab.watch(self.args.job_timeout_s, until=finished)
        for seconds in times:
            self.emit(measure="step", student=self.index, lang=self.lang, step="train_live", kind="fragment",
                      seconds=round(seconds, 3))
        self.live_times = times


# ------------------------------------------------------------------ one class

async def run_class(n: int, args, emit) -> dict:
    from scripts.screenshot import free_port

    work = Path(tempfile.mkdtemp(prefix=f"embedlab-classroom-{n}-"))
    runs, port = work / "runs", free_port()
    server = Server(Path(args.app).resolve(), port, runs, Path(args.cache), work / "server.log",
                    dict(kv.split("=", 1) for kv in args.env))
    samples: list[dict] = []
    students: list[Student] = []
    started = time.time()
    try:
        server.wait_ready()
        await asyncio.sleep(2)
        start_memory = server.memory()
        teacher_s = await teacher_opens_first(server) if args.teacher_first else 0.0
        baseline = {**server.memory(), "start_mb": start_memory.get("server_mb"), "teacher_wait_s": teacher_s}
        emit(measure="baseline", **baseline, load=os.getloadavg())
        corpora = make_corpora(n)
        students = [Student(i, server.url, runs, args, emit, *corpora[i]) for i in range(n)]
        for student in students:
            student.started = started
        stop = asyncio.Event()

        async def sample() -> None:
            while not stop.is_set():
                entry = {"t": round(time.time() - started, 1), **server.memory(),
                         "load1": round(os.getloadavg()[0], 2)}
                samples.append(entry)
                emit(measure="rss", n=n, **entry)
                try:
                    await asyncio.wait_for(stop.wait(), args.sample_s)
                except asyncio.TimeoutError:
                    pass

        async def arrive(student: Student, delay: float) -> None:
            await asyncio.sleep(delay)
            await student.lesson()

        sampler = asyncio.create_task(sample())
        delays = [args.ramp_s * i / max(1, n - 1) if n > 1 else 0.0 for i in range(n)]
        tasks = [asyncio.create_task(arrive(s, d)) for s, d in zip(students, delays)]
        done, pending = await asyncio.wait(tasks, timeout=args.deadline_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        lesson_s = time.time() - started
        end_memory = server.memory()
        await asyncio.sleep(args.after_s)  # every tab is closed: does the memory come back?
        after_memory = server.memory()
        stop.set()
        await sampler
        return summarise(n, args, students, samples, baseline, end_memory, after_memory, runs, lesson_s, work)
    finally:
        server.stop()


async def teacher_opens_first(server: Server, quiet_cpu: float = 0.15, timeout_s: float = 300.0) -> float:
    """The teacher opens the app before the class comes in: one home page, then wait until the server is
    quiet (under ``quiet_cpu`` of a core over 5 s) or ``timeout_s``. Returns the seconds it took."""
    import psutil

    started = time.time()
    async with Session(server.url, timeout_s=timeout_s) as tab:
        await tab.open("", "lang=en")
    proc = psutil.Process(server.proc.pid)
    while time.time() - started < timeout_s:
        before = sum(proc.cpu_times()[:2])
        await asyncio.sleep(5)
        if (sum(proc.cpu_times()[:2]) - before) / 5 < quiet_cpu:
            break
    return round(time.time() - started, 1)


def make_corpora(n: int) -> list[tuple[bytes, str]]:
    """A different small corpus per student: 80 lines of gensim's Lee corpus (English) or of the shipped
    Chinese sample, drawn with the student's seed (so no two uploads are the same file)."""
    from gensim.test.utils import datapath

    english = Path(datapath("lee_background.cor")).read_text(encoding="utf-8").splitlines()
    chinese = (ROOT / "data" / "zh_sample" / "zh_sample.txt").read_text(encoding="utf-8").splitlines()
    out = []
    for i in range(n):
        rng = random.Random(i)
        lines = chinese if i % 2 else english
        chosen = rng.sample(lines, min(80, len(lines)))
        out.append(("\n".join(chosen).encode("utf-8"), f"student{i:02d}_{'zh' if i % 2 else 'en'}.txt"))
    return out


def job_times(runs: Path) -> tuple[list[float], list[float], dict]:
    """(seconds each run waited in the queue, seconds each ran, {state: count})."""
    from datetime import datetime

    waits, durations, states = [], [], {}
    for status_file in runs.glob("*/status.json"):
        try:
            status = json.loads(status_file.read_text())
        except (OSError, ValueError):
            continue
        states[status.get("state")] = states.get(status.get("state"), 0) + 1
        stamp = {k: datetime.fromisoformat(status[k]).timestamp() for k in ("created", "started", "finished")
                 if status.get(k)}
        if "created" in stamp and "started" in stamp:
            waits.append(stamp["started"] - stamp["created"])
        if "started" in stamp and "finished" in stamp:
            durations.append(stamp["finished"] - stamp["started"])
    return waits, durations, states


def summarise(n, args, students, samples, baseline, end_memory, after_memory, runs, lesson_s, work) -> dict:
    steps: dict[str, list[float]] = {"page": [], "interaction": [], "fragment": []}
    by_step: dict[str, list[float]] = {}
    for line in OUTPUT:
        if line.get("measure") == "step" and line.get("n") == n:
            steps[line["kind"]].append(line["seconds"])
            by_step.setdefault(line["step"], []).append(line["seconds"])
    waits, durations, states = job_times(runs)
    errors = [e for s in students for e in s.errors]
    trained = [s for s in students if s.run_id]
    server_rss = [s["server_mb"] for s in samples if s.get("server_mb") is not None]
    loads = [s["load1"] for s in samples]
    lost = [s.run_id for s in trained if not (runs / s.run_id / "status.json").exists()]
    return {
        "measure": "summary", "n": n, "app": str(Path(args.app).resolve()),
        "lesson_s": round(lesson_s, 1), "students_finished": sum(1 for s in students if not s.errors),
        "page_s": spread(steps["page"]), "interaction_s": spread(steps["interaction"]),
        "live_rerun_s": spread(steps["fragment"]),
        "per_step_p95_s": {k: percentile(v, 0.95) for k, v in by_step.items()},
        "job_wait_s": spread(waits), "job_run_s": spread(durations), "job_states": states,
        "runs_started": len(trained), "runs_lost": len(lost),
        "teacher_wait_s": baseline.get("teacher_wait_s"),
        "server_rss_mb": {"baseline": baseline.get("server_mb"), "peak": max(server_rss, default=None),
                          "end": end_memory.get("server_mb"), "after_s": args.after_s,
                          "after": after_memory.get("server_mb")},
        "workers_peak_mb": max((s["workers_mb"] for s in samples), default=None),
        "errors": len(errors), "error_kinds": sorted({e["error"] for e in errors}),
        "load1": {"mean": round(statistics.mean(loads), 2) if loads else None, "max": max(loads, default=None)},
        "log": str(work / "server.log"),
    }


OUTPUT: list[dict] = []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", default="1,10,30", help="class sizes to run, comma separated")
    parser.add_argument("--app", default=str(ROOT), help="the checkout whose app.py to serve (default: this one)")
    parser.add_argument("--label", default="", help="a name for this app version in the output (e.g. before)")
    parser.add_argument("--ramp-s", type=float, default=20.0, help="students arrive evenly within this many seconds")
    parser.add_argument("--think-s", type=float, nargs=2, default=(2.0, 5.0), help="pause between steps (min max)")
    parser.add_argument("--step-timeout-s", type=float, default=600.0, help="longest wait for one page or click")
    parser.add_argument("--job-timeout-s", type=float, default=900.0, help="longest a student watches a run")
    parser.add_argument("--deadline-s", type=float, default=2400.0, help="the whole lesson's time bound")
    parser.add_argument("--after-s", type=float, default=150.0,
                        help="wait this long after the last tab closed before the last memory reading "
                             "(Streamlit keeps a closed tab's session for server.disconnectedSessionTTL, 120 s)")
    parser.add_argument("--sample-s", type=float, default=2.0, help="memory and load sampling interval")
    parser.add_argument("--teacher-first", action=argparse.BooleanOptionalAction, default=True,
                        help="open the home page and wait until the server is quiet before the class arrives "
                             "(a teacher checking the app before the lesson)")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "embedlab-classroom-cache"),
                        help="EMBEDLAB_CACHE for the server (shared between runs: numba kernels compile once)")
    parser.add_argument("--env", nargs="*", default=[], help="extra NAME=VALUE for the server's environment")
    parser.add_argument("--out", help="also append the JSON lines to this file")
    args = parser.parse_args()

    info = machine()
    out = open(args.out, "a", encoding="utf-8") if args.out else None
    current = {"n": None}

    def emit(**fields) -> None:
        line = {"benchmark": "classroom", "label": args.label, "n": current["n"], **fields}
        OUTPUT.append(line)
        text = json.dumps(line, ensure_ascii=False)
        print(text, flush=True)
        if out:
            out.write(text + "\n")
            out.flush()

    for n in [int(x) for x in args.students.split(",") if x.strip()]:
        current["n"] = n
        emit(measure="start", machine=info, load=[round(x, 2) for x in os.getloadavg()],
             time=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), ramp_s=args.ramp_s,
             think_s=list(args.think_s))
        result = asyncio.run(run_class(n, args, emit))
        emit(**result, load_end=[round(x, 2) for x in os.getloadavg()])
    if out:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
