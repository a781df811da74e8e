"""Fine-tune BERT: data -> model and settings -> train (live) -> report -> playground; runs table.

The settings form is drawn from ``FinetuneConfig``'s schema (``ui.form``); the data section
asks the task what it reads (its formats, its table roles). The run shown lives in
``?run=<id>`` (ui.runs), so a refresh or a second tab reattaches, and the form then shows
that run's own settings: pressing Train starts a new run from them. Tasks come from the
registry (``core.finetune.tasks``): the page never names one.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import streamlit as st

import core.jobs as jobs
from core.finetune import tasks
from core.finetune.config import FinetuneConfig
from core.sources import parse_source
from ui import encoding_picker, finetune_plan, model_picker
from ui import runs as ui_runs
from ui.finetune_data import DELIMITERS, NONE, ROLE_KEYS, TAG_KEY, mapping_ui, reading_ui, show_data, tag_column_ui
from ui.finetune_names import bad, help_text, source_label
from ui.finetune_views import draw_run
from ui.form import URL_PARAM, Form
from ui.i18n import t, t_or
from ui.auth import user as me
from ui.cache import shared
from ui.errors import bad_input
from ui.text import md



# ------------------------------------------------------------------ cached compute

@shared(max_entries=8)
def _tokenizer(model: str):
    """Shared by every visitor, so it loads as the server: callers pass only what ``model_picker.readable`` allowed."""
    from core.jobs import SHELL
    from core.models import load_tokenizer
    from ui.warmup import transformers_ready

    if not model:
        raise ValueError("no model this person may read")
    transformers_ready()
    return load_tokenizer(model, user=SHELL)


@shared(max_entries=20)
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


# ------------------------------------------------------------------ the form

def make_form() -> Form:
    """The page's form: FinetuneConfig's schema fields plus the task, source and reading choices."""
    st.session_state.setdefault("ft_model", FinetuneConfig().model)  # the model picker keeps it (not in ?form=)
    extra = {"ft_task": FinetuneConfig().task, "ft_source": "sample", "ft_dataset": None, "ft_delimiter": "",
             "ft_no_header": False, "ft_name": ""}  # the run name too: a reload keeps what was typed
    return Form("ft", FinetuneConfig, extra=extra, allowed={"ft_task": tasks.names, "ft_delimiter": lambda: DELIMITERS})


def run_settings(run_id: str) -> dict:
    """The form's values for an attached run (its data, task and hyperparameters); its files offered as a source."""
    try:
        config = FinetuneConfig.from_dict((jobs.read_config(run_id, user=me()) or {}).get("config") or {})
    except ValueError as err:
        st.error(bad_input(err))
        return {}
    st.session_state["ft_model"] = config.model
    model_picker.pin("ft_model")
    finetune_plan.keep_defaults_of(config.model)  # the run's own settings, not the model's defaults
    for role, key in ROLE_KEYS.items():
        st.session_state.pop(key, None)
        value = getattr(config, tasks.ROLE_FIELDS[role])
        if value or role in tasks.get(config.task).required_roles:
            st.session_state[key] = value or None
        else:
            st.session_state[key] = NONE
    st.session_state.pop(TAG_KEY, None)
    if config.label_col and "label" not in tasks.get(config.task).roles:  # CoNLL: the run's own tag column
        st.session_state[TAG_KEY] = config.label_col
    st.session_state["ft_run_files"] = {"train_file": config.train_file, "valid_file": config.valid_file,
                                        "test_file": config.test_file, "train_name": config.train_name,
                                        "task": config.task}
    st.session_state["ft_mapping_for"] = config.train_file
    encoding_picker.remember(config.train_file, config.encoding)  # the run's own encoding, not asked again
    source = parse_source(config.train_file)
    kind = "sample" if config.train_file == tasks.get(config.task).sample else (
        "dataset" if source.kind == "dataset" else "run")
    values = {name: getattr(config, name) for name in (f.name for f in dataclasses.fields(FinetuneConfig)) if name != "task"}
    return {**values, "ft_task": config.task, "ft_source": kind, "ft_dataset": config.train_file,
            "ft_delimiter": config.delimiter, "ft_no_header": config.no_header}


def uploads_ui(task_obj, values: dict, names_map: dict) -> None:
    """The three file uploaders (train, optional validation and test); stored under a content hash."""
    from core.jobs.uploads import save_upload

    types = list(task_obj.upload_types)
    left, mid, right = st.columns(3)
    uploads = {
        "train_file": left.file_uploader(t("finetune.upload_train"), type=types, key=f"ft_up_train_{task_obj.name}"),
        "valid_file": mid.file_uploader(t("finetune.upload_valid"), type=types, key=f"ft_up_valid_{task_obj.name}",
                                        help=help_text("valid_file")),
        "test_file": right.file_uploader(t("finetune.upload_test"), type=types, key=f"ft_up_test_{task_obj.name}",
                                         help=help_text("test_file")),
    }
    st.caption(t_or(f"finetune.upload_hint.{task_obj.name}", task_obj.help))
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


def data_ui() -> tuple[dict, dict]:
    """Task, data source (sample, named dataset, upload, or the open run's files): (config values, stored names)."""
    from core.finetune.data import datasets_for

    labels = {name: t_or(f"finetune.task.{name}", name) for name in tasks.names()}
    task = st.radio(t("finetune.task"), list(labels), horizontal=True, key="ft_task", format_func=labels.get,
                    help=help_text("task"))
    task_obj, named = tasks.get(task), datasets_for(task)
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
        st.caption(t_or(f"finetune.sample_note.{task}", task_obj.help))
    elif source == "dataset":
        by_name = {f"dataset:{d.name}": d for d in named}
        if st.session_state.get("ft_dataset") not in by_name:
            st.session_state["ft_dataset"] = next(iter(by_name))
        titles = {s: source_label(s) for s in by_name}  # translated now (AppTest formats outside the page)
        values["train_file"] = st.selectbox(t("finetune.dataset"), list(by_name), key="ft_dataset",
                                            format_func=titles.get)
        ds = by_name[values["train_file"]]
        st.caption(t("finetune.dataset_note", examples=f"{ds.examples:,}", language=ds.language,
                     source=ds.source, licence=ds.licence))
    elif source == "run":
        values.update({k: run_files.get(k, "") for k in ("train_file", "valid_file", "test_file", "train_name")})
        st.caption(t("finetune.run_files", name=md(source_label(run_files["train_file"],
                                                                  run_files.get("train_name", "")))))
    else:
        uploads_ui(task_obj, values, names_map)
    if values["train_file"]:  # what the reading report and the errors call the training file
        names_map.setdefault(values["train_file"], source_label(values["train_file"], values["train_name"]))
    return values, names_map


def current_mapping(task_obj, train_file: str) -> dict:
    """``{config field: column}`` chosen so far for the task's roles (reset when the training file changes)."""
    if st.session_state.get("ft_mapping_for") != train_file:
        for key in (*ROLE_KEYS.values(), TAG_KEY):
            st.session_state.pop(key, None)
        st.session_state["ft_mapping_for"] = train_file
    chosen = {role: st.session_state.get(ROLE_KEYS[role]) for role in task_obj.roles}
    mapping = {tasks.ROLE_FIELDS[role]: ("" if value in (None, NONE) else value) for role, value in chosen.items()}
    if st.session_state.get(TAG_KEY) and "label" not in task_obj.roles:  # CoNLL: the tag column picked by number
        mapping["label_col"] = st.session_state[TAG_KEY]
    return mapping


def data_section(values: dict, names: dict):
    """Read the chosen data (one core call) and show it; returns (view or None, column mapping, reading options).

    A file whose encoding the reader cannot tell is asked about first (``ui.encoding_picker``): no view till then.
    """
    task_obj = tasks.get(values["task"])
    mapping = current_mapping(task_obj, values["train_file"])
    encoding = encoding_picker.encoding_for(values["train_file"], name=names.get(values["train_file"]))
    reading = {"delimiter": st.session_state["ft_delimiter"], "no_header": bool(st.session_state["ft_no_header"]),
               "encoding": encoding or ""}
    if encoding is None:  # the picker is asking
        return None, mapping, reading
    options = ("auto", mapping.get("text_col", ""), mapping.get("label_col", ""), mapping.get("text_pair_col", ""),
               reading["delimiter"], reading["no_header"], reading["encoding"])
    max_length, view = int(st.session_state["ft_max_length"]), None
    try:
        with st.spinner(t("finetune.reading")):
            args = (values["task"], values["train_file"], options, values["valid_file"], values["test_file"])
            model_before = st.session_state["ft_model"]
            view = inspect_data(*args, model_picker.readable(model_before), max_length, tuple(sorted(names.items())))
            if model_picker.apply_default("ft_model", view.language) != model_before:  # lengths in the new tokens
                view = inspect_data(*args, model_picker.readable(st.session_state["ft_model"]), max_length,
                                    tuple(sorted(names.items())))
    except ValueError as err:
        st.error(bad(err, names))
        return None, mapping, reading
    from ui.reading_report import show

    show(view.report)
    if view.report.delimiter is not None:  # a table: how to read it can be changed
        reading_ui()
    if view.columns:
        mapping_ui(task_obj, view)
    tag_column_ui(view)
    if view.missing:
        import pandas as pd

        st.warning(t("finetune.columns_needed", columns=t("finetune.list_sep").join(
            t(f"finetune.role.{r}").lower() for r in view.missing)))
        st.dataframe(pd.DataFrame(view.preview), hide_index=True)
    else:
        show_data(view, max_length)
    for problem in view.errors:
        st.error(bad(problem, names))
    return view, current_mapping(task_obj, values["train_file"]), reading


def settings_ui(form: Form, language: str, seeded: bool):
    """Model and hyperparameters (the schema's own bounds), starting from the model's own defaults;
    the model defaults to the data's language's. Returns (settings, the model's defaults)."""
    model = model_picker.pick_model("ft_model", language, label=t("finetune.model"), help=help_text("model"))
    found = finetune_plan.model_defaults(form, model.strip() or FinetuneConfig().model, seeded=seeded)
    values = form.draw(list(form.specs), columns=4, advanced=t("finetune.advanced"))
    finetune_plan.defaults_caption(found)
    return {**values, "model": model.strip() or FinetuneConfig().model}, found


def start(values: dict, mapping: dict, reading: dict, settings: dict, names: dict, name: str) -> None:
    """Train: the config from the form (validated), submitted; the new run attached."""
    try:
        config = FinetuneConfig(**values, **mapping, **reading, **settings)
        new_id = ui_runs.submit_once("finetune", config.to_dict(),
                                     name=name.strip() or source_label(config.train_file, config.train_name))
    except ValueError as err:
        st.error(bad(err, names))
    else:
        ui_runs.attach(new_id)
        st.rerun()


def runs_section() -> None:
    def score(run: dict):
        try:
            metric = tasks.get(run["config"].get("task", FinetuneConfig().task)).metric
        except ValueError:
            return None
        return (run.get("summary") or {}).get(metric)

    st.subheader(t("finetune.runs"))
    selected = ui_runs.runs_table(kind="finetune", key="ft_runs", columns={
        t("finetune.col.task"): lambda r: t_or(f"finetune.task.{r['config'].get('task', '')}", ""),
        t("finetune.col.data"): lambda r: source_label(r["config"].get("train_file", ""),
                                                       r["config"].get("train_name", "")),
        t("finetune.col.model"): lambda r: Path(str(r["config"].get("model", ""))).name,
        t("finetune.col.accuracy"): lambda r: (r.get("summary") or {}).get("accuracy"),
        t("finetune.col.score_f1"): score,
    })
    if selected:
        from core.plots.training import overlay_figure

        runs = {r["id"]: r for r in jobs.list_runs("finetune", user=me())}
        first = runs.get(selected[0], {}).get("config", {}).get("task")
        metric = tasks.get(first).metric if first in tasks.TASKS else "loss"
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
form = make_form()
run_id = ui_runs.attached_run(kind="finetune")
form.start(run_id, lambda: run_settings(run_id))

st.header(t("finetune.step_data"))
if run_id:
    st.caption(t("finetune.form_from_run", name=md((jobs.read_config(run_id, user=me()) or {}).get("name") or run_id)))
data_values, names = data_ui()
view, mapping, reading = (None, {}, {})
if data_values["train_file"]:
    view, mapping, reading = data_section(data_values, names)
else:
    st.info(t("finetune.need_file"))
ready = view is not None and not view.missing and not view.errors

st.header(t("finetune.step_model"))
seeded = bool(run_id) or URL_PARAM in st.query_params  # a run's or a link's settings win over the model's defaults
settings, model_info = settings_ui(form, view.language if view is not None else "", seeded)
blocked = finetune_plan.blockers({**data_values, **settings}, view.summary, model_info.positions) if ready else []
for reason in blocked:
    st.warning(reason)
if ready:
    finetune_plan.plan_section(form, data_values["task"], view.summary, {**data_values, **settings})
name = st.text_input(t("finetune.run_name"), key="ft_name", placeholder=t("finetune.run_name_hint"))
if st.button(t("finetune.train"), type="primary", disabled=not ready or bool(blocked),
             icon=":material/model_training:"):
    start(data_values, mapping, reading, settings, names, name)
form.keep_in_url()

if run_id:
    st.header(t("finetune.step_train"))
    draw_run(run_id)

st.divider()
runs_section()
