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

from core.i18n import catalog
from core.plots import explorer as plots
from core.vectors import align, axes, neighbours
from core.vectors.projection import (
    Param, ProjectionConfig, cache_path, fingerprint, get_method, load_cached, method_names, project_kv,
    save_cached, top_words, warm_umap,
)
from ui.auth import user as me
from ui.errors import bad_input
from ui.i18n import t

MINILM = "minilm"
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
    _umap_warmer().join()  # never compile numba kernels twice at once (instant once the warmer is done)
    proj = project_kv(_kv, ProjectionConfig(**params), fp=fp)
    return {"words": proj.words, "coords": proj.coords, "counts": proj.counts, "from_cache": proj.from_cache,
            "shared": proj.shared}


@st.cache_data(show_spinner=False, max_entries=16)
def _clusters(fp: str, n_words: int, k: int, _kv):
    from core.vectors.clusters import kmeans_labels

    return kmeans_labels(_kv[top_words(_kv, n_words)], k)


@st.cache_data(show_spinner=False, max_entries=8)
def _evaluation(fp: str, _kv) -> dict:
    from core.vectors.evaluate import evaluate

    return evaluate(_kv, detail=True)


@st.cache_data(show_spinner=False, max_entries=8)
def _diagnosis(fp: str, _kv):
    from core.word2vec.results import diagnose

    return diagnose(_kv)


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
    st.error(bad_input(err))


def _text(key: str, fallback: str, **fields) -> str:
    """``t(key)`` when the locales have ``key``, else ``fallback`` (a kind registered without strings)."""
    return t(key, **fields) if key in catalog() else fallback.format(**fields) if fields else fallback


# ---------------------------------------------------------------- source

def _runs() -> list[dict]:
    from core.jobs import list_runs

    try:
        return [r for r in list_runs(kind="word2vec", user=me()) if r.get("state") in ("done", "cancelled", "interrupted")]
    except (OSError, ValueError):
        return []


def _run_path(run_id: str) -> Path:
    from core.jobs import run_dir

    return Path(run_dir(run_id, user=me()))


def _run_label(run: dict) -> str:
    return f"{run.get('name') or run['id']} · {run['id']}"


def _explain_missing(run_id: str) -> None:
    """Why a linked run is not offered: someone else's (class mode), or not a finished word2vec run here."""
    from core.jobs import AccessError, read_config

    try:
        read_config(str(run_id)[:80], user=me())
    except AccessError as err:
        st.error(bad_input(err))
        return
    except ValueError:
        pass
    st.warning(t("explorer.run_missing", run=str(run_id)[:80]))


def source_ui(runs: list[dict]) -> dict:
    """Which vectors to explore: ``{"kind": "run"|"upload"|"minilm", ...}``."""
    wanted = st.query_params.get("run")
    ids = [r["id"] for r in runs]
    kinds = ["run", "upload", MINILM]
    if wanted and wanted not in ids:
        _explain_missing(wanted)
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

def _method_title(name: str) -> str:
    return _text(f"explorer.method_{name}", get_method(name).title or name)


def param_widget(container, param: Param, method: str):
    """The widget of one method parameter (label and help from the locales, else the Param's English)."""
    label = _text(f"explorer.{param.name}", param.label or param.name)
    help_text = _text(f"explorer.{param.name}_help", param.help) or None
    key = f"explorer_p_{method}_{param.name}"
    if param.choices:
        return container.selectbox(label, list(param.choices), index=list(param.choices).index(param.default),
                                   key=key, help=help_text)
    if isinstance(param.default, int):
        return int(container.slider(label, int(param.low), int(param.high), int(param.default),
                                    int(param.step or 1), key=key, help=help_text))
    return float(container.slider(label, float(param.low), float(param.high), float(param.default),
                                  float(param.step) if param.step else None, key=key, help=help_text))


def projection_ui(kv) -> tuple[dict, dict]:
    """Projection parameters (plain dict for ProjectionConfig) and view options."""
    c1, c2, c3, c4 = st.columns([2, 1, 3, 2])
    method = c1.radio(t("explorer.method"), method_names(), horizontal=True, format_func=_method_title,
                      key="explorer_method")
    spec = get_method(method)
    dims = c2.radio(t("explorer.dims"), [2, 3], horizontal=True, format_func=lambda d: f"{d}D", key="explorer_dims")
    size = len(top_words(kv, spec.max_words))
    if size > 10:
        n_words = c3.slider(t("explorer.n_words"), min_value=10, max_value=size, value=min(size, spec.default_words),
                            step=10 if size > 100 else 1, help=t("explorer.n_words_help"), key=f"explorer_n_{method}")
    else:
        n_words = size
    if spec.job_above is not None and n_words > spec.job_above:
        c3.caption(t("explorer.job_hint", n=spec.job_above))
    colour = c4.radio(t("explorer.colour"), ["frequency", "cluster"], horizontal=True,
                      format_func={c: t(f"explorer.colour_{c}") for c in ("frequency", "cluster")}.get,
                      key="explorer_colour")
    params = dict(method=method, dims=dims, n_words=n_words, params={})
    with st.expander(t("explorer.params"), expanded=bool(spec.params)):
        cols = st.columns(3 + len(spec.params))
        if spec.uses_metric:
            params["metric"] = cols[0].selectbox(t("explorer.metric"), ["cosine", "euclidean"], key="explorer_metric",
                                                 help=t("explorer.metric_help"))
        params["seed"] = int(cols[1].number_input(t("explorer.seed"), 0, 10_000, 0, key="explorer_seed"))
        for col, param in zip(cols[2:], spec.params):
            params["params"][param.name] = param_widget(col, param, method)
        k = cols[-1].slider(t("explorer.k_clusters"), 2, 24, 8, key="explorer_k") if colour == "cluster" else 0
    s1, s2, s3 = st.columns([3, 1, 3])
    search = s1.text_input(t("explorer.search"), key="explorer_search", help=t("explorer.search_help"))
    k_search = s2.number_input(t("explorer.search_k"), 1, 50, 10, key="explorer_search_k")
    labels = s3.text_input(t("explorer.labels"), key="explorer_labels", help=t("explorer.labels_help"))
    view = dict(colour=colour, k=k, search=_words(search), k_search=int(k_search), labels=_words(labels))
    return params, view


def _submit_projection(kv, fp: str, config: ProjectionConfig, name: str) -> str:
    """Start a "projection" job for ``config``; its result lands in the cache file the page reads."""
    import secrets

    from core.jobs import submit

    target = cache_path(fp, config)
    source = target.parent / "inputs" / f"{config.key()}-{secrets.token_hex(4)}.npy"
    save_cached(source, kv[top_words(kv, config.n_words)])
    if not source.is_file():
        raise ValueError(t("explorer.job_no_disk", path=str(source.parent)))
    return submit("projection", {"input": str(source), "output": str(target), "projection": config.to_dict(),
                                 "source": name}, name=f"{_method_title(config.method)} · {name}", user=me())


def projection_job(kv, fp: str, config: ProjectionConfig, name: str) -> bool:
    """A projection too large for the page: run it as a job. True once its result is in the cache."""
    from ui import runs as runs_ui

    jobs = st.session_state.setdefault("explorer_jobs", {})
    job_key = f"{fp}/{config.key()}"
    run_id = jobs.get(job_key)
    method = _method_title(config.method)
    if run_id is None:
        intro = st.empty()
        with intro.container():
            st.info(t("explorer.job_intro", method=method, n=config.n_words))
            start = st.button(t("explorer.job_start", method=method), icon=":material/play_arrow:",
                              key="explorer_job_start")
        if not start:
            return False
        intro.empty()  # the job's status takes the place of the offer
        try:
            run_id = jobs[job_key] = _submit_projection(kv, fp, config, name)
        except (ValueError, OSError) as err:
            _bad(err)
            return False
    status = runs_ui.live_status(run_id, key="explorer_job")
    if status.get("state") == "done":
        jobs.pop(job_key, None)
        return True
    if status.get("state") not in ("queued", "running"):
        jobs.pop(job_key, None)  # failed, cancelled or gone: the button starts a new job
        st.button(t("explorer.job_again"), icon=":material/replay:", key="explorer_job_again")
    return False


@st.fragment
def projection_tab(kv, fp: str, name: str) -> None:
    params, view = projection_ui(kv)
    try:
        config = ProjectionConfig(**params)
    except ValueError as err:
        _bad(err)
        return
    spec = get_method(config.method)
    n = len(top_words(kv, config.n_words))
    if (spec.job_above is not None and n > spec.job_above
            and load_cached(cache_path(fp, config), n, config.dims) is None
            and not projection_job(kv, fp, config, name)):
        return
    method = _method_title(config.method)
    with st.spinner(t("explorer.computing", method=method, n=n)):
        try:
            proj = _projection(fp, config.to_dict(), kv)
        except ValueError as err:
            _bad(err)
            return
    words = proj["words"]
    clusters = _clusters(fp, params["n_words"], view["k"], kv) if view["colour"] == "cluster" else None
    found = [w for w in view["search"] if w in set(words)]
    missing = [w for w in view["search"] if w not in set(words)]
    if missing:
        st.warning(t("explorer.not_plotted", words=", ".join(missing)))
    shared = {w: len(group) for group in proj["shared"] for w in group}
    if proj["shared"]:
        n_shared = sum(len(g) for g in proj["shared"])
        examples = "; ".join(", ".join(g[:4]) + (" …" if len(g) > 4 else "") for g in proj["shared"][:3])
        st.warning(t("explorer.shared_vectors", n=n_shared, points=len(proj["shared"]), examples=examples))
    near = neighbours.neighbourhood(kv, found, view["k_search"], within=words)
    near_words = [w for ws in near.values() for w in ws]
    fig = plots.projection_figure(
        proj["coords"], words, counts=proj["counts"], clusters=clusters, highlight=found,
        neighbours=near_words, labels=view["labels"],
        title=t("explorer.projection_title", method=method, n=len(words), name=name),
        axis_titles=tuple(f"{spec.axis} {i}" for i in (1, 2, 3)),
        colour_title=t("explorer.cluster") if clusters is not None else (
            t("explorer.log_count") if proj["counts"] is not None else t("explorer.log_rank")),
        count_label=t("explorer.count"), rank_label=t("explorer.rank"),
        shared=shared, shared_label=t("explorer.shared_hover"),
    )
    st.plotly_chart(fig, config=PLOT_CONFIG, key="explorer_projection")
    hidden = (fig.layout.meta or {}).get("hidden_labels") or []
    if hidden:
        st.caption(t("explorer.labels_hidden", n=len(hidden), words=", ".join(hidden[:10])))
    info, formula = st.columns([3, 2])
    with info:
        st.caption(t("explorer.from_cache") if proj["from_cache"] else t("explorer.computed"))
        explain = _text(f"explorer.explain_{config.method}", "")
        if explain:
            st.markdown(explain)
        if near:
            st.dataframe(pd.DataFrame({w: pd.Series(ws) for w, ws in near.items()}), hide_index=True)
        st.download_button(t("explorer.download_html"), data=partial(fig.to_html, include_plotlyjs=True),
                           file_name=f"embedlab_{config.method}.html", mime="text/html",
                           icon=":material/download:", key="explorer_dl_html")
        st.caption(t("explorer.png_hint"))
    with formula:
        for line in spec.formula:
            st.latex(line)
        if spec.source:
            st.caption(t("explorer.method_source", source=spec.source, url=spec.url or "#",
                         library=spec.library or "–"))


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
        pair = _pair_default(kv, first)
        a = p1.text_input(t("explorer.word_a"), value=pair[0], key=f"explorer_pair_a@{fp[:8]}")
        b = p2.text_input(t("explorer.word_b"), value=pair[1], key=f"explorer_pair_b@{fp[:8]}")
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


def _pair_default(kv, first: str) -> tuple[str, str]:
    """Two different words to compare: a classic pair when known, else ``first`` and its nearest neighbour."""
    for a, b in (("king", "queen"), ("good", "bad"), ("国王", "王后"), ("中国", "美国")):
        if a in kv.key_to_index and b in kv.key_to_index:
            return a, b
    others = [w for w in top_words(kv, 2) if w != first]
    try:
        return first, kv.most_similar(first, topn=1)[0][0]
    except (KeyError, ValueError, IndexError):
        return first, others[0] if others else first


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


def _bench_title(name: str) -> str:
    return _text(f"explorer.bench_{name}", name)


def score_metric(container, kind: str, score, label: str) -> None:
    """One benchmark score with its coverage; withheld (greyed "–", reason on hover) when coverage is too low."""
    coverage = t("explorer.coverage_of", covered=score.covered if score.covered is not None else "?",
                 total=score.total if score.total is not None else "?",
                 pct="–" if score.coverage is None else f"{score.coverage:.1%}")
    if score.withheld:
        from core.word2vec.results import MIN_COVERAGE, MIN_ITEMS

        reason = t("explorer.withheld_reason", coverage=coverage, min_pct=f"{MIN_COVERAGE:.0%}", min_items=MIN_ITEMS)
        container.metric(label, "–", t("explorer.withheld", coverage=coverage), delta_color="off",
                         delta_arrow="off", help=reason)
        container.caption(f":gray[{reason}]")
    else:
        value = format(score.value, ".1%") if kind == "analogy" else format(score.value, ".3f")
        container.metric(label, value, coverage, delta_color="off", delta_arrow="off",
                         help=t("explorer.coverage_help", coverage=coverage))


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
    scores = bench_scores(result)
    if not scores:
        st.info(t("explorer.bench_none"))
        return
    for row in range(0, len(scores), 3):
        for col, (kind, score) in zip(st.columns(3), scores[row:row + 3]):
            label = t(f"explorer.{kind}_score", name=_bench_title(score.benchmark))
            score_metric(col, kind, score, label)
    for _, score in scores:
        part = result[score.benchmark]
        if score.withheld:
            continue
        if part.get("sections"):
            st.plotly_chart(plots.sections_figure(part["sections"], y_title=t("explorer.accuracy"),
                                                  title=t("explorer.sections_title", name=_bench_title(score.benchmark))),
                            config=PLOT_CONFIG, key=f"explorer_sections_{score.benchmark}")
    pair_sets = [s for _, s in scores if not s.withheld and result[s.benchmark].get("pairs")]
    for row in range(0, len(pair_sets), 2):
        for col, score in zip(st.columns(2), pair_sets[row:row + 2]):
            col.plotly_chart(plots.similarity_scatter(result[score.benchmark]["pairs"],
                                                      title=_bench_title(score.benchmark), x_title=t("explorer.human"),
                                                      y_title=t("explorer.model_cos")),
                             config=PLOT_CONFIG, key=f"explorer_pairs_{score.benchmark}")
    st.latex(r"\rho = 1 - \frac{6\sum_i d_i^2}{n(n^2-1)},\quad d_i = \text{rank}(\text{human}_i) - \text{rank}(\cos_i)")
    st.caption(t("explorer.bench_note"))


def bench_scores(result: dict) -> list[tuple[str, object]]:
    """``[(kind, Score), ...]`` for every benchmark in ``evaluate()``'s result, in its order.

    ``kind`` is "similarity" (a Spearman correlation over word pairs) or
    "analogy" (an accuracy over questions); ``Score`` is
    ``core.word2vec.results.Score`` (value, coverage, covered, total, withheld).
    """
    from core.word2vec.results import flatten, scores

    return [("similarity" if "spearman" in result.get(score.benchmark, {}) else "analogy", score)
            for score in scores(flatten(result))]


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
diagnosis = _diagnosis(fp, kv)
if diagnosis is not None and diagnosis.degenerate:
    st.warning(t("explorer.degenerate", mean=diagnosis.mean_cosine, nearest=diagnosis.neighbour_cosine))
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
