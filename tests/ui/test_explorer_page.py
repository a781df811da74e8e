"""The embedding explorer as a student uses it: MiniLM table and a finished run, in both languages."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "explorer.py")
RUN = "w2v-explorer-test"


@pytest.fixture(autouse=True)
def _no_umap_head_start(monkeypatch):
    """The page compiles UMAP in the background on first view; these tests never use UMAP."""
    monkeypatch.setenv("EMBEDLAB_WARM_UMAP", "0")


def page(lang="en", run=None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.session_state["lang"] = lang
    if run is not None:
        at.query_params["run"] = run
    return at.run()


def widget(at, kind, key):
    """The widget whose key is ``key`` (inputs with per-source defaults are keyed ``key@<fingerprint>``)."""
    return next(w for w in getattr(at, kind) if w.key == key or str(w.key).startswith(key + "@"))


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
    # benchmarks run and show their charts
    charts_before = len(at.get("plotly_chart"))
    widget(at, "button", "explorer_bench").click().run()
    no_traceback(at)
    assert len(at.get("plotly_chart")) > charts_before
    assert any(m.label.startswith("WordSim353") for m in at.metric)


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
