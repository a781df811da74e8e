"""Train word2vec on a sample or an upload, in a background job, with live curves.

Widgets -> ``core.word2vec.job.build_job_config`` -> ``core.jobs.submit``; the
run id goes into ``?run=`` so a refresh, a second tab or a shared link
reattaches. The live block (``ui.runs.live_status``) refreshes once a second.
"""
from __future__ import annotations

import json

import streamlit as st

import core.jobs as jobs
from core.plots import training as plots
from ui import runs as ui_runs
from ui.i18n import t

HYPERPARAMETERS = ("vector_size", "window", "min_count", "epochs", "negative", "sample", "alpha", "min_alpha",
                   "max_vocab", "batch_size", "seed")


# ------------------------------------------------------------------ cached compute

@st.cache_data(show_spinner=False)
def train_defaults() -> dict:
    from core.word2vec.config import TrainConfig

    return TrainConfig().to_dict()


@st.cache_data(show_spinner=False)
def samples() -> dict[str, str]:
    from core.text import SAMPLES

    return dict(SAMPLES)


@st.cache_data(show_spinner=False)
def upload_limit_bytes() -> int:
    from core.text import MAX_UPLOAD_BYTES

    return int(min(MAX_UPLOAD_BYTES, st.get_option("server.maxUploadSize") * 1024 * 1024))


@st.cache_data(show_spinner=False, max_entries=16)
def corpus_preview(source_json: str):
    from core.word2vec.job import preview_corpus

    return preview_corpus(json.loads(source_json))


@st.cache_data(show_spinner=False, max_entries=16)
def file_columns(path: str) -> tuple[str, list[str]]:
    """(kind, csv columns or jsonl fields) of an uploaded file."""
    from core.text import sniff

    info = sniff(path)
    return info.kind, list(info.columns or info.fields)


@st.cache_resource(show_spinner=False, max_entries=4)
def run_vectors(run_id: str, finished: str):
    from core.vectors.io import load_run_vectors

    return load_run_vectors(jobs.run_dir(run_id))


@st.cache_data(show_spinner=False)
def devices() -> list[str]:
    from core.word2vec.job import device_choices

    return device_choices()


@st.cache_data(show_spinner=False)
def device_text(choice: str) -> str:
    from core.device import describe, resolve

    return describe(resolve(choice))


def save_uploaded(uploaded) -> str:
    """Store the upload once per browser upload (keyed by Streamlit's file id), return its path."""
    from core.jobs.uploads import save_upload

    saved = st.session_state.setdefault("_train_uploads", {})
    if uploaded.file_id not in saved:
        saved[uploaded.file_id] = str(save_upload(uploaded, uploaded.name, max_bytes=upload_limit_bytes()))
    return saved[uploaded.file_id]


# ------------------------------------------------------------------ widgets -> plain values

def sample_label(name: str) -> str:
    """The translated description of a sample (core's English one for samples added later)."""
    key = f"train.sample.{name}"
    label = t(key)
    return label if label != key else f"{name}: {samples().get(name, '')}"


def corpus_ui() -> dict | None:
    """The corpus choice as ``build_job_config`` keyword arguments, or None when nothing is chosen yet."""
    st.subheader(t("train.corpus"))
    sources = {s: t(f"train.source.{s}") for s in ("sample", "upload")}
    source = st.radio(t("train.source"), list(sources), horizontal=True, key="train_source", format_func=sources.get)
    extra: dict = {}
    if source == "sample":
        names = {n: sample_label(n) for n in samples()}
        name = st.selectbox(t("train.sample"), list(names), key="train_corpus_sample", format_func=names.get)
        corpus, corpus_name = name, name
    else:
        limit = upload_limit_bytes()
        uploaded = st.file_uploader(t("train.upload"), type=["txt", "csv", "tsv", "jsonl", "json", "zip"],
                                    key="train_upload", help=t("train.upload_help"))
        st.caption(t("train.upload_limit", mb=f"{limit / 1024**2:,.0f}"))
        if uploaded is None:
            return None
        try:
            corpus = save_uploaded(uploaded)
            kind, columns = file_columns(corpus)
        except ValueError as err:
            st.error(t("common.bad_input", message=str(err)))
            return None
        corpus_name = uploaded.name[:120]
        if kind in ("csv", "tsv") and columns:
            extra["column"] = st.selectbox(t("train.column"), columns, key="train_column")
        elif kind == "jsonl" and columns:
            extra["field"] = st.selectbox(t("train.field"), columns, key="train_field")
    with st.expander(t("train.reading")):
        languages = {code: t(f"train.language.{code}") for code in ("auto", "en", "zh")}
        extra["language"] = st.selectbox(t("train.language"), list(languages), key="train_language",
                                         format_func=languages.get, help=t("train.language_help"))
        extra["lowercase"] = st.checkbox(t("train.lowercase"), value=True, key="train_lowercase")
        extra["strip_punctuation"] = st.checkbox(t("train.strip_punctuation"), value=True, key="train_strip")
    return {"corpus": corpus, "corpus_name": corpus_name, **extra}


def hyperparameters_ui() -> tuple[dict, str, str, str]:
    """(TrainConfig fields, engine, device, run name) from the settings column."""
    st.subheader(t("train.settings"))
    defaults = train_defaults()
    values: dict = {}
    architectures = {True: t("train.skipgram"), False: t("train.cbow")}
    values["sg"] = st.radio(t("train.hp.sg"), list(architectures), key="train_sg", horizontal=True,
                            format_func=architectures.get, help=t("train.help.sg"))
    left, right = st.columns(2)
    for i, field in enumerate(HYPERPARAMETERS):
        column = left if i % 2 == 0 else right
        default = defaults[field]
        kwargs = {"key": f"train_hp_{field}", "help": t(f"train.help.{field}")}
        if isinstance(default, float):
            values[field] = column.number_input(t(f"train.hp.{field}"), value=float(default), min_value=0.0,
                                                step=float(default) / 5 or 0.001,
                                                format="%.5f" if default < 0.01 else "%.4f", **kwargs)
        else:
            values[field] = int(column.number_input(t(f"train.hp.{field}"), value=int(default), min_value=0,
                                                    step=1, **kwargs))
    engines = {e: t(f"train.engine.{e}") for e in ("torch", "gensim")}
    engine = st.radio(t("train.engine"), list(engines), key="train_engine", horizontal=True,
                      format_func=engines.get, help=t("train.engine_help"))
    device = "cpu"
    if engine == "torch":
        device = st.selectbox(t("train.device"), devices(), key="train_device", help=t("train.device_help"))
    try:
        st.caption(t("train.device_used", device=device_text(device)))
    except ValueError as err:
        st.error(t("common.bad_input", message=str(err)))
    name = st.text_input(t("train.run_name"), key="train_name", max_chars=120, placeholder=t("train.run_name_hint"))
    return values, engine, device, name


# ------------------------------------------------------------------ drawing

def draw_preview(source: dict, min_count: int) -> None:
    reading = {k: source.get(k) for k in ("corpus", "column", "field", "language", "lowercase", "strip_punctuation")}
    try:
        with st.spinner(t("train.reading_corpus")):
            preview = corpus_preview(json.dumps(reading, sort_keys=True))
    except ValueError as err:
        st.error(t("common.bad_input", message=str(err)))
        return
    a, b = st.columns(2)
    a.metric(t("train.tokens"), f"{preview.tokens:,}")
    b.metric(t("train.vocab_at_min_count", min_count=min_count), f"{preview.vocab_size(min_count):,}")
    st.caption(t("train.detected", encoding=preview.encoding, language=t(f"train.language.{preview.language}")))
    if preview.truncated:
        st.caption(t("train.preview_truncated", tokens=f"{preview.tokens:,}"))
    st.markdown(f"**{t('train.first_sentences')}**")
    st.code(preview.token_lines(), language=None, wrap_lines=True)
    st.plotly_chart(plots.zipf_figure(
        preview.counts, title=t("train.zipf_title"), x_title=t("train.zipf_x"), y_title=t("train.zipf_y"),
        observed=t("train.zipf_observed"), reference=t("train.zipf_reference"), min_count=min_count,
        min_count_label=t("train.hp.min_count")), key="train_zipf")
    st.caption(t("train.zipf_explain"))


def live_curves(run_id: str, records: list[dict], status: dict) -> None:
    """Drawn inside the live fragment: loss / speed / lr curves and per-epoch evaluation."""
    steps, evals = ui_runs.split_records(records)
    if not steps:
        if status.get("state") == "running":
            st.caption(t("train.waiting_for_metrics"))
        return
    last = steps[-1]
    a, b, c, d = st.columns(4)
    a.metric(t("train.epoch"), f"{last.get('epoch', '–')} / {last.get('epochs', '–')}")
    b.metric(t("train.loss"), f"{last['loss']:.4f}" if last.get("loss") is not None else "–")
    c.metric(t("train.words_per_s"), f"{last.get('words_per_s', 0):,.0f}")
    d.metric(t("train.lr"), f"{last.get('lr', 0):.5f}")
    draw_curves(steps, evals, key="live")


def draw_curves(steps: list[dict], evals: list[dict], key: str) -> None:
    st.plotly_chart(plots.live_figure(
        steps, panels=(("loss", t("train.loss")), ("words_per_s", t("train.words_per_s")), ("lr", t("train.lr"))),
        x_title=t("train.epochs_done")), key=f"{key}_steps")
    if evals:
        st.plotly_chart(plots.eval_figure(
            evals, metrics=(("wordsim353", t("train.wordsim353")), ("simlex999", t("train.simlex999")),
                            ("analogies", t("train.analogies"))),
            title=t("train.eval_title"), x_title=t("train.epoch"), y_title=t("train.score")), key=f"{key}_evals")


def draw_results(run_id: str, status: dict) -> None:
    """Scores, curves, neighbours, downloads and the explorer link of a finished run."""
    run_dir = jobs.run_dir(run_id)
    if not (run_dir / "vectors.bin").exists():
        return
    summary = jobs.read_summary(run_id)
    st.subheader(t("train.results"))
    a, b, c, d = st.columns(4)
    score = lambda value: "–" if value is None else f"{value:.3f}"  # noqa: E731
    a.metric(t("train.metric.wordsim353"), score(summary.get("wordsim353")), help=t("train.wordsim353_help"))
    b.metric(t("train.metric.simlex999"), score(summary.get("simlex999")), help=t("train.simlex999_help"))
    c.metric(t("train.metric.analogies"), score(summary.get("analogies")), help=t("train.analogies_help"))
    d.metric(t("train.vocab_size"), f"{summary.get('vocab_size', 0):,}")
    st.latex(r"\rho = \mathrm{Spearman}\big(\text{human}(w_1,w_2),\ \cos(\mathbf{v}_{w_1},\mathbf{v}_{w_2})\big)"
             r"\qquad b - a + c \approx d")
    st.caption(t("train.scores_explain"))
    steps, evals = ui_runs.split_records(ui_runs.run_records(run_id))
    if steps:
        draw_curves(steps, evals, key=f"final_{run_id}")
    kv = run_vectors(run_id, status.get("finished") or "")
    from core.word2vec.job import neighbours, neighbours_table, probe_words

    st.markdown(f"**{t('train.neighbours')}**")
    query = st.text_input(t("train.neighbours_word"), key="train_probe", placeholder=t("train.neighbours_hint"))
    word = query.strip()
    words = ([word] if word in kv.key_to_index else [word.lower()]) if word else probe_words(kv)
    found = neighbours(kv, words)
    if query.strip() and not found:
        st.warning(t("train.not_in_vocab", word=query.strip()))
    st.dataframe(neighbours_table(found), hide_index=True)
    draw_downloads(run_id, kv)
    link_to_explorer(run_id)


def draw_downloads(run_id: str, kv) -> None:
    from core.word2vec.job import export_files

    st.markdown(f"**{t('train.downloads')}**")
    try:
        paths = export_files(jobs.run_dir(run_id), kv)
    except ValueError as err:
        st.error(t("common.bad_input", message=str(err)))
        return
    columns = st.columns(len(paths))
    for column, (name, path) in zip(columns, paths.items()):
        column.download_button(t(f"train.download.{name}"), data=path.read_bytes,  # read on click
                               file_name=f"{run_id}-{path.name}", on_click="ignore", key=f"dl_{name}_{run_id}",
                               icon=":material/download:")
    st.caption(t("train.downloads_help"))


def link_to_explorer(run_id: str) -> None:
    try:
        st.page_link("app_pages/explorer.py", label=t("train.open_explorer"), icon=":material/scatter_plot:",
                     query_params={"run": run_id})
    except Exception:  # noqa: BLE001 - outside st.navigation (a page run alone) page_link cannot resolve
        st.markdown(f"[{t('train.open_explorer')}](/explorer?run={run_id})")


def draw_runs() -> None:
    st.subheader(t("train.all_runs"))
    score = lambda key: (lambda run: run["summary"].get(key))  # noqa: E731
    selected = ui_runs.runs_table("word2vec", key="train_runs", columns={
        t("train.col.corpus"): lambda run: run["config"].get("corpus_name"),
        t("train.col.engine"): lambda run: run["config"].get("engine"),
        t("train.wordsim353"): score("wordsim353"),
        t("train.analogies"): score("analogies"),
    })
    ui_runs.run_actions("word2vec", key="train_runs_actions")
    if len(selected) >= 2:
        series = ui_runs.overlay_series(selected)
        left, right = st.columns(2)
        left.plotly_chart(plots.overlay_figure(series, "loss", title=t("train.overlay_loss"),
                                               x_title=t("train.epochs_done"), y_title=t("train.loss")),
                          key="overlay_loss")
        right.plotly_chart(plots.overlay_figure(series, "wordsim353", record_type="eval",
                                                title=t("train.overlay_eval"), x_title=t("train.epoch"),
                                                y_title=t("train.wordsim353")), key="overlay_eval")
    elif selected:
        st.caption(t("train.overlay_pick_more"))


def draw_attached(run_id: str) -> None:
    """The run in ``?run=``: header, live status and curves, then the results once it has vectors."""
    meta = jobs.read_config(run_id)
    config = meta.get("config", {})
    with st.container(border=True):
        head, close = st.columns([5, 1])
        head.markdown("### " + t("train.current_run", name=ui_runs.escape_markdown(meta.get("name") or run_id)))
        head.caption(t("train.run_info", run=run_id, engine=config.get("engine", "–"),
                       corpus=ui_runs.escape_markdown(config.get("corpus_name", "–"))))
        if close.button(t("train.new_run"), key="train_detach", icon=":material/close:"):
            ui_runs.detach()
            st.rerun()
        status = ui_runs.live_status(run_id, render_live=live_curves, key="train_live")
        if status.get("state") in ("done", "cancelled"):
            draw_results(run_id, status)


# ------------------------------------------------------------------ the page

ui_runs.ensure_recovered()
st.title(t("train.title"))
st.write(t("train.intro"))
st.latex(r"\max_{\theta}\ \log\sigma(\mathbf{u}_{c}^{\top}\mathbf{v}_{w})"
         r"+\sum_{i=1}^{k}\log\sigma(-\mathbf{u}_{n_i}^{\top}\mathbf{v}_{w})")
st.caption(t("train.formula_explain"))

run_id = ui_runs.attached_run(kind="word2vec")
if run_id:
    draw_attached(run_id)

corpus_column, settings_column = st.columns([3, 2], gap="large")
with settings_column:  # first in code: the preview needs min_count
    train_values, engine, device, run_name = hyperparameters_ui()
with corpus_column:
    source = corpus_ui()
    if source is not None:
        draw_preview(source, max(1, int(train_values["min_count"])))

with settings_column:
    if st.button(t("train.start"), type="primary", key="train_start", icon=":material/play_arrow:",
                 disabled=source is None):
        try:
            from core.word2vec.job import build_job_config

            config = build_job_config(source["corpus"], train_values, engine=engine, device=device,
                                      **{k: v for k, v in source.items() if k != "corpus"})
            new_run = jobs.submit("word2vec", config, name=run_name or source["corpus_name"])
        except ValueError as err:
            st.error(t("common.bad_input", message=str(err)))
        else:
            ui_runs.attach(new_run)
            st.rerun()

st.divider()
draw_runs()
