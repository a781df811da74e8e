"""Class mode in the app (AppTest through app.py): the sign-in page, another student's ``?run=`` link
refused on every page that opens runs, the teacher's page, limits said on the page, in both languages."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import core.jobs as jobs
from core.classroom import ClassSettings, Limits, add_user, create_session, save_settings
from core.jobs import store
from tests.ui.apptest import widget

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
NOT_YOURS = {"en": "belongs to someone else", "zh": "属于别人"}


@pytest.fixture
def klass(runs_root, monkeypatch):
    """Class mode: teacher ``teach``, students ``alice`` and ``bob``; returns ``{name: session token}``."""
    monkeypatch.setenv("EMBEDLAB_WARM_UMAP", "0")
    save_settings(ClassSettings(name="Year 10 <script>", code="open-sesame"), runs_root)
    add_user("teach", "teacher-pass", role="teacher", display="Ms Li", runs_root=runs_root)
    add_user("alice", "alice-pass", display="Alice", runs_root=runs_root)
    add_user("bob", "bob-pass", display="Bob", runs_root=runs_root)
    return {name: create_session(name, runs_root) for name in ("teach", "alice", "bob")}


def app(token: str | None = None, lang: str = "en", page: str | None = None, run: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state["lang"] = lang
    if token:
        at.session_state["_auth_token"] = token
    if run:
        at.query_params["run"] = run
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at) -> str:
    parts = [e.value for kind in ("error", "warning", "info", "success", "markdown", "caption", "title", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def word2vec_run(root: Path, run_id: str, owner: str, visibility: str = "private") -> str:
    """A finished word2vec run folder as the trainer writes one (vectors, vocabulary, metrics, summary)."""
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    kv = KeyedVectors(8)
    kv.add_vectors(words, rng.normal(size=(40, 8)).astype(np.float32))
    for i, w in enumerate(words):
        kv.set_vecattr(w, "count", 100 - i)
    path = root / run_id
    path.mkdir()
    kv.save_word2vec_format(str(path / "vectors.bin"), fvocab=str(path / "vocab.txt"), binary=True)
    store.write_json(path / "config.json", {"kind": "word2vec", "name": f"{owner} secret notes", "seq": 1,
                                            "config": {"corpus_name": "notes.txt", "engine": "gensim"},
                                            "owner": owner, "visibility": visibility})
    store.write_json(path / "status.json", {**store.new_status(), "state": "done", "started": store.now_iso(),
                                            "finished": store.now_iso(), "progress": 1.0})
    store.write_json(path / "summary.json", {"wordsim353": 0.31, "simlex999": 0.12})
    for i in range(5):
        store.append_metric(path, {"type": "step", "progress": (i + 1) / 5, "epochs": 1, "loss": 5.0 - i, "time": i})
    return run_id


def failed_run(root: Path, run_id: str, kind: str, owner: str) -> str:
    """A run of ``kind`` that failed at once: enough for a page to attach to it, nothing to load."""
    path = root / run_id
    path.mkdir()
    store.write_json(path / "config.json", {"kind": kind, "name": f"{owner} secret notes", "seq": 2,
                                            "config": {}, "owner": owner, "visibility": "private"})
    store.write_json(path / "status.json", {**store.new_status(), "state": "failed", "finished": store.now_iso(),
                                            "error": "the corpus was empty (on purpose)"})
    return run_id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_class_mode_opens_on_the_sign_in_page(klass, lang):
    at = app(lang=lang)
    assert at.title[0].value == {"en": "Sign in", "zh": "登录"}[lang]
    assert "Year 10 \\<script\\>" in texts(at)  # the class name the teacher typed is shown literally
    assert at.sidebar.radio[0].value == lang  # the language switch is there before signing in
    assert not [m for m in at.sidebar.markdown if "Signed in" in m.value]


def test_sign_in_keeps_the_token_sets_the_cookie_and_sign_out_revokes_it(klass):
    from core.classroom import user_for_token

    at = app()
    widget(at, "text_input", "auth_name").set_value("alice")
    widget(at, "text_input", "auth_password").set_value("wrong-pass")
    at.button[0].click().run()
    assert "not right" in at.error[0].value
    widget(at, "text_input", "auth_password").set_value("alice-pass")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    token = at.session_state["_auth_token"]
    assert user_for_token(token).name == "alice"
    assert any("Signed in as **Alice**" in m.value for m in at.sidebar.markdown)
    cookie = [h for h in at.get("html") if "document.cookie" in h.proto.body]
    assert cookie and f"embedlab_session={token};" in cookie[0].proto.body and "SameSite=Strict" in cookie[0].proto.body
    widget(at, "button", "auth_sign_out").click().run()
    assert user_for_token(token) is None
    assert at.title[0].value == "Sign in" and "signed out" in texts(at)
    assert any("Max-Age=0" in h.proto.body for h in at.get("html"))


def test_too_many_wrong_passwords_are_said_with_the_wait_in_chinese(klass):
    at = app(lang="zh")
    widget(at, "text_input", "auth_name").set_value("alice")
    widget(at, "text_input", "auth_password").set_value("wrong-pass")
    for _ in range(5):
        at.button[0].click().run()
        assert "不对" in at.error[0].value, at.error[0].value
    widget(at, "text_input", "auth_password").set_value("alice-pass")
    at.button[0].click().run()  # the right password, but this computer must wait first
    error = at.error[0].value
    assert "错误尝试次数太多" in error and ("30 秒" in error or "31 秒" in error), error
    assert "_auth_token" not in at.session_state


def test_sign_up_with_the_class_code_in_chinese(klass):
    at = app(lang="zh")
    widget(at, "text_input", "auth_code").set_value("nope")
    widget(at, "text_input", "auth_new_name").set_value("carol")
    widget(at, "text_input", "auth_new_password").set_value("carol-pass")
    widget(at, "text_input", "auth_again").set_value("carol-pass")
    at.button[1].click().run()
    assert "班级码不对" in at.error[0].value
    widget(at, "text_input", "auth_code").set_value("open-sesame")
    at.button[1].click().run()
    assert not at.exception and any("已登录" in m.value for m in at.sidebar.markdown)


@pytest.mark.parametrize("page", ["train_word2vec", "explorer", "finetune", "pretrain"])
def test_another_students_run_link_is_refused_on_every_page(klass, runs_root, page):
    if page in ("train_word2vec", "explorer"):
        run_id = word2vec_run(runs_root, "word2vec-alice-1", "alice")
    else:
        run_id = failed_run(runs_root, f"{page}-alice-1", page, "alice")
    bob = app(klass["bob"], page=page, run=run_id)
    shown = texts(bob)
    assert "alice secret notes" not in shown and "on purpose" not in shown
    assert NOT_YOURS["en"] in shown
    assert page == "explorer" or "run" not in bob.query_params  # the explorer moves the link to a run of bob's own
    for who in ("alice", "teach"):
        at = app(klass[who], page=page, run=run_id)
        assert NOT_YOURS["en"] not in texts(at), who
    jobs.share(run_id, user="alice")
    assert NOT_YOURS["en"] not in texts(app(klass["bob"], page=page, run=run_id))


def test_refusal_is_said_in_chinese(klass, runs_root):
    run_id = word2vec_run(runs_root, "word2vec-alice-2", "alice")
    at = app(klass["bob"], lang="zh", page="train_word2vec", run=run_id)
    assert NOT_YOURS["zh"] in texts(at)


def test_students_runs_table_lists_only_their_own_and_shared_runs(klass, runs_root):
    mine = word2vec_run(runs_root, "word2vec-bob-1", "bob")
    hers = word2vec_run(runs_root, "word2vec-alice-3", "alice")
    shared = word2vec_run(runs_root, "word2vec-alice-4", "alice", visibility="class")
    at = app(klass["bob"], page="train_word2vec")
    tables = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert mine in tables and shared in tables and hers not in tables
    teacher = app(klass["teach"], page="train_word2vec")
    assert hers in " ".join(str(df.value.to_dict()) for df in teacher.dataframe)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_teacher_page_shows_everyone_compares_and_acts(klass, runs_root, lang):
    word2vec_run(runs_root, "word2vec-alice-5", "alice")
    word2vec_run(runs_root, "word2vec-bob-2", "bob")
    store.update_status(runs_root / "word2vec-bob-2", node="gpu-box-2 (5f3a9c1e)")  # it ran on a cluster node
    at = app(klass["teach"], lang=lang, page="classroom")
    people = at.dataframe[0].value
    assert set(people.iloc[:, 0]) == {"teach", "alice", "bob"}
    table = at.dataframe[1].value
    runs = str(table.to_dict())
    assert "word2vec-alice-5" in runs and "word2vec-bob-2" in runs
    from core.i18n import translate

    nodes = dict(zip(table[translate("runs.col.id", lang)], table[translate("classroom.col.node", lang)]))
    assert nodes == {"word2vec-alice-5": "–", "word2vec-bob-2": "gpu-box-2 (5f3a9c1e)"}
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # loss curves and scores, every student's run on each
    loss = json.loads(charts[0].proto.spec)
    assert {trace["name"] for trace in loss["data"]} == {"Alice · alice secret notes", "Bob · bob secret notes"}
    # share a student's run with the class from the teacher's page
    widget(at, "selectbox", "classroom_run").set_value("word2vec-alice-5").run()
    widget(at, "button", "classroom_share").click().run()
    assert not at.exception
    assert jobs.read_config("word2vec-alice-5", user="bob")["visibility"] == "class"
    widget(at, "button", "classroom_delete").click().run()
    assert not (runs_root / "word2vec-alice-5").exists()


def test_teacher_page_is_the_teachers_only(klass, runs_root):
    student = app(klass["alice"], page="classroom")
    assert "Only the teacher" in student.warning[0].value and not student.dataframe
    assert not [p for p in student.get("page_link") if "classroom" in str(p.proto.page)]


def test_teacher_page_alone_says_how_to_start_a_class(runs_root):
    at = app(page="classroom")
    assert "Class mode is off" in at.info[0].value


def test_limit_is_said_on_the_page_and_nothing_is_queued(klass, runs_root):
    from core.classroom import update_settings

    update_settings(runs_root, limits={"active_runs": 1})
    busy = runs_root / "word2vec-alice-busy"
    busy.mkdir()
    store.write_json(busy / "config.json", {"kind": "word2vec", "name": "busy", "seq": 3, "config": {},
                                            "owner": "alice", "visibility": "private"})
    store.write_json(busy / "status.json", {**store.new_status(), "state": "running", "pid": None})
    at = app(klass["alice"], lang="zh", page="train_word2vec")
    widget(at, "radio", "train_engine").set_value("gensim").run()
    widget(at, "button", "train_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("你已经有 1 个排队或运行中的任务" in e.value for e in at.error)
    assert sorted(p.name for p in runs_root.iterdir() if not p.name.startswith(".")) == ["word2vec-alice-busy"]


def test_a_school_sign_in_maps_the_email_onto_an_account(klass, runs_root):
    """st.login (OIDC): with [auth] configured, the signed-in e-mail becomes the matching account."""
    add_user("dan", None, display="Dan", email="Dan@School.example", source="oidc", runs_root=runs_root)
    at = AppTest.from_file(APP, default_timeout=240)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.user = {"is_logged_in": True, "email": "dan@school.example"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Signed in as **Dan**" in m.value for m in at.sidebar.markdown)
    stranger = AppTest.from_file(APP, default_timeout=240)
    stranger.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    stranger.user = {"is_logged_in": True, "email": "eve@elsewhere.example"}
    stranger.run()
    assert stranger.title[0].value == "Sign in" and "has no EmbedLab account" in stranger.error[0].value


def test_students_pick_only_listed_models(klass, runs_root):
    """The model picker of a student takes no typed folder or hub id unless the teacher allows it."""
    from core.classroom import update_settings

    def picker(token):
        at = app(token, page="finetune")
        return next(s for s in at.selectbox if s.key == "ft_model")

    assert picker(klass["bob"]).proto.accept_new_options is False
    assert picker(klass["teach"]).proto.accept_new_options is True
    update_settings(runs_root, allow_paths=True)
    assert picker(klass["bob"]).proto.accept_new_options is True


def test_a_student_walks_the_input_layer_with_the_shipped_model(klass):
    """Class mode: the input-layer page loads the shipped model for a signed-in student (no "sign in first")."""
    at = app(klass["alice"], page="input_layer")
    shown = texts(at)
    assert "sign in" not in shown.lower(), shown[:500]
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("plotly_chart")) >= 1


def test_a_students_fine_tune_data_is_measured_in_the_models_tokens(klass):
    """Class mode: the fine-tune page's reading counts tokens with the picked model's tokenizer for a student."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state["lang"] = "en"
    at.session_state["_auth_token"] = klass["alice"]
    at.session_state["ft_max_length"] = 8
    at.run()
    at.switch_page("app_pages/finetune.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("longer than max_length = 8 tokens" in w.value for w in at.warning), [w.value for w in at.warning]
