"""The training page as a student uses it: preview, train a tiny model in the
background, watch it finish, reattach from a link, and never see a traceback."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import core.jobs as jobs
from tests.ui.apptest import open_page, widget


PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "train_word2vec.py")


def page(lang="en", run=None) -> AppTest:
    return open_page(PAGE, lang, run, timeout=180)


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
    if lang == "zh":  # the first run in a Chinese UI starts on Chinese data, its source and licence shown (#12)
        assert widget(at, "radio", "train_source").value == "dataset"
        assert any("许可" in c.value and "来源" in c.value for c in at.caption)
        # People's Daily comes segmented: the page says no jieba runs on it, and shows no punctuation "words"
        assert any("来源已分好词" in c.value for c in at.caption)
        assert not any(tok in at.code[0].value.split(" | ") for tok in ("，", "、", "（", "）"))


def test_bad_setting_shows_a_message_not_a_traceback(runs_root):
    at = page()
    widget(at, "number_input", "train_hp_window").set_value(0).run()
    assert widget(at, "number_input", "train_hp_window").value == 1  # the form holds the schema's bounds (1-50)
    widget(at, "number_input", "train_hp_min_alpha").set_value(0.5).run()  # in its bounds, but above alpha
    widget(at, "button", "train_start").click().run()
    assert not at.exception
    assert any("min_alpha must be between 0 and alpha (0.025)" in e.value for e in at.error)
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


# ------------------------------------------------------------------ engines, form, honest results

def test_default_engine_on_a_cpu_is_gensim_with_the_reason(runs_root, monkeypatch):
    from core.word2vec import engines

    monkeypatch.setattr(engines, "device_type", lambda device=None: "cpu")
    monkeypatch.setattr(engines, "default_engine", lambda device=None: "gensim")
    at = page()
    assert widget(at, "radio", "train_engine").value == "gensim"
    captions = " ".join(c.value for c in at.caption)
    assert "gensim (CPU, all cores) is the default on this machine (cpu)" in captions
    assert "WordSim353 0.41-0.47 vs 0.24-0.25" in captions  # what the other engine offers


def test_a_registered_engine_appears_in_the_page_options(runs_root):
    from core.word2vec import engines
    from tests.word2vec.toy_engine import ToyEngine

    engines.register(ToyEngine)
    try:
        at = page()
        assert not at.exception, [e.value for e in at.exception]
        assert "toy" in widget(at, "radio", "train_engine").options
        widget(at, "radio", "train_engine").set_value("toy").run()
        assert any("random vectors, for tests of the engine registry" in c.value for c in at.caption)
        assert not any(w.key == "train_hp_batch_size" for w in at.number_input)  # a torch-only parameter
    finally:
        engines.unregister("toy")


def test_train_is_off_when_no_word_reaches_min_count(runs_root):
    at = page()
    widget(at, "number_input", "train_hp_min_count").set_value(100000).run()
    assert widget(at, "button", "train_start").disabled
    assert any("Train is off: only 0 word(s) occur at least min_count = 100000 times" in w.value for w in at.warning)


def test_the_reading_report_is_shown_above_the_preview(runs_root):
    at = page()
    assert any(e.label.startswith("Reading report") or "lee" in e.label for e in at.expander), \
        [e.label for e in at.expander]


def _finished_run(tmp_path, text: str, **settings) -> str:
    import io

    from core.word2vec.job import build_job_config

    path = tmp_path / "licence.txt"
    path.write_text(text, encoding="utf-8")
    config = build_job_config(str(path), {"epochs": 1, "vector_size": 8, "min_count": 1, **settings},
                              engine="gensim", corpus_name="LICENCE.txt")
    return jobs.run_foreground("word2vec", config, name="", show_progress=False, notes=io.StringIO())


def test_reattaching_shows_the_runs_settings_and_scores_with_their_coverage(runs_root, tmp_path):
    """#15: the form shows the run's own settings after a refresh; a score on 1.7% of the pairs is withheld."""
    import random

    rng = random.Random(0)
    words = ["money", "bank", "cash", "tiger", "cat", "king", "queen", "car", "the", "of", "and", "licence"]
    text = "\n".join(" ".join(rng.choice(words) for _ in range(12)) for _ in range(300))
    run_id = _finished_run(tmp_path, text, window=3, sample=0.0)
    at = page(run=run_id)
    assert not at.exception, [e.value for e in at.exception]
    assert widget(at, "radio", "train_engine").value == "gensim"
    assert widget(at, "number_input", "train_hp_window").value == 3
    assert widget(at, "number_input", "train_hp_epochs").value == 1
    assert widget(at, "number_input", "train_hp_min_count").value == 1
    assert widget(at, "radio", "train_source").value == "upload"
    assert any("LICENCE.txt" in i.value for i in at.info)  # the run's file, by the name the user knows
    captions = [c.value for c in at.caption]
    assert any("withheld · coverage" in c and "/353 (" in c for c in captions), captions
    ws = next(m for m in at.metric if m.label == "WordSim353 ρ")
    assert ws.value == "–"
    table = at.dataframe[-1].value
    assert "LICENCE.txt" in list(table["Corpus"]) and not any(str(v).endswith(".txt") and len(str(v)) > 40
                                                              for v in table["Corpus"])
    # train again with changes: the new run starts from the attached run's settings
    widget(at, "number_input", "train_hp_window").set_value(4).run()
    widget(at, "button", "train_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    newest = jobs.list_runs()[0]
    assert newest["id"] != run_id and newest["config"]["train"]["window"] == 4
    assert newest["config"]["corpus"] == jobs.read_config(run_id)["config"]["corpus"]
    assert newest["config"]["train"]["epochs"] == 1 and newest["config"]["engine"] == "gensim"
    jobs.cancel(newest["id"])


def test_degenerate_vectors_are_called_out_and_uncovered_eval_plot_hidden(runs_root, tmp_path):
    """Chinese text on English benchmarks: no score, no empty per-epoch plot; collapsed vectors get advice."""
    import json

    from core.jobs import store

    text = "\n".join(["猫 喜欢 吃 鱼", "狗 喜欢 吃 肉", "我们 喜欢 猫 和 狗"] * 40)
    run_id = _finished_run(tmp_path, text)
    summary = jobs.read_summary(run_id)
    summary["diagnosis"] = {"words": 10, "mean_cosine": 0.99, "neighbour_cosine": 1.0, "degenerate": True}
    store.write_json(jobs.run_dir(run_id) / "summary.json", summary)
    at = page("zh", run=run_id)
    assert not at.exception, [e.value for e in at.exception]
    assert any("向量退化了" in w.value and "更多轮" in w.value for w in at.warning)
    assert any("没有评测集能足够覆盖" in c.value for c in at.caption)
    records = [json.loads(line) for line in (jobs.run_dir(run_id) / "metrics.jsonl").read_text().splitlines()]
    assert [r for r in records if r["type"] == "eval"]  # the eval records exist; only the empty plot is hidden
    at_en = page("en", run=run_id)
    assert any("These vectors are degenerate" in w.value and "more epochs" in w.value and "min_count" in w.value
               for w in at_en.warning)

    # A 50-epoch run is not told to "train longer": the advice is the one the run's summary carries.
    from core.word2vec.results import degenerate_advice

    summary["diagnosis"]["advice"] = degenerate_advice(50, 1, 360)
    store.write_json(jobs.run_dir(run_id) / "summary.json", summary)
    for lang, longer, corpus in (("en", "train longer", "larger corpus"), ("zh", "训练更久", "更大的语料")):
        warning = next(w.value for w in page(lang, run=run_id).warning if "degenerate" in w.value or "退化" in w.value)
        assert longer not in warning.lower() and corpus in warning


def test_runs_table_shows_friendly_corpus_names(runs_root):
    from core.jobs import store

    fake_run(runs_root, "word2vec-a", 1, 9.0)
    meta = store.read_json(runs_root / "word2vec-a" / "config.json")
    meta["config"]["corpus"] = "lee"
    store.write_json(runs_root / "word2vec-a" / "config.json", meta)
    at = page("zh")
    table = at.dataframe[-1].value
    assert list(table.iloc[:, 2]) == ["Lee 新闻语料（英文，约 6 万词）"]  # the sample's title, not "lee"
    assert list(table.iloc[:, 3]) == ["gensim（CPU，多核）"] or "gensim" in str(table.iloc[0, 3])


def test_per_epoch_scores_are_plotted_with_their_coverage(runs_root):
    """Benchmarks that cover enough are plotted per epoch, their coverage in the legend; thin ones are not."""
    import numpy as np

    from core.jobs import store
    from core.vectors.io import save_run_vectors
    from core.vectors.keyed import make_keyed_vectors

    fake_run(runs_root, "word2vec-c", 1, 5.0)
    path = runs_root / "word2vec-c"
    rng = np.random.default_rng(0)
    save_run_vectors(make_keyed_vectors([f"w{i}" for i in range(50)], rng.normal(size=(50, 4)), np.arange(50, 0, -1)),
                     path)
    for epoch, value in ((1, 0.30), (2, 0.35)):
        store.append_metric(path, {"type": "eval", "epoch": epoch, "time": 10 + epoch,
                                   "wordsim353": value, "wordsim353_coverage": 0.5, "wordsim353_n": 176,
                                   "wordsim353_total": 353, "analogies": 0.9, "analogies_coverage": 0.001,
                                   "analogies_n": 12, "analogies_total": 19544})
    at = page(run="word2vec-c")
    assert not at.exception, [e.value for e in at.exception]
    import json

    names = [trace.get("name") for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]]
    assert "WordSim353 (Spearman) · coverage 176/353 (50.0%)" in names
    assert not any(str(name).startswith("Analogies") for name in names)  # 12 questions: withheld, not drawn


def test_a_run_of_an_unknown_engine_is_a_clear_error_on_the_page(runs_root):
    from core.jobs import store
    from core.word2vec import engines

    fake_run(runs_root, "word2vec-x", 1, 5.0)
    meta = store.read_json(runs_root / "word2vec-x" / "config.json")
    meta["config"].update({"engine": "fast", "corpus": "lee", "train": {"window": 7}})
    store.write_json(runs_root / "word2vec-x" / "config.json", meta)
    at = page(run="word2vec-x")
    assert not at.exception, [e.value for e in at.exception]
    assert any("unknown word2vec engine 'fast'; known engines: " + ", ".join(engines.names()) in e.value
               for e in at.error)
    assert widget(at, "number_input", "train_hp_window").value == 7  # the rest of its settings still load


def test_the_form_survives_a_refresh(runs_root):
    """Settings changed before training are kept in ?form=, so a refresh (a new session) shows them again."""
    at = page()
    widget(at, "number_input", "train_hp_epochs").set_value(9).run()
    widget(at, "radio", "train_engine").set_value("torch").run()
    saved = at.query_params["form"]
    saved = saved[0] if isinstance(saved, list) else saved
    assert '"train_hp_epochs":9' in saved and '"train_engine":"torch"' in saved
    fresh = AppTest.from_file(PAGE, default_timeout=180)
    fresh.session_state["lang"] = "en"
    fresh.query_params["form"] = saved
    fresh.run()
    assert not fresh.exception, [e.value for e in fresh.exception]
    assert widget(fresh, "number_input", "train_hp_epochs").value == 9
    assert widget(fresh, "radio", "train_engine").value == "torch"
    broken = AppTest.from_file(PAGE, default_timeout=180)
    broken.query_params["form"] = '{"train_hp_epochs":"many","train_device_torch":"cuda:7","train_engine":"nope"'
    broken.run()
    assert not broken.exception and widget(broken, "number_input", "train_hp_epochs").value == 5


@pytest.mark.parametrize("lang,said", [("en", "Korean (split on spaces)"), ("zh", "韩语（按空格切分）")])
def test_a_reattached_upload_is_read_in_its_runs_encoding_and_its_language_said(runs_root, tmp_path, lang, said):
    """Issue 23: three Korean syllables in cp949 cannot be told apart from Big5 / EUC-JP / GB18030 readings; the run
    chose cp949, so reattaching reads the file so again (no question) and says Korean, not English."""
    import json

    from core.word2vec.job import build_job_config

    path = tmp_path / "names_ko.txt"
    path.write_bytes("김민준 이서연\n".encode("cp949"))
    config = build_job_config(str(path), {"min_count": 1}, engine="gensim", corpus_name="names_ko.txt",
                              encoding="cp949")
    run_dir = runs_root / "word2vec-ko-1"
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"kind": "word2vec", "name": "ko", "config": config,
                                                     "target": "core.word2vec.job:run", "resource": "cpu", "seq": 1}))
    (run_dir / "status.json").write_text(json.dumps({"state": "cancelled", "created": None, "started": None,
                                                     "finished": None, "error": None, "progress": 0.0,
                                                     "eta_s": None, "message": "", "pid": None}))
    at = page(lang, run="word2vec-ko-1")
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    assert any("cp949" in c and said in c for c in captions), captions
    assert not any(r.key and str(r.key).startswith("train_enc_pick") for r in at.radio)  # nothing asked
    assert "김민준" in "\n".join(str(c.value) for c in at.code)
