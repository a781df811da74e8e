"""Train word2vec on a sample, a dataset or an upload, in a background job, with live curves.

Form (``ui.form`` over ``TrainConfig``'s schema) -> ``core.word2vec.job.build_job_config``
-> ``core.jobs.submit``; the run id goes into ``?run=`` so a refresh, a second tab or a
shared link reattaches, and the form then shows that run's settings ("train again with
changes"). Engines, their devices and descriptions come from the engine registry
(``core.word2vec.engines``); the default engine follows the device.
"""
from __future__ import annotations

import json

import streamlit as st

import core.jobs as jobs
from core.plots import training as plots
from core.sources import parse_source
from core.word2vec.config import TrainConfig
from ui import runs as ui_runs
from ui.corpus_datasets import corpus_datasets
from ui.corpus_picker import dataset_title, pick_corpus, picked, sample_label, samples
from ui.form import Form
from ui.i18n import lang, t, t_or
from ui.word2vec_results import benchmark_label
from ui.auth import user as me
from ui.cache import shared
from ui.errors import bad_input

# TrainConfig fields every engine reads, in the form's order; an engine's own fields
# (``Engine.extra_parameters``) follow when it is chosen.
HYPERPARAMETERS = ("vector_size", "window", "min_count", "epochs", "negative", "sample", "alpha", "min_alpha",
                   "max_vocab", "seed")
READING_KEYS = ("corpus", "corpus_name", "column", "field", "language", "lowercase", "strip_punctuation", "encoding")


# ------------------------------------------------------------------ cached compute

@shared(max_entries=16)
def corpus_preview(source_json: str):
    from core.word2vec.preview import preview_corpus

    return preview_corpus(json.loads(source_json))


@shared(max_entries=4)
def run_vectors(run_id: str, finished: str):
    from core.vectors.io import load_run_vectors

    return load_run_vectors(jobs.run_dir(run_id, user=me()))


def engines():
    """The engine registry (asked on every run: an engine registered at run time shows up at once)."""
    from core.word2vec import engines as registry

    return registry


@shared(max_entries=None)
def device_text(engine: str, choice: str) -> str:
    from core.device import describe, resolve

    kind = engines().get(engine).device_type(choice)
    return describe(resolve(choice if kind != "cpu" and choice != "auto" else kind))


# ------------------------------------------------------------------ labels

def engine_label(name: str) -> str:
    return t_or(f"train.engine.{name}", name)


def engine_about(name: str) -> str:
    return t_or(f"train.engine_about.{name}", engines().get(name).description if name in engines().ENGINES else "")


def corpus_label(config: dict) -> str:
    """What a user knows a run's corpus by: the sample's or dataset's title, else the file's own name."""
    source = parse_source(config.get("corpus"), samples())
    if source.kind == "sample":
        return sample_label(source.name, "train")
    if source.kind == "dataset":
        return dataset_title(source.name)
    return config.get("corpus_name") or source.file_name or "–"


# ------------------------------------------------------------------ the form

def make_form() -> Form:
    """The page's one form: TrainConfig's fields plus the corpus, reading and engine choices."""
    registry = engines()
    chinese = lang() == "zh"
    zh_sets = [n for n, info in corpus_datasets().items() if info.get("language") == "zh"]
    source = "dataset" if chinese and zh_sets else "sample"  # a Chinese UI starts on Chinese data (#12)
    first_sample = "zh" if chinese and "zh" in samples() else next(iter(samples()))
    extra = {"train_engine": registry.default_engine(), "train_source": source, "train_sample": first_sample,
             "train_dataset": zh_sets[0] if source == "dataset" else None, "train_language": "auto",
             "train_lowercase": True, "train_strip": True, "train_name": ""}
    allowed = {"train_engine": registry.names, "train_sample": lambda: list(samples()),
               "train_dataset": lambda: list(corpus_datasets())}
    for name in registry.names():
        extra[f"train_device_{name}"] = registry.get(name).devices()[0]
        allowed[f"train_device_{name}"] = registry.get(name).devices
    return Form("train_hp", TrainConfig, extra=extra, allowed=allowed)


def run_settings(run_id: str) -> dict:
    """The form's values for an attached run: its TrainConfig, engine, device, reading and corpus."""
    config = jobs.read_config(run_id, user=me()).get("config", {})
    values = dict(config.get("train") or {})
    engine = config.get("engine")
    if engine not in engines().ENGINES and engine:
        st.session_state["_train_form_error"] = engine
    values.update({"train_engine": engine, f"train_device_{engine}": config.get("device"),
                   "train_language": config.get("language"), "train_lowercase": config.get("lowercase"),
                   "train_strip": config.get("strip_punctuation")})
    values.update(picked("train", config.get("corpus"), config.get("corpus_name") or "", config.get("encoding") or ""))
    for what in ("column", "field"):  # an uploaded table's text column, picked again
        if config.get(what):
            st.session_state[f"train_{what}"] = config[what]
    return {k: v for k, v in values.items() if v is not None}


# ------------------------------------------------------------------ widgets -> plain values

def corpus_ui() -> dict | None:
    """The corpus choice as ``build_job_config`` keyword arguments, or None when nothing is chosen yet."""
    st.subheader(t("train.corpus"))
    chosen = pick_corpus("train", "train", reuse=st.session_state.get("_train_reuse"))
    with st.expander(t("train.reading")):
        languages = {code: t(f"train.language.{code}") for code in ("auto", "en", "zh")}
        reading = {"language": st.selectbox(t("train.language"), list(languages), key="train_language",
                                            format_func=languages.get, help=t("train.language_help")),
                   "lowercase": st.checkbox(t("train.lowercase"), key="train_lowercase"),
                   "strip_punctuation": st.checkbox(t("train.strip_punctuation"), key="train_strip")}
    if chosen is None:
        return None
    return {"corpus": chosen.source, "corpus_name": chosen.name, **chosen.reading, **reading}


def engine_ui() -> tuple[str, str]:
    """(engine, device): the registry's engines, the default one following the device, and why."""
    registry = engines()
    names = list(registry.names())
    if st.session_state.get("train_engine") not in names:
        st.session_state["train_engine"] = registry.default_engine()
    engine = st.radio(t("train.engine"), names, key="train_engine", horizontal=True,
                      format_func={n: engine_label(n) for n in names}.get, help=t("train.engine_help"))
    if engine == registry.default_engine():
        line = t("train.engine_why_default", engine=engine_label(engine), device=registry.device_type(),
                 about=engine_about(engine))
    else:
        line = t("train.engine_why_chosen", engine=engine_label(engine), about=engine_about(engine))
    others = "; ".join(f"{engine_label(o)}: {engine_about(o)}" for o in names if o != engine)
    st.caption(line + (" " + t("train.engine_others", others=others) if others else ""))
    devices = registry.get(engine).devices()
    device = devices[0]
    if len(devices) > 1:
        device = st.selectbox(t("train.device"), devices, key=f"train_device_{engine}", help=t("train.device_help"))
    try:
        st.caption(t("train.device_used", device=device_text(engine, device)))
    except ValueError as err:
        st.error(bad_input(err))
    return engine, device


def settings_ui(form: Form) -> tuple[dict, str, str, str]:
    """(TrainConfig fields, engine, device, run name) from the settings column."""
    st.subheader(t("train.settings"))
    missing = st.session_state.pop("_train_form_error", None)
    if missing:
        try:
            engines().get(missing)
        except ValueError as err:
            st.error(bad_input(err))
    engine, device = engine_ui()
    values = {"sg": form.widget("sg", format_func={True: t("train.skipgram"), False: t("train.cbow")}.get)}
    values.update(form.draw(HYPERPARAMETERS + tuple(engines().get(engine).extra_parameters), columns=2,
                            advanced=t("train.advanced")))
    name = st.text_input(t("train.run_name"), key="train_name", max_chars=120, placeholder=t("train.run_name_hint"))
    return values, engine, device, name


# ------------------------------------------------------------------ drawing

def draw_preview(source: dict, min_count: int):
    """The reading report, token counts, first sentences and the Zipf plot; returns the preview or None."""
    from ui.reading_report import show

    reading = {k: source.get(k) for k in READING_KEYS}
    try:
        with st.spinner(t("train.reading_corpus")):
            preview = corpus_preview(json.dumps(reading, sort_keys=True))
    except ValueError as err:
        st.error(bad_input(err))
        return None
    if preview.report is not None:
        show(preview.report)
    a, b = st.columns(2)
    a.metric(t("train.tokens"), f"{preview.tokens:,}")
    b.metric(t("train.vocab_at_min_count", min_count=min_count), f"{preview.vocab_size(min_count):,}")
    splitting = t("train.language.segmented") if preview.segmented else t(f"train.language.{preview.language}")
    judged = getattr(preview.report, "language", None)  # ja / ko / zh-Hant: the language read, then how it is split
    splitting = t_or(f"train.language.{judged}_{preview.language}", splitting)
    st.caption(t("train.detected", encoding=preview.encoding, language=splitting))
    if preview.stopped_by in ("lines", "time"):
        from core.word2vec.preview import MAX_PREVIEW_SECONDS

        lines = preview.report.rows_read if preview.report is not None else preview.n_sentences
        st.caption(t(f"train.preview_stopped_{preview.stopped_by}", lines=f"{lines:,}", tokens=f"{preview.tokens:,}",
                     seconds=f"{MAX_PREVIEW_SECONDS:g}"))
    elif preview.truncated:
        st.caption(t("train.preview_truncated", tokens=f"{preview.tokens:,}"))
    st.markdown(f"**{t('train.first_sentences')}**")
    st.code(preview.token_lines(), language=None, wrap_lines=True)
    st.plotly_chart(plots.zipf_figure(
        preview.counts, title=t("train.zipf_title"), x_title=t("train.zipf_x"), y_title=t("train.zipf_y"),
        observed=t("train.zipf_observed"), reference=t("train.zipf_reference"), min_count=min_count,
        min_count_label=t("train.hp.min_count")), key="train_zipf")
    st.caption(t("train.zipf_explain"))
    return preview


def too_small_reason(preview, min_count: int) -> str | None:
    """Why Train is disabled for this corpus and min_count (training needs two words), or None."""
    small = preview.too_small(min_count) if preview is not None else None
    if small is None:
        return None
    return t("train.vocab_too_small", kept=small[0], min_count=min_count, tokens=f"{preview.tokens:,}",
             suggest=small[1])


def start_button(form: Form, source: dict | None, values: dict, engine: str, device: str, name: str,
                 blocked: str | None) -> None:
    """Train: build the job config (one core call), submit it, attach the new run."""
    if st.button(t("train.start"), type="primary", key="train_start", icon=":material/play_arrow:",
                 disabled=source is None or blocked is not None, help=blocked):
        from core.word2vec.job import build_job_config

        try:
            config = build_job_config(source["corpus"], values, engine=engine, device=device,
                                      **{k: v for k, v in source.items() if k != "corpus"})
            new_run = ui_runs.submit_once("word2vec", config, name=name or source["corpus_name"])
        except ValueError as err:
            st.error(bad_input(err))
        else:
            form.mark_seeded(new_run)  # the form already shows its settings
            ui_runs.attach(new_run)
            st.rerun()
    if blocked:
        st.warning(blocked)


def draw_attached(run_id: str) -> None:
    """The run in ``?run=``: header, live status and curves, then the results once it has vectors."""
    from ui.word2vec_results import draw_results, live_curves

    meta = jobs.read_config(run_id, user=me())
    config = meta.get("config", {})
    with st.container(border=True):
        head, close = st.columns([5, 1])
        head.markdown("### " + t("train.current_run", name=ui_runs.escape_markdown(meta.get("name") or run_id)))
        head.caption(t("train.run_info", run=run_id, engine=engine_label(config.get("engine") or "–"),
                       corpus=ui_runs.escape_markdown(corpus_label(config))))
        if close.button(t("train.new_run"), key="train_detach", icon=":material/close:"):
            ui_runs.detach()
            st.rerun()
        status = ui_runs.live_status(run_id, render_live=live_curves, key="train_live")
        if status.get("state") in ("done", "cancelled") and (jobs.run_dir(run_id, user=me()) / "vectors.bin").exists():
            draw_results(run_id, run_vectors(run_id, status.get("finished") or ""))
        st.caption(t("train.form_from_run"))


def draw_runs() -> None:
    from core.word2vec.results import MIN_COVERAGE, MIN_ITEMS, score_cell, scores

    st.subheader(t("train.all_runs"))
    found = [score for run in jobs.list_runs("word2vec", user=me()) for score in scores(run["summary"])]
    names = list(dict.fromkeys(score.benchmark for score in found if score.coverage)) \
        or list(dict.fromkeys(score.benchmark for score in found))
    columns = {t("train.col.corpus"): lambda run: corpus_label(run["config"]),
               t("train.col.engine"): lambda run: engine_label(run["config"].get("engine") or "–")}
    for name in names:
        columns[benchmark_label(name)] = (lambda key: lambda run: score_cell(run["summary"], key))(name)
    help_text = t("train.col.score_help", min_coverage=f"{MIN_COVERAGE:.0%}", min_items=MIN_ITEMS)
    selected = ui_runs.runs_table("word2vec", key="train_runs", columns=columns,
                                  column_help={benchmark_label(name): help_text for name in names})
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


# ------------------------------------------------------------------ the page

ui_runs.ensure_recovered()
st.title(t("train.title"))
st.write(t("train.intro"))
st.latex(r"\max_{\theta}\ \log\sigma(\mathbf{u}_{c}^{\top}\mathbf{v}_{w})"
         r"+\sum_{i=1}^{k}\log\sigma(-\mathbf{u}_{n_i}^{\top}\mathbf{v}_{w})")
st.caption(t("train.formula_explain"))

form = make_form()
run_id = ui_runs.attached_run(kind="word2vec")
form.start(run_id, lambda: run_settings(run_id))
if run_id:
    draw_attached(run_id)

corpus_column, settings_column = st.columns([3, 2], gap="large")
with settings_column:  # first in code: the preview needs min_count
    train_values, engine, device, run_name = settings_ui(form)
min_count = max(1, int(train_values["min_count"]))
preview = None
with corpus_column:
    source = corpus_ui()
    if source is not None:
        preview = draw_preview(source, min_count)
with settings_column:
    start_button(form, source, train_values, engine, device, run_name, too_small_reason(preview, min_count))

form.keep_in_url()
st.divider()
draw_runs()
