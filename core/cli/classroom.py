"""``python -m core class ...``: set up and run a class (accounts, limits, sharing, retention).

    python -m core class init --teacher NAME [--class-name TEXT] [--no-signup]   # class mode on; prints the class code
    python -m core class roster students.csv        # accounts from a roster (username,name[,password][,email])
    python -m core class add NAME [--display TEXT] [--teacher]
    python -m core class reset-password NAME
    python -m core class users
    python -m core class limits [--active-runs N] [--queue-total N] [--upload-mb N] [--disk-mb N] [--retention-days N]
    python -m core class settings [--signup on|off] [--new-code] [--allow-paths on|off] [--allow-hub on|off]
    python -m core class share RUN_ID [--private]
    python -m core class clean [--dry-run]
    python -m core class off

Passwords: typed at a prompt when this runs in a terminal, else (or with
``--random-password``) made up and printed once, to hand out.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser("class", help="class mode: accounts, limits, sharing, retention",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs-root", help="runs directory (default $EMBEDLAB_RUNS or ./runs)")
    sub = parser.add_subparsers(dest="class_command", required=True, metavar="ACTION")
    # also after the action (`class init --runs-root DIR`); SUPPRESS keeps a value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--runs-root", default=argparse.SUPPRESS, help="runs directory (default $EMBEDLAB_RUNS or ./runs)")

    p = sub.add_parser("init", parents=[common], help="switch class mode on and create the teacher's account")
    p.add_argument("--teacher", required=True, help="the teacher's user name")
    p.add_argument("--display", default="", help="the teacher's name as shown")
    p.add_argument("--class-name", default="EmbedLab class", help="shown on the sign-in page")
    p.add_argument("--code", default="", help="class code for sign-up (default: a new random one)")
    p.add_argument("--no-signup", action="store_true", help="no sign-up: the teacher adds every account")
    p.add_argument("--random-password", action="store_true", help="make up the teacher's password and print it")
    p.set_defaults(func=_init)

    p = sub.add_parser("roster", parents=[common], help="add students from a CSV roster and print their passwords")
    p.add_argument("file")
    p.set_defaults(func=_roster)

    p = sub.add_parser("add", parents=[common], help="add one account")
    p.add_argument("name")
    p.add_argument("--display", default="")
    p.add_argument("--teacher", action="store_true", help="a second teacher")
    p.add_argument("--random-password", action="store_true")
    p.set_defaults(func=_add)

    p = sub.add_parser("reset-password", parents=[common], help="give an account a new password (signs it out everywhere)")
    p.add_argument("name")
    p.add_argument("--random-password", action="store_true")
    p.set_defaults(func=_reset)

    p = sub.add_parser("users", parents=[common], help="list the accounts")
    p.set_defaults(func=_users)

    p = sub.add_parser("limits", parents=[common], help="show or set the per-person limits and the retention")
    for name in ("active-runs", "queue-total", "upload-mb", "disk-mb", "retention-days"):
        p.add_argument(f"--{name}", type=int, default=None)
    p.set_defaults(func=_limits)

    p = sub.add_parser("settings", parents=[common], help="show or change sign-up, the class code and what students may type")
    for name in ("signup", "allow-paths", "allow-hub"):
        p.add_argument(f"--{name}", choices=("on", "off"), default=None)
    p.add_argument("--new-code", action="store_true", help="a new class code (the old one stops working)")
    p.add_argument("--class-name", default=None)
    p.set_defaults(func=_settings)

    p = sub.add_parser("share", parents=[common], help="share a run with the class (or make it private again)")
    p.add_argument("run_id")
    p.add_argument("--private", action="store_true")
    p.set_defaults(func=_share)

    p = sub.add_parser("clean", parents=[common], help="delete students' finished runs and uploads older than the retention")
    p.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    p.set_defaults(func=_clean)

    p = sub.add_parser("off", parents=[common], help="switch class mode off (accounts are kept; `class init` switches it on again)")
    p.set_defaults(func=_off)


def _password(args, who: str) -> tuple[str, bool]:
    """``(password, made_up)``: prompted in a terminal, else made up."""
    import getpass
    import secrets

    if getattr(args, "random_password", False) or not sys.stdin.isatty():
        return secrets.token_urlsafe(8)[:10], True
    while True:
        first = getpass.getpass(f"password for {who}: ")
        if first == getpass.getpass("again: "):
            return first, False
        print("the two passwords differ; try again", file=sys.stderr)


def _init(args) -> int:
    from core.classroom import ClassSettings, add_user, check_username, get_user, load_settings, save_settings
    from core.classroom.settings import new_class_code
    from core.jobs.store import runs_root

    root = runs_root(args.runs_root)
    if load_settings(root) is not None:
        raise ValueError("class mode is already on here; change it with `python -m core class settings` "
                         "or `class limits`.")
    name = check_username(args.teacher)
    existing = get_user(name, root)
    if existing is not None and not existing.is_teacher:
        raise ValueError(f"{name!r} is a student's account; pick another name for the teacher.")
    from core.classroom.state import class_dir, read

    previous = read(root, "settings.off.json", None)  # switched off before: keep its limits
    settings = ClassSettings.from_dict({**(previous or {}), "name": args.class_name,
                                        "code": "" if args.no_signup else (args.code or new_class_code()),
                                        "signup": not args.no_signup})
    made_up = False
    if existing is None:
        password, made_up = _password(args, name)
        add_user(name, password, role="teacher", display=args.display, source="init", runs_root=root)
    save_settings(settings, root)
    (class_dir(root) / "settings.off.json").unlink(missing_ok=True)
    print(f"class mode is on in {root}; teacher: {name}")
    if made_up:
        print(f"teacher's password: {password}")
    print(f"class code for sign-up: {settings.code}" if settings.signup_open else "sign-up is off: add accounts "
          "with `python -m core class roster FILE` or `class add NAME`")
    import os
    import shlex

    default = Path(os.environ.get("EMBEDLAB_RUNS") or "runs").resolve()
    env = "" if root == default else f"EMBEDLAB_RUNS={shlex.quote(str(root))} "  # else the app opens ./runs, not this class
    print(f"start the app with: {env}streamlit run app.py --server.address 0.0.0.0")
    return 0


def _roster(args) -> int:
    from core.classroom import import_roster
    from core.jobs.store import runs_root

    added = import_roster(args.file, runs_root(args.runs_root))
    print("username,password")
    for user, password in added:
        print(f"{user.name},{password}")
    print(f"{len(added)} new accounts (existing ones were left as they are)", file=sys.stderr)
    return 0


def _add(args) -> int:
    from core.classroom import add_user, check_username
    from core.jobs.store import runs_root

    name = check_username(args.name)
    password, made_up = _password(args, name)
    add_user(name, password, role="teacher" if args.teacher else "student", display=args.display,
             runs_root=runs_root(args.runs_root))
    print(f"added {name}" + (f" with password {password}" if made_up else ""))
    return 0


def _reset(args) -> int:
    from core.classroom import check_username, set_password
    from core.jobs.store import runs_root

    name = check_username(args.name)
    password, made_up = _password(args, name)
    set_password(name, password, runs_root(args.runs_root))
    print(f"new password for {name}" + (f": {password}" if made_up else " set") + "; signed out everywhere")
    return 0


def _users(args) -> int:
    from core.classroom import list_users
    from core.jobs.store import runs_root

    for user in list_users(runs_root(args.runs_root)):
        print(f"{user.name:32} {user.role:8} {user.display}")
    return 0


def _need_class(root):
    from core.classroom import load_settings

    settings = load_settings(root)
    if settings is None:
        raise ValueError("class mode is off here; start a class with `python -m core class init --teacher NAME`.")
    return settings


def _limits(args) -> int:
    from dataclasses import asdict

    from core.classroom import update_settings
    from core.jobs.store import runs_root

    root = runs_root(args.runs_root)
    settings = _need_class(root)
    changes = {k: v for k, v in (("active_runs", args.active_runs), ("queue_total", args.queue_total),
                                 ("upload_mb", args.upload_mb), ("disk_mb", args.disk_mb),
                                 ("retention_days", args.retention_days)) if v is not None}
    if changes:
        settings = update_settings(root, limits=changes)
    for key, value in asdict(settings.limits).items():
        print(f"{key}: {value}")
    return 0


def _settings(args) -> int:
    from core.classroom import update_settings
    from core.classroom.settings import new_class_code
    from core.jobs.store import runs_root

    root = runs_root(args.runs_root)
    settings = _need_class(root)
    changes = {}
    for flag, field in (("signup", "signup"), ("allow_paths", "allow_paths"), ("allow_hub", "allow_hub")):
        value = getattr(args, flag)
        if value is not None:
            changes[field] = value == "on"
    if args.new_code or (changes.get("signup") and not settings.code):
        changes["code"] = new_class_code()
    if args.class_name is not None:
        changes["name"] = args.class_name
    if changes:
        settings = update_settings(root, **changes)
    print(f"class: {settings.name}")
    print(f"sign-up: {'on' if settings.signup_open else 'off'}" + (f" (class code {settings.code})"
                                                                   if settings.signup_open else ""))
    print(f"students may type server paths: {'on' if settings.allow_paths else 'off'}")
    print(f"students may type hub ids: {'on' if settings.allow_hub else 'off'}")
    return 0


def _share(args) -> int:
    from core.jobs import SHELL, share

    share(args.run_id, "private" if args.private else "class", args.runs_root, user=SHELL)
    print(f"{args.run_id}: {'private' if args.private else 'shared with the class'}")
    return 0


def _clean(args) -> int:
    from core.classroom.retention import clean
    from core.jobs.store import runs_root

    root = runs_root(args.runs_root)
    _need_class(root)
    report = clean(root, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for run_id in report.runs:
        print(f"{verb} run {run_id}")
    for upload in report.uploads:
        print(f"{verb} upload {upload}")
    print(f"{verb} {len(report.runs)} runs and {len(report.uploads)} uploads older than {report.retention_days} "
          f"days ({report.freed_bytes / 1024**2:,.1f} MiB)")
    return 0


def _off(args) -> int:
    from core.classroom.settings import SETTINGS_FILE
    from core.classroom.state import class_dir, locked
    from core.jobs.store import runs_root

    root = runs_root(args.runs_root)
    _need_class(root)
    with locked(root):
        (class_dir(root) / SETTINGS_FILE).rename(class_dir(root) / "settings.off.json")
    print("class mode is off: the app opens without sign-in and everyone sees every run")
    return 0
