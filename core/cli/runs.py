"""``python -m core runs ...``: list, inspect, submit, follow, cancel and delete background runs.

    python -m core runs list [--kind word2vec] [--json]
    python -m core runs show RUN_ID [--json]
    python -m core runs submit word2vec --corpus lee --set epochs=3 --set vector_size=50 [--engine gensim] [--wait]
    python -m core runs submit KIND --config config.json [--name NAME] [--processes N] [--wait]
    python -m core runs metrics RUN_ID [--type eval]
    python -m core runs wait RUN_ID [--timeout 600]
    python -m core runs cancel RUN_ID
    python -m core runs delete RUN_ID
    python -m core runs recover

Runs live in ``$EMBEDLAB_RUNS`` (default ``./runs``), shared with the app:
a run submitted here shows up on the page and the other way round.
"""
from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser("runs", help="background training runs: list, submit, follow, cancel, delete",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs-root", help="runs directory (default $EMBEDLAB_RUNS or ./runs)")
    sub = parser.add_subparsers(dest="runs_command", required=True, metavar="ACTION")

    p = sub.add_parser("list", help="every run, newest first")
    p.add_argument("--kind", help=f"only runs of this kind ({', '.join(_kinds())})")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=_list)

    p = sub.add_parser("show", help="status, config and scores of one run")
    p.add_argument("run_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_show)

    p = sub.add_parser("submit", help="queue a job and print its run id")
    p.add_argument("kind", help=f"job kind: {', '.join(_kinds())}")
    p.add_argument("--config", help="JSON file with the job's config dict")
    p.add_argument("--corpus", help="word2vec: a sample name (lee, enwiki, zh), dataset:NAME or a text file")
    p.add_argument("--engine", default=None, metavar="ENGINE",
                   help=f"word2vec engine: {', '.join(_engine_names())} (default: the one suited to the device)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    p.add_argument("--language", default="auto", choices=("auto", "en", "zh"))
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="a setting of the job, e.g. --set epochs=3 (word2vec: TrainConfig fields; repeatable)")
    p.add_argument("--name", default="", help="display name of the run")
    p.add_argument("--processes", type=int, default=1, metavar="N",
                   help="pretrain / finetune: one run on N processes (GPUs) of one machine, under torchrun")
    p.add_argument("--wait", action="store_true", help="follow the run until it ends")
    p.set_defaults(func=_submit)

    p = sub.add_parser("metrics", help="print the metrics records (JSON lines)")
    p.add_argument("run_id")
    p.add_argument("--type", choices=("step", "eval"), help="only records of this type")
    p.set_defaults(func=_metrics)

    p = sub.add_parser("wait", help="follow a run until it ends; exit 1 unless it is done")
    p.add_argument("run_id")
    p.add_argument("--timeout", type=float, default=None, help="seconds (default: no limit)")
    p.set_defaults(func=_wait)

    for name, func, text in (("cancel", _cancel, "stop a run (it keeps what it trained)"),
                             ("delete", _delete, "delete a finished run's folder")):
        p = sub.add_parser(name, help=text)
        p.add_argument("run_id")
        p.set_defaults(func=func)

    p = sub.add_parser("recover", help="mark runs whose worker died as interrupted")
    p.set_defaults(func=_recover)


def _kinds() -> list[str]:
    from core.jobs.registry import KINDS

    return sorted(KINDS)


def _engine_names() -> tuple[str, ...]:
    from core.word2vec import engines

    return engines.names()


def score_text(summary: dict) -> str:
    """Headline numbers of a run for a table: ``wordsim353=0.412 (34%)``; a score with a
    ``<name>_coverage`` under the minimum reads ``withheld``; bookkeeping numbers are left out."""
    from core.word2vec.results import relevant, scores

    found = scores(summary)
    relevant_names = {score.benchmark for score in relevant(found)}
    with_coverage = {score.benchmark: score for score in found}
    parts = []
    for key, value in summary.items():
        if key in with_coverage and key not in relevant_names:
            continue  # a benchmark that covers none of this run's words (see results.relevant)
        if key in with_coverage:
            score = with_coverage[key]
            value_text = "withheld" if score.withheld else f"{score.value:.3f}"
            parts.append(f"{key}={value_text} ({score.coverage_text()})")
        elif isinstance(value, float) and not key.endswith(("_coverage", "_seconds")):
            parts.append(f"{key}={value:.3f}")
    return ", ".join(parts)


def _parse_value(text: str):
    """``--set`` values: JSON when it parses (numbers, true/false), else the plain string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        low = text.strip().lower()
        return {"true": True, "false": False}.get(low, text)


def _list(args) -> int:
    from core.jobs import SHELL, list_runs

    runs = list_runs(args.kind, runs_root=args.runs_root, user=SHELL)
    if args.json:
        print(json.dumps(runs, ensure_ascii=False, indent=1))
        return 0
    if not runs:
        print("no runs yet")
        return 0
    width = max([len("NODE")] + [len(run["node"]) for run in runs])
    print(f"{'RUN ID':44} {'KIND':10} {'STATE':12} {'NODE':{width}} {'CREATED':26} {'TIME':>8}  NAME / SCORES")
    for run in runs:
        secs = f"{run['duration_s']:.0f}s" if run["duration_s"] is not None else "-"
        scores = score_text(run["summary"])
        print(f"{run['id']:44} {run['kind'] or '-':10} {run['state']:12} {run['node'] or '-':{width}} "
              f"{run['created'] or '-':26} {secs:>8}  {run['name']} {scores}".rstrip())
    return 0


def _show(args) -> int:
    from core.jobs import SHELL, get_status, read_config, read_summary

    info = {"status": get_status(args.run_id, args.runs_root, user=SHELL),
            "config": read_config(args.run_id, args.runs_root, user=SHELL),
            "summary": read_summary(args.run_id, args.runs_root, user=SHELL)}
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
        return 0
    status = info["status"]
    print(f"{args.run_id}: {status['state']}" + (f" (queue position {status['position']})" if status.get("position") else ""))
    for key in ("executor", "node", "created", "started", "finished", "progress", "eta_s", "message", "error"):
        if status.get(key) not in (None, ""):
            print(f"  {key}: {status[key]}")
    print(f"  kind: {info['config'].get('kind')}  name: {info['config'].get('name')}")
    print("  config: " + json.dumps(info["config"].get("config", {}), ensure_ascii=False))
    if info["summary"]:
        print("  summary: " + json.dumps(info["summary"], ensure_ascii=False))
    return 0


def _submit(args) -> int:
    from core.jobs import SHELL, submit

    if args.config:
        try:
            with open(args.config, encoding="utf-8") as fh:
                config = json.load(fh)
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"cannot read the config file {args.config}: {err}") from None
        if not isinstance(config, dict):
            raise ValueError("the config file must hold one JSON object.")
    else:
        from core.jobs.registry import job_attribute

        builder = job_attribute(args.kind, "config_from_options")
        if builder is None:
            raise ValueError(f"give --config with the {args.kind} job's settings as JSON.")
        settings = {}
        for item in args.set:
            field, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"--set needs FIELD=VALUE, not {item!r}.")
            settings[field.strip()] = _parse_value(value)
        config = builder({"corpus": args.corpus, "engine": args.engine, "device": args.device,
                          "language": args.language, "settings": settings})
    run_id = submit(args.kind, config, name=args.name or str(config.get("corpus_name") or ""),
                    runs_root=args.runs_root, user=SHELL, processes=args.processes)
    print(run_id)
    if args.wait:
        return _follow(run_id, None, args.runs_root)
    return 0


def _follow(run_id: str, timeout: float | None, runs_root) -> int:
    """Print progress lines until the run ends; 0 when it is done, 1 otherwise."""
    import time

    from core.jobs import FINAL, SHELL, get_status

    deadline = None if timeout is None else time.monotonic() + timeout
    last = None
    while True:
        status = get_status(run_id, runs_root, user=SHELL)
        line = (f"{status['state']}: queue position {status['position']}" if status["state"] == "queued"
                else f"{status['state']}: {100 * (status.get('progress') or 0):.0f}% {status.get('message') or ''}")
        if line != last:
            print(line, file=sys.stderr, flush=True)
            last = line
        if status["state"] in FINAL:
            if status.get("error"):
                print(f"error: {status['error']}", file=sys.stderr)
            return 0 if status["state"] == "done" else 1
        if deadline is not None and time.monotonic() > deadline:
            print(f"still {status['state']} after {timeout:.0f} s", file=sys.stderr)
            return 1
        time.sleep(0.5)


def _wait(args) -> int:
    return _follow(args.run_id, args.timeout, args.runs_root)


def _metrics(args) -> int:
    from core.jobs import SHELL, read_metrics

    records, _ = read_metrics(args.run_id, 0, args.runs_root, user=SHELL)
    for record in records:
        if args.type is None or record.get("type") == args.type:
            print(json.dumps(record, ensure_ascii=False))
    return 0


def _cancel(args) -> int:
    from core.jobs import SHELL, cancel

    status = cancel(args.run_id, args.runs_root, user=SHELL)
    print(f"{args.run_id}: {status['state']} (cancel requested)")
    return 0


def _delete(args) -> int:
    from core.jobs import SHELL, delete_run

    delete_run(args.run_id, args.runs_root, user=SHELL)
    print(f"deleted {args.run_id}")
    return 0


def _recover(args) -> int:
    from core.jobs import recover

    for run_id in recover(args.runs_root):
        print(f"interrupted: {run_id}")
    return 0
