"""Two students and a teacher: each reads, cancels, deletes, resumes and downloads only what is theirs
(or shared), through the core API; the teacher does everything; alone nothing changes."""
from __future__ import annotations

import io
import json

import pytest

import core.jobs as jobs
from core.jobs import AccessError, SignInRequired, store
from core.jobs.uploads import check_readable, save_upload
from tests.classroom.conftest import submit

NOT_YOURS = "belongs to someone else"


def done_run(owner, kind="t_sleep", config=None, root=None):
    run_id = submit(kind, {"seconds": 0.05, **(config or {})}, name=f"{owner}'s run", user=owner)
    status = jobs.wait(run_id, timeout=60, poll=0.05, user=owner)
    assert status["state"] == "done", status
    return run_id


def test_alone_mode_records_no_owner_and_needs_no_user(jobs_root):
    run_id = submit("t_sleep", {"seconds": 0.05})
    jobs.wait(run_id, timeout=60)
    meta = json.loads((jobs_root / run_id / "config.json").read_text())
    assert "owner" not in meta and "visibility" not in meta
    assert [r["id"] for r in jobs.list_runs()] == [run_id]
    assert not (jobs_root / ".class").exists()


def test_class_mode_refuses_calls_without_a_user(klass):
    run_id = done_run("alice")
    for call in (lambda: jobs.get_status(run_id), lambda: jobs.read_config(run_id), lambda: jobs.list_runs(),
                 lambda: jobs.read_metrics(run_id), lambda: jobs.read_summary(run_id), lambda: jobs.cancel(run_id),
                 lambda: jobs.delete_run(run_id), lambda: jobs.run_dir(run_id),
                 lambda: submit("t_sleep", {"seconds": 0.05})):
        with pytest.raises(SignInRequired, match="sign in"):
            call()
    with pytest.raises(AccessError, match="no account"):
        jobs.list_runs(user="mallory")


def test_another_students_private_run_is_refused_everywhere(klass):
    run_id = done_run("alice")
    meta = jobs.read_config(run_id, user="alice")
    assert meta["owner"] == "alice" and meta["visibility"] == "private"
    refused = {
        "status": lambda: jobs.get_status(run_id, user="bob"),
        "config": lambda: jobs.read_config(run_id, user="bob"),
        "metrics": lambda: jobs.read_metrics(run_id, user="bob"),
        "summary": lambda: jobs.read_summary(run_id, user="bob"),
        "download": lambda: jobs.run_dir(run_id, user="bob"),
        "cancel": lambda: jobs.cancel(run_id, user="bob"),
        "delete": lambda: jobs.delete_run(run_id, user="bob"),
        "share": lambda: jobs.share(run_id, user="bob"),
        "resume": lambda: submit("t_sleep", {"resume_from": run_id}, user="bob"),
        "resume by folder": lambda: submit("t_sleep", {"resume_from": str(klass / run_id)}, user="bob"),
        "artifact path": lambda: submit("t_sleep", {"init": str(klass / run_id / "interval.json")}, user="bob"),
    }
    for what, call in refused.items():
        with pytest.raises(AccessError, match=NOT_YOURS):
            call()
        assert (klass / run_id / "config.json").is_file(), what
    assert run_id not in [r["id"] for r in jobs.list_runs(user="bob")]
    assert [r["id"] for r in jobs.list_runs(user="bob")] == []
    # the owner and the teacher may
    for who in ("alice", "teach"):
        assert jobs.get_status(run_id, user=who)["state"] == "done"
        assert jobs.run_dir(run_id, user=who) == klass / run_id
        assert jobs.read_metrics(run_id, user=who) == ([], 0)
    resumed = submit("t_sleep", {"seconds": 0.05, "resume_from": run_id}, user="alice")
    jobs.wait(resumed, timeout=60, user="alice")
    jobs.delete_run(run_id, user="teach")
    assert not (klass / run_id).exists()


def test_a_shared_run_can_be_read_but_not_changed_by_others(klass):
    run_id = done_run("alice")
    jobs.share(run_id, "class", user="alice")
    assert jobs.read_config(run_id, user="bob")["visibility"] == "class"
    assert [r["id"] for r in jobs.list_runs(user="bob")] == [run_id]
    assert jobs.run_dir(run_id, user="bob") == klass / run_id
    resumed = submit("t_sleep", {"seconds": 0.05, "resume_from": run_id}, user="bob")
    assert jobs.read_config(resumed, user="bob")["owner"] == "bob"
    for call in (lambda: jobs.cancel(run_id, user="bob"), lambda: jobs.delete_run(run_id, user="bob"),
                 lambda: jobs.share(run_id, "private", user="bob")):
        with pytest.raises(AccessError, match="only its owner or the teacher"):
            call()
    jobs.share(run_id, "private", user="teach")
    with pytest.raises(AccessError, match=NOT_YOURS):
        jobs.read_config(run_id, user="bob")
    jobs.wait(resumed, timeout=60, user="bob")


def test_teacher_cancels_a_students_running_run_and_shell_runs_are_the_teachers(klass):
    running = submit("t_sleep", {"seconds": 30}, user="alice")
    jobs.cancel(running, user="teach")
    assert jobs.wait(running, timeout=60, user="teach")["state"] == "cancelled"
    shell = submit("t_sleep", {"seconds": 0.05}, user=jobs.SHELL)
    jobs.wait(shell, timeout=60, user=jobs.SHELL)
    assert jobs.read_config(shell, user="teach")["owner"] == "teach"
    assert shell not in [r["id"] for r in jobs.list_runs(user="alice")]
    assert {r["id"] for r in jobs.list_runs(user="teach")} == {running, shell}
    assert {r["owner"] for r in jobs.list_runs(user="teach")} == {"alice", "teach"}


def test_a_run_from_before_class_mode_belongs_to_the_teacher(jobs_root):
    from core.classroom import ClassSettings, add_user, save_settings

    old = submit("t_sleep", {"seconds": 0.05})
    jobs.wait(old, timeout=60)
    save_settings(ClassSettings(), jobs_root)
    add_user("teach", "teacher-pass", role="teacher", runs_root=jobs_root)
    add_user("alice", "alice-pass", runs_root=jobs_root)
    assert jobs.list_runs(user="alice") == []
    with pytest.raises(AccessError, match=NOT_YOURS):
        jobs.read_config(old, user="alice")
    assert jobs.read_config(old, user="teach")["kind"] == "t_sleep"
    (jobs_root / ".class" / "settings.json").unlink()  # class mode off again for the fixture's clean-up


def test_uploads_are_stored_per_person_and_previewed_only_by_their_owner(klass):
    alice_file = save_upload(io.BytesIO(b"the cat sat on the mat\n"), "notes.txt", user="alice")
    assert alice_file.parent == klass / ".uploads" / "alice"
    bob_file = save_upload(io.BytesIO(b"a dog ran\n"), "mine.txt", user="bob")
    assert check_readable(bob_file, user="bob") == bob_file
    with pytest.raises(AccessError, match="own uploads"):
        check_readable(alice_file, user="bob")
    assert check_readable(alice_file, user="teach") == alice_file
    with pytest.raises(AccessError, match="own uploads"):
        submit("t_sleep", {"corpus": str(alice_file)}, user="bob")
    for outside in ("/etc/hostname", "../../etc/passwd", str(klass / ".class" / "users.json")):
        with pytest.raises(AccessError):
            submit("t_sleep", {"corpus": outside}, user="bob")
    # shipped data, samples and named datasets pass; so does a run shared with the class's corpus
    from core.jobs.access import PROJECT

    shipped = next((PROJECT / "data").rglob("*.txt"))
    ok = [submit("t_sleep", {"seconds": 0.05, "corpus": value}, user="bob")
          for value in (str(shipped), "lee", "dataset:peoples_daily", "sample:sentiment", str(bob_file))]
    shared = submit("t_sleep", {"seconds": 0.05, "corpus": str(alice_file)}, user="alice")
    jobs.share(shared, user="alice")
    assert check_readable(alice_file, user="bob") == alice_file
    for run_id in ok + [shared]:
        jobs.wait(run_id, timeout=60, user="teach")
    assert list(store.special_dir("uploads", klass).glob("*.txt")) == []  # nothing in the shared folder


def test_models_list_only_what_the_person_may_see(klass, monkeypatch):
    from core import models

    folder = klass / "pretrain-alice-1"
    (folder / "model").mkdir(parents=True)
    store.write_json(folder / "config.json", {"kind": "pretrain", "name": "alice's BERT", "config": {},
                                               "owner": "alice", "visibility": "private", "seq": 1})
    store.write_json(folder / "status.json", {"state": "done"})
    (folder / "model" / "config.json").write_text(json.dumps({"architectures": ["BertForMaskedLM"]}))
    names = lambda who: {m.name for m in models.list_models(klass, user=who)}  # noqa: E731
    assert "pretrain-alice-1" in names("alice") and "pretrain-alice-1" in names("teach")
    assert "pretrain-alice-1" not in names("bob")
    assert models.DEFAULT_MODEL_NAME in names("bob")
    assert models.resolve_model("pretrain-alice-1", user="alice") == str((folder / "model").resolve())
    with pytest.raises(AccessError, match=NOT_YOURS):
        models.resolve_model("pretrain-alice-1", user="bob")
    with pytest.raises(AccessError, match="listed models"):
        models.resolve_model("someorg/some-model", user="bob")
    with pytest.raises(AccessError, match="listed models"):
        submit("t_sleep", {"model": "bert-base-uncased"}, user="bob")
    with pytest.raises(AccessError):
        submit("t_sleep", {"model": str(folder / "model")}, user="bob")
    from core.offline import HubDisabledError

    with pytest.raises(HubDisabledError):  # the teacher may name a hub id, but an offline server never asks (issue 20)
        models.resolve_model("someorg/some-model", user="teach")
    monkeypatch.setenv("EMBEDLAB_ALLOW_HUB", "1")  # a server started online
    assert models.resolve_model("someorg/some-model", user="teach") == "someorg/some-model"
    from core.classroom import update_settings

    update_settings(klass, allow_hub=True)
    assert models.resolve_model("someorg/some-model", user="bob") == "someorg/some-model"
