"""The training page as a student uses it: preview, train a tiny model in the
background, watch it finish, reattach from a link, and never see a traceback."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import core.jobs as jobs

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "train_word2vec.py")


def page(lang="en", run=None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["lang"] = lang
    if run is not None:
        at.query_params["run"] = run
    return at.run()


def widget(at, kind, key):
    return next(w for w in getattr(at, kind) if w.key == key)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_previews_the_sample_in_both_languages(runs_root, lang):
    at = page(lang)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == {"en": "Train word2vec", "zh": "训练 word2vec"}[lang]
    metrics = {m.label: m.value for m in at.metric}
    vocab_label = {"en": "Vocabulary at min_count = 5", "zh": "min_count = 5 时的词表大小"}[lang]
    assert int(metrics[vocab_label].replace(",", "")) > 100
    # a higher min_count keeps fewer words
    widget(at, "number_input", "train_hp_min_count").set_value(50).run()
    vocab_label_50 = vocab_label.replace("5", "50")
    assert int({m.label: m.value for m in at.metric}[vocab_label_50].replace(",", "")) < \
        int(metrics[vocab_label].replace(",", ""))
    assert len(at.get("plotly_chart")) >= 1  # the Zipf plot


def test_bad_setting_shows_a_message_not_a_traceback(runs_root):
    at = page()
    widget(at, "number_input", "train_hp_window").set_value(0).run()
    widget(at, "button", "train_start").click().run()
    assert not at.exception
    assert any("window must be between 1 and 50" in e.value for e in at.error)
    assert jobs.list_runs() == []


@pytest.mark.parametrize("bad", ["../../etc/passwd", "no-such-run"])
def test_bad_run_links_are_refused_politely(runs_root, bad):
    at = page(run=bad)
    assert not at.exception
    assert at.warning and "run" in at.warning[0].value
    assert "run" not in at.query_params


def test_train_a_tiny_model_watch_it_finish_and_reattach(runs_root):
    at = page()
    widget(at, "radio", "train_engine").set_value("gensim").run()
    widget(at, "number_input", "train_hp_epochs").set_value(1)
    widget(at, "number_input", "train_hp_vector_size").set_value(10)
    widget(at, "text_input", "train_name").set_value("tiny lee")
    at.run()
    widget(at, "button", "train_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    run_id = at.query_params["run"][0] if isinstance(at.query_params["run"], list) else at.query_params["run"]
    assert jobs.read_config(run_id)["config"]["train"]["vector_size"] == 10
    deadline = time.monotonic() + 150
    while jobs.get_status(run_id)["state"] in jobs.ACTIVE and time.monotonic() < deadline:
        at.run()  # what the one-second fragment refresh does in a browser
        assert not at.exception, [e.value for e in at.exception]
        time.sleep(1)
    assert jobs.get_status(run_id)["state"] == "done", jobs.get_status(run_id)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Finished" in s.value for s in at.success)
    labels = [m.label for m in at.metric]
    assert "WordSim353 ρ" in labels and "Vocabulary" in labels
    # a refresh or a shared link (fresh session, ?run= in the URL) shows the same finished run
    again = page("zh", run=run_id)
    assert not again.exception, [e.value for e in again.exception]
    assert any("已完成" in s.value for s in again.success)
    assert any(run_id in str(df.value.to_dict()) for df in again.dataframe)  # the runs table lists it
    exported = jobs.run_dir(run_id) / "exports"
    assert (exported / "vectors.txt").read_text(encoding="utf-8").split()[1] == "10"  # "<n words> 10"


def fake_run(root, run_id, seq, loss):
    """A finished word2vec run folder with a few metrics (no training needed)."""
    from core.jobs import store

    path = root / run_id
    path.mkdir()
    store.write_json(path / "config.json", {"kind": "word2vec", "name": run_id, "seq": seq,
                                            "config": {"corpus_name": "lee", "engine": "gensim"}})
    store.write_json(path / "status.json", {**store.new_status(), "state": "done", "started": store.now_iso(),
                                            "finished": store.now_iso(), "progress": 1.0})
    store.write_json(path / "summary.json", {"wordsim353": 0.25, "analogies": 0.1})
    for i in range(5):
        store.append_metric(path, {"type": "step", "progress": (i + 1) / 5, "epochs": 1, "loss": loss - i, "time": i})
    store.append_metric(path, {"type": "eval", "epoch": 1, "wordsim353": 0.25, "time": 9})


def test_runs_table_overlays_selected_runs_and_deletes(runs_root):
    fake_run(runs_root, "word2vec-a", 1, 9.0)
    fake_run(runs_root, "word2vec-b", 2, 7.0)
    at = page()
    table = at.dataframe[-1].value
    assert list(table.iloc[:, -1]) == ["word2vec-b", "word2vec-a"]  # newest first
    charts = len(at.get("plotly_chart"))
    widget(at, "multiselect", "train_runs_compare").set_value(["word2vec-a", "word2vec-b"]).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == charts + 2  # loss and WordSim353 overlays
    widget(at, "selectbox", "train_runs_actions_pick").set_value("word2vec-a").run()
    widget(at, "button", "train_runs_actions_delete").click().run()
    assert not at.exception
    assert [run["id"] for run in jobs.list_runs()] == ["word2vec-b"]


def test_queued_run_shows_its_position_and_can_be_cancelled(runs_root):
    from core.jobs import store

    run_id = "word2vec-waiting"
    path = runs_root / run_id
    path.mkdir()
    store.write_json(path / "config.json", {"kind": "word2vec", "name": "waiting", "seq": 1, "resource": "cpu",
                                            "config": {"corpus_name": "lee", "engine": "torch"}})
    store.write_json(path / "status.json", store.new_status())  # queued; its worker "is still starting"
    (runs_root / ".queue").mkdir(exist_ok=True)
    (runs_root / ".queue" / f"000000001-cpu-{run_id}").touch()
    at = page(run=run_id)
    assert not at.exception, [e.value for e in at.exception]
    assert any("position 1 of 1" in i.value for i in at.info)
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert not at.exception
    assert jobs.get_status(run_id)["state"] == "cancelled"
    at.run()
    assert any("cancelled" in w.value for w in at.warning)
