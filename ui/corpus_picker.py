"""Choose a corpus: a shipped sample, a named corpus dataset (source and licence said) or an upload.

Shared by the word2vec and pretraining pages. Widget keys are ``<prefix>_source``,
``<prefix>_sample``, ``<prefix>_dataset``, ``<prefix>_upload`` (and ``<prefix>_column`` /
``<prefix>_field`` for a table), so a page's :class:`ui.form.Form` can keep and seed them;
strings are ``<strings>.source``, ``<strings>.source.<kind>``, ``<strings>.sample``,
``<strings>.sample.<name>``, ``<strings>.dataset``, ``<strings>.dataset_info``,
``<strings>.upload``, ``<strings>.upload_help``, ``<strings>.upload_limit``,
``<strings>.reusing_file``, ``<strings>.column``, ``<strings>.field``.
An upload whose encoding the reader cannot tell is asked about first (``ui.encoding_picker``); the
choice travels in ``Chosen.reading["encoding"]`` ("" = detected).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from core.sources import dataset_source, parse_source
from ui.auth import user as me
from ui.cache import shared
from ui.corpus_datasets import corpus_datasets
from ui.encoding_picker import encoding_for
from ui.encoding_picker import remember as remember_encoding
from ui.errors import bad_input
from ui.i18n import lang, t
from ui.text import md

UPLOAD_TYPES = ["txt", "csv", "tsv", "jsonl", "json", "zip"]


@dataclass(frozen=True)
class Chosen:
    """The corpus a user chose: ``source`` for the job, ``name`` to show, ``reading``: column/field of a table."""

    source: str
    name: str
    reading: dict = field(default_factory=dict)


@shared(max_entries=None)
def samples() -> dict[str, str]:
    from core.text import SAMPLES

    return dict(SAMPLES)


def upload_limit_bytes() -> int:
    """The upload limit now (the teacher's in class mode): not cached, a teacher may change it."""
    from ui.uploads import limit_bytes

    return limit_bytes()


@shared(max_entries=16)
def file_columns(path: str, encoding: str = "") -> tuple[list[str], str]:
    """(csv columns or jsonl fields of a stored file read in ``encoding`` ("" = detected), which of the two)."""
    from core.text import sniff

    info = sniff(path, encoding=encoding or None)
    return list(info.columns or info.fields), "column" if info.columns else "field"


def sample_label(name: str, strings: str) -> str:
    """The translated description of a sample (core's English one for samples added later)."""
    key = f"{strings}.sample.{name}"
    text = t(key)
    return text if text != key else f"{name}: {samples().get(name, '')}"


def dataset_title(name: str) -> str:
    return corpus_datasets().get(name, {}).get(f"title_{lang()}") or name


def pick_corpus(prefix: str, strings: str, *, reuse: dict | None = None, columns: bool = True) -> Chosen | None:
    """Draw the source radio and its picker; None while nothing usable is chosen (errors are shown).

    ``reuse``: ``{"corpus", "corpus_name"}`` of an attached run's uploaded file, offered
    until the user uploads another. ``columns``: ask which column (CSV) or field (JSONL)
    holds the text, for readers that take one.
    """
    kinds = ["sample", "dataset", "upload"] if corpus_datasets() else ["sample", "upload"]
    key = f"{prefix}_source"
    if st.session_state.get(key) not in kinds:
        st.session_state[key] = "sample"
    kind = st.radio(t(f"{strings}.source"), kinds, horizontal=True, key=key,  # labels translated now: AppTest
                    format_func={k: t(f"{strings}.source.{k}") for k in kinds}.get)  # formats outside the page
    if kind == "sample":
        names = {n: sample_label(n, strings) for n in samples()}
        if st.session_state.get(f"{prefix}_sample") not in names:
            st.session_state[f"{prefix}_sample"] = next(iter(names))
        name = st.selectbox(t(f"{strings}.sample"), list(names), key=f"{prefix}_sample", format_func=names.get)
        return Chosen(name, names[name])
    if kind == "dataset":
        return _pick_dataset(prefix, strings)
    try:
        return _pick_upload(prefix, strings, reuse, columns)
    except ValueError as err:
        st.error(bad_input(err))
        return None


def _pick_dataset(prefix: str, strings: str) -> Chosen:
    datasets = corpus_datasets()
    if st.session_state.get(f"{prefix}_dataset") not in datasets:
        st.session_state[f"{prefix}_dataset"] = next(iter(datasets))
    titles = {n: dataset_title(n) for n in datasets}
    name = st.selectbox(t(f"{strings}.dataset"), list(titles), key=f"{prefix}_dataset", format_func=titles.get)
    info = datasets[name]
    st.caption(t(f"{strings}.dataset_info", source=info.get("source") or "–", licence=info.get("licence") or "–",
                 tokens=f"{info['tokens']:,}" if info.get("tokens") else "–"))
    return Chosen(dataset_source(name), titles[name])


def _pick_upload(prefix: str, strings: str, reuse: dict | None, ask_columns: bool) -> Chosen | None:
    limit = upload_limit_bytes()
    uploaded = st.file_uploader(t(f"{strings}.upload"), type=UPLOAD_TYPES, key=f"{prefix}_upload",
                                help=t(f"{strings}.upload_help"))
    st.caption(t(f"{strings}.upload_limit", mb=f"{limit / 1024**2:,.0f}"))
    if uploaded is not None:
        from core.jobs.uploads import save_upload

        saved = st.session_state.setdefault(f"_{prefix}_uploads", {})  # stored once per browser upload
        if uploaded.file_id not in saved:
            saved[uploaded.file_id] = str(save_upload(uploaded, uploaded.name, max_bytes=limit, user=me()))
        path, name = saved[uploaded.file_id], uploaded.name[:120]
    elif reuse and Path(reuse["corpus"]).is_file():
        from core.jobs.uploads import check_readable

        check_readable(reuse["corpus"], user=me())  # class mode: only a file this person may read (ValueError)
        st.info(t(f"{strings}.reusing_file", name=md(reuse["corpus_name"])))
        path, name = reuse["corpus"], reuse["corpus_name"]
    else:
        return None
    encoding = encoding_for(path, name=name, key=f"{prefix}_enc")  # None: the picker is asking
    if encoding is None:
        return None
    columns, what = file_columns(path, encoding) if ask_columns else ([], "")
    if not columns:
        return Chosen(path, name, {"encoding": encoding})
    return Chosen(path, name, {"encoding": encoding,
                               what: st.selectbox(t(f"{strings}.{what}"), columns, key=f"{prefix}_{what}")})


def picked(prefix: str, corpus: str, name: str = "", encoding: str = "") -> dict:
    """The picker's values for a run's ``corpus`` (to seed a form): its source radio and sample or dataset.

    An uploaded file is offered again (``st.session_state["_<prefix>_reuse"]``, see :func:`pick_corpus`'s
    ``reuse``) under ``name`` or its file name, read in the run's own ``encoding`` (not asked again).
    """
    source = parse_source(corpus, samples())
    if source.kind == "sample":
        return {f"{prefix}_source": "sample", f"{prefix}_sample": source.name}
    if source.kind == "dataset" and source.name in corpus_datasets():
        return {f"{prefix}_source": "dataset", f"{prefix}_dataset": source.name}
    if not source.name:
        return {}
    st.session_state[f"_{prefix}_reuse"] = {"corpus": source.name, "corpus_name": name or source.file_name}
    remember_encoding(source.name, encoding or "")
    return {f"{prefix}_source": "upload"}
