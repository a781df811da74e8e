"""The embedding explorer as a student uses it: MiniLM table and a finished run, in both languages."""
from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import open_page, widget

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "explorer.py")
APP = str(Path(__file__).resolve().parents[2] / "app.py")
RUN = "w2v-explorer-test"


@pytest.fixture(autouse=True)
def _no_umap_head_start(monkeypatch):
    """The page compiles UMAP in the background on first view; these tests never use UMAP."""
    monkeypatch.setenv("EMBEDLAB_WARM_UMAP", "0")


def page(lang="en", run=None) -> AppTest:
    return open_page(PAGE, lang, run, timeout=240)


def no_traceback(at):
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def finished_run(runs_root):
    """A finished word2vec run written the way the trainer writes one (gensim's word2vec binary + vocab)."""
    from gensim.models import KeyedVectors

    rng = np.random.default_rng(0)
    words = ["king", "queen", "man", "woman", "he", "she", "prince", "princess"] + [f"w{i}" for i in range(72)]
    royal, male, female = np.eye(16)[0], np.eye(16)[1], np.eye(16)[2]
    base = {"king": royal + male, "queen": royal + female, "man": male, "woman": female, "he": male, "she": female,
            "prince": royal + male * 0.8, "princess": royal + female * 0.8}
    vectors = np.array([base.get(w, np.zeros(16)) + rng.normal(scale=0.05 if w in base else 1.0, size=16)
                        for w in words], dtype=np.float32)
    kv = KeyedVectors(16)
    kv.add_vectors(words, vectors)
    for i, w in enumerate(words):
        kv.set_vecattr(w, "count", 1000 - 7 * i)
    path = runs_root / RUN
    (path / "snapshots").mkdir(parents=True)
    kv.save_word2vec_format(str(path / "vectors.bin"), fvocab=str(path / "vocab.txt"), binary=True)
    for epoch in (1, 2, 3):
        noisy = vectors + rng.normal(scale=0.3 / epoch, size=vectors.shape).astype(np.float32)
        np.savez(path / "snapshots" / f"epoch_{epoch:03d}.npz", words=np.array(words), vectors=noisy)
    (path / "config.json").write_text(json.dumps({"kind": "word2vec", "name": "tiny royal", "config": {}}))
    (path / "status.json").write_text(json.dumps({
        "state": "done", "created": "2026-01-01T00:00:00Z", "started": "2026-01-01T00:00:01Z",
        "finished": "2026-01-01T00:00:05Z", "error": None, "progress": 1.0, "eta_s": None, "message": "", "pid": None,
    }))
    return path


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_minilm_table_in_both_languages(runs_root, lang):
    at = page(lang)
    no_traceback(at)
    assert at.title[0].value == {"en": "Embedding explorer", "zh": "词向量浏览器"}[lang]
    assert widget(at, "radio", "explorer_source").value == "minilm"
    # projection, neighbours and axes figures all render
    assert len(at.get("plotly_chart")) >= 3
    metrics = {m.label: m.value for m in at.metric}
    assert "queen" in metrics.values()  # king - man + woman on a real BERT's token table
    assert not at.error


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_finished_run_preselected_from_link(finished_run, lang):
    at = page(lang, run=RUN)
    no_traceback(at)
    assert widget(at, "radio", "explorer_source").value == "run"
    assert widget(at, "selectbox", "explorer_run").value == RUN
    assert not at.error, [e.value for e in at.error]
    # the drift tab animates the three snapshots: one frame per epoch
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert any(len(spec.get("frames", [])) == 3 for spec in specs)
    # search highlights a word; colouring by cluster works
    widget(at, "text_input", "explorer_search").set_value("king").run()
    widget(at, "radio", "explorer_colour").set_value("cluster").run()
    no_traceback(at)
    assert not at.warning
    # analogy on the run's vectors
    assert {m.label: m.value for m in at.metric}[
        {"en": "king − man + woman =", "zh": "king − man + woman ="}[lang]] == "queen"
    # benchmarks run; on 8 benchmark words every score is withheld, with its coverage and the reason
    widget(at, "button", "explorer_bench").click().run()
    no_traceback(at)
    scores = {m.label: m for m in at.metric if m.label.startswith(("WordSim353", "SimLex-999", "Google"))}
    assert len(scores) == 3
    assert all(m.value == "–" for m in scores.values())
    ws = scores["WordSim353 ρ"]
    assert ws.proto.help and {"en": "Withheld", "zh": "不予显示"}[lang] in ws.proto.help
    assert {"en": "coverage 2/353 (0.6%)", "zh": "覆盖 2/353（0.6%）"}[lang] in ws.proto.delta  # king-queen, man-woman
    assert any({"en": "Withheld", "zh": "不予显示"}[lang] in c.value for c in at.caption)


def test_unknown_words_give_messages_not_tracebacks(finished_run):
    at = page("en", run=RUN)
    widget(at, "text_input", "explorer_nb_word").set_value("unicorn").run()
    widget(at, "text_input", "explorer_ax_x").set_value("he-she").run()
    widget(at, "text_input", "explorer_search").set_value("nosuchword").run()
    no_traceback(at)
    errors = " ".join(e.value for e in at.error)
    assert "'unicorn'" in errors and "spaces around" in errors
    assert any("nosuchword" in w.value for w in at.warning)


def test_bad_run_link_falls_back_politely(finished_run):
    at = page("en", run="../etc")
    no_traceback(at)
    assert any("../etc" in w.value for w in at.warning)


def _glove_text() -> bytes:
    rng = np.random.default_rng(1)
    words = ["king", "queen", "man", "woman"] + [f"x{i}" for i in range(30)]
    return "".join(w + " " + " ".join(f"{v:.4f}" for v in rng.normal(size=8)) + "\n" for w in words).encode()


def test_upload_glove_then_pickle_and_garbage(runs_root):
    import pickle

    at = page("zh")
    widget(at, "radio", "explorer_source").set_value("upload").run()
    no_traceback(at)
    assert at.info  # asks for a file
    uploader = at.get("file_uploader")[0]
    uploader.upload("vectors.txt", _glove_text(), "text/plain").run()
    no_traceback(at)
    assert not at.error, [e.value for e in at.error]
    assert any("34" in c.value and "8" in c.value for c in at.caption)  # 34 words, 8 dimensions
    at.get("file_uploader")[0].upload("model.bin", pickle.dumps({"a": 1}), "application/octet-stream").run()
    no_traceback(at)
    assert any("pickle" in e.value for e in at.error)
    at.get("file_uploader")[0].upload("bad.txt", b"3 4\nking 1 2 3 4\nqueen 1 2\n", "text/plain").run()
    no_traceback(at)
    assert at.error


def _benchmark_glove() -> bytes:
    """Random 8-dim vectors for every word of gensim's benchmark files: full coverage, meaningless scores."""
    from gensim.test.utils import datapath

    words: dict[str, None] = {}
    for name in ("wordsim353.tsv", "simlex999.txt"):
        for line in open(datapath(name), encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                words.update(dict.fromkeys(w.lower() for w in line.split("\t")[:2]))
    for line in open(datapath("questions-words.txt"), encoding="utf-8"):
        if not line.startswith(":"):
            words.update(dict.fromkeys(w.lower() for w in line.split()))
    rng = np.random.default_rng(2)
    return "".join(w + " " + " ".join(f"{v:.3f}" for v in rng.normal(size=8)) + "\n" for w in words).encode()


def test_scores_with_enough_coverage_are_shown_with_it(runs_root):
    at = page("en")
    widget(at, "radio", "explorer_source").set_value("upload").run()
    at.get("file_uploader")[0].upload("bench.txt", _benchmark_glove(), "text/plain").run()
    widget(at, "button", "explorer_bench").click().run()
    no_traceback(at)
    ws = next(m for m in at.metric if m.label == "WordSim353 ρ")
    assert ws.value != "–" and abs(float(ws.value)) < 0.3  # random vectors: a real number near 0
    assert "coverage 353/353 (100.0%)" in ws.proto.delta
    keys = {chart.key for chart in at.get("plotly_chart")}
    assert {"explorer_pairs_wordsim353", "explorer_pairs_simlex999", "explorer_sections_analogies"} <= keys


def test_the_pair_box_never_compares_a_word_with_itself(runs_root):
    at = page("en")
    at.get("radio")[0].set_value("upload").run()
    at.get("file_uploader")[0].upload("v.txt", _glove_text().replace(b"king", b"kong").replace(b"queen", b"quean"),
                                      "text/plain").run()
    no_traceback(at)
    a, b = widget(at, "text_input", "explorer_pair_a").value, widget(at, "text_input", "explorer_pair_b").value
    assert a and b and a != b
    assert float(next(m for m in at.metric if m.label == "cosine similarity").value) < 0.999


def _array(value) -> np.ndarray:
    """A plotly JSON array: a list, or a typed array ``{"dtype", "bdata"}`` (base64)."""
    import base64

    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def _dups_case() -> bytes:
    return (Path(__file__).resolve().parents[1] / "cases" / "vectors-duplicates-umap" / "dups.txt").read_bytes()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_words_sharing_one_vector_are_said_and_drawn_at_one_point(runs_root, lang):
    """Case vectors-duplicates-umap: <pad>, <unk>, <s> share one vector."""
    at = page(lang)
    widget(at, "radio", "explorer_source").set_value("upload").run()
    at.get("file_uploader")[0].upload("dups.txt", _dups_case(), "text/plain").run()
    no_traceback(at)
    said = " ".join(w.value for w in at.warning)
    assert {"en": "3 words share only 1 distinct", "zh": "有 3 个词只对应 1 个不同的向量"}[lang] in said
    assert "<pad>" in said.replace("\\", "")  # named (Markdown-escaped: it reads <pad>)
    spec = json.loads(next(c for c in at.get("plotly_chart") if c.key == "explorer_projection").proto.spec)
    points = spec["data"][0]
    x, y = _array(points["x"]), _array(points["y"])
    # hover boxes carry the word escaped (plotly reads HTML: a raw <pad> would vanish as a tag)
    pos = {html.unescape(h.split("</b>")[0][3:]): (x[i], y[i]) for i, h in enumerate(points["hovertext"])}
    assert pos["<pad>"] == pos["<unk>"] == pos["<s>"]
    assert len({pos[w] for w in ("river", "boat", "River", "fish", "<pad>")}) == 5


def test_a_registered_method_appears_on_the_page_with_no_other_edit(runs_root):
    """A toy method ("first two coordinates") registered in this process is offered, drawn, and shows its formula."""
    from core.vectors.projection import ProjectionMethod, register, unregister

    class FirstTwo(ProjectionMethod):
        name = "firsttwo"
        title = "First two coordinates"
        axis = "x"
        formula = (r"y_i = (x_{i1}, x_{i2})",)
        source = "a test"
        max_words = 500

        def fit(self, x, dims, seed, params, on_progress=None):
            return x[:, :dims]

    register(FirstTwo)
    try:
        at = AppTest.from_file(APP, default_timeout=240)
        at.session_state["lang"] = "en"
        at.run()
        at.switch_page("app_pages/explorer.py").run()
        no_traceback(at)
        method = widget(at, "radio", "explorer_method")
        assert "First two coordinates" in method.options
        method.set_value("firsttwo").run()
        no_traceback(at)
        assert not at.error, [e.value for e in at.error]
        assert any(r"y_i = (x_{i1}, x_{i2})" in lx.value for lx in at.latex)
        spec = json.loads(next(c for c in at.get("plotly_chart") if c.key == "explorer_projection").proto.spec)
        assert spec["layout"]["xaxis"]["title"]["text"] == "x 1"
    finally:
        unregister("firsttwo")


def test_large_projection_runs_as_a_job_and_is_reused(finished_run, monkeypatch):
    """Above a method's job_above the page submits a "projection" job (real worker process), then draws its result."""
    from core import jobs
    from core.vectors.projection import get

    monkeypatch.setattr(get("pca"), "job_above", 20)  # the fixture run has 80 words
    monkeypatch.setenv("EMBEDLAB_CACHE", str(finished_run.parent.parent / "cache"))
    at = page("en", run=RUN)
    no_traceback(at)
    assert not any(c.key == "explorer_projection" for c in at.get("plotly_chart"))
    assert any("background job" in i.value for i in at.info)
    widget(at, "button", "explorer_job_start").click().run()
    no_traceback(at)
    (run,) = jobs.list_runs(kind="projection")
    assert jobs.wait(run["id"], timeout=180)["state"] == "done", jobs.get_status(run["id"])
    at.run()
    no_traceback(at)
    assert any(c.key == "explorer_projection" for c in at.get("plotly_chart"))
    assert any("cache" in c.value for c in at.caption)  # drawn from the job's cached result
    assert len(jobs.list_runs(kind="projection")) == 1
