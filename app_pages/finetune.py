"""Fine-tune BERT: data -> model and settings -> train (live) -> report -> playground; runs table.

The run shown lives in ``?run=<id>`` (ui.runs), so a refresh or a second tab reattaches, and the
form then shows that run's own settings: pressing Train starts a new run from them. Tasks come
from the registry (``core.finetune.tasks``): the page never names one.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

import core.jobs as jobs
from core.finetune import tasks
from core.finetune.config import FinetuneConfig, field_help
from core.plots import finetune as plots
from ui import model_picker
from ui import runs as ui_runs
from ui.auth import user as me
from ui.errors import bad_input
from ui.i18n import lang, t

NONE = "—"
DELIMITERS = ("", ",", ";", "\t", "|")
# Config field -> the widget that edits it (a reattached run's settings are written into these keys).
WIDGETS = {
    "task": "ft_task", "model": "ft_model", "epochs": "ft_epochs", "batch_size": "ft_batch", "learning_rate": "ft_lr",
    "max_length": "ft_maxlen", "grad_accum": "ft_accum", "weight_decay": "ft_wd", "warmup_ratio": "ft_warmup",
    "early_stopping": "ft_patience", "valid_fraction": "ft_vfrac", "test_fraction": "ft_tfrac",
    "max_train_samples": "ft_maxn", "seed": "ft_seed", "mixed_precision": "ft_mp", "device": "ft_device",
    "eval_every": "ft_evalevery", "log_every": "ft_logevery", "no_header": "ft_no_header", "delimiter": "ft_delim",
}
MAPPING = {"text_col": "ft_text_col", "label_col": "ft_label_col", "text_pair_col": "ft_pair_col"}


# ------------------------------------------------------------------ cached compute

@st.cache_resource(show_spinner=False)
def _tokenizer(model: str):
    from core.models import load_tokenizer

    return load_tokenizer(model)


@st.cache_data(show_spinner=False, max_entries=20)
def inspect_data(task: str, train_file: str, options: tuple, valid_file: str, test_file: str, model: str,
                 max_length: int, names: tuple):
    """The data section of the page: one core call (``core.finetune.inspect``)."""
    from core.finetune import ReadOptions, inspect

    try:
        tokenizer = _tokenizer(model)
    except (OSError, ValueError):
        tokenizer = None  # a bad model path is reported when training starts
    return inspect(task, train_file, ReadOptions(*options), valid_file=valid_file, test_file=test_file,
                   tokenizer=tokenizer, max_length=max_length, names=dict(names))


@st.cache_resource(show_spinner=False, max_entries=3)
def _predictor(run_path: str, stamp: float):
    from core.finetune import load_predictor

    return load_predictor(run_path)


def _read_run(run_id: str) -> dict:
    from core.finetune import read_run

    return read_run(jobs.run_dir(run_id, user=me()))


# ------------------------------------------------------------------ names the user knows

def _help(name: str) -> str:
    """The config field's comment is the help text (translated for zh)."""
    return field_help().get(name, "") if lang() == "en" else t(f"finetune.help.{name}")


def _t_or(key: str, fallback: str) -> str:
    """``t(key)``, or ``fallback`` for a task registered without its strings yet."""
    text = t(key)
    return text if text != key else fallback


def _task_label(name: str) -> str:
    return _t_or(f"finetune.task.{name}", name)


def _source_label(source: str, train_name: str = "") -> str:
    """What a data source is called on the page: the upload's own name, a sample's or dataset's title."""
    from core.finetune.data import display_name

    if train_name:
        return train_name
    kind, _, name = str(source).partition(":")
    if kind in ("sample", "dataset") and name:
        key = f"finetune.sample_title.{name}"
        if kind == "sample" and t(key) != key:
            return t(key)
        if kind == "dataset":
            try:
                from core import datasets

                ds = datasets.get(name)
                return ds.title_zh if lang() == "zh" else ds.title_en
            except (ImportError, ValueError):
                pass
    return display_name(source)


def _user_names(message: str, names: dict) -> str:
    """An error about a stored upload names the file the user chose, not its content hash."""
    for stored, original in names.items():
        message = message.replace(str(stored), original).replace(Path(stored).name, original)
    return message


# ------------------------------------------------------------------ the form

def seed_form(run_id: str) -> None:
    """Once per reattached run: write its settings into the form's widgets (data, task, hyperparameters)."""
    if st.session_state.get("ft_form_run") == run_id:
        return
    st.session_state["ft_form_run"] = run_id
    try:
        config = FinetuneConfig.from_dict((jobs.read_config(run_id, user=me()) or {}).get("config") or {})
    except ValueError as err:
        st.error(bad_input(err))
        return
    for name, key in WIDGETS.items():
        st.session_state[key] = getattr(config, name)
    model_picker.pin("ft_model")
    for name, key in MAPPING.items():
        value = getattr(config, name)
        if value:
            st.session_state[key] = value
        else:
            st.session_state.pop(key, None)
    if config.text_pair_col == "":
        st.session_state[MAPPING["text_pair_col"]] = NONE
    task = tasks.get(config.task)
    if config.train_file == task.sample:
        st.session_state["ft_source"] = "sample"
    elif config.train_file.startswith("dataset:"):
        st.session_state["ft_source"] = "dataset"
        st.session_state["ft_dataset"] = config.train_file
    else:
        st.session_state["ft_source"] = "run"
    st.session_state["ft_run_files"] = {"train_file": config.train_file, "valid_file": config.valid_file,
                                        "test_file": config.test_file, "train_name": config.train_name,
                                        "task": config.task}
    st.session_state["ft_mapping_for"] = config.train_file


def init_defaults() -> None:
    """Widget values start at the config's defaults (set once, so no widget gets two defaults)."""
    d = FinetuneConfig()
    for name, key in WIDGETS.items():
        st.session_state.setdefault(key, getattr(d, name))
    if st.session_state["ft_task"] not in tasks.names():
        st.session_state["ft_task"] = d.task


def data_ui() -> dict:
    """Task, data source (sample, named dataset, upload, or the open run's files); plain values out."""
    from core.finetune.data import datasets_for

    names = list(tasks.names())
    labels = {name: _task_label(name) for name in names}
    task = st.radio(t("finetune.task"), names, horizontal=True, key="ft_task", format_func=labels.get,
                    help=_help("task"))
    task_obj = tasks.get(task)
    named = datasets_for(task)
    run_files = st.session_state.get("ft_run_files") or {}
    sources = ["sample"] + (["dataset"] if named else []) + ["upload"]
    if run_files.get("train_file") and run_files.get("task") == task:  # the open run's files fit this task
        sources.append("run")
    if st.session_state.get("ft_source") not in sources:
        st.session_state["ft_source"] = "sample"
    source_labels = {v: t(f"finetune.source.{v}") for v in sources}
    source = st.radio(t("finetune.source"), sources, horizontal=True, key="ft_source", format_func=source_labels.get)
    values = {"task": task, "train_file": "", "valid_file": "", "test_file": "", "train_name": ""}
    names_map: dict[str, str] = {}
    if source == "sample":
        values["train_file"] = task_obj.sample
        st.caption(_t_or(f"finetune.sample_note.{task}", task_obj.help))
    elif source == "dataset":
        by_name = {f"dataset:{d.name}": d for d in named}
        if st.session_state.get("ft_dataset") not in by_name:
            st.session_state["ft_dataset"] = next(iter(by_name))
        titles = {s: _source_label(s) for s in by_name}  # translated now (AppTest formats outside the page)
        pick = st.selectbox(t("finetune.dataset"), list(by_name), key="ft_dataset", format_func=titles.get)
        ds = by_name[pick]
        st.caption(t("finetune.dataset_note", examples=f"{ds.examples:,}", language=ds.language,
                     source=ds.source, licence=ds.licence))
        values["train_file"] = pick
    elif source == "run":
        values.update({k: run_files.get(k, "") for k in ("train_file", "valid_file", "test_file", "train_name")})
        st.caption(t("finetune.run_files", name=_source_label(run_files["train_file"], run_files.get("train_name", ""))))
    else:
        from core.jobs.uploads import save_upload

        types = list(task_obj.upload_types)
        left, mid, right = st.columns(3)
        uploads = {
            "train_file": left.file_uploader(t("finetune.upload_train"), type=types, key=f"ft_up_train_{task}"),
            "valid_file": mid.file_uploader(t("finetune.upload_valid"), type=types, key=f"ft_up_valid_{task}",
                                            help=_help("valid_file")),
            "test_file": right.file_uploader(t("finetune.upload_test"), type=types, key=f"ft_up_test_{task}",
                                             help=_help("test_file")),
        }
        st.caption(_t_or(f"finetune.upload_hint.{task}", task_obj.help))
        for key, upload in uploads.items():
            if upload is None:
                continue
            try:
                stored = str(save_upload(upload, upload.name, user=me()))
            except ValueError as err:
                st.error(bad_input(err))
                continue
            values[key] = stored
            names_map[stored] = upload.name
            if key == "train_file":
                values["train_name"] = upload.name  # the stored file is named by its content hash
    if values["train_file"]:  # what the reading report and the errors call the training file
        names_map.setdefault(values["train_file"], _source_label(values["train_file"], values["train_name"]))
    values["names"] = names_map
    return values


def reading_ui() -> dict:
    """How to read a table: the delimiter (or sniff it) and whether the first row is data."""
    with st.expander(t("finetune.reading_options")):
        left, right = st.columns(2)
        labels = {"": t("finetune.delim.auto"), ",": ",", ";": ";", "\t": t("finetune.delim.tab"), "|": "|"}
        if st.session_state.get("ft_delim") not in DELIMITERS:
            st.session_state["ft_delim"] = ""
        delimiter = left.selectbox(t("finetune.delimiter"), DELIMITERS, key="ft_delim", format_func=labels.get,
                                   help=_help("delimiter"))
        no_header = right.checkbox(t("finetune.no_header"), key="ft_no_header", help=_help("no_header"))
    return {"delimiter": delimiter, "no_header": bool(no_header)}


def _current_mapping(train_file: str) -> dict:
    """The column mapping chosen so far (reset when the training file changes)."""
    if st.session_state.get("ft_mapping_for") != train_file:
        for key in MAPPING.values():
            st.session_state.pop(key, None)
        st.session_state["ft_mapping_for"] = train_file
    pair = st.session_state.get(MAPPING["text_pair_col"], NONE)
    return {"text_col": st.session_state.get(MAPPING["text_col"]) or "",
            "label_col": st.session_state.get(MAPPING["label_col"]) or "",
            "text_pair_col": "" if pair in (None, NONE) else pair}


def mapping_ui(view) -> dict:
    """Column pickers: preselected only where a column's name says what it holds; otherwise the user picks."""
    columns, guess = view.columns, view.guess
    st.caption(t("finetune.mapping_hint"))
    left, mid, right = st.columns(3)

    def picker(where, role, label_key, field):
        key = MAPPING[field]
        if key in st.session_state and st.session_state[key] not in columns:
            del st.session_state[key]
        kwargs = {} if key in st.session_state else {
            "index": columns.index(guess[role]) if guess.get(role) in columns else None}
        return where.selectbox(t(label_key), columns, key=key, help=_help(field),
                               placeholder=t("finetune.pick_column"), **kwargs)

    text_col = picker(left, "text", "finetune.text_col", "text_col")
    label_col = picker(mid, "label", "finetune.label_col", "label_col")
    options = [NONE] + columns
    key = MAPPING["text_pair_col"]
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    pair_kwargs = {} if key in st.session_state else {
        "index": options.index(guess.get("text_pair")) if guess.get("text_pair") in options else 0}
    pair_col = right.selectbox(t("finetune.pair_col"), options, key=key, help=_help("text_pair_col"), **pair_kwargs)
    why = guess.get("why") or {}
    for role, col in (("text", text_col), ("label", label_col)):
        if col and col == guess.get(role) and why.get(role):
            st.caption(t(f"finetune.chosen_by.{why[role]}", role=t(f"finetune.role.{role}"), column=col))
    return {"text_col": text_col or "", "label_col": label_col or "", "text_pair_col": "" if pair_col == NONE else pair_col}


def settings_ui(language: str) -> dict:
    """Model and hyperparameters; defaults finish in minutes on a CPU for the shipped samples.

    The model picker defaults to the shipped model for the data's ``language`` ("zh"/"en"/"").
    The bounds are the config's own (FinetuneConfig validates), so any saved run's settings fit the form.
    """
    model = model_picker.pick_model("ft_model", language, label=t("finetune.model"), help=_help("model"))
    c1, c2, c3, c4 = st.columns(4)
    values = {
        "model": model.strip() or FinetuneConfig().model,
        "epochs": c1.number_input(t("finetune.epochs"), 1, 10_000, key="ft_epochs", help=_help("epochs")),
        "batch_size": c2.number_input(t("finetune.batch_size"), 1, 65_536, key="ft_batch", help=_help("batch_size")),
        "learning_rate": c3.number_input(t("finetune.learning_rate"), 1e-8, 0.99, step=1e-5, format="%.0e",
                                         key="ft_lr", help=_help("learning_rate")),
        "max_length": c4.number_input(t("finetune.max_length"), 8, 8192, step=8, key="ft_maxlen",
                                      help=_help("max_length")),
    }
    with st.expander(t("finetune.advanced")):
        a1, a2, a3, a4 = st.columns(4)
        values["grad_accum"] = a1.number_input(t("finetune.grad_accum"), 1, 4096, key="ft_accum", help=_help("grad_accum"))
        values["weight_decay"] = a2.number_input(t("finetune.weight_decay"), 0.0, 10.0, step=0.01, key="ft_wd",
                                                 help=_help("weight_decay"))
        values["warmup_ratio"] = a3.number_input(t("finetune.warmup_ratio"), 0.0, 0.99, step=0.05, key="ft_warmup",
                                                 help=_help("warmup_ratio"))
        values["early_stopping"] = a4.number_input(t("finetune.early_stopping"), 0, 1000, key="ft_patience",
                                                   help=_help("early_stopping"))
        b1, b2, b3, b4 = st.columns(4)
        values["valid_fraction"] = b1.number_input(t("finetune.valid_fraction"), 0.0, 0.89, step=0.05, key="ft_vfrac",
                                                   help=_help("valid_fraction"))
        values["test_fraction"] = b2.number_input(t("finetune.test_fraction"), 0.0, 0.89, step=0.05, key="ft_tfrac",
                                                  help=_help("test_fraction"))
        values["max_train_samples"] = b3.number_input(t("finetune.max_train_samples"), 0, 10_000_000, step=100,
                                                      key="ft_maxn", help=_help("max_train_samples"))
        values["seed"] = b4.number_input(t("finetune.seed"), 0, 2**31 - 1, key="ft_seed", help=_help("seed"))
        e1, e2, e3, e4 = st.columns(4)
        values["mixed_precision"] = e1.selectbox(t("finetune.mixed_precision"), ["auto", "no", "fp16", "bf16"],
                                                 key="ft_mp", help=_help("mixed_precision"))
        values["device"] = e2.selectbox(t("finetune.device"), ["auto", "cpu", "cuda", "mps"], key="ft_device",
                                        help=_help("device"))
        values["eval_every"] = e3.number_input(t("finetune.eval_every"), 0, 10_000_000, key="ft_evalevery",
                                               help=_help("eval_every"))
        values["log_every"] = e4.number_input(t("finetune.log_every"), 1, 1_000_000, key="ft_logevery",
                                              help=_help("log_every"))
    return {k: (int(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in values.items()}


# ------------------------------------------------------------------ drawing the data

def _warning_text(w: dict) -> str:
    fields = {k: v for k, v in w.items() if k != "code"}
    return t(f"finetune.warn.{w['code']}", **fields)


def show_reading(report) -> None:
    from ui.reading_report import show

    show(report)


def show_data(view, max_length: int) -> None:
    import pandas as pd

    summary = view.summary
    for column, (key, value) in zip(st.columns(4), view.metrics):
        if key == "finetune.p95_tokens":
            column.metric(t(key), value, help=t("finetune.max_tokens", n=summary["length_stats"]["max"]))
        else:
            column.metric(t(key), value)
    headers = {k: t(f"finetune.col.{k}") for k in ("text", "text_pair", "label", "tokens", "tags")}
    st.dataframe(pd.DataFrame(view.preview).rename(columns=headers), hide_index=True)
    left, right = st.columns(2)
    left.plotly_chart(plots.counts_figure(summary["label_counts"], titles={
        "title": t(view.counts_title), "x": t("finetune.fig.label"), "y": t("finetune.fig.count")}))
    if summary["lengths"]:
        right.plotly_chart(plots.length_figure(summary["lengths"], max_length, titles={
            "title": t("finetune.fig.lengths"), "x": t("finetune.fig.tokens"), "y": t("finetune.fig.examples"),
            "cut": "max_length"}))
    for w in summary["warnings"]:
        st.warning(_warning_text(w))


# ------------------------------------------------------------------ drawing a run

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
            "precision": t("finetune.fig.precision"), "recall": t("finetune.fig.recall"), "f1": "F1",
            "loss": t("finetune.fig.loss"), "lr": t("finetune.fig.lr"), "score": t("finetune.fig.score"),
            "step": t("finetune.fig.step"), "title_loss": t("finetune.fig.title_loss"),
            "title_eval": t("finetune.fig.title_eval"), "valid_loss": t("finetune.fig.valid_loss")}


def draw_live(run_id: str, records: list[dict], status: dict) -> None:
    """Curves while the run trains (called every second by ui.runs); a note until the first steps arrive."""
    steps = [r for r in records if r.get("type") == "step"]
    if steps:  # the worker's own message is English; say where the run is in the page's language
        last = steps[-1]
        st.caption(t("finetune.live_step", step=last.get("step"), epoch=f"{float(last.get('epoch') or 0):.2f}",
                     loss=f"{float(last.get('loss') or 0):.4f}"))
        st.plotly_chart(plots.curves_figure(records, _curve_labels()), key=f"ft_live_{run_id}")
    else:
        st.info(t("finetune.waiting_first_steps"))


def show_per_text_report(report: dict, split: str) -> None:
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


def show_per_word_report(report: dict, split: str) -> None:
    scores, details = report[split], report.get(f"{split}_details", {})
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("finetune.entity_f1"), f"{scores['f1']:.3f}")
    m2.metric(t("finetune.entity_precision"), f"{scores['precision']:.3f}")
    m3.metric(t("finetune.entity_recall"), f"{scores['recall']:.3f}")
    m4.metric(t("finetune.token_accuracy"), f"{scores['accuracy']:.3f}")
    st.latex(r"P=\frac{\#\text{correct entities}}{\#\text{predicted entities}}\quad "
             r"R=\frac{\#\text{correct entities}}{\#\text{true entities}}\quad F_1=\frac{2PR}{P+R}")
    st.caption(t("finetune.entity_explain"))
    if scores.get("no_pieces"):
        st.caption(t("finetune.warn.no_pieces", count=scores["no_pieces"]))
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


REPORT_VIEWS = {"per_text": show_per_text_report, "per_word": show_per_word_report}


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
    REPORT_VIEWS[tasks.get(report["task"]).report_view](report, split)


def show_stop(summary: dict | None) -> None:
    """When and why a run ended before its last epoch, and which checkpoint it kept."""
    stop = (summary or {}).get("stop") or {}
    if stop.get("code") != "early_stopping":
        return
    score = stop.get("best_score")
    st.info(t("finetune.stopped_early", epoch=stop["epoch"], epochs=stop["epochs"], patience=stop["patience"],
              metric=stop["metric"], best_epoch=stop.get("best_epoch") or "–", best_step=stop.get("best_step") or "–",
              score=f"{score:.3f}" if isinstance(score, float) else "–"), icon=":material/timer_off:")


def draw_per_text(result: dict, predictor) -> None:
    probs = result["probabilities"]
    st.success(t("finetune.predicted_label", label=probs[0][0], p=f"{probs[0][1]:.1%}"))
    st.plotly_chart(plots.probabilities_figure(probs, title=t("finetune.fig.probabilities"),
                                               x_title=t("finetune.fig.probability")))


def draw_per_word(result: dict, predictor) -> None:
    kinds = sorted({lab[2:] for lab in predictor.labels if lab != "O"})
    st.markdown(plots.legend_html(kinds), unsafe_allow_html=True)
    st.markdown(plots.entity_html(result.get("text", ""), result["entities"]), unsafe_allow_html=True)
    if not result["entities"]:
        st.caption(t("finetune.no_entities_found"))
    if result.get("no_pieces"):
        st.caption(t("finetune.warn.no_pieces", count=result["no_pieces"]))


PLAYGROUND_VIEWS = {"per_text": draw_per_text, "per_word": draw_per_word}


def playground(run_id: str, run: dict) -> None:
    st.subheader(t("finetune.playground"))
    run_path = jobs.run_dir(run_id, user=me())
    model_cfg = run_path / "model" / "config.json"
    try:
        predictor = _predictor(str(run_path), model_cfg.stat().st_mtime)
    except (OSError, ValueError) as err:
        st.error(bad_input(err))
        return
    default = (run.get("summary") or {}).get("example") or t(f"finetune.try_default.{predictor.view}")
    st.caption(t("finetune.try_hint"))
    text = st.text_area(t("finetune.try_text"), value=default, key=f"ft_try_{run_id}", height=80)
    try:
        result = {**predictor.predict(text), "text": text}
    except ValueError as err:
        st.error(bad_input(err))
        return
    PLAYGROUND_VIEWS[predictor.view](result, predictor)


def download(run_id: str) -> None:
    from core.finetune import export_zip

    if st.button(t("finetune.prepare_zip"), key=f"ft_zip_{run_id}", icon=":material/folder_zip:"):
        try:
            with st.spinner(t("finetune.zipping")):
                st.session_state[f"ft_zip_path_{run_id}"] = str(export_zip(jobs.run_dir(run_id, user=me())))
        except ValueError as err:
            st.error(bad_input(err))
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
            meta = jobs.read_config(run_id, user=me())
            config = FinetuneConfig.from_dict({**meta["config"], "resume_from": run_id}).to_dict()
            new_id = jobs.submit("finetune", config, name=f"{meta.get('name') or run_id} (resumed)", user=me())
        except ValueError as err:
            st.error(bad_input(err))
        else:
            ui_runs.attach(new_id)
            st.rerun()


def _run_task(run: dict):
    try:
        return tasks.get(run["config"].get("task", FinetuneConfig().task))
    except ValueError:
        return None


def _score(run: dict):
    task = _run_task(run)
    return (run.get("summary") or {}).get(task.metric) if task else None


def runs_section() -> None:
    st.subheader(t("finetune.runs"))
    selected = ui_runs.runs_table(kind="finetune", key="ft_runs", columns={
        t("finetune.col.task"): lambda r: _task_label(r["config"].get("task", "")),
        t("finetune.col.data"): lambda r: _source_label(r["config"].get("train_file", ""),
                                                       r["config"].get("train_name", "")),
        t("finetune.col.model"): lambda r: Path(str(r["config"].get("model", ""))).name,
        t("finetune.col.accuracy"): lambda r: (r.get("summary") or {}).get("accuracy"),
        t("finetune.col.score_f1"): _score,
    })
    if len(selected) >= 1:
        from core.plots.training import overlay_figure

        runs = {r["id"]: r for r in jobs.list_runs("finetune", user=me())}
        first = _run_task(runs[selected[0]]) if selected[0] in runs else None
        metric = first.metric if first else "loss"
        series = ui_runs.overlay_series(selected)
        left, right = st.columns(2)
        left.plotly_chart(overlay_figure(series, "loss", x="step", x_title=t("finetune.fig.step"),
                                         y_title=t("finetune.fig.loss"), title=t("finetune.fig.compare_loss")))
        right.plotly_chart(overlay_figure(series, metric, record_type="eval", x_title=t("finetune.fig.epoch"),
                                          y_title=metric, title=t("finetune.fig.compare_eval")))
    ui_runs.run_actions(kind="finetune", key="ft_actions")


# ------------------------------------------------------------------ the page

ui_runs.ensure_recovered()
st.title(t("finetune.title"))
st.write(t("finetune.intro"))
run_id = ui_runs.attached_run(kind="finetune")
if run_id:
    seed_form(run_id)
init_defaults()

st.header(t("finetune.step_data"))
if run_id:
    st.caption(t("finetune.form_from_run", name=(jobs.read_config(run_id, user=me()) or {}).get("name") or run_id))
data_values = data_ui()
names = data_values.pop("names")
reading = {"delimiter": st.session_state["ft_delim"] if st.session_state["ft_delim"] in DELIMITERS else "",
           "no_header": bool(st.session_state["ft_no_header"])}
mapping = {"text_col": "", "label_col": "", "text_pair_col": ""}
view = None
max_length_choice = int(st.session_state["ft_maxlen"])
if data_values["train_file"]:
    mapping = _current_mapping(data_values["train_file"])
    options = (("auto", mapping["text_col"], mapping["label_col"], mapping["text_pair_col"], reading["delimiter"],
                reading["no_header"]))
    try:
        with st.spinner(t("finetune.reading")):
            args = (data_values["task"], data_values["train_file"], options, data_values["valid_file"],
                    data_values["test_file"])
            model_before = st.session_state["ft_model"]
            view = inspect_data(*args, model_before, max_length_choice, tuple(sorted(names.items())))
            if model_picker.apply_default("ft_model", view.language) != model_before:  # lengths in the new tokens
                view = inspect_data(*args, st.session_state["ft_model"], max_length_choice,
                                    tuple(sorted(names.items())))
    except ValueError as err:
        st.error(t("common.bad_input", message=_user_names(str(err), names)))
    if view is not None:
        show_reading(view.report)
        if view.report.delimiter is not None:  # a table: how to read it can be changed
            reading = reading_ui()
        if view.columns:
            mapping = mapping_ui(view)
        if view.missing:
            st.warning(t("finetune.columns_needed", columns=t("finetune.list_sep").join(
                t(f"finetune.role.{r}").lower() for r in view.missing)))
            import pandas as pd

            st.dataframe(pd.DataFrame(view.preview), hide_index=True)
        else:
            show_data(view, max_length_choice)
        for problem in view.errors:
            st.error(t("common.bad_input", message=_user_names(problem, names)))
else:
    st.info(t("finetune.need_file"))
ready = view is not None and not view.missing and not view.errors

st.header(t("finetune.step_model"))
settings = settings_ui(view.language if view is not None else "")
name = st.text_input(t("finetune.run_name"), value="", key="ft_name", placeholder=t("finetune.run_name_hint"))
if st.button(t("finetune.train"), type="primary", disabled=not ready, icon=":material/model_training:"):
    try:
        config = FinetuneConfig(**data_values, **mapping, **reading, **settings)
        default_name = _source_label(config.train_file, config.train_name)
        new_id = jobs.submit("finetune", config.to_dict(), name=name.strip() or default_name, user=me())
    except ValueError as err:
        st.error(t("common.bad_input", message=_user_names(str(err), names)))
    else:
        ui_runs.attach(new_id)
        st.rerun()

if run_id:
    st.header(t("finetune.step_train"))
    meta_name = (jobs.read_config(run_id, user=me()) or {}).get("name") or run_id
    st.caption(t("finetune.showing_run", name=meta_name, run=run_id))
    status = ui_runs.live_status(run_id, render_live=draw_live, key="ft_live")
    if status.get("state") not in jobs.ACTIVE and status.get("state") != "missing":
        run = _read_run(run_id)
        records = ui_runs.run_records(run_id)
        if any(r.get("type") == "step" for r in records):
            st.plotly_chart(plots.curves_figure(records, _curve_labels()), key=f"ft_final_{run_id}")
        show_stop(run["summary"])
        resume_button(run_id, status, run)
        show_report(run)
        if run["has_model"]:
            playground(run_id, run)
            download(run_id)

st.divider()
runs_section()
