"""The explorer's projection tab: PCA / UMAP / t-SNE of the most frequent words, as a fragment.

Methods, their parameters, formulas and sources come from the projection registry
(``core.vectors.projection``); a projection too large for the page runs as a background
job (``core.vectors.projection.job.submit_projection``) whose result lands in the cache.
"""
from __future__ import annotations

import os
import threading
from functools import partial

import pandas as pd
import streamlit as st

from core.plots import explorer as plots
from core.vectors import neighbours, projection
from core.vectors.projection import (
    Param, ProjectionConfig, cache_path, load_cached, project_kv, top_words, warm_umap,
)
from core import settings
from ui.explorer_common import PLOT_CONFIG, bad, text, words_of
from ui.form import number_bounds
from ui.i18n import t
from ui.auth import user as me
from ui.cache import shared
from ui.errors import guarded
from ui.text import md

SCHEMA = {spec.name: spec for spec in settings.schema(ProjectionConfig)}  # the widgets' bounds and choices

@shared(max_entries=None)
def umap_warmer() -> threading.Thread:
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


@shared(max_entries=24)
def _projection(fp: str, params: dict, _kv) -> dict:
    if projection.get(params["method"]).compiled:
        umap_warmer().join()  # never compile numba kernels twice at once (instant once the warmer is done)
    proj = project_kv(_kv, ProjectionConfig(**params), fp=fp)
    return {"words": proj.words, "coords": proj.coords, "counts": proj.counts, "from_cache": proj.from_cache,
            "shared": proj.shared}


@shared(max_entries=16)
def _clusters(fp: str, n_words: int, k: int, _kv):
    from core.vectors.clusters import kmeans_labels

    return kmeans_labels(_kv[top_words(_kv, n_words)], k)


def _method_title(name: str) -> str:
    return text(f"explorer.method_{name}", projection.get(name).title or name)


def param_widget(container, param: Param, method: str):
    """The widget of one method parameter (label and help from the locales, else the Param's English)."""
    label = text(f"explorer.{param.name}", param.label or param.name)
    help_text = text(f"explorer.{param.name}_help", param.help) or None
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
    method = c1.radio(t("explorer.method"), projection.names(), horizontal=True, format_func=_method_title,
                      key="explorer_method")
    spec = projection.get(method)
    dims = c2.radio(t("explorer.dims"), list(SCHEMA["dims"].options()), horizontal=True, format_func=lambda d: f"{d}D",
                    key="explorer_dims")
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
            params["metric"] = cols[0].selectbox(t("explorer.metric"), list(SCHEMA["metric"].options()),
                                                 key="explorer_metric", help=t("explorer.metric_help"))
        params["seed"] = int(cols[1].number_input(t("explorer.seed"), value=0, key="explorer_seed",
                                                  **number_bounds(SCHEMA["seed"])))
        for col, param in zip(cols[2:], spec.params):
            params["params"][param.name] = param_widget(col, param, method)
        k = cols[-1].slider(t("explorer.k_clusters"), 2, 24, 8, key="explorer_k") if colour == "cluster" else 0
    s1, s2, s3 = st.columns([3, 1, 3])
    search = s1.text_input(t("explorer.search"), key="explorer_search", help=t("explorer.search_help"))
    k_search = s2.number_input(t("explorer.search_k"), 1, 50, 10, key="explorer_search_k")
    labels = s3.text_input(t("explorer.labels"), key="explorer_labels", help=t("explorer.labels_help"))
    view = dict(colour=colour, k=k, search=words_of(search), k_search=int(k_search), labels=words_of(labels))
    return params, view


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
            from core.vectors.projection.job import submit_projection

            run_id = jobs[job_key] = submit_projection(kv, fp, config, name, title=f"{method} · {name}", user=me())
        except (ValueError, OSError) as err:
            bad(err)
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
@guarded
def projection_tab(kv, fp: str, name: str) -> None:
    params, view = projection_ui(kv)
    try:
        config = ProjectionConfig(**params)
    except ValueError as err:
        bad(err)
        return
    spec = projection.get(config.method)
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
            bad(err)
            return
    words = proj["words"]
    clusters = _clusters(fp, params["n_words"], view["k"], kv) if view["colour"] == "cluster" else None
    found = [w for w in view["search"] if w in set(words)]
    missing = [w for w in view["search"] if w not in set(words)]
    if missing:
        st.warning(t("explorer.not_plotted", words=md(", ".join(missing))))
    shared = {w: len(group) for group in proj["shared"] for w in group}
    if proj["shared"]:
        n_shared = sum(len(g) for g in proj["shared"])
        examples = "; ".join(", ".join(g[:4]) + (" …" if len(g) > 4 else "") for g in proj["shared"][:3])
        st.warning(t("explorer.shared_vectors", n=n_shared, points=len(proj["shared"]), examples=md(examples)))
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
    projection_notes(fig, proj, near, config, spec)


def projection_notes(fig, proj: dict, near: dict, config: ProjectionConfig, spec) -> None:
    """Under the picture: labels left off, cache or not, the method's explanation, formula and source, downloads."""
    hidden = (fig.layout.meta or {}).get("hidden_labels") or []
    if hidden:
        st.caption(t("explorer.labels_hidden", n=len(hidden), words=md(", ".join(hidden[:10]))))
    info, formula = st.columns([3, 2])
    with info:
        st.caption(t("explorer.from_cache") if proj["from_cache"] else t("explorer.computed"))
        explain = text(f"explorer.explain_{config.method}", "")
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
