"""What one hostile visitor can cost the server: the abuses of issue 20, each measured as one JSON line.

    python benchmarks/abuse.py                          # this checkout's app
    python benchmarks/abuse.py --app /path/to/checkout  # the same on another version (the "before")
    python benchmarks/abuse.py --only clear_cache,zip_preview

Each check starts the app (``streamlit run app.py`` on 127.0.0.1, its own runs
folder), talks to it only over 127.0.0.1 with ``benchmarks/wsclient.py`` (what a
scripted browser sends), and stops it:

- ``upload_flood``: one visitor PUTs ``--flood`` upload bodies of ``--flood-mb`` MiB that no
  file widget asked for, then leaves; the server's RSS before, at the peak, and
  ``--after-s`` seconds after the session's time-to-live (``server.disconnectedSessionTTL``).
- ``upload_limit``: a body larger than the server's upload limit (``--limit-mb``, set on the
  command line as class mode sets it): the HTTP status (413, or 0 when the server closed the
  connection before reading the body) and the RSS change; a small body still goes through (204).
  ``--class-mode``: no command-line limit; the runs folder holds a class with the default limits, and
  the app applies the teacher's ``upload_mb`` (20 MiB) to the server itself.
- ``zip_preview``: the 102 KB zip of one line of text and 100 MiB of blank lines, uploaded on
  the word2vec page: how long the page run takes, and the server's CPU seconds in the 30 s
  after the tab is closed (a script still reading burns them).
- ``finetune_disk``: the issue's fine-tune (the shipped MiniLM, 60 sentiment rows, 1 epoch) with
  ``python -m core finetune ... --keep-checkpoint`` (what every run kept before): the run folder's
  size with its ``checkpoint/`` (before) and without it (after: a finished run drops it).
- ``clear_cache``: the input-layer page opened by a first visitor (cold); then ``--repeats``
  times: a visitor opens it (warm), another sends Streamlit's ``clear_cache`` message, a third
  opens it: the ratio of the median after-clear time to the median warm one.

The upload and zip checks run with ``EMBEDLAB_WARM_PAGES=0`` (no models loaded in the
background) and take the baseline RSS after the first page, once it has settled.

Machine and load average go with every line (other work on the machine is not stopped).
"""
from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.classroom import Server, machine  # noqa: E402
from benchmarks.wsclient import Session, option_state  # noqa: E402

OUT = []


def emit(**fields) -> None:
    line = {"benchmark": "abuse", "load": [round(x, 2) for x in os.getloadavg()], **fields}
    OUT.append(line)
    print(json.dumps(line, ensure_ascii=False), flush=True)


def start(args, name: str, extra: list[str] = (), warm: bool = False, class_mode: bool = False) -> Server:
    """The app on a free port; ``warm=False`` turns the pages' warm-up off (``EMBEDLAB_WARM_PAGES=0``), so
    the memory and CPU measured are the abuse's, not the models the warm-up loads. ``class_mode``: the runs
    folder holds a class with the default limits (this checkout's ``core.classroom``), as after
    ``python -m core class init``."""
    from scripts.screenshot import free_port

    work = Path(tempfile.mkdtemp(prefix=f"embedlab-abuse-{name}-"))
    if class_mode:
        from core.classroom import ClassSettings, save_settings

        (work / "runs").mkdir(parents=True)
        save_settings(ClassSettings(), work / "runs")
    env = {} if warm else {"EMBEDLAB_WARM_PAGES": "0"}
    server = Server(Path(args.app).resolve(), free_port(), work / "runs", Path(args.cache), work / "server.log",
                    env, extra_args=list(extra))
    server.wait_ready()
    time.sleep(2)
    return server


def settled_rss(server: Server, quiet_s: float = 10.0, timeout_s: float = 120.0) -> float:
    """The server's RSS once it has stopped changing (within 5 MiB for ``quiet_s``), in MiB."""
    deadline, last, since = time.time() + timeout_s, None, time.time()
    while time.time() < deadline:
        now = server.memory()["server_mb"]
        if last is None or abs(now - last) > 5:
            last, since = now, time.time()
        elif time.time() - since >= quiet_s:
            return now
        time.sleep(1)
    return server.memory()["server_mb"]


def blank_lines_zip() -> bytes:
    """One line of text, then 100 MiB of newlines, deflated: about 100 KB (the issue's file)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("notes.txt", "w") as member:
            member.write(b"the cat sat on the mat\n")
            chunk = b"\n" * (1 << 20)
            for _ in range(100):
                member.write(chunk)
    return buffer.getvalue()


async def upload_flood(args) -> None:
    server = start(args, "flood", [f"--server.disconnectedSessionTTL={args.ttl_s}"])
    try:
        tab = Session(server.url, timeout_s=120)
        await tab.open("", "")
        base = settled_rss(server)  # after the first page: what the app itself holds
        body = os.urandom(args.flood_mb * 2**20)
        statuses = []
        for i in range(args.flood):
            statuses.append(await tab.put_file(f"/_stcore/upload_file/{tab.session_id}/junk-{i}", f"junk{i}.txt", body))
        peak = server.memory()["server_mb"]
        await tab.close()
        time.sleep(args.ttl_s + args.after_s)
        after = server.memory()["server_mb"]
        emit(measure="upload_flood", bodies=args.flood, mb_each=args.flood_mb, statuses=sorted(set(statuses)),
             rss_mb={"before": base, "peak": peak, "after": after}, after_s=args.ttl_s + args.after_s,
             back_within_mb=round(after - base, 1))
    finally:
        server.stop()


async def upload_limit(args) -> None:
    """With ``--class-mode`` the limit is the class's default (20 MiB), applied by the app itself; without,
    the server is started with ``--server.maxUploadSize`` (what a teacher of the old version could do)."""
    extra = [] if args.class_mode else [f"--server.maxUploadSize={args.limit_mb}"]
    server = start(args, "limit", extra, class_mode=args.class_mode)
    try:
        tab = Session(server.url, timeout_s=120)
        await tab.open("", "")
        base = settled_rss(server)
        big = os.urandom((args.limit_mb + 4) * 2**20)
        status = await tab.put_file(f"/_stcore/upload_file/{tab.session_id}/too-big", "big.txt", big)
        small = await tab.put_file(f"/_stcore/upload_file/{tab.session_id}/small", "small.txt", b"a few words\n")
        after = server.memory()["server_mb"]
        await tab.close()
        emit(measure="upload_limit", class_mode=args.class_mode, limit_mb=args.limit_mb, body_mb=args.limit_mb + 4,
             status=status, small_status=small, rss_mb={"before": base, "after": after})
    finally:
        server.stop()


async def zip_preview(args) -> None:
    import psutil

    server = start(args, "zip")
    try:
        tab = Session(server.url, timeout_s=args.step_timeout_s)
        run = await tab.open("train_word2vec", "lang=en")
        source = run.widget("train_source")
        run = await tab.rerun([option_state(source, len(source.options) - 1)])
        data = blank_lines_zip()
        started = time.perf_counter()
        state = await tab.upload(run.widget("train_upload"), "notes.zip", data, "application/zip")
        try:
            run = await tab.rerun([state])
            seconds = round(time.perf_counter() - started, 2)
            said = [c for c in run.markdown() if "preview" in c.lower() or "预览" in c]
            timed_out = False
        except Exception as err:  # noqa: BLE001 - a time-out is the finding
            seconds, said, timed_out = round(time.perf_counter() - started, 2), [f"{type(err).__name__}: {err}"], True
        await tab.close()
        proc = psutil.Process(server.proc.pid)
        cpu_before = sum(proc.cpu_times()[:2])
        time.sleep(30)
        cpu_after = sum(proc.cpu_times()[:2])
        emit(measure="zip_preview", zip_kb=round(len(data) / 1024, 1), page_s=seconds, timed_out=timed_out,
             cpu_s_in_30s_after_close=round(cpu_after - cpu_before, 2), message=said[:2])
    finally:
        server.stop()


async def clear_cache(args) -> None:
    """Alternating visits so the machine's own load swings hit both sides: warm, clear + visit, warm, ..."""
    import statistics

    server = start(args, "clear", warm=True)
    try:

        async def visit() -> float:
            async with Session(server.url, timeout_s=args.step_timeout_s) as tab:
                return (await tab.open("input_layer", "lang=en")).seconds

        cold = await visit()
        warm, after = [], []
        for _ in range(args.repeats):
            warm.append(await visit())
            async with Session(server.url, timeout_s=args.step_timeout_s) as tab:
                await tab.open("", "lang=en")
                await tab.clear_cache()  # what any visitor's browser can send
                await asyncio.sleep(2)
            after.append(await visit())
        ratio = statistics.median(after) / statistics.median(warm)
        emit(measure="clear_cache", page="input_layer", cold_s=round(cold, 2), warm_s=[round(x, 2) for x in warm],
             after_clear_s=[round(x, 2) for x in after], ratio_median_after_clear_to_warm=round(ratio, 2))
    finally:
        server.stop()


def _folder_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


async def finetune_disk(args) -> None:
    """One small fine-tune through the CLI (a real job process); what its run folder weighs with and without the
    resumable checkpoint. Runs the checkout's own CLI, one torch thread."""
    import subprocess

    work = Path(tempfile.mkdtemp(prefix="embedlab-abuse-ftdisk-"))
    env = {**os.environ, "EMBEDLAB_RUNS": str(work / "runs"), "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "core", "finetune", "--train", "sample:sentiment",
                           "--max-train-samples", "60", "--epochs", "1", "--device", "cpu", "--keep-checkpoint",
                           "--name", "disk", "--quiet"], cwd=Path(args.app).resolve(), env=env,
                          capture_output=True, text=True, timeout=args.step_timeout_s * 2)
    seconds = round(time.perf_counter() - started, 1)
    folders = [p for p in (work / "runs").iterdir() if p.is_dir() and not p.name.startswith(".")]
    if done.returncode != 0 or len(folders) != 1:
        emit(measure="finetune_disk", error=(done.stderr or done.stdout)[-400:], returncode=done.returncode)
        return
    run = folders[0]
    total, checkpoint = _folder_mb(run), _folder_mb(run / "checkpoint")
    emit(measure="finetune_disk", model="all-MiniLM-L6-v2", rows=60, epochs=1, seconds=seconds,
         run_folder_mb={"before": total, "after": round(total - checkpoint, 1)}, checkpoint_mb=checkpoint,
         model_mb=_folder_mb(run / "model"))


CHECKS = {"upload_flood": upload_flood, "upload_limit": upload_limit, "zip_preview": zip_preview,
          "finetune_disk": finetune_disk, "clear_cache": clear_cache}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", default=str(ROOT), help="the checkout whose app.py to serve (default: this one)")
    parser.add_argument("--label", default="")
    parser.add_argument("--only", default=",".join(CHECKS), help="checks to run, comma separated")
    parser.add_argument("--flood", type=int, default=8, help="upload bodies the flood sends")
    parser.add_argument("--flood-mb", type=int, default=64, help="MiB per flood body")
    parser.add_argument("--ttl-s", type=int, default=120, help="server.disconnectedSessionTTL for the flood")
    parser.add_argument("--after-s", type=int, default=30, help="wait this long past the TTL before reading RSS")
    parser.add_argument("--limit-mb", type=int, default=20, help="upload limit for upload_limit (class default)")
    parser.add_argument("--class-mode", action="store_true",
                        help="upload_limit in class mode: the class's own limit (needs core.classroom)")
    parser.add_argument("--step-timeout-s", type=float, default=600.0)
    parser.add_argument("--repeats", type=int, default=3, help="clear_cache: warm / after-clear visits each")
    parser.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "embedlab-classroom-cache"))
    args = parser.parse_args()
    emit(measure="start", label=args.label, app=str(Path(args.app).resolve()), machine=machine(),
         time=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    for name in args.only.split(","):
        try:
            asyncio.run(CHECKS[name.strip()](args))
        except Exception as err:  # noqa: BLE001 - one broken check does not hide the others
            emit(measure=name.strip(), error=f"{type(err).__name__}: {err}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
