"""The pieces behind issue 20: literal text in Markdown and figures, CSV-safe cells, the shared cache."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from core.plots.text import plain, plain_figure
from core.spreadsheet import neutralise
from ui.cache import shared, shared_builders
from ui.text import md


@pytest.mark.parametrize("text,escaped", [
    ("![x](http://127.0.0.1:9/i.png)", "![x\\](http:\u2060//127.0.0.1:9/i.png)"),
    # GFM links bare URLs and e-mails after escapes are resolved: an invisible word joiner breaks them
    ("see www.x.org or me@x.org", "see www\u2060.x.org or me\u2060@x.org"),
    ('<a href="x">y</a>', '\\<a href="x"\\>y\\</a\\>'),
    ("**bold** and `code` and $x$", "\\*\\*bold\\*\\* and \\`code\\` and \\$x\\$"),
    ("# heading", "\\# heading"),
    ("1. item", "1\\. item"),
    ("line one\nline two", "line one line two"),
    ("snake_case_name.txt", "snake_case_name.txt"),  # nothing to escape: shown (and found) as typed
    ("write [MASK] here", "write [MASK] here"),
    ("a < b", "a < b"),
])
def test_md_escapes_only_what_markdown_would_act_on(text, escaped):
    assert md(text) == escaped


def test_md_round_trips_through_a_markdown_renderer():
    """Rendered, the escaped text reads exactly as typed (CommonMark via markdown-it, what Streamlit follows)."""
    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark")
    for text in ("![x](http://h/i.png)", "<b>bold</b>", "**x** _y_ `z`", "# t", "1. one", "[a](b)"):
        html = renderer.renderInline(md(text))
        assert "<img" not in html and "<a " not in html and "<strong>" not in html and "<em>" not in html
        assert "<code>" not in html


def test_plain_figure_escapes_data_and_titles_once():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["<a href=x>w</a>", "ok"], y=[1, 2], name="<b>n</b>", text=["<i>t</i>", "u"]))
    fig.update_layout(title="run <img src=x>", xaxis_title="<a>")
    plain_figure(plain_figure(fig))  # twice: escaped once
    assert list(fig.data[0].x) == ["&lt;a href=x&gt;w&lt;/a&gt;", "ok"]
    assert fig.data[0].name == "&lt;b&gt;n&lt;/b&gt;" and fig.data[0].text[0] == "&lt;i&gt;t&lt;/i&gt;"
    assert fig.layout.title.text == "run &lt;img src=x&gt;" and fig.layout.xaxis.title.text == "&lt;a&gt;"
    assert plain("a & b") == "a &amp; b"


@pytest.mark.parametrize("cell,safe", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("-0.25", "-0.25"), ("+3", "+3"), ("word", "word"), ("国王", "国王"),
])
def test_spreadsheet_cells_never_start_a_formula(cell, safe):
    assert neutralise(cell) == safe


def test_projector_metadata_carries_no_live_formula(tmp_path):
    from gensim.models import KeyedVectors

    from core.vectors.io import save_projector_tsv

    kv = KeyedVectors(2)
    kv.add_vectors(["=1+1", "@SUM(A1)", "-x", "ok"], np.array([[-1, 2], [3, 4], [5, -6], [7, 8]], dtype=np.float32))
    save_projector_tsv(kv, tmp_path / "v.tsv", tmp_path / "m.tsv")
    assert (tmp_path / "m.tsv").read_text(encoding="utf-8").splitlines() == ["'=1+1", "'@SUM(A1)", "'-x", "ok"]
    assert (tmp_path / "v.tsv").read_text().splitlines()[0] == "-1.0\t2.0"  # numbers stay numbers


def test_shared_computes_once_for_concurrent_callers_and_ignores_underscore_arguments():
    calls = []

    @shared(max_entries=2)
    def slow(x, _ignored=None):
        calls.append(x)
        time.sleep(0.2)
        return [x]

    results = []
    threads = [threading.Thread(target=lambda: results.append(slow(1, _ignored=object()))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1] and all(r is results[0] for r in results)  # one computation, one shared object
    slow(2), slow(3)
    slow(1)
    assert calls == [1, 2, 3, 1]  # bounded: the least recently used entry went


def test_streamlits_clear_cache_does_not_reach_the_shared_cache():
    import streamlit as st

    calls = []

    @shared()
    def model():
        calls.append(1)
        return object()

    first = model()
    st.cache_data.clear()
    st.cache_resource.clear()
    assert model() is first and calls == [1]


def test_a_failing_computation_caches_nothing():
    attempts = []

    @shared()
    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("first time")
        return "ok"

    with pytest.raises(ValueError):
        flaky()
    assert flaky() == "ok" and len(attempts) == 2


def test_shared_builders_build_a_figure_once_per_arguments():
    import core.plots.explorer as plots

    builders = shared_builders(plots)
    a = builders.neighbours_figure([("x", 0.5)], title="t")
    b = builders.neighbours_figure([("x", 0.5)], title="t")
    c = builders.neighbours_figure([("x", 0.4)], title="t")
    assert a is b and a is not c
