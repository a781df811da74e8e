"""What users type and what their files hold reaches the browser as text, on every page (issue 20).

A run name, a file name, words of a vector file, labels of a CSV and a sentence
typed into a box are given hostile values: a Markdown image that would fetch a
URL in every other student's browser, an HTML link, an image tag, a formula.
Each page is opened on them and every element it sends is checked: Markdown
bodies (text, captions, alerts, headings, metric and expander labels) carry
them backslash-escaped, plotly figures carry them as HTML entities, HTML
elements escaped. A test that cannot fail is a defect: ``test_the_check_finds_raw_markup``
shows the check catches the raw strings.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import open_page, widget

URL = "http://127.0.0.1:9/x.png"
IMAGE = f"![x]({URL})"
LINK = '<a href="http://127.0.0.1:9/">click</a>'
TAG = "<img src=x onerror=alert(1)>"
HOSTILE = f"{IMAGE} {LINK} {TAG} **bold**"
HOSTILE_WORDS = [IMAGE, "<a>", "<b>bold</b>", '=HYPERLINK("http://x")', "@SUM(1)", "[x](http://127.0.0.1:9/)"]

# Raw (unescaped) markup: a link or image in Markdown, an HTML tag a browser or plotly would act on.
MARKDOWN_RAW = re.compile(r"(?<!\\)\]\(http://127\.0\.0\.1:9|(?<!\\)<(?:a|img)[\s>]|(?<!\\)<b>bold")  # live
HTML_RAW = re.compile(r"<(?:a|img)[\s>]|<b>bold")  # hostile tags (EmbedLab's own <b>, <br> in hovers pass)

RUN = "word2vec-hostile-1"
PAGES = Path(__file__).resolve().parents[2] / "app_pages"


def markdown_texts(at) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown."""
    texts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader"):
        texts += [str(e.value) for e in getattr(at, kind)]
    texts += [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    texts += [e.label for e in at.expander]
    return texts


def figure_texts(at) -> list[str]:
    return [json.dumps(json.loads(chart.proto.spec), ensure_ascii=False) for chart in at.get("plotly_chart")]


def html_texts(at) -> list[str]:
    return [e.proto.body for e in at.get("html")]


def assert_plain(at) -> None:
    """No element of ``at`` carries a hostile string as live markup."""
    assert not at.exception, [e.value for e in at.exception]
    raw = [t for t in markdown_texts(at) if MARKDOWN_RAW.search(t)]
    assert not raw, raw
    raw = [t[:300] for t in figure_texts(at) if HTML_RAW.search(t)]
    assert not raw, raw
    raw = [t[:300] for t in html_texts(at) if "127.0.0.1:9" in t and HTML_RAW.search(t)]
    assert not raw, raw


@pytest.fixture
def hostile_run(runs_root):
    """A finished word2vec run with a hostile name and corpus name, whose vocabulary holds hostile words."""
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(0)
    words = HOSTILE_WORDS + ["king", "queen", "man", "woman"] + [f"w{i}" for i in range(40)]
    kv = KeyedVectors(8)
    kv.add_vectors(words, rng.normal(size=(len(words), 8)).astype(np.float32))
    for i, w in enumerate(words):
        kv.set_vecattr(w, "count", 1000 - 7 * i)
    path = runs_root / RUN
    (path / "snapshots").mkdir(parents=True)
    kv.save_word2vec_format(str(path / "vectors.bin"), fvocab=str(path / "vocab.txt"), binary=True)
    for epoch in (1, 2):
        np.savez(path / "snapshots" / f"epoch_{epoch:03d}.npz", words=np.array(words),
                 vectors=kv.vectors + rng.normal(scale=0.1, size=kv.vectors.shape).astype(np.float32))
    (path / "config.json").write_text(json.dumps({"kind": "word2vec", "name": HOSTILE, "seq": 1, "config": {
        "corpus": str(runs_root / "x.txt"), "corpus_name": f"{IMAGE}.txt", "engine": "gensim"}}))
    (path / "status.json").write_text(json.dumps({
        "state": "done", "created": "2026-01-01T00:00:00+00:00", "started": "2026-01-01T00:00:01+00:00",
        "finished": "2026-01-01T00:00:05+00:00", "error": None, "progress": 1.0, "eta_s": None, "message": "",
        "pid": None}))
    (path / "metrics.jsonl").write_text(json.dumps({"type": "step", "epoch": 1, "epochs": 2, "loss": 1.0,
                                                    "words_per_s": 10.0, "lr": 0.01, "time": 0}) + "\n")
    return RUN


def test_the_check_finds_raw_markup():
    at = AppTest.from_string(f"import streamlit as st\nst.caption({HOSTILE!r})\n").run()
    with pytest.raises(AssertionError):
        assert_plain(at)
    at = AppTest.from_string(
        "import plotly.graph_objects as go, streamlit as st\n"
        f"st.plotly_chart(go.Figure(go.Bar(x=[{LINK!r}], y=[1])))\n").run()
    with pytest.raises(AssertionError):
        assert_plain(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_word2vec_page_shows_run_names_file_names_and_words_as_text(hostile_run, lang):
    at = open_page(str(PAGES / "train_word2vec.py"), lang, run=hostile_run, timeout=240)
    assert_plain(at)
    shown = " ".join(markdown_texts(at))
    assert "\\]\\(" not in shown and "\\](http" in shown  # the name is there, escaped once
    at.text_input(key="train_probe").input(IMAGE).run()
    assert_plain(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_explorer_shows_hostile_words_and_names_as_text(hostile_run, lang):
    at = open_page(str(PAGES / "explorer.py"), lang, run=hostile_run, timeout=240)
    assert_plain(at)
    widget(at, "text_input", "explorer_search").set_value(f"{IMAGE} <a>").run()
    widget(at, "text_input", "explorer_labels").set_value("<b>bold</b> @SUM(1)").run()
    widget(at, "text_input", "explorer_nb_word").set_value("<a>").run()
    widget(at, "text_input", "explorer_ax_x").set_value("<a> - <b>bold</b>").run()
    assert_plain(at)
    specs = " ".join(figure_texts(at))
    assert "&lt;b&gt;bold&lt;/b&gt;" in specs  # the word is drawn, as itself


def test_input_layer_shows_a_typed_sentence_as_text():
    # English UI only: AppTest formats a radio's labels outside the page, in English (the escaping is the same).
    at = open_page(str(PAGES / "input_layer.py"), "en", timeout=240)
    at.radio(key="il_pick_en").set_value("own").run()
    at.text_input(key="il_text_own").input(HOSTILE).run()
    assert_plain(at)
    assert any("&lt;" in t for t in html_texts(at))  # the "<" tokens are shown (escaped), not dropped


def test_finetune_report_shows_hostile_labels_as_text(runs_root, tmp_path):
    from tests.finetune.helpers import SEPARABLE
    from tests.ui.test_finetune_page import _finished_run

    data = tmp_path / "hostile.csv"
    labels = {"pos": "<a href=x>pos</a>", "neg": f"![n]({URL})"}
    data.write_text("\n".join(["text,label"] + [f'{t},"{labels[y]}"' for t, y in SEPARABLE * 2]) + "\n",
                    encoding="utf-8")
    import torch

    torch.set_num_threads(1)
    run_id = _finished_run(runs_root, tmp_path, train_file=str(data), valid_file=str(data))
    meta = json.loads((runs_root / run_id / "config.json").read_text())
    (runs_root / run_id / "config.json").write_text(json.dumps({**meta, "name": HOSTILE}))
    at = open_page(str(PAGES / "finetune.py"), "en", run=run_id, timeout=240)
    assert_plain(at)
    at.text_area(key=f"ft_try_{run_id}").set_value("happy sunny joy").run()
    assert_plain(at)


def test_pretrain_and_positional_pages_keep_run_names_plain(runs_root):
    path = runs_root / "pretrain-hostile-1"
    path.mkdir()
    (path / "config.json").write_text(json.dumps({"kind": "pretrain", "name": HOSTILE, "seq": 1, "config": {}}))
    (path / "status.json").write_text(json.dumps({"state": "failed", "created": "2026-01-01T00:00:00+00:00",
                                                  "error": HOSTILE, "progress": 0.0}))
    at = open_page(str(PAGES / "pretrain.py"), "en", run="pretrain-hostile-1", timeout=240)
    assert_plain(at)
    assert_plain(open_page(str(PAGES / "positional.py"), "en", timeout=240))


def test_the_bert_vs_gpt_view_shows_a_typed_sentence_as_text():
    """QA: backticks typed into a Chinese sentence became code boxes in section 7's "reads:" captions."""
    at = open_page(str(PAGES / "input_layer.py"), "en", timeout=240)
    at.radio(key="il_pick_en").set_value("own").run()
    at.text_input(key="il_text_own").input("我们`去`公园散步 **吧**。").run()
    assert_plain(at)
    reads = [c.value for c in at.caption if " reads: " in c.value]
    assert len(reads) == 2, [c.value for c in at.caption]
    assert all(re.search(r"(?<!\\)[`*]", text) is None for text in reads), reads  # every ` and * escaped
