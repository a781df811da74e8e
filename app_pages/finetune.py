"""Fine-tune BERT: data -> model and settings -> train (live) -> report -> playground; runs table.

The run shown lives in ``?run=<id>`` (ui.runs), so a refresh or a second tab reattaches.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

import core.jobs as jobs
from core.finetune.config import FinetuneConfig, field_help
from core.plots import finetune as plots
from ui import runs as ui_runs
from ui.i18n import lang, t

TABLE_FORMATS = ("csv", "tsv", "jsonl")
NONE = "—"


# ------------------------------------------------------------------ cached compute

@st.cache_resource(show_spinner=False)
def _tokenizer(model: str):
    from core.models import load_tokenizer

    return load_tokenizer(model)


@st.cache_data(show_spinner=False, max_entries=20)
def inspect_data(source: str, task: str, fmt: str, text_col: str, label_col: str, pair_col: str,
                 model: str, max_length: int) -> dict:
    """Format, columns, guessed mapping, preview rows and the summary of one data file."""
    from core.finetune import data as fd

    path = fd.resolve_source(source)
    fmt = fd.detect_format(path) if fmt == "auto" else fmt
    info = {"format": fmt, "columns": [], "guess": {}}
    if task == "classification" and fmt in TABLE_FORMATS:
        frame = fd.read_table(path, fmt)
        info["columns"] = list(frame.columns)
        info["guess"] = fd.guess_columns(frame)
        text_col = text_col or info["guess"]["text"] or ""
        label_col = label_col or info["guess"]["label"] or ""
        data = fd.table_to_data(frame, text_col, label_col, pair_col, source=path.name)
    else:
        data = fd.load(path, task, fmt)
    try:
        tokenizer = _tokenizer(model)
    except (OSError, ValueError):
        tokenizer = None  # a bad model path is reported when training starts
    info["summary"] = fd.summarize(data, tokenizer, max_length)
    info["preview"] = fd.preview(data, 8)
    return info


@st.cache_resource(show_spinner=False, max_entries=3)
def _predictor(run_path: str, stamp: float):
    from core.finetune import load_predictor

    return load_predictor(run_path)


def _read_run(run_id: str) -> dict:
    from core.finetune import read_run

    return read_run(jobs.run_dir(run_id))


# ------------------------------------------------------------------ widgets

def _help(name: str) -> str:
    """The config field's comment is the help text (translated for zh)."""
    return field_help().get(name, "") if lang() == "en" else t(f"finetune.help.{name}")


def data_ui() -> dict:
    """Task, data source (shipped sample or upload) and optional separate files; plain values out."""
    # Labels are looked up now, not inside format_func (which may run outside this script run).
    task_labels = {v: t(f"finetune.task.{v}") for v in ("classification", "ner")}
    source_labels = {v: t(f"finetune.source.{v}") for v in ("sample", "upload")}
    task = st.radio(t("finetune.task"), list(task_labels), horizontal=True, key="ft_task",
                    format_func=task_labels.get, help=_help("task"))
    source = st.radio(t("finetune.source"), list(source_labels), horizontal=True, key="ft_source",
                      format_func=source_labels.get)
    values = {"task": task, "train_file": "", "valid_file": "", "test_file": ""}
    if source == "sample":
        values["train_file"] = "sample:sentiment" if task == "classification" else "sample:ner"
        st.caption(t(f"finetune.sample_note.{task}"))
        return values
    from core.jobs.uploads import save_upload

    types = ["csv", "tsv", "jsonl", "json", "txt"] if task == "classification" else ["conll", "txt", "iob", "bio"]
    left, mid, right = st.columns(3)
    uploads = {
        "train_file": left.file_uploader(t("finetune.upload_train"), type=types, key=f"ft_up_train_{task}"),
        "valid_file": mid.file_uploader(t("finetune.upload_valid"), type=types, key=f"ft_up_valid_{task}",
                                        help=_help("valid_file")),
        "test_file": right.file_uploader(t("finetune.upload_test"), type=types, key=f"ft_up_test_{task}",
                                         help=_help("test_file")),
    }
    st.caption(t(f"finetune.upload_hint.{task}"))
    for key, upload in uploads.items():
        if upload is not None:
            try:
                values[key] = str(save_upload(upload, upload.name))
                if key == "train_file":
                    st.session_state["ft_train_name"] = upload.name  # the stored file is named by its hash
            except ValueError as err:
                st.error(t("common.bad_input", message=str(err)))
    return values


def mapping_ui(info: dict) -> dict:
    """Column pickers, preset to the guessed mapping; the user corrects them."""
    columns, guess = info["columns"], info["guess"]
    st.caption(t("finetune.mapping_hint"))
    left, mid, right = st.columns(3)
    pick = lambda col, choice: columns.index(choice) if choice in columns else 0  # noqa: E731
    text_col = left.selectbox(t("finetune.text_col"), columns, index=pick(columns, guess.get("text")),
                              key="ft_text_col", help=_help("text_col"))
    label_col = mid.selectbox(t("finetune.label_col"), columns, index=pick(columns, guess.get("label")),
                              key="ft_label_col", help=_help("label_col"))
    options = [NONE] + columns
    pair = guess.get("text_pair")
    pair_col = right.selectbox(t("finetune.pair_col"), options, index=options.index(pair) if pair in options else 0,
                               key="ft_pair_col", help=_help("text_pair_col"))
    return {"text_col": text_col, "label_col": label_col, "text_pair_col": "" if pair_col == NONE else pair_col}


def settings_ui(task: str) -> dict:
    """Model and hyperparameters; defaults finish in minutes on a CPU for the shipped samples."""
    d = FinetuneConfig()
    model = st.text_input(t("finetune.model"), value=d.model, key="ft_model", help=_help("model"))
    c1, c2, c3, c4 = st.columns(4)
    values = {
        "model": model.strip() or d.model,
        "epochs": c1.number_input(t("finetune.epochs"), 1, 100, d.epochs, key="ft_epochs", help=_help("epochs")),
        "batch_size": c2.number_input(t("finetune.batch_size"), 1, 512, d.batch_size, key="ft_batch",
                                      help=_help("batch_size")),
        "learning_rate": c3.number_input(t("finetune.learning_rate"), 1e-6, 1e-2, d.learning_rate, step=1e-5,
                                         format="%.0e", key="ft_lr", help=_help("learning_rate")),
        "max_length": c4.number_input(t("finetune.max_length"), 8, 8192, d.max_length, step=8, key="ft_maxlen",
                                      help=_help("max_length")),
    }
    with st.expander(t("finetune.advanced")):
        a1, a2, a3, a4 = st.columns(4)
        values["grad_accum"] = a1.number_input(t("finetune.grad_accum"), 1, 256, d.grad_accum, key="ft_accum",
                                               help=_help("grad_accum"))
        values["weight_decay"] = a2.number_input(t("finetune.weight_decay"), 0.0, 1.0, d.weight_decay, step=0.01,
                                                 key="ft_wd", help=_help("weight_decay"))
        values["warmup_ratio"] = a3.number_input(t("finetune.warmup_ratio"), 0.0, 0.9, d.warmup_ratio, step=0.05,
                                                 key="ft_warmup", help=_help("warmup_ratio"))
        values["early_stopping"] = a4.number_input(t("finetune.early_stopping"), 0, 50, d.early_stopping,
                                                   key="ft_patience", help=_help("early_stopping"))
        b1, b2, b3, b4 = st.columns(4)
        values["valid_fraction"] = b1.number_input(t("finetune.valid_fraction"), 0.0, 0.5, d.valid_fraction, step=0.05,
                                                   key="ft_vfrac", help=_help("valid_fraction"))
        values["test_fraction"] = b2.number_input(t("finetune.test_fraction"), 0.0, 0.5, d.test_fraction, step=0.05,
                                                  key="ft_tfrac", help=_help("test_fraction"))
        values["max_train_samples"] = b3.number_input(t("finetune.max_train_samples"), 0, 10_000_000,
                                                      d.max_train_samples, step=100, key="ft_maxn",
                                                      help=_help("max_train_samples"))
        values["seed"] = b4.number_input(t("finetune.seed"), 0, 2**31 - 1, d.seed, key="ft_seed", help=_help("seed"))
        e1, e2, e3, e4 = st.columns(4)
        values["mixed_precision"] = e1.selectbox(t("finetune.mixed_precision"), ["auto", "no", "fp16", "bf16"],
                                                 key="ft_mp", help=_help("mixed_precision"))
        values["device"] = e2.selectbox(t("finetune.device"), ["auto", "cpu", "cuda", "mps"], key="ft_device",
                                        help=_help("device"))
        values["eval_every"] = e3.number_input(t("finetune.eval_every"), 0, 100_000, d.eval_every, key="ft_evalevery",
                                               help=_help("eval_every"))
        values["log_every"] = e4.number_input(t("finetune.log_every"), 1, 10_000, d.log_every, key="ft_logevery",
                                              help=_help("log_every"))
    return {k: (int(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in values.items()}


# ------------------------------------------------------------------ drawing

def _warning_text(w: dict) -> str:
    fields = {k: v for k, v in w.items() if k != "code"}
    return t(f"finetune.warn.{w['code']}", **fields)


def show_data(info: dict, max_length: int, task: str) -> None:
    summary = info["summary"]
    import pandas as pd

    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("finetune.n_examples" if task == "classification" else "finetune.n_sentences"), summary["n"])
    m2.metric(t("finetune.n_classes" if task == "classification" else "finetune.n_types"), len(summary["label_counts"]))
    stats = summary["length_stats"]
    if stats:
        m3.metric(t("finetune.median_tokens"), f"{stats['median']:.0f}")
        m4.metric(t("finetune.p95_tokens"), f"{stats['p95']:.0f}", help=t("finetune.max_tokens", n=stats["max"]))
    headers = {k: t(f"finetune.col.{k}") for k in ("text", "text_pair", "label", "tokens", "tags")}
    st.dataframe(pd.DataFrame(info["preview"]).rename(columns=headers), hide_index=True)
    left, right = st.columns(2)
    left.plotly_chart(plots.counts_figure(summary["label_counts"], titles={
        "title": t("finetune.fig.counts" if task == "classification" else "finetune.fig.entity_counts"),
        "x": t("finetune.fig.label"), "y": t("finetune.fig.count")}))
    if summary["lengths"]:
        right.plotly_chart(plots.length_figure(summary["lengths"], max_length, titles={
            "title": t("finetune.fig.lengths"), "x": t("finetune.fig.tokens"), "y": t("finetune.fig.examples"),
            "cut": "max_length"}))
    for w in summary["warnings"]:
        st.warning(_warning_text(w))


def _table(rows: list[dict]):
    """A DataFrame with translated column headers (keys of ``finetune.col.*``), numbers rounded."""
    import pandas as pd

    frame = pd.DataFrame(rows).round(3)
    return frame.rename(columns={c: t(f"finetune.col.{c}") for c in frame.columns})


def _score_labels() -> dict:
    return {"precision": t("finetune.fig.precision"), "recall": t("finetune.fig.recall"), "f1": "F1",
            "score": t("finetune.fig.score_axis")}


def _curve_labels() -> dict:
    return {"accuracy": t("finetune.fig.accuracy"), "macro_f1": t("finetune.fig.macro_f1"),
            "precision": t("finetune.fig.precision"), "recall": t("finetune.fig.recall"), "f1": "F1","loss": t("finetune.fig.loss"), "lr": t("finetune.fig.lr"), "score": t("finetune.fig.score"),
            "step": t("finetune.fig.step"), "title_loss": t("finetune.fig.title_loss"),
            "title_eval": t("finetune.fig.title_eval"), "valid_loss": t("finetune.fig.valid_loss")}


def draw_live(run_id: str, records: list[dict], status: dict) -> None:
    """Curves while the run trains (called every second by ui.runs)."""
    if status.get("message"):
        st.caption(status["message"])
    if any(r.get("type") == "step" for r in records):
        st.plotly_chart(plots.curves_figure(records, _curve_labels()), key=f"ft_live_{run_id}")


def show_classification_report(report: dict, split: str) -> None:
    scores, details = report[split], report.get(f"{split}_details", {})
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("finetune.accuracy"), f"{scores['accuracy']:.3f}")
    m2.metric(t("finetune.macro_f1"), f"{scores['macro_f1']:.3f}")
    m3.metric(t("finetune.macro_precision"), f"{scores['macro_precision']:.3f}")
    m4.metric(t("finetune.macro_recall"), f"{scores['macro_recall']:.3f}")
    st.latex(r"P=\frac{TP}{TP+FP}\quad R=\frac{TP}{TP+FN}\quad F_1=\frac{2PR}{P+R}\quad "
             r"\text{macro-}F_1=\frac{1}{K}\sum_{k=1}^{K}F_{1,k}")
    st.caption(t("finetune.f1_explain"))
    left, right = st.columns(2)
    normalize = left.toggle(t("finetune.normalize"), value=True, key="ft_norm")
    left.plotly_chart(plots.confusion_figure(scores["confusion"], scores["labels"], normalize, titles={
        "title": t("finetune.fig.confusion"), "x": t("finetune.fig.predicted"), "y": t("finetune.fig.true"),
        "share": t("finetune.fig.share"), "count": t("finetune.fig.count")}))
    right.plotly_chart(plots.per_class_figure(scores["per_class"], title=t("finetune.fig.per_class"),
                                              labels={**_score_labels(), "x": t("finetune.fig.label")}))
    st.dataframe(_table(scores["per_class"]), hide_index=True)
    wrong = details.get("misclassified") or []
    st.markdown(f"**{t('finetune.misclassified', n=len(wrong))}**")
    if wrong:
        st.dataframe(_table(wrong), hide_index=True)


def show_ner_report(report: dict, split: str) -> None:
    scores, details = report[split], report.get(f"{split}_details", {})
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("finetune.entity_f1"), f"{scores['f1']:.3f}")
    m2.metric(t("finetune.entity_precision"), f"{scores['precision']:.3f}")
    m3.metric(t("finetune.entity_recall"), f"{scores['recall']:.3f}")
    m4.metric(t("finetune.token_accuracy"), f"{scores['accuracy']:.3f}")
    st.latex(r"P=\frac{\#\text{correct entities}}{\#\text{predicted entities}}\quad "
             r"R=\frac{\#\text{correct entities}}{\#\text{true entities}}\quad F_1=\frac{2PR}{P+R}")
    st.caption(t("finetune.entity_explain"))
    if scores["per_type"]:
        left, right = st.columns(2)
        left.plotly_chart(plots.per_class_figure(scores["per_type"], name_key="type", title=t("finetune.fig.per_type"),
                                                 labels={**_score_labels(), "x": t("finetune.fig.entity_type")}))
        right.dataframe(_table(scores["per_type"]), hide_index=True)
    examples = details.get("examples") or []
    if examples:
        kinds = sorted({tag[2:] for e in examples for tag in e["true"] if tag != "O"})
        st.markdown(f"**{t('finetune.examples_title')}** " + plots.legend_html(kinds), unsafe_allow_html=True)
        a, b = st.columns(2)
        a.markdown(f"**{t('finetune.gold')}**")
        b.markdown(f"**{t('finetune.predicted')}**")
        for e in examples[:12]:
            a, b = st.columns(2)
            a.markdown(plots.tagged_words_html(e["tokens"], e["true"]), unsafe_allow_html=True)
            b.markdown(plots.tagged_words_html(e["tokens"], e["predicted"]), unsafe_allow_html=True)


def show_report(run: dict) -> None:
    report = run["report"]
    if not report:
        return
    split = "test" if "test" in report else "valid"
    st.subheader(t("finetune.report"))
    st.caption(t(f"finetune.report_on.{split}", n=report[split]["n"]))
    trunc = (report.get("truncated") or {}).get("train")
    if trunc:
        st.warning(t("finetune.warn.truncated_train", count=trunc))
    if report["task"] == "ner":
        show_ner_report(report, split)
    else:
        show_classification_report(report, split)


def playground(run_id: str) -> None:
    st.subheader(t("finetune.playground"))
    run_path = jobs.run_dir(run_id)
    model_cfg = run_path / "model" / "config.json"
    try:
        predictor = _predictor(str(run_path), model_cfg.stat().st_mtime)
    except (OSError, ValueError) as err:
        st.error(t("common.bad_input", message=str(err)))
        return
    default = t("finetune.try_default.ner" if predictor.task == "ner" else "finetune.try_default.classification")
    text = st.text_area(t("finetune.try_text"), value=default, key=f"ft_try_{run_id}", height=80)
    try:
        if predictor.task == "ner":
            result = predictor.tag(text)
            kinds = sorted({lab[2:] for lab in predictor.labels if lab != "O"})
            st.markdown(plots.legend_html(kinds), unsafe_allow_html=True)
            st.markdown(plots.entity_html(text, result["entities"]), unsafe_allow_html=True)
            if not result["entities"]:
                st.caption(t("finetune.no_entities_found"))
        else:
            probs = predictor.classify(text)
            st.success(t("finetune.predicted_label", label=probs[0][0], p=f"{probs[0][1]:.1%}"))
            st.plotly_chart(plots.probabilities_figure(probs, title=t("finetune.fig.probabilities"),
                                                       x_title=t("finetune.fig.probability")))
    except ValueError as err:
        st.error(t("common.bad_input", message=str(err)))


def download(run_id: str) -> None:
    from core.finetune import export_zip

    if st.button(t("finetune.prepare_zip"), key=f"ft_zip_{run_id}", icon=":material/folder_zip:"):
        try:
            with st.spinner(t("finetune.zipping")):
                st.session_state[f"ft_zip_path_{run_id}"] = str(export_zip(jobs.run_dir(run_id)))
        except ValueError as err:
            st.error(t("common.bad_input", message=str(err)))
    path = st.session_state.get(f"ft_zip_path_{run_id}")
    if path and Path(path).is_file():
        with open(path, "rb") as fh:
            st.download_button(t("finetune.download_zip"), fh, file_name=f"{run_id}-model.zip",
                               mime="application/zip", key=f"ft_dl_{run_id}", icon=":material/download:")


def resume_button(run_id: str, status: dict, run: dict) -> None:
    if status.get("state") not in ("interrupted", "failed", "cancelled") or not run["has_checkpoint"]:
        return
    st.caption(t("finetune.resume_hint"))
    if st.button(t("finetune.resume"), key=f"ft_resume_{run_id}", icon=":material/play_arrow:"):
        try:
            meta = jobs.read_config(run_id)
            config = FinetuneConfig.from_dict({**meta["config"], "resume_from": run_id}).to_dict()
            new_id = jobs.submit("finetune", config, name=f"{meta.get('name') or run_id} (resumed)")
        except ValueError as err:
            st.error(t("common.bad_input", message=str(err)))
        else:
            ui_runs.attach(new_id)
            st.rerun()


def _score(run: dict):
    summary = run.get("summary") or {}
    return summary.get("macro_f1", summary.get("f1"))


def runs_section() -> None:
    st.subheader(t("finetune.runs"))
    selected = ui_runs.runs_table(kind="finetune", key="ft_runs", columns={
        t("finetune.col.task"): lambda r: t(f"finetune.task.{r['config'].get('task', 'classification')}"),
        t("finetune.col.data"): lambda r: Path(str(r["config"].get("train_file", ""))).name,
        t("finetune.col.accuracy"): lambda r: (r.get("summary") or {}).get("accuracy"),
        t("finetune.col.score_f1"): _score,
    })
    if len(selected) >= 1:
        from core.plots.training import overlay_figure

        series = ui_runs.overlay_series(selected)
        left, right = st.columns(2)
        left.plotly_chart(overlay_figure(series, "loss", x="step", x_title=t("finetune.fig.step"),
                                         y_title=t("finetune.fig.loss"), title=t("finetune.fig.compare_loss")))
        metric = "f1" if any(r.get("f1") is not None for recs in series.values() for r in recs
                             if r.get("type") == "eval") else "macro_f1"
        right.plotly_chart(overlay_figure(series, metric, record_type="eval", x_title=t("finetune.fig.epoch"),
                                          y_title=metric, title=t("finetune.fig.compare_eval")))
    ui_runs.run_actions(kind="finetune", key="ft_actions")


# ------------------------------------------------------------------ the page

ui_runs.ensure_recovered()
st.title(t("finetune.title"))
st.write(t("finetune.intro"))

st.header(t("finetune.step_data"))
data_values = data_ui()
task = data_values["task"]
mapping = {"text_col": "", "label_col": "", "text_pair_col": ""}
info = None
model_choice = st.session_state.get("ft_model", FinetuneConfig().model)
max_length_choice = int(st.session_state.get("ft_maxlen", FinetuneConfig().max_length))
if data_values["train_file"]:
    try:
        with st.spinner(t("finetune.reading")):
            info = inspect_data(data_values["train_file"], task, "auto", "", "", "", model_choice, max_length_choice)
            if info["columns"]:
                mapping = mapping_ui(info)
                info = inspect_data(data_values["train_file"], task, "auto", mapping["text_col"], mapping["label_col"],
                                    mapping["text_pair_col"], model_choice, max_length_choice)
        show_data(info, max_length_choice, task)
    except ValueError as err:
        st.error(t("common.bad_input", message=str(err)))
        info = None
else:
    st.info(t("finetune.need_file"))

st.header(t("finetune.step_model"))
settings = settings_ui(task)
name = st.text_input(t("finetune.run_name"), value="", key="ft_name", placeholder=t("finetune.run_name_hint"))
if st.button(t("finetune.train"), type="primary", disabled=info is None, icon=":material/model_training:"):
    try:
        config = FinetuneConfig(**data_values, **mapping, **settings)
        default_name = (st.session_state.get("ft_train_name") if data_values["train_file"].startswith("/")
                        else data_values["train_file"])
        run_id = jobs.submit("finetune", config.to_dict(), name=name.strip() or default_name or "fine-tune")
    except ValueError as err:
        st.error(t("common.bad_input", message=str(err)))
    else:
        ui_runs.attach(run_id)
        st.rerun()

run_id = ui_runs.attached_run(kind="finetune")
if run_id:
    st.header(t("finetune.step_train"))
    meta_name = (jobs.read_config(run_id) or {}).get("name") or run_id
    st.caption(t("finetune.showing_run", name=meta_name, run=run_id))
    status = ui_runs.live_status(run_id, render_live=draw_live, key="ft_live")
    if status.get("state") not in jobs.ACTIVE and status.get("state") != "missing":
        run = _read_run(run_id)
        records = ui_runs.run_records(run_id)
        if any(r.get("type") == "step" for r in records):
            st.plotly_chart(plots.curves_figure(records, _curve_labels()), key=f"ft_final_{run_id}")
        resume_button(run_id, status, run)
        show_report(run)
        if run["has_model"]:
            playground(run_id)
            download(run_id)

st.divider()
runs_section()
