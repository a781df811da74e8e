"""Embedding explorer: project word vectors, find neighbours and analogies, score and compare them.

Sources: a run from the runs directory (``?run=<id>`` preselects it), an uploaded
word2vec/GloVe file (never a pickle: ``core.vectors.files.load_uploaded``), or the
shipped MiniLM's WordPiece table. Each tab is a fragment (``ui.explorer_projection``,
``ui.explorer_tabs``), so changing a neighbour query does not resend the 50k-point
projection.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from core.vectors.projection import fingerprint
from ui.explorer_common import MINILM, bad, run_label, stamp
from ui.explorer_projection import projection_tab, umap_warmer
from ui.explorer_tabs import axes_tab, benchmarks_tab, compare_tab, drift_tab, export_tab, neighbours_tab
from ui.i18n import t
from ui.auth import user as me
from ui.cache import shared
from ui.errors import bad_input
from ui.text import md


# ---------------------------------------------------------------- loading (cached)

def _minilm():
    from ui.vectors_data import minilm

    return minilm()  # shared, and warmed at server start (ui.warmup)


@shared(max_entries=8)
def _run_vectors(path: str, stamp: float):
    from core.vectors.io import load_run_vectors

    kv = load_run_vectors(path)
    return kv, fingerprint(kv)


@shared(max_entries=4)
def _uploaded(digest: str, name: str, _data: bytes):
    from core.vectors.files import load_uploaded

    kv = load_uploaded(name, _data)
    return kv, fingerprint(kv)


@shared(max_entries=8)
def _diagnosis(fp: str, _kv):
    from core.word2vec.results import diagnose

    return diagnose(_kv)


def _runs() -> list[dict]:
    from core.jobs import list_runs

    try:
        return [r for r in list_runs(kind="word2vec", user=me()) if r.get("state") in ("done", "cancelled", "interrupted")]
    except (OSError, ValueError):
        return []


def _run_path(run_id: str) -> Path:
    from core.jobs import run_dir

    return Path(run_dir(run_id, user=me()))


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
    st.warning(t("explorer.run_missing", run=md(str(run_id)[:80])))


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
            labels = {r["id"]: run_label(r) for r in runs}
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
        kv, fp = _run_vectors(str(path), stamp(path))
        meta = next((r for r in _runs() if r["id"] == source["run_id"]), {})
        return kv, fp, path, meta.get("name") or source["run_id"]  # titles name the run as its owner did
    digest = hashlib.blake2b(source["data"], digest_size=16).hexdigest()
    kv, fp = _uploaded(digest, source["name"], source["data"])
    return kv, fp, None, source["name"]


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
    from core.vectors.files import PickleRefused

    st.error(t("common.bad_input", message=t("explorer.no_pickles"))) if isinstance(err, PickleRefused) else bad(err)
    st.stop()
st.caption(t("explorer.loaded", name=md(name), n=len(kv.index_to_key), dim=kv.vector_size))
diagnosis = _diagnosis(fp, kv)
if diagnosis is not None and diagnosis.degenerate:
    st.warning(t("explorer.degenerate", mean=diagnosis.mean_cosine, nearest=diagnosis.neighbour_cosine))
umap_warmer()

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
    compare_tab(kv, fp, name, source.get("run_id", source["kind"]), runs, load_source)
with tabs["export"]:
    export_tab(kv, name)
