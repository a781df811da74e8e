"""Pretrain a BERT from zero: corpus -> WordPiece -> masked-LM encoder, one run per position encoding.

Widgets -> ``core.pretrain.job.build_job_config`` -> ``core.jobs.submit`` (one run per
chosen encoding and start, same corpus and token budget); the first run goes into
``?run=`` so a refresh or a shared link reattaches. The live block
(``ui.runs.live_status``) refreshes once a second. Below, the shoot-out overlays the
curves of the chosen runs and their masked-token accuracy at 1x, 2x and 4x the
training length.
"""
from __future__ import annotations

import json

import streamlit as st

import core.jobs as jobs
from core.plots import training as training_plots
from ui import runs as ui_runs
from ui.auth import user as me
from ui.errors import bad_input
from ui.corpus_datasets import corpus_datasets as named_corpora
from ui.i18n import lang, t

KIND = "pretrain"
NUMBERS = ("steps", "batch_size", "seq_len", "learning_rate", "vocab_size")


# ------------------------------------------------------------------ cached compute

@st.cache_data(show_spinner=False)
def defaults() -> dict:
    from core.pretrain.config import PretrainConfig

    return PretrainConfig().to_dict()


@st.cache_data(show_spinner=False)
def choices() -> dict:
    from core.pretrain.config import INIT_VECTORS, POSITIONS, PRESETS

    return {"presets": {name: list(shape) for name, shape in PRESETS.items()}, "positions": list(POSITIONS),
            "init": list(INIT_VECTORS)}


@st.cache_data(show_spinner=False)
def samples() -> list[str]:
    from core.text import SAMPLES

    return list(SAMPLES)


def corpus_datasets() -> dict[str, dict]:
    """``{"dataset:<name>": info}`` of the corpus datasets (see ``ui.corpus_datasets``)."""
    return {f"dataset:{name}": info for name, info in named_corpora().items()}



@st.cache_data(show_spinner=False, max_entries=32)
def parameters(config_json: str) -> int:
    from core.pretrain.config import PretrainConfig
    from core.pretrain.trainer import count_parameters

    return count_parameters(PretrainConfig.from_dict(json.loads(config_json)))


@st.cache_data(show_spinner=False)
def devices() -> list[str]:
    from core.pretrain.job import device_choices

    return device_choices()


@st.cache_resource(show_spinner=False, max_entries=2)
def mlm_model(model_dir: str, finished: str):
    from core.pretrain.predict import load

    return load(model_dir)


@st.cache_data(show_spinner=False)
def upload_limit_bytes() -> int:
    from core.text import MAX_UPLOAD_BYTES

    return int(min(MAX_UPLOAD_BYTES, st.get_option("server.maxUploadSize") * 1024 * 1024))


# ------------------------------------------------------------------ widgets -> plain values

def sample_label(name: str) -> str:
    """The translated description of a sample (its bare name for samples added later)."""
    key = f"pretrain.sample.{name}"
    label = t(key)
    return name if label == key else label


def corpus_ui() -> tuple[str, str] | None:
    """``(corpus source, display name)`` or None while nothing is chosen."""
    st.subheader(t("pretrain.corpus"))
    kinds = ["sample", "upload"] + (["dataset"] if corpus_datasets() else [])
    kind = st.radio(t("pretrain.source"), kinds, horizontal=True, key="pretrain_source",
                    format_func=lambda k: t(f"pretrain.source.{k}"))
    if kind == "sample":
        name = st.selectbox(t("pretrain.sample"), samples(), key="pretrain_sample", format_func=sample_label)
        return name, name
    if kind == "dataset":
        titles = {n: info[f"title_{lang()}"] for n, info in corpus_datasets().items()}  # translated now
        name = st.selectbox(t("pretrain.dataset"), list(titles), key="pretrain_dataset", format_func=titles.get)
        return name, name.split(":", 1)[1]
    uploaded = st.file_uploader(t("pretrain.upload"), type=["txt", "csv", "tsv", "jsonl", "json", "zip"],
                                key="pretrain_upload")
    if uploaded is None:
        return None
    from core.jobs.uploads import save_upload

    saved = st.session_state.setdefault("_pretrain_uploads", {})
    try:
        if uploaded.file_id not in saved:
            saved[uploaded.file_id] = str(save_upload(uploaded, uploaded.name, max_bytes=upload_limit_bytes(), user=me()))
    except ValueError as err:
        st.error(bad_input(err))
        return None
    return saved[uploaded.file_id], uploaded.name[:120]


def seed_form(run_id: str) -> None:
    """Once per attached run: write its settings into the form, so Start repeats what the run shows."""
    if st.session_state.get("pretrain_form_run") == run_id:
        return
    st.session_state["pretrain_form_run"] = run_id
    config = (jobs.read_config(run_id, user=me()) or {}).get("config") or {}
    options, base = choices(), defaults()
    if config.get("preset") in options["presets"]:
        st.session_state["pretrain_preset"] = config["preset"]
    if config.get("position_encoding") in options["positions"]:
        st.session_state["pretrain_positions"] = [config["position_encoding"]]
    if config.get("init_vectors") in options["init"]:
        st.session_state["pretrain_init"] = [config["init_vectors"]]
    for field in NUMBERS:
        if isinstance(config.get(field), (int, float)):
            st.session_state[f"pretrain_hp_{field}"] = type(base[field])(config[field])
    if config.get("device") in devices():
        st.session_state["pretrain_device"] = config["device"]
    corpus = str(config.get("corpus") or "")
    if corpus in samples():
        st.session_state["pretrain_source"], st.session_state["pretrain_sample"] = "sample", corpus
    elif corpus in corpus_datasets():
        st.session_state["pretrain_source"], st.session_state["pretrain_dataset"] = "dataset", corpus


def _start_value(key: str, **default) -> dict:
    """``default`` for a widget, unless the form already holds a value for it (no widget gets two)."""
    return {} if key in st.session_state else default


def settings_ui() -> tuple[dict, list[str], list[str], str]:
    """(PretrainConfig fields except corpus/position/init, encodings, initial vectors, run name)."""
    st.subheader(t("pretrain.settings"))
    base, options = defaults(), choices()
    values: dict = {}
    values["preset"] = st.selectbox(
        t("pretrain.preset"), list(options["presets"]), key="pretrain_preset", help=t("pretrain.help.preset"),
        format_func=lambda p: t("pretrain.preset_label", name=p, layers=options["presets"][p][0],
                                hidden=options["presets"][p][1]))
    positions = st.multiselect(t("pretrain.positions"), options["positions"],
                               **_start_value("pretrain_positions", default=["learned"]), key="pretrain_positions",
                               format_func=lambda p: t(f"pretrain.position.{p}"), help=t("pretrain.help.positions"))
    init = st.multiselect(t("pretrain.init"), options["init"], **_start_value("pretrain_init", default=["random"]),
                          key="pretrain_init",
                          format_func=lambda p: t(f"pretrain.init.{p}"), help=t("pretrain.help.init_vectors"))
    left, right = st.columns(2)
    for i, field in enumerate(NUMBERS):
        column = left if i % 2 == 0 else right
        default = base[field]
        if isinstance(default, float):
            values[field] = column.number_input(t(f"pretrain.hp.{field}"), min_value=0.0,
                                                **_start_value(f"pretrain_hp_{field}", value=float(default)),
                                                step=default / 2, format="%.5f", key=f"pretrain_hp_{field}",
                                                help=t(f"pretrain.help.{field}"))
        else:
            values[field] = int(column.number_input(t(f"pretrain.hp.{field}"), min_value=0,
                                                    **_start_value(f"pretrain_hp_{field}", value=int(default)),
                                                    step=1, key=f"pretrain_hp_{field}", help=t(f"pretrain.help.{field}")))
    values["device"] = st.selectbox(t("pretrain.device"), devices(), key="pretrain_device")
    name = st.text_input(t("pretrain.run_name"), key="pretrain_name", max_chars=120,
                         placeholder=t("pretrain.run_name_hint"))
    return values, positions, init, name


def budget_caption(values: dict, positions: list[str]) -> None:
    try:
        config = {**values, "position_encoding": (positions or ["learned"])[0]}
        n = parameters(json.dumps(config, sort_keys=True))
    except ValueError as err:
        st.error(bad_input(err))
        return
    tokens = int(values["steps"]) * int(values["batch_size"]) * int(values["seq_len"])
    st.caption(t("pretrain.budget", tokens=f"{tokens:,}", parameters=f"{n:,}", runs=max(1, len(positions))))


# ------------------------------------------------------------------ drawing

def step_curves(steps: list[dict], key: str) -> None:
    st.plotly_chart(training_plots.live_figure(
        steps, panels=(("loss", t("pretrain.loss")), ("accuracy", t("pretrain.accuracy")),
                       ("tokens_per_s", t("pretrain.tokens_per_s")), ("lr", t("pretrain.lr"))),
        x="step", x_title=t("pretrain.step")), key=key)
    st.caption(t("pretrain.curves_explain"))


def live_curves(run_id: str, records: list[dict], status: dict) -> None:
    steps, _ = ui_runs.split_records(records)
    if not steps:
        if status.get("state") == "running":
            st.caption(t("pretrain.waiting"))
        return
    last = steps[-1]
    a, b, c, d = st.columns(4)
    a.metric(t("pretrain.step"), f"{last.get('step')} / {last.get('steps')}")
    b.metric(t("pretrain.loss"), f"{last['loss']:.3f}")
    c.metric(t("pretrain.perplexity"), f"{last['perplexity']:,.1f}")
    d.metric(t("pretrain.tokens_per_s"), f"{last.get('tokens_per_s', 0):,.0f}")
    step_curves(steps, key="pretrain_live_steps")


def draw_results(run_id: str, status: dict) -> None:
    folder = jobs.run_dir(run_id, user=me())
    summary = jobs.read_summary(run_id, user=me())
    st.subheader(t("pretrain.results"))
    score = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    a, b, c, d = st.columns(4)
    a.metric(t("pretrain.valid_accuracy"), score(summary.get("valid_accuracy")))
    b.metric(t("pretrain.valid_top5"), score(summary.get("valid_top5")))
    c.metric(t("pretrain.parameters"), f"{summary.get('parameters', 0):,}")
    d.metric(t("pretrain.tokens_per_s"), f"{summary.get('tokens_per_s') or 0:,.0f}")
    steps, _ = ui_runs.split_records(ui_runs.run_records(run_id))
    if steps:
        step_curves(steps, key=f"pretrain_final_{run_id}")
    rows = read_extrapolation(run_id)
    if rows:
        draw_extrapolation({summary.get("position_encoding") or run_id: rows}, key=f"pretrain_extra_{run_id}")
    if (folder / "model" / "config.json").is_file():
        st.caption(t("pretrain.model_folder", path=str(folder / "model")))
        try_masks(str(folder / "model"), status.get("finished") or "", summary.get("language"))


def try_masks(model_dir: str, finished: str, language: str | None) -> None:
    from core.plots.pretrain import predictions_table
    from core.pretrain.predict import predict_masks

    st.markdown(f"**{t('pretrain.try')}**")
    example = t("pretrain.try_example_zh") if language == "zh" else t("pretrain.try_example_en")
    text = st.text_input(t("pretrain.try_input"), value=example, key="pretrain_try")
    try:
        model, tokenizer = mlm_model(model_dir, finished)
        st.dataframe(predictions_table(predict_masks(model, tokenizer, text)), hide_index=True)
    except ValueError as err:
        st.error(bad_input(err))
    st.latex(r"p(w \mid \tilde{x}) = \mathrm{softmax}\big(W_E\, h_{[\mathrm{MASK}]} + b\big)_w")


def read_extrapolation(run_id: str) -> list[dict]:
    path = jobs.run_dir(run_id, user=me()) / "extrapolation.json"
    if not path.is_file():
        return []
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("rows", [])
    except ValueError:
        return []


def draw_extrapolation(rows_by_run: dict[str, list[dict]], key: str) -> None:
    from core.plots.pretrain import extrapolation_figure

    st.plotly_chart(extrapolation_figure(
        rows_by_run, title=t("pretrain.extrapolation_title"), x_title=t("pretrain.extrapolation_x"),
        y_title=t("pretrain.accuracy"), factor_label=t("pretrain.factor_label")), key=key)
    st.caption(t("pretrain.extrapolation_explain"))


def comparable_runs(runs: list[dict], limit: int = 6) -> list[str]:
    """The newest finished run and the finished runs with its corpus, size, length and budget (a ready shoot-out)."""
    done = [r for r in runs if r["state"] == "done"]
    if not done:
        return []
    same = ("corpus", "preset", "seq_len", "steps", "batch_size")
    first = done[0]["config"]
    return [r["id"] for r in done if all(r["config"].get(k) == first.get(k) for k in same)][:limit]


def draw_shootout() -> None:
    from core.plots.pretrain import eval_overlay_figure

    st.subheader(t("pretrain.shootout"))
    st.write(t("pretrain.shootout_intro"))
    score = lambda key: (lambda run: run["summary"].get(key))  # noqa: E731
    if "pretrain_runs_compare" not in st.session_state:
        st.session_state["pretrain_runs_compare"] = comparable_runs(jobs.list_runs(KIND, user=me()))
    selected = ui_runs.runs_table(KIND, key="pretrain_runs", select_label=t("pretrain.compare"), columns={
        t("pretrain.col.position"): lambda run: t(f"pretrain.position.{run['config'].get('position_encoding')}"),
        t("pretrain.col.preset"): lambda run: run["config"].get("preset"),
        t("pretrain.col.init"): lambda run: t(f"pretrain.init.{run['config'].get('init_vectors')}"),
        t("pretrain.col.corpus"): score("corpus"),
        t("pretrain.valid_accuracy"): score("valid_accuracy"),
    })
    ui_runs.run_actions(KIND, key="pretrain_runs_actions")
    if not selected:
        st.caption(t("pretrain.shootout_pick"))
        return
    series = ui_runs.overlay_series(selected)
    left, right = st.columns(2)
    left.plotly_chart(training_plots.overlay_figure(series, "loss", x="tokens", title=t("pretrain.overlay_loss"),
                                                    x_title=t("pretrain.tokens_seen"), y_title=t("pretrain.loss")),
                      key="pretrain_overlay_loss")
    left.caption(t("pretrain.overlay_loss_explain"))
    right.plotly_chart(eval_overlay_figure(series, "accuracy", title=t("pretrain.overlay_accuracy"),
                                           x_title=t("pretrain.tokens_seen"), y_title=t("pretrain.accuracy")),
                       key="pretrain_overlay_accuracy")
    right.caption(t("pretrain.overlay_accuracy_explain"))
    labels = list(series)
    rows_by_run = {label: read_extrapolation(run_id) for label, run_id in zip(labels, selected)}
    rows_by_run = {label: rows for label, rows in rows_by_run.items() if rows}
    if rows_by_run:
        draw_extrapolation(rows_by_run, key="pretrain_overlay_extrapolation")


def draw_attached(run_id: str) -> None:
    meta = jobs.read_config(run_id, user=me())
    config = meta.get("config", {})
    with st.container(border=True):
        head, close = st.columns([5, 1])
        head.markdown("### " + t("pretrain.current_run", name=ui_runs.escape_markdown(meta.get("name") or run_id)))
        head.caption(t("pretrain.run_info", run=run_id, position=t(f"pretrain.position.{config.get('position_encoding')}"),
                       preset=config.get("preset", "–")))
        if close.button(t("pretrain.new_run"), key="pretrain_detach", icon=":material/close:"):
            ui_runs.detach()
            st.rerun()
        status = ui_runs.live_status(run_id, render_live=live_curves, key="pretrain_live")
        if status.get("state") in ("done", "cancelled"):
            draw_results(run_id, status)


def start(source: tuple[str, str], values: dict, positions: list[str], init: list[str], name: str) -> None:
    """Submit one run per (encoding, initial vectors); attach the first. Bad settings -> st.error, nothing queued."""
    from core.pretrain.job import build_job_config

    corpus, corpus_name = source
    if not positions:
        st.error(t("common.bad_input", message=t("pretrain.pick_position")))
        return
    try:
        configs = [(p, i, build_job_config({**values, "corpus": corpus, "position_encoding": p, "init_vectors": i}))
                   for p in positions for i in (init or ["random"])]
    except ValueError as err:
        st.error(bad_input(err))
        return
    ids = []
    for position, vectors, config in configs:
        label = f"{name or corpus_name} · {position} · {values['preset']}" + (" · word2vec" if len(init) > 1 and
                                                                              vectors != "random" else "")
        ids.append(jobs.submit(KIND, config, name=label, user=me()))
    st.session_state["pretrain_runs_compare"] = ids
    ui_runs.attach(ids[0])
    st.rerun()


# ------------------------------------------------------------------ the page

ui_runs.ensure_recovered()
st.title(t("pretrain.title"))
st.write(t("pretrain.intro"))
st.latex(r"\mathcal{L} = -\frac{1}{|M|}\sum_{i \in M} \log p_\theta\big(x_i \mid \tilde{x}\big)"
         r"\qquad \mathrm{perplexity} = e^{\mathcal{L}}")
st.caption(t("pretrain.formula_explain"))

run_id = ui_runs.attached_run(kind=KIND)
if run_id:
    seed_form(run_id)
    draw_attached(run_id)

corpus_column, settings_column = st.columns([3, 2], gap="large")
with corpus_column:
    source = corpus_ui()
    st.markdown(f"**{t('pretrain.where_title')}**")
    st.markdown(t("pretrain.where"))
with settings_column:
    values, positions, init, run_name = settings_ui()
    budget_caption(values, positions)
    if st.button(t("pretrain.start"), type="primary", key="pretrain_start", icon=":material/play_arrow:",
                 disabled=source is None):
        start(source, values, positions, init, run_name)

st.divider()
draw_shootout()
