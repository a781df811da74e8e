"""Embedding explorer: project word vectors, find neighbours and analogies, score and compare them.

Sources: a run from the runs directory (``?run=<id>`` preselects it), an
uploaded word2vec/GloVe file, or the shipped MiniLM's WordPiece table.
Each tab is a fragment, so changing a neighbour query does not resend the
50k-point projection.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from core.plots import explorer as plots
from core.vectors import align, axes, neighbours
from core.vectors.projection import ProjectionConfig, fingerprint, project_kv, top_words, warm_umap
from ui.i18n import t

MINILM = "minilm"
MAX_WORDS = {"pca": 100_000, "umap": 50_000, "tsne": 50_000}
PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "embedlab"}}


# ---------------------------------------------------------------- loading (cached)

@st.cache_resource(show_spinner=False, max_entries=2)
def _minilm():
    from core.vectors.pretrained import minilm_token_vectors

    kv = minilm_token_vectors()
    return kv, fingerprint(kv)


@st.cache_resource(show_spinner=False, max_entries=8)
def _run_vectors(path: str, stamp: float):
    from core.vectors.io import load_run_vectors

    kv = load_run_vectors(path)
    return kv, fingerprint(kv)


@st.cache_resource(show_spinner=False, max_entries=4)
def _uploaded(digest: str, suffix: str, _data: bytes):
    from core.vectors.io import load_vectors

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(_data)
        kv = load_vectors(path)
    return kv, fingerprint(kv)


@st.cache_resource(show_spinner=False)
def _umap_warmer() -> threading.Thread:
    """Compile UMAP's numba kernels once per server process, in the background, before anyone asks.

    The first page view starts it (15 s of one core on an idle machine, a minute on a busy one),
    so by the time a student switches to UMAP the compile is usually done.
    ``EMBEDLAB_WARM_UMAP=0`` turns the head start off (tests); the compile then happens on first use.
    """
    if os.environ.get("EMBEDLAB_WARM_UMAP", "1") == "0":
        thread = threading.Thread(target=lambda: None)
    else:
        thread = threading.Thread(target=warm_umap, name="umap-warm", daemon=True)
    thread.start()
    return thread


@st.cache_data(show_spinner=False, max_entries=24)
def _projection(fp: str, params: dict, _kv) -> dict:
    if params["method"] == "umap":
        _umap_warmer().join()  # never compile twice at once
    proj = project_kv(_kv, ProjectionConfig(**params), fp=fp)
    return {"words": proj.words, "coords": proj.coords, "counts": proj.counts, "from_cache": proj.from_cache}


@st.cache_data(show_spinner=False, max_entries=16)
def _clusters(fp: str, n_words: int, k: int, _kv):
    from core.vectors.clusters import kmeans_labels

    return kmeans_labels(_kv[top_words(_kv, n_words)], k)


@st.cache_data(show_spinner=False, max_entries=8)
def _evaluation(fp: str, _kv) -> dict:
    from core.vectors.evaluate import evaluate

    return evaluate(_kv, detail=True)


@st.cache_data(show_spinner=False, max_entries=8)
def _snapshots(path: str, stamp: float):
    return align.read_snapshots(path)


@st.cache_data(show_spinner=False, max_entries=8)
def _drift(path: str, stamp: float, limit: int):
    return align.drift_projection(_snapshots(path, stamp), limit)


@st.cache_data(show_spinner=False, max_entries=8)
def _compare(fp_a: str, fp_b: str, limit: int, _kv_a, _kv_b):
    return align.compare_projection(_kv_a, _kv_b, limit)


def _stamp(path: Path) -> float:
    """Changes when the run's vectors or snapshots change, so caches follow a re-trained run."""
    stamps = [p.stat().st_mtime for p in (path / "vectors.bin", path / "snapshots") if p.exists()]
    return max(stamps, default=0.0)


def _words(text: str) -> list[str]:
    return [w for w in text.replace(",", " ").replace("，", " ").split() if w]


def _bad(err: Exception) -> None:
    st.error(t("common.bad_input", message=str(err)))


# ---------------------------------------------------------------- source

def _runs() -> list[dict]:
    from core.jobs import list_runs

    try:
        return [r for r in list_runs(kind="word2vec") if r.get("state") in ("done", "cancelled", "interrupted")]
    except (OSError, ValueError):
        return []


def _run_path(run_id: str) -> Path:
    from core.jobs import run_dir

    return Path(run_dir(run_id))


def _run_label(run: dict) -> str:
    return f"{run.get('name') or run['id']} · {run['id']}"


def source_ui(runs: list[dict]) -> dict:
    """Which vectors to explore: ``{"kind": "run"|"upload"|"minilm", ...}``."""
    wanted = st.query_params.get("run")
    ids = [r["id"] for r in runs]
    kinds = ["run", "upload", MINILM]
    if wanted and wanted not in ids:
        st.warning(t("explorer.run_missing", run=str(wanted)[:80]))
    cols = st.columns([2, 3])
    kind = cols[0].radio(t("explorer.source"), kinds, index=0 if (ids and (wanted in ids or not wanted)) else 2,
                         format_func={k: t(f"explorer.source_{k}") for k in kinds}.get, key="explorer_source")
    with cols[1]:
        if kind == "run":
            if not ids:
                st.info(t("explorer.no_runs"))
                st.page_link("app_pages/train_word2vec.py", label=t("nav.train_word2vec"), icon=":material/model_training:")
                return {"kind": None}
            labels = {r["id"]: _run_label(r) for r in runs}
            run_id = st.selectbox(t("explorer.run"), ids, index=ids.index(wanted) if wanted in ids else 0,
                                  format_func=labels.get, key="explorer_run")
            if st.query_params.get("run") != run_id:
                st.query_params["run"] = run_id
            return {"kind": "run", "run_id": run_id}
        if kind == "upload":
            upload = st.file_uploader(t("explorer.upload"), help=t("explorer.upload_help"), key="explorer_upload")
            if upload is None:
                st.info(t("explorer.upload_wait"))
                return {"kind": None}
            return {"kind": "upload", "name": upload.name, "data": upload.getvalue()}
        st.caption(t("explorer.minilm_note"))
        return {"kind": MINILM}


def load_source(source: dict):
    """(KeyedVectors, fingerprint, run path or None, display name) for a source."""
    if source["kind"] == MINILM:
        kv, fp = _minilm()
        return kv, fp, None, "MiniLM WordPiece"
    if source["kind"] == "run":
        path = _run_path(source["run_id"])
        kv, fp = _run_vectors(str(path), _stamp(path))
        return kv, fp, path, source["run_id"]
    name = source["name"]
    if name.lower().endswith((".model", ".pkl", ".pickle", ".npy")):
        raise ValueError(t("explorer.no_pickles"))
    digest = hashlib.blake2b(source["data"], digest_size=16).hexdigest()
    kv, fp = _uploaded(digest, Path(name).suffix.lower()[:10], source["data"])
    return kv, fp, None, name


# ---------------------------------------------------------------- tabs

def projection_ui(kv) -> tuple[dict, dict]:
    """Projection parameters (plain dict for ProjectionConfig) and view options."""
    c1, c2, c3, c4 = st.columns([2, 1, 3, 2])
    method = c1.radio(t("explorer.method"), ["pca", "umap", "tsne"], horizontal=True,
                      format_func={m: t(f"explorer.method_{m}") for m in ("pca", "umap", "tsne")}.get,
                      key="explorer_method")
    dims = c2.radio(t("explorer.dims"), [2, 3], horizontal=True, format_func=lambda d: f"{d}D", key="explorer_dims")
    # PCA is linear and instant up to 100k words (past the TF Projector's load cap); UMAP and
    # t-SNE stop at 50k, where a cold fit already takes minutes on a small server.
    size = len(top_words(kv, MAX_WORDS[method]))
    default_n = min(size, 2000 if method != "pca" else 5000)
    if size > 10:
        n_words = c3.slider(t("explorer.n_words"), min_value=10, max_value=size, value=default_n,
                            step=10 if size > 100 else 1, help=t("explorer.n_words_help"), key=f"explorer_n_{method}")
    else:
        n_words = size
    if method != "pca" and n_words > 10_000:
        c3.caption(t("explorer.slow_hint"))
    colour = c4.radio(t("explorer.colour"), ["frequency", "cluster"], horizontal=True,
                      format_func={c: t(f"explorer.colour_{c}") for c in ("frequency", "cluster")}.get,
                      key="explorer_colour")
    params = dict(method=method, dims=dims, n_words=n_words)
    with st.expander(t("explorer.params"), expanded=method != "pca"):
        p1, p2, p3, p4 = st.columns(4)
        params["metric"] = p1.selectbox(t("explorer.metric"), ["cosine", "euclidean"], key="explorer_metric",
                                        help=t("explorer.metric_help"))
        params["seed"] = int(p2.number_input(t("explorer.seed"), 0, 10_000, 0, key="explorer_seed"))
        if method == "umap":
            params["n_neighbors"] = p3.slider(t("explorer.n_neighbors"), 2, 100, 15, key="explorer_nn",
                                              help=t("explorer.n_neighbors_help"))
            params["min_dist"] = p4.slider(t("explorer.min_dist"), 0.0, 0.99, 0.1, 0.01, key="explorer_md",
                                           help=t("explorer.min_dist_help"))
        elif method == "tsne":
            params["perplexity"] = float(p3.slider(t("explorer.perplexity"), 2, 100, 30, key="explorer_px",
                                                   help=t("explorer.perplexity_help")))
        k = p4.slider(t("explorer.k_clusters"), 2, 24, 8, key="explorer_k") if colour == "cluster" else 0
    s1, s2, s3 = st.columns([3, 1, 3])
    search = s1.text_input(t("explorer.search"), key="explorer_search", help=t("explorer.search_help"))
    k_search = s2.number_input(t("explorer.search_k"), 1, 50, 10, key="explorer_search_k")
    labels = s3.text_input(t("explorer.labels"), key="explorer_labels", help=t("explorer.labels_help"))
    view = dict(colour=colour, k=k, search=_words(search), k_search=int(k_search), labels=_words(labels))
    return params, view


@st.fragment
def projection_tab(kv, fp: str, name: str) -> None:
    params, view = projection_ui(kv)
    try:
        config = ProjectionConfig(**params)
    except ValueError as err:
        _bad(err)
        return
    with st.spinner(t(f"explorer.computing_{params['method']}", n=params["n_words"])):
        try:
            proj = _projection(fp, params, kv)
        except ValueError as err:
            _bad(err)
            return
    words = proj["words"]
    clusters = _clusters(fp, params["n_words"], view["k"], kv) if view["colour"] == "cluster" else None
    found = [w for w in view["search"] if w in set(words)]
    missing = [w for w in view["search"] if w not in set(words)]
    if missing:
        st.warning(t("explorer.not_plotted", words=", ".join(missing)))
    near = neighbours.neighbourhood(kv, found, view["k_search"], within=words)
    near_words = [w for ws in near.values() for w in ws]
    axis = {"pca": "PC", "umap": "UMAP", "tsne": "t-SNE"}[params["method"]]
    fig = plots.projection_figure(
        proj["coords"], words, counts=proj["counts"], clusters=clusters, highlight=found,
        neighbours=near_words, labels=view["labels"],
        title=t("explorer.projection_title", method=t(f"explorer.method_{params['method']}"), n=len(words), name=name),
        axis_titles=tuple(f"{axis} {i}" for i in (1, 2, 3)),
        colour_title=t("explorer.cluster") if clusters is not None else (
            t("explorer.log_count") if proj["counts"] is not None else t("explorer.log_rank")),
        count_label=t("explorer.count"), rank_label=t("explorer.rank"),
    )
    st.plotly_chart(fig, config=PLOT_CONFIG, key="explorer_projection")
    info, formula = st.columns([3, 2])
    with info:
        st.caption(t("explorer.from_cache") if proj["from_cache"] else t("explorer.computed"))
        st.markdown(t(f"explorer.explain_{params['method']}"))
        if near:
            st.dataframe(pd.DataFrame({w: pd.Series(ws) for w, ws in near.items()}), hide_index=True)
        st.download_button(t("explorer.download_html"), data=partial(fig.to_html, include_plotlyjs=True),
                           file_name=f"embedlab_{params['method']}.html", mime="text/html",
                           icon=":material/download:", key="explorer_dl_html")
        st.caption(t("explorer.png_hint"))
    with formula:
        for line in FORMULAS[params["method"]]:
            st.latex(line)


FORMULAS = {
    "pca": (r"y_i = W^\top (x_i - \bar{x})", r"\operatorname{Cov}(x)\, W = W \Lambda_{\text{top-}d}"),
    "umap": (r"\min_{Y} \sum_{i,j} p_{ij}\log\frac{p_{ij}}{q_{ij}} + (1-p_{ij})\log\frac{1-p_{ij}}{1-q_{ij}}",
             r"q_{ij} = \big(1 + a\,\lVert y_i-y_j\rVert^{2b}\big)^{-1}"),
    "tsne": (r"\min_{Y} \mathrm{KL}(P\,\Vert\,Q) = \sum_{i\neq j} p_{ij}\log\frac{p_{ij}}{q_{ij}}",
             r"q_{ij} \propto \big(1+\lVert y_i-y_j\rVert^2\big)^{-1}"),
}


@st.fragment
def neighbours_tab(kv, fp: str) -> None:
    first = next((w for w in ("king", "good", "国王", "中国") if w in kv.key_to_index), top_words(kv, 1)[0])
    left, right = st.columns([3, 2])
    with left:
        c1, c2 = st.columns([3, 1])
        word = c1.text_input(t("explorer.word"), value=first, key=f"explorer_nb_word@{fp[:8]}")
        k = c2.number_input(t("explorer.k"), 1, 100, 10, key="explorer_nb_k")
        try:
            pairs = neighbours.neighbours(kv, word, int(k))
        except ValueError as err:
            _bad(err)
        else:
            st.plotly_chart(plots.neighbours_figure(pairs, title=t("explorer.neighbours_title", word=word.strip()),
                                                    x_title=t("explorer.cosine")),
                            config=PLOT_CONFIG, key="explorer_nb_fig")
        st.latex(r"\cos(u, v) = \frac{u \cdot v}{\lVert u\rVert\,\lVert v\rVert}")
    with right:
        st.subheader(t("explorer.pair"))
        p1, p2 = st.columns(2)
        a = p1.text_input(t("explorer.word_a"), value=first, key=f"explorer_pair_a@{fp[:8]}")
        b = p2.text_input(t("explorer.word_b"), value=next((w for w in ("queen", "bad", "王后")
                                                            if w in kv.key_to_index), first), key=f"explorer_pair_b@{fp[:8]}")
        try:
            st.metric(t("explorer.cosine"), f"{neighbours.similarity(kv, a, b):.3f}")
        except ValueError as err:
            _bad(err)
        st.subheader(t("explorer.analogy"))
        st.caption(t("explorer.analogy_help"))
        defaults = ("king", "man", "woman") if all(w in kv.key_to_index for w in ("king", "man", "woman")) else ("", "", "")
        q1, q2, q3 = st.columns(3)
        a = q1.text_input("a", value=defaults[0], key=f"explorer_an_a@{fp[:8]}")
        b = q2.text_input("b", value=defaults[1], key=f"explorer_an_b@{fp[:8]}")
        c = q3.text_input("c", value=defaults[2], key=f"explorer_an_c@{fp[:8]}")
        st.latex(r"\arg\max_{w \notin \{a,b,c\}} \cos\!\big(w,\; \hat a - \hat b + \hat c\big)")
        if a.strip() and b.strip() and c.strip():
            try:
                answers = neighbours.analogy(kv, a, b, c, k=6)
            except ValueError as err:
                _bad(err)
            else:
                st.metric(t("explorer.answer", a=a.strip(), b=b.strip(), c=c.strip()), answers[0][0],
                          f"cos {answers[0][1]:.3f}", delta_color="off", delta_arrow="off")
                st.dataframe(pd.DataFrame(answers[1:], columns=[t("explorer.runner_up"), t("explorer.cosine")]),
                             hide_index=True)


AXES_EXAMPLE = ("he - she", "king - queen",
                "man woman boy girl father mother king queen prince princess doctor nurse actor actress husband wife")


def _axes_defaults(kv) -> tuple[str, str, str]:
    """The classic gender/royalty example where the vocabulary has it, else the most frequent words."""
    known = [w for w in AXES_EXAMPLE[2].split() if w in kv.key_to_index]
    if all(w in kv.key_to_index for w in ("he", "she", "king", "queen")):
        return AXES_EXAMPLE[0], AXES_EXAMPLE[1], " ".join(known)
    top = top_words(kv, 24)
    return f"{top[0]} - {top[1]}", f"{top[2]} - {top[3]}", " ".join(top[4:])


@st.fragment
def axes_tab(kv, fp: str) -> None:
    st.markdown(t("explorer.axes_intro"))
    x_default, y_default, words_default = _axes_defaults(kv)
    c1, c2 = st.columns(2)
    x_formula = c1.text_input(t("explorer.axis_x"), value=x_default, key=f"explorer_ax_x@{fp[:8]}")
    y_formula = c2.text_input(t("explorer.axis_y"), value=y_default, key=f"explorer_ax_y@{fp[:8]}")
    words = _words(st.text_area(t("explorer.axis_words"), value=words_default, key=f"explorer_ax_words@{fp[:8]}"))
    try:
        placed, coords = axes.place_on_axes(kv, words, x_formula, y_formula)
        angle = axes.axes_cosine(kv, x_formula, y_formula)
    except ValueError as err:
        _bad(err)
        return
    skipped = [w for w in words if w not in kv.key_to_index]
    if skipped:
        st.warning(t("explorer.skipped", words=", ".join(skipped)))
    fig = plots.axes_figure(coords, placed, x_title=f"cos(w, {x_formula.strip()})",
                            y_title=f"cos(w, {y_formula.strip()})", title=t("explorer.axes_title"))
    st.plotly_chart(fig, config=PLOT_CONFIG, key="explorer_axes_fig")
    st.latex(r"x_w = \cos\big(w,\ \textstyle\sum_i s_i\,\hat v_i\big),\quad s_i = \pm 1")
    st.caption(t("explorer.axes_angle", cos=f"{angle:.2f}"))


@st.fragment
def benchmarks_tab(kv, fp: str) -> None:
    st.markdown(t("explorer.bench_intro"))
    done = st.session_state.get("explorer_bench_done", set())
    if fp not in done and not st.button(t("explorer.bench_run"), icon=":material/play_arrow:", key="explorer_bench"):
        return
    with st.spinner(t("explorer.bench_running")):
        try:
            result = _evaluation(fp, kv)
        except (ValueError, OSError) as err:
            _bad(err)
            return
    st.session_state["explorer_bench_done"] = done | {fp}
    ws, sl, an = result.get("wordsim353", {}), result.get("simlex999", {}), result.get("analogies", {})
    m1, m2, m3 = st.columns(3)

    def num(x, fmt):
        return "–" if x is None else format(x, fmt)

    m1.metric("WordSim353 ρ", num(ws.get("spearman"), ".3f"),
              t("explorer.coverage", pct=num(ws.get("coverage"), ".0%")), delta_color="off", delta_arrow="off")
    m2.metric("SimLex-999 ρ", num(sl.get("spearman"), ".3f"),
              t("explorer.coverage", pct=num(sl.get("coverage"), ".0%")), delta_color="off", delta_arrow="off")
    m3.metric(t("explorer.analogy_acc"), num(an.get("accuracy"), ".1%"),
              t("explorer.coverage", pct=num(an.get("coverage"), ".0%")), delta_color="off", delta_arrow="off")
    if an.get("sections"):
        st.plotly_chart(plots.sections_figure(an["sections"], title=t("explorer.sections_title"),
                                              y_title=t("explorer.accuracy")),
                        config=PLOT_CONFIG, key="explorer_sections")
    s1, s2 = st.columns(2)
    for col, data, title, key in ((s1, ws, "WordSim353", "ws"), (s2, sl, "SimLex-999", "sl")):
        if data.get("pairs"):
            col.plotly_chart(plots.similarity_scatter(data["pairs"], title=title, x_title=t("explorer.human"),
                                                      y_title=t("explorer.model_cos")),
                             config=PLOT_CONFIG, key=f"explorer_{key}")
    st.latex(r"\rho = 1 - \frac{6\sum_i d_i^2}{n(n^2-1)},\quad d_i = \text{rank}(\text{human}_i) - \text{rank}(\cos_i)")
    st.caption(t("explorer.bench_note"))


@st.fragment
def drift_tab(run_path: Path | None) -> None:
    if run_path is None:
        st.info(t("explorer.drift_needs_run"))
        return
    stamp = _stamp(run_path)
    try:
        snapshots = _snapshots(str(run_path), stamp)
    except ValueError as err:
        _bad(err)
        return
    if len(snapshots) < 2:
        st.info(t("explorer.drift_none"))
        return
    st.markdown(t("explorer.drift_intro"))
    c1, c2 = st.columns([1, 2])
    kept = len(snapshots[-1].words)
    limit = c1.slider(t("explorer.drift_words"), 20, min(1000, kept), min(300, kept),
                      key="explorer_drift_n") if kept > 20 else kept
    marked = _words(c2.text_input(t("explorer.drift_highlight"), key="explorer_drift_mark"))
    try:
        epochs, words, coords = _drift(str(run_path), stamp, limit)
    except ValueError as err:
        _bad(err)
        return
    st.plotly_chart(plots.drift_figure(epochs, words, coords, highlight=marked, title=t("explorer.drift_title"),
                                       epoch_label=t("explorer.epoch")),
                    config=PLOT_CONFIG, key="explorer_drift_fig")
    st.latex(r"R_e = \arg\min_{R^\top R = I} \lVert \hat X_e R - \hat X_{\text{last}} \rVert_F,\quad"
             r" y_{e,i} = W_{\text{PCA(last)}}^\top\, \hat x_{e,i} R_e")
    word = st.text_input(t("explorer.drift_word"), value=marked[0] if marked else words[0], key="explorer_drift_word")
    try:
        table = align.neighbour_drift(snapshots, word, k=6)
    except ValueError as err:
        _bad(err)
        return
    st.dataframe(pd.DataFrame({t("explorer.epoch"): e, **{str(i + 1): f"{w} ({s:.2f})" for i, (w, s) in enumerate(nb)}}
                              for e, nb in table), hide_index=True)


@st.fragment
def compare_tab(kv, fp: str, name: str, current: str, runs: list[dict]) -> None:
    options = [MINILM] + [r["id"] for r in runs]
    labels = {MINILM: t("explorer.source_minilm"), **{r["id"]: _run_label(r) for r in runs}}
    options = [o for o in options if o != current]
    if not options:
        st.info(t("explorer.compare_none"))
        return
    st.markdown(t("explorer.compare_intro"))
    c1, c2, c3 = st.columns([2, 2, 1])
    other = c1.selectbox(t("explorer.compare_with"), options, format_func=labels.get, key="explorer_cmp_other")
    word = c2.text_input(t("explorer.word"), value=next((w for w in ("king", "good") if w in kv.key_to_index),
                                                        top_words(kv, 1)[0]), key=f"explorer_cmp_word@{fp[:8]}")
    limit = c3.number_input(t("explorer.compare_n"), 20, 5000, 500, 10, key="explorer_cmp_n")
    try:
        kv_b, fp_b, _, name_b = load_source({"kind": MINILM} if other == MINILM else {"kind": "run", "run_id": other})
    except (ValueError, OSError) as err:
        _bad(err)
        return
    left, right = st.columns(2)
    for col, vectors, title in ((left, kv, name), (right, kv_b, name_b)):
        with col:
            st.markdown(f"**{title}**")
            try:
                rows = neighbours.neighbours(vectors, word, 10)
            except ValueError as err:
                _bad(err)
            else:
                st.dataframe(pd.DataFrame(rows, columns=[t("explorer.word"), t("explorer.cosine")]), hide_index=True)
    try:
        words, pa, pb = _compare(fp, fp_b, int(limit), kv, kv_b)
    except ValueError as err:
        _bad(err)
        return
    st.plotly_chart(plots.compare_figure(words, pa, pb, name_a=name, name_b=name_b, highlight=[word.strip()],
                                         title=t("explorer.compare_title", n=len(words))),
                    config=PLOT_CONFIG, key="explorer_cmp_fig")
    st.latex(r"R^\star = \arg\min_{R^\top R = I} \lVert A R - B\rVert_F = U V^\top,\quad U\Sigma V^\top = A^\top B")


def _projector(kv, limit: int, which: str) -> bytes:
    from core.vectors.io import save_projector_tsv

    with tempfile.TemporaryDirectory() as tmp:
        vec, meta = Path(tmp) / "vectors.tsv", Path(tmp) / "metadata.tsv"
        save_projector_tsv(kv, vec, meta, limit=limit)
        return (vec if which == "vectors" else meta).read_bytes()


def _word2vec_text(kv) -> bytes:
    from core.vectors.io import save_word2vec

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.txt"
        save_word2vec(kv, path, binary=False)
        return path.read_bytes()


@st.fragment
def export_tab(kv, name: str) -> None:
    st.markdown(t("explorer.export_intro"))
    limit = st.number_input(t("explorer.export_n"), 1, len(kv.index_to_key),
                            min(10_000, len(kv.index_to_key)), 10, key="explorer_export_n")
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("explorer.export_vectors_tsv"), data=partial(_projector, kv, int(limit), "vectors"),
                       file_name="vectors.tsv", mime="text/tab-separated-values", icon=":material/download:",
                       key="explorer_dl_vec")
    c2.download_button(t("explorer.export_metadata_tsv"), data=partial(_projector, kv, int(limit), "metadata"),
                       file_name="metadata.tsv", mime="text/tab-separated-values", icon=":material/download:",
                       key="explorer_dl_meta")
    c3.download_button(t("explorer.export_w2v"), data=partial(_word2vec_text, kv), file_name="vectors.txt",
                       mime="text/plain", icon=":material/download:", key="explorer_dl_w2v")
    st.caption(t("explorer.export_note"))


# ---------------------------------------------------------------- page

st.title(t("explorer.title"))
st.caption(t("explorer.intro"))
runs = _runs()
source = source_ui(runs)
if source["kind"] is None:
    st.stop()
try:
    with st.spinner(t("explorer.loading")):
        kv, fp, run_path, name = load_source(source)
except (ValueError, OSError, UnicodeDecodeError) as err:
    _bad(err)
    st.stop()
st.caption(t("explorer.loaded", name=name, n=len(kv.index_to_key), dim=kv.vector_size))
_umap_warmer()

tab_names = ["projection", "neighbours", "axes", "benchmarks", "drift", "compare", "export"]
tabs = dict(zip(tab_names, st.tabs([t(f"explorer.tab_{n}") for n in tab_names])))
with tabs["projection"]:
    projection_tab(kv, fp, name)
with tabs["neighbours"]:
    neighbours_tab(kv, fp)
with tabs["axes"]:
    axes_tab(kv, fp)
with tabs["benchmarks"]:
    benchmarks_tab(kv, fp)
with tabs["drift"]:
    drift_tab(run_path)
with tabs["compare"]:
    compare_tab(kv, fp, name, source.get("run_id", source["kind"]), runs)
with tabs["export"]:
    export_tab(kv, name)
