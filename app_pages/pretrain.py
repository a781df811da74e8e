"""Pretrain a BERT or a GPT from zero: corpus -> WordPiece -> a Transformer, one run per objective and encoding.

Form (``ui.form`` over ``PretrainConfig``'s schema) -> ``core.pretrain.job.build_job_config``
-> ``core.jobs.submit`` (one run per chosen objective, encoding and start, same corpus and token
budget); the first run goes into ``?run=`` so a refresh or a shared link reattaches, with
the run's own settings in the form. The live block (``ui.runs.live_status``) refreshes
once a second. Below, the shoot-out overlays the curves of the chosen runs and their
held-out accuracy at 1x, 2x and 4x the training length; the objective shoot-out
(``ui.pretrain_objectives``) puts their held-out scores side by side and fine-tunes each.
"""
from __future__ import annotations

import json

import streamlit as st

import core.jobs as jobs
from core.plots import training as training_plots
from core.pretrain import objectives as pretrain_objectives
from core.pretrain.config import INIT_VECTORS, POSITIONS, PRESETS, PretrainConfig
from core.pretrain.results import comparable_runs, read_extrapolation
from ui import pretrain_objectives as objective_views
from ui import runs as ui_runs
from ui.corpus_datasets import corpus_datasets
from ui.corpus_picker import pick_corpus, picked, samples
from ui.form import Form
from ui.i18n import lang, t
from ui.auth import user as me
from ui.cache import shared
from ui.errors import bad_input

KIND = "pretrain"
NUMBERS = ("steps", "batch_size", "seq_len", "learning_rate", "vocab_size")
FEW_HELD_OUT = 1000  # held-out tokens below which an accuracy is said to be noisy


# ------------------------------------------------------------------ cached compute

@shared(max_entries=32)
def parameters(config_json: str) -> int:
    from core.pretrain.trainer import count_parameters

    return count_parameters(PretrainConfig.from_dict(json.loads(config_json)))


@shared(max_entries=None)
def devices() -> list[str]:
    from core.pretrain.job import device_choices

    return device_choices()


@shared(max_entries=2)
def lm_model(model_dir: str, head: str, finished: str):
    """A finished run's model with its objective's head (``head``: an Auto class name), in eval mode, and its tokenizer.

    Shared by every visitor, so it loads as the server (``SHELL``): ``model_dir`` came from
    ``jobs.run_dir(run_id, user=me())``, which checked the person. ``finished`` keys a rerun of the same folder."""
    from core.jobs import SHELL
    from core.models import load_model, load_tokenizer
    from ui.warmup import transformers_ready

    transformers_ready()
    return load_model(model_dir, head, user=SHELL).eval(), load_tokenizer(model_dir, user=SHELL)


# ------------------------------------------------------------------ the form

def make_form() -> Form:
    """PretrainConfig's fields, plus the corpus choice and the objectives / encodings / initial vectors (one run each)."""
    extra = {"pretrain_source": "sample", "pretrain_sample": "zh" if "zh" in samples() else next(iter(samples())),
             "pretrain_dataset": None, "pretrain_objectives": ["mlm"], "pretrain_positions": ["learned"],
             "pretrain_init": ["random"], "pretrain_name": ""}
    allowed = {"pretrain_sample": lambda: list(samples()), "pretrain_dataset": lambda: list(corpus_datasets()),
               "pretrain_objectives": objective_views.objective_choices,
               "pretrain_positions": lambda: [[p] for p in POSITIONS], "pretrain_init": lambda: [[i] for i in INIT_VECTORS]}
    return Form("pretrain_hp", PretrainConfig, extra=extra, allowed=allowed)


def run_settings(run_id: str) -> dict:
    """The form's values for an attached run: its settings, its objective, encoding and start, its corpus."""
    config = (jobs.read_config(run_id, user=me()) or {}).get("config") or {}
    values = {k: v for k, v in config.items() if k not in ("corpus", "objective", "position_encoding", "init_vectors")}
    values.update({"pretrain_objectives": [config.get("objective") or "mlm"],
                   "pretrain_positions": [config.get("position_encoding")], "pretrain_init": [config.get("init_vectors")]})
    values.update(picked("pretrain", config.get("corpus"), encoding=config.get("encoding") or ""))
    return values


def settings_ui(form: Form) -> tuple[dict, list[str], list[str], list[str], str]:
    """(PretrainConfig fields except corpus/objective/position/init, objectives, encodings, initial vectors, run name)."""
    st.subheader(t("pretrain.settings"))
    values = {"preset": form.widget("preset", label=t("pretrain.preset"), format_func={
        p: t("pretrain.preset_label", name=p, layers=PRESETS[p][0], hidden=PRESETS[p][1]) for p in PRESETS}.get)}
    chosen_objectives = objective_views.objectives_ui()
    positions = st.multiselect(t("pretrain.positions"), list(POSITIONS), key="pretrain_positions",
                               format_func={p: t(f"pretrain.position.{p}") for p in POSITIONS}.get,
                               help=t("pretrain.help.positions"))
    init = st.multiselect(t("pretrain.init"), list(INIT_VECTORS), key="pretrain_init",
                          format_func={i: t(f"pretrain.init.{i}") for i in INIT_VECTORS}.get,
                          help=t("pretrain.help.init_vectors"))
    others = [f for f in form.specs if f not in NUMBERS + ("preset", "device")]
    values.update(form.draw(NUMBERS + tuple(others), columns=2, advanced=t("pretrain.advanced")))
    values["device"] = form.widget("device", label=t("pretrain.device"), options=devices())
    name = st.text_input(t("pretrain.run_name"), key="pretrain_name", max_chars=120,
                         placeholder=t("pretrain.run_name_hint"))
    return values, chosen_objectives, positions, init, name


def budget_caption(values: dict, chosen: list[str], positions: list[str]) -> None:
    try:
        n = parameters(json.dumps({**values, "position_encoding": (positions or ["learned"])[0],
                                   "objective": (chosen or ["mlm"])[0]}, sort_keys=True))
    except ValueError as err:
        st.error(bad_input(err))
        return
    tokens = int(values["steps"]) * int(values["batch_size"]) * int(values["seq_len"])
    runs = max(1, len(positions)) * max(1, len(chosen))
    st.caption(t("pretrain.budget", tokens=f"{tokens:,}", parameters=f"{n:,}", runs=runs))


# ------------------------------------------------------------------ drawing

def steps_figure(steps: list[dict]):
    extra = (("nsp_accuracy", t("pretrain.score.nsp_accuracy")),) if steps and "nsp_accuracy" in steps[-1] else ()
    return training_plots.live_figure(
        steps, panels=(("loss", t("pretrain.loss")), ("accuracy", t("pretrain.accuracy")), *extra,
                       ("tokens_per_s", t("pretrain.tokens_per_s")), ("lr", t("pretrain.lr"))),
        x="step", x_title=t("pretrain.step"))


def step_curves(steps: list[dict], key: str, run_id: str | None = None) -> None:
    """The step curves; with ``run_id`` (a live run) one figure shared by every tab (``ui.runs.live_chart``)."""
    if run_id is None:
        st.plotly_chart(steps_figure(steps), key=key)
    else:
        ui_runs.live_chart(run_id, lambda records: steps_figure(ui_runs.split_records(records)[0]), key=key)
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
    step_curves(steps, key="pretrain_live_steps", run_id=run_id)


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
    rows = read_extrapolation(folder)
    if rows:
        draw_extrapolation({summary.get("position_encoding") or run_id: rows}, key=f"pretrain_extra_{run_id}",
                           chance=chance_of([summary]))
    if (folder / "model" / "config.json").is_file():
        st.caption(t("pretrain.model_folder", path=str(folder / "model")))
        objective = (((jobs.read_config(run_id, user=me()) or {}).get("config") or {}).get("objective")
                     or summary.get("objective"))
        objective_views.prompt_box(str(folder / "model"), status.get("finished") or "", objective,
                                   summary.get("language"), load=lm_model)


def chance_of(summaries: list[dict]) -> tuple[float | None, str]:
    """The unigram baseline's accuracy (the highest among ``summaries``: runs on one corpus share it) and its label."""
    baselines = [s["baseline"] for s in summaries if isinstance((s or {}).get("baseline"), dict)
                 and s["baseline"].get("accuracy") is not None]
    if not baselines:
        return None, ""
    best = max(baselines, key=lambda b: b["accuracy"])
    return best["accuracy"], t("pretrain.chance_line", token=best.get("token") or "?", accuracy=f"{best['accuracy']:.1%}")


def draw_extrapolation(rows_by_run: dict[str, list[dict]], key: str, chance: tuple[float | None, str] = (None, "")) -> None:
    from core.plots.pretrain import extrapolation_figure

    st.plotly_chart(extrapolation_figure(
        rows_by_run, title=t("pretrain.extrapolation_title"), x_title=t("pretrain.extrapolation_x"),
        y_title=t("pretrain.accuracy"), factor_label=t("pretrain.factor_label"), chance=chance[0],
        chance_text=chance[1]), key=key)
    every = [row for rows in rows_by_run.values() for row in rows]
    scored = [row for row in every if row.get("accuracy") is not None]
    if not scored:
        st.info(t("pretrain.extrapolation_none"))
    missing = sorted({row["factor"] for row in every if row.get("accuracy") is None})
    if scored and missing:  # said, not only drawn as absent bars
        st.caption(t("pretrain.extrapolation_missing", factors=", ".join(f"{f}×" for f in missing)))
    fewest = min((int(row.get("predicted_tokens") or 0) for row in scored), default=FEW_HELD_OUT)
    if fewest < FEW_HELD_OUT:
        st.caption(t("pretrain.extrapolation_few", n=f"{fewest:,}"))
    st.caption(t("pretrain.extrapolation_explain"))


def draw_shootout() -> None:
    from core.plots.pretrain import eval_overlay_figure

    st.subheader(t("pretrain.shootout"))
    st.write(t("pretrain.shootout_intro"))
    score = lambda key: (lambda run: run["summary"].get(key))  # noqa: E731
    if "pretrain_runs_compare" not in st.session_state:
        st.session_state["pretrain_runs_compare"] = comparable_runs(jobs.list_runs(KIND, user=me()))
    selected = ui_runs.runs_table(KIND, key="pretrain_runs", select_label=t("pretrain.compare"), columns={
        t("pretrain.col.objective"): lambda run: objective_views.objective_label(run["config"].get("objective") or "mlm"),
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
    chance = chance_of([jobs.read_summary(run_id, user=me()) for run_id in selected])
    left, right = st.columns(2)
    left.plotly_chart(training_plots.overlay_figure(series, "loss", x="tokens", title=t("pretrain.overlay_loss"),
                                                    x_title=t("pretrain.tokens_seen"), y_title=t("pretrain.loss")),
                      key="pretrain_overlay_loss")
    left.caption(t("pretrain.overlay_loss_explain"))
    right.plotly_chart(eval_overlay_figure(series, "accuracy", title=t("pretrain.overlay_accuracy"),
                                           x_title=t("pretrain.tokens_seen"), y_title=t("pretrain.accuracy"),
                                           chance=chance[0], chance_text=chance[1]),
                       key="pretrain_overlay_accuracy")
    right.caption(t("pretrain.overlay_accuracy_explain"))
    rows_by_run = {label: read_extrapolation(jobs.run_dir(run_id, user=me())) for label, run_id in zip(series, selected)}
    rows_by_run = {label: rows for label, rows in rows_by_run.items() if rows}
    if rows_by_run:
        draw_extrapolation(rows_by_run, key="pretrain_overlay_extrapolation", chance=chance)
    objective_views.objective_shootout(selected, lang())


def draw_attached(run_id: str) -> None:
    meta = jobs.read_config(run_id, user=me())
    config = meta.get("config", {})
    with st.container(border=True):
        head, close = st.columns([5, 1])
        head.markdown("### " + t("pretrain.current_run", name=ui_runs.escape_markdown(meta.get("name") or run_id)))
        head.caption(t("pretrain.run_info", run=run_id, position=t(f"pretrain.position.{config.get('position_encoding')}"),
                       preset=config.get("preset", "–"),
                       objective=objective_views.objective_label(config.get("objective") or "mlm")))
        if close.button(t("pretrain.new_run"), key="pretrain_detach", icon=":material/close:"):
            ui_runs.detach()
            st.rerun()
        status = ui_runs.live_status(run_id, render_live=live_curves, key="pretrain_live")
        if status.get("state") in ("done", "cancelled"):
            draw_results(run_id, status)


def start(form: Form, chosen, values: dict, objectives: list[str], positions: list[str], init: list[str],
          name: str) -> None:
    """Submit one run per (objective, encoding, initial vectors); attach the first. Bad settings -> st.error."""
    from core.pretrain.job import build_job_config

    if not positions or not objectives:
        st.error(t("common.bad_input", message=t("pretrain.pick_position" if not positions else "pretrain.pick_objective")))
        return
    try:
        configs = [(o, p, i, build_job_config({**values, **chosen.reading, "corpus": chosen.source, "objective": o,
                                               "position_encoding": p, "init_vectors": i}))
                   for o in objectives for p in positions for i in (init or ["random"])]
    except ValueError as err:
        st.error(bad_input(err))
        return
    ids = []
    for objective, position, vectors, config in configs:
        label = f"{name or chosen.name} · {objective} · {position} · {values['preset']}" + (
            " · word2vec" if len(init) > 1 and vectors != "random" else "")
        ids.append(ui_runs.submit_once(KIND, config, name=label))
    st.session_state["pretrain_runs_compare"] = ids
    form.mark_seeded(ids[0])  # the form already shows its settings
    ui_runs.attach(ids[0])
    st.rerun()


# ------------------------------------------------------------------ the page

ui_runs.ensure_recovered()
st.title(t("pretrain.title"))
st.write(t("pretrain.intro"))
objective_views.formulas(st.session_state.get("pretrain_objectives") or ["mlm"])
st.latex(r"\mathrm{perplexity} = e^{\mathcal{L}}")
st.caption(t("pretrain.formula_explain"))

form = make_form()
run_id = ui_runs.attached_run(kind=KIND)
form.start(run_id, lambda: run_settings(run_id))
if run_id:
    draw_attached(run_id)

corpus_column, settings_column = st.columns([3, 2], gap="large")
with corpus_column:
    st.subheader(t("pretrain.corpus"))
    chosen = pick_corpus("pretrain", "pretrain", reuse=st.session_state.get("_pretrain_reuse"), columns=False)
    st.markdown(f"**{t('pretrain.where_title')}**")
    st.markdown(t("pretrain.where"))
with settings_column:
    values, objectives, positions, init, run_name = settings_ui(form)
    budget_caption(values, objectives, positions)
    if st.button(t("pretrain.start"), type="primary", key="pretrain_start", icon=":material/play_arrow:",
                 disabled=chosen is None):
        start(form, chosen, values, objectives, positions, init, run_name)
form.keep_in_url()

st.divider()
draw_shootout()
