"""Accounts, sessions, the CLI a teacher types, and retention that deletes only finished, expired runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

import core.jobs as jobs
from core import classroom
from core.classroom.retention import clean
from core.jobs import store
from tests.classroom.conftest import PASSWORDS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_passwords_are_argon2_hashes_and_sign_in_needs_the_right_one(klass):
    stored = json.loads((klass / ".class" / "users.json").read_text())["users"]
    assert stored["alice"]["password"].startswith("$argon2id$")
    assert PASSWORDS["alice"] not in (klass / ".class" / "users.json").read_text()
    assert oct((klass / ".class" / "users.json").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(ValueError, match="not right"):
        classroom.sign_in("alice", "wrong-pass", klass)
    with pytest.raises(ValueError, match="not right"):
        classroom.sign_in("nobody", "whatever", klass)
    user, token = classroom.sign_in("ALICE", PASSWORDS["alice"], klass)
    assert user.name == "alice" and user.display == "Alice <b>" and not user.is_teacher
    assert token not in (klass / ".class" / "sessions.json").read_text()  # only its hash is kept
    assert classroom.user_for_token(token, klass) == user
    second = classroom.sign_in("alice", PASSWORDS["alice"], klass)[1]  # a second browser
    classroom.revoke_session(token, klass)  # sign out here
    assert classroom.user_for_token(token, klass) is None
    assert classroom.user_for_token(second, klass) == user
    classroom.set_password("alice", "new-password", klass)  # the teacher's reset signs her out everywhere
    assert classroom.user_for_token(second, klass) is None
    assert classroom.sign_in("alice", "new-password", klass)[0].name == "alice"
    assert classroom.user_for_token("forged-token", klass) is None


def test_sessions_expire(klass):
    from core.classroom.sessions import create_session

    token = create_session("bob", klass, hours=1 / 3600 / 10)  # a tenth of a second
    time.sleep(0.2)
    assert classroom.user_for_token(token, klass) is None


def test_sign_up_needs_the_class_code(klass):
    with pytest.raises(ValueError, match="not this class's code"):
        classroom.sign_up("carol", "carol-pass", "wrong", runs_root=klass)
    user = classroom.sign_up("carol", "carol-pass", " OPEN-sesame ", display="Carol", runs_root=klass)
    assert user.role == "student"
    with pytest.raises(ValueError, match="already an account"):
        classroom.sign_up("carol", "other-pass", "open-sesame", runs_root=klass)
    with pytest.raises(ValueError, match="valid user name"):
        classroom.sign_up("../etc", "carol-pass", "open-sesame", runs_root=klass)
    with pytest.raises(ValueError, match="at least 6"):
        classroom.sign_up("dave", "123", "open-sesame", runs_root=klass)
    classroom.update_settings(klass, signup=False)
    with pytest.raises(ValueError, match="sign-up is closed"):
        classroom.sign_up("erin", "erin-pass", "open-sesame", runs_root=klass)


def test_roster_import(klass, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("username,name,password\ncarol,Carol Chen,carol-pass\ndan,丹,\nalice,Alice again,x\n",
                      encoding="utf-8")
    added = dict((u.name, pw) for u, pw in classroom.import_roster(roster, klass))
    assert set(added) == {"carol", "dan"} and added["carol"] == "carol-pass" and len(added["dan"]) >= 6
    assert classroom.get_user("dan", klass).display == "丹"
    assert classroom.verify_password("dan", added["dan"], klass) is not None
    assert classroom.verify_password("alice", PASSWORDS["alice"], klass) is not None  # left as it was
    bad = tmp_path / "bad.csv"
    bad.write_text("username,name\nok,Ok\nno way,Bad\n", encoding="utf-8")
    with pytest.raises(ValueError, match="roster line 3"):
        classroom.import_roster(bad, klass)
    assert classroom.get_user("ok", klass) is None  # nothing added from a bad roster


def cli(*args, root):
    return subprocess.run([sys.executable, "-m", "core", "class", "--runs-root", str(root), *args],
                          cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)


def test_class_init_takes_the_runs_root_after_the_action_and_says_how_to_serve_that_folder(tmp_path):
    """QA: `class init --runs-root DIR` was refused, and the printed command served ./runs (no class mode)."""
    root = tmp_path / "class-runs"
    env = {**os.environ, "EMBEDLAB_RUNS": str(tmp_path / "elsewhere")}
    out = subprocess.run([sys.executable, "-m", "core", "class", "init", "--runs-root", str(root), "--teacher", "ms_li"],
                         cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert out.returncode == 0, out.stderr
    assert (root / ".class" / "settings.json").is_file() and not (tmp_path / "elsewhere" / ".class").exists()
    assert f"start the app with: EMBEDLAB_RUNS={root} streamlit run app.py" in out.stdout


def test_teacher_sets_up_a_class_from_the_shell(runs_root, tmp_path):
    out = cli("init", "--teacher", "ms_li", "--class-name", "Year 10", root=runs_root)
    assert out.returncode == 0, out.stderr
    assert "class code for sign-up:" in out.stdout and "teacher's password:" in out.stdout
    password = out.stdout.split("teacher's password: ")[1].split()[0]
    assert classroom.sign_in("ms_li", password, runs_root)[0].is_teacher
    again = cli("init", "--teacher", "ms_li", root=runs_root)
    assert again.returncode == 2 and "already on" in again.stderr
    roster = tmp_path / "r.csv"
    roster.write_text("username,name\nalice,Alice\n", encoding="utf-8")
    out = cli("roster", str(roster), root=runs_root)
    assert out.returncode == 0 and out.stdout.startswith("username,password\nalice,")
    out = cli("limits", "--active-runs", "3", "--retention-days", "7", root=runs_root)
    assert "active_runs: 3" in out.stdout and "retention_days: 7" in out.stdout
    assert classroom.load_settings(runs_root).limits.active_runs == 3
    bad = cli("limits", "--active-runs", "0", root=runs_root)
    assert bad.returncode == 2 and "active_runs" in bad.stderr
    assert "sign-up: off" in cli("settings", "--signup", "off", root=runs_root).stdout
    models = subprocess.run([sys.executable, "-m", "core", "models", "--runs", str(runs_root), "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert models.returncode == 0 and "all-MiniLM-L6-v2" in models.stdout, models.stderr  # the shell is the teacher
    # a run from the shell belongs to the teacher and students do not see it until it is shared
    out = subprocess.run([sys.executable, "-m", "core", "runs", "--runs-root", str(runs_root), "submit", "word2vec",
                          "--corpus", "lee", "--set", "epochs=1", "--engine", "gensim", "--device", "cpu"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    run_id = out.stdout.strip()
    assert out.returncode == 0 and run_id, out.stderr
    assert jobs.read_config(run_id, runs_root, user="ms_li")["owner"] == "ms_li"
    assert jobs.list_runs(runs_root=runs_root, user="alice") == []
    assert cli("share", run_id, root=runs_root).returncode == 0
    assert [r["id"] for r in jobs.list_runs(runs_root=runs_root, user="alice")] == [run_id]
    jobs.wait(run_id, timeout=120, user="ms_li", runs_root=runs_root)
    assert "deleted 0 runs and 0 uploads older than 7 days" in cli("clean", root=runs_root).stdout
    assert cli("off", root=runs_root).returncode == 0
    assert not classroom.class_mode(runs_root)
    assert [r["id"] for r in jobs.list_runs(runs_root=runs_root)] == [run_id]  # alone again: no user needed


def _fake_run(root, run_id, owner, state, days_ago, visibility="private", config=None):
    path = root / run_id
    path.mkdir()
    when = time.time() - days_ago * 86400
    iso = store._dt.datetime.fromtimestamp(when, store._dt.timezone.utc).isoformat(timespec="seconds")
    store.write_json(path / "config.json", {"kind": "t_sleep", "name": run_id, "config": config or {},
                                            "owner": owner, "visibility": visibility, "seq": 1})
    store.write_json(path / "status.json", {"state": state, "created": iso, "started": iso,
                                            "finished": iso if state in store.FINAL else None})
    (path / "artifact.bin").write_bytes(b"0" * 1000)
    return path


def test_retention_deletes_only_finished_expired_private_student_runs(klass):
    classroom.update_settings(klass, limits={"retention_days": 30})
    uploads = klass / ".uploads" / "alice"
    uploads.mkdir(parents=True)
    old_upload, used_upload, new_upload = (uploads / n for n in ("old.txt", "used.txt", "new.txt"))
    for path in (old_upload, used_upload, new_upload):
        path.write_text("text\n")
    long_ago = time.time() - 40 * 86400
    for path in (old_upload, used_upload):
        os.utime(path, (long_ago, long_ago))
    expired = _fake_run(klass, "old-done", "alice", "done", 40)
    kept = {
        "old-running": _fake_run(klass, "old-running", "alice", "running", 40, config={"corpus": str(used_upload)}),
        "old-queued": _fake_run(klass, "old-queued", "bob", "queued", 40),
        "old-shared": _fake_run(klass, "old-shared", "alice", "done", 40, visibility="class"),
        "old-teacher": _fake_run(klass, "old-teacher", "teach", "done", 40),
        "old-shell": _fake_run(klass, "old-shell", "", "failed", 40),
        "recent": _fake_run(klass, "recent", "bob", "done", 5),
    }
    dry = clean(klass, dry_run=True)
    assert dry.runs == ["old-done"] and dry.uploads == ["alice/old.txt"] and expired.is_dir()
    report = clean(klass)
    assert report.runs == ["old-done"] and report.uploads == ["alice/old.txt"] and report.freed_bytes > 1000
    assert not expired.exists() and not old_upload.exists()
    assert all(path.is_dir() for path in kept.values()) and used_upload.exists() and new_upload.exists()
    classroom.update_settings(klass, limits={"retention_days": 0})
    assert clean(klass).runs == []  # 0 = keep forever


def test_every_message_core_raises_in_class_mode_is_translated():
    import re
    from pathlib import Path

    from core.i18n import translate

    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(ROOT, "core").rglob("*.py"))
    keys = set(re.findall(r'"(classroom\.(?:error|limit)\.\w+)"', source))
    assert len(keys) >= 12
    for key in keys:
        for lang in ("en", "zh"):
            assert translate(key, lang) != key, (key, lang)
