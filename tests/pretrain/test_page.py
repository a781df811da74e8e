"""The pretraining page as a user meets it: both languages, bad input, a tiny shoot-out of two encodings."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import core.jobs as jobs
from tests.ui.apptest import open_page, widget


PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "pretrain.py")


def page(lang="en", run=None) -> AppTest:
    return open_page(PAGE, lang, run, timeout=180)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_renders_in_both_languages(runs_root, lang):
    at = page(lang)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == {"en": "Pretrain a BERT or a GPT from zero", "zh": "从零预训练一个 BERT 或 GPT"}[lang]
    budget = {"en": "Budget:", "zh": "预算："}[lang]
    assert any(c.value.startswith(budget) for c in at.caption)
    # the budget follows the widgets: 2000 steps x 32 x 128 by default
    assert any("8,192,000" in c.value for c in at.caption)


def test_bad_setting_is_held_in_the_schemas_bounds_and_queues_nothing(runs_root):
    at = page()
    box = widget(at, "number_input", "pretrain_hp_seq_len")
    assert (box.min, box.max) == (8, 2048)  # the config's own bounds (the CLI and validation say the same)
    box.set_value(4).run()
    assert not at.exception
    assert widget(at, "number_input", "pretrain_hp_seq_len").value == 8
    assert jobs.list_runs("pretrain") == []


def test_no_encoding_chosen_is_a_message(runs_root):
    at = page()
    widget(at, "multiselect", "pretrain_positions").set_value([]).run()
    widget(at, "button", "pretrain_start").click().run()
    assert not at.exception
    assert any("at least one position encoding" in e.value for e in at.error)


def _train_tiny_from_the_page(positions: list[str], objectives: list[str] | None = None) -> AppTest:
    """The page with a 4-step run per objective and encoding submitted from its form (CPU, tiny sizes)."""
    at = page()
    widget(at, "multiselect", "pretrain_positions").set_value(positions)
    if objectives:
        widget(at, "multiselect", "pretrain_objectives").set_value(objectives)
    for key, value in (("steps", 4), ("batch_size", 4), ("seq_len", 16), ("vocab_size", 200)):
        widget(at, "number_input", f"pretrain_hp_{key}").set_value(value)
    widget(at, "selectbox", "pretrain_hp_device").set_value("cpu")
    at.run()
    widget(at, "button", "pretrain_start").click().run()
    return at


def test_a_two_encoding_shootout_runs_and_shows_extrapolation(runs_root):
    at = _train_tiny_from_the_page(["rope", "alibi"])
    assert not at.exception, [e.value for e in at.exception]
    runs = jobs.list_runs("pretrain")
    assert sorted(r["config"]["position_encoding"] for r in runs) == ["alibi", "rope"]
    assert {r["config"]["steps"] for r in runs} == {4}
    deadline = time.monotonic() + 240
    while any(jobs.get_status(r["id"])["state"] in jobs.ACTIVE for r in runs) and time.monotonic() < deadline:
        time.sleep(2)
    assert [jobs.get_status(r["id"])["state"] for r in runs] == ["done", "done"], [jobs.get_status(r["id"]) for r in runs]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Finished" in s.value for s in at.success)
    charts = at.get("plotly_chart")
    assert len(charts) >= 5  # live/final curves, extrapolation of the run, two overlays, shoot-out extrapolation
    assert at.dataframe  # the [MASK] guesses and the runs table
    # every accuracy chart draws the unigram baseline (always the most frequent token) as its chance line
    chance = [c for c in charts if "unigram baseline: always" in c.proto.spec]
    assert len(chance) >= 3, "run's extrapolation, accuracy overlay and shoot-out extrapolation need a chance line"
    assert all(jobs.read_summary(r["id"])["baseline"]["accuracy"] > 0 for r in runs)
    # the sample's held-out text is small: the page says how few tokens its accuracies count (QA)
    rows = json.loads((jobs.run_dir(runs[0]["id"]) / "extrapolation.json").read_text())["rows"]
    assert rows[0]["predicted_tokens"] < 1000
    assert any(f"only {min(r['predicted_tokens'] for r in rows if r['accuracy'] is not None):,} held-out tokens"
               in c.value for c in at.caption), [c.value for c in at.caption]


def test_a_reattached_run_fills_the_form_with_its_own_settings(runs_root):
    """After a refresh on ?run=<id>, the form shows that run's settings (not the defaults), so Start repeats it."""
    import json

    from core.pretrain.job import build_job_config

    config = build_job_config({"corpus": "lee", "position_encoding": "rope", "steps": 300, "batch_size": 8,
                               "seq_len": 32, "vocab_size": 2000, "learning_rate": 0.002, "device": "cpu"})
    run_dir = runs_root / "pretrain-form-1"
    run_dir.mkdir()
    (run_dir / "config.json").write_text(json.dumps({"kind": "pretrain", "name": "lee · rope · tiny", "config": config,
                                                     "target": "core.pretrain.job:run", "resource": "cpu", "seq": 1}))
    (run_dir / "status.json").write_text(json.dumps({
        "state": "cancelled", "created": "2026-01-01T00:00:00+00:00", "started": "2026-01-01T00:00:01+00:00",
        "finished": "2026-01-01T00:01:00+00:00", "error": None, "progress": 1.0, "eta_s": 0.0, "message": "",
        "pid": None}))
    at = page(run="pretrain-form-1")
    assert not at.exception, [e.value for e in at.exception]
    assert widget(at, "multiselect", "pretrain_positions").value == ["rope"]
    values = {key: widget(at, "number_input", f"pretrain_hp_{key}").value
              for key in ("steps", "batch_size", "seq_len", "vocab_size", "learning_rate")}
    assert values == {"steps": 300, "batch_size": 8, "seq_len": 32, "vocab_size": 2000, "learning_rate": 0.002}
    assert widget(at, "selectbox", "pretrain_sample").value == "lee"
    assert not any("Session State" in w.value for w in at.warning)  # no widget given two values
    assert any("76,800" in c.value for c in at.caption)  # the budget: 300 x 8 x 32 tokens


def test_an_objective_shootout_compares_bert_and_gpt_and_each_run_has_its_prompt_box(runs_root):
    at = _train_tiny_from_the_page(["rope"], objectives=["mlm", "clm"])
    assert not at.exception, [e.value for e in at.exception]
    assert any("2 run(s)" in c.value for c in at.caption)  # one run per objective
    runs = jobs.list_runs("pretrain")
    assert sorted(r["config"]["objective"] for r in runs) == ["clm", "mlm"]
    deadline = time.monotonic() + 240
    while any(jobs.get_status(r["id"])["state"] in jobs.ACTIVE for r in runs) and time.monotonic() < deadline:
        time.sleep(2)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.table if "next-token accuracy" in d.value.columns)
    rows = dict(zip(table["objective"], table.to_dict("records")))
    assert set(rows) == {"Masked LM (BERT)", "Causal LM (GPT)"}
    assert rows["Masked LM (BERT)"]["next-token accuracy"] == "–" != rows["Masked LM (BERT)"]["masked-token accuracy"]
    assert rows["Causal LM (GPT)"]["masked-token accuracy"] == "–" != rows["Causal LM (GPT)"]["next-token accuracy"]
    assert any(s.value == "Objective shoot-out" for s in at.subheader)
    gpt = next(r["id"] for r in runs if r["config"]["objective"] == "clm")
    at = page(run=gpt)  # the causal run's own box: the next tokens and two continuations
    assert not at.exception, [e.value for e in at.exception]
    assert widget(at, "text_input", "pretrain_prompt").value == "今天天气"  # the start of a text in the corpus's language
    assert any("next token" in d.value.columns for d in at.dataframe)
    assert len(at.text) >= 2 and all(x.value.startswith("今天天气") for x in at.text[-2:])
    assert any("Greedy" in c.value for c in at.caption)
