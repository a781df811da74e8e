"""A fine-tune run on its page: live curves, the report, the playground, the zip, resume.

What differs between tasks is declared by the task (``core.finetune.tasks``): the scores
atop its report (``report_metrics``), their formula, what its playground takes
(``playground_inputs``), and how a report is drawn (``report_view``: per text, with a
confusion matrix when the scores have one, or per word). Nothing here names a task.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

import core.jobs as jobs
from core.finetune import tasks
from core.plots import finetune as plots
from ui import runs as ui_runs
from ui.i18n import t
from ui.auth import user as me
from ui.cache import shared
from ui.errors import bad_input
from ui.text import md


@shared(max_entries=3)
def _predictor(run_path: str, stamp: float):
    from core.finetune import load_predictor
    from ui.warmup import transformers_ready

    transformers_ready()
    return load_predictor(run_path)


def table(rows: list[dict]):
    """A DataFrame with translated column headers (keys of ``finetune.col.*``), numbers rounded."""
    import pandas as pd

    frame = pd.DataFrame(rows).round(3)
    return frame.rename(columns={c: t(f"finetune.col.{c}") for c in frame.columns})


def score_labels() -> dict:
    return {"precision": t("finetune.fig.precision"), "recall": t("finetune.fig.recall"), "f1": "F1",
            "score": t("finetune.fig.score_axis")}


def curve_labels() -> dict:
    keys = ("accuracy", "macro_f1", "micro_f1", "precision", "recall", "loss", "lr", "score", "step", "title_loss",
            "title_eval", "valid_loss")
    return {**{k: t(f"finetune.fig.{k}") for k in keys}, "f1": "F1"}


def draw_live(run_id: str, records: list[dict], status: dict) -> None:
    """Curves while the run trains (called every few seconds by ui.runs); a note until the first steps arrive."""
    steps = [r for r in records if r.get("type") == "step"]
    if steps:  # the worker's own message is English; say where the run is in the page's language
        last = steps[-1]
        st.caption(t("finetune.live_step", step=last.get("step"), epoch=f"{float(last.get('epoch') or 0):.2f}",
                     loss=f"{float(last.get('loss') or 0):.4f}"))
        ui_runs.live_chart(run_id, lambda recs: plots.curves_figure(recs, curve_labels()), key=f"ft_live_{run_id}")
    else:
        st.info(t("finetune.waiting_first_steps"))


# ------------------------------------------------------------------ the report

def _headline(task, scores: dict) -> None:
    for column, (key, label) in zip(st.columns(len(task.report_metrics)), task.report_metrics):
        value = scores.get(key)
        column.metric(t(label), f"{value:.3f}" if isinstance(value, (int, float)) else "–")
    if task.report_formula:
        st.latex(task.report_formula)
    if task.report_explain:
        st.caption(t(task.report_explain))


def show_per_text_report(task, report: dict, split: str) -> None:
    """Scores per label, the confusion matrix when the task has one, and the wrong predictions."""
    scores, details = report[split], report.get(f"{split}_details", {})
    _headline(task, scores)
    left, right = st.columns(2)
    if scores.get("confusion"):
        normalize = left.toggle(t("finetune.normalize"), value=True, key="ft_norm")
        left.plotly_chart(plots.confusion_figure(scores["confusion"], scores["labels"], normalize, titles={
            "title": t("finetune.fig.confusion"), "x": t("finetune.fig.predicted"), "y": t("finetune.fig.true"),
            "share": t("finetune.fig.share"), "count": t("finetune.fig.count")}))
    else:
        left, right = right, left
    right.plotly_chart(plots.per_class_figure(scores["per_class"], title=t("finetune.fig.per_class"),
                                              labels={**score_labels(), "x": t("finetune.fig.label")}))
    st.dataframe(table(scores["per_class"]), hide_index=True)
    wrong = details.get("misclassified") or []
    st.markdown(f"**{t('finetune.misclassified', n=len(wrong))}**")
    if wrong:
        st.dataframe(table(wrong), hide_index=True)


def show_per_word_report(task, report: dict, split: str) -> None:
    """Entity scores per type and tagged example sentences (gold next to predicted)."""
    scores, details = report[split], report.get(f"{split}_details", {})
    _headline(task, scores)
    if scores.get("no_pieces"):
        st.caption(t("finetune.warn.no_pieces", count=scores["no_pieces"]))
    if scores["per_type"]:
        left, right = st.columns(2)
        left.plotly_chart(plots.per_class_figure(scores["per_type"], name_key="type", title=t("finetune.fig.per_type"),
                                                 labels={**score_labels(), "x": t("finetune.fig.entity_type")}))
        right.dataframe(table(scores["per_type"]), hide_index=True)
    examples = details.get("examples") or []
    if examples:
        kinds = details.get("entity_types") or sorted(row["type"] for row in scores["per_type"])
        colours = plots.entity_colours(kinds)  # one colour per type, the same in the legend and every sentence
        st.markdown(f"**{t('finetune.examples_title')}** " + plots.legend_html(kinds, colours), unsafe_allow_html=True)
        a, b = st.columns(2)
        a.markdown(f"**{t('finetune.gold')}**")
        b.markdown(f"**{t('finetune.predicted')}**")
        for e in examples[:12]:
            a, b = st.columns(2)
            a.markdown(plots.tagged_words_html(e["tokens"], e["true"], colours), unsafe_allow_html=True)
            b.markdown(plots.tagged_words_html(e["tokens"], e["predicted"], colours), unsafe_allow_html=True)


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
    task = tasks.get(report["task"])
    show_baselines(task, report)
    REPORT_VIEWS[task.report_view](task, report, split)


def show_baselines(task, report: dict) -> None:
    """The baselines beside the model's score, and a plain sentence when the model is not above them."""
    found, verdict = report.get("baselines") or {}, report.get("verdict")
    if not found or not verdict:
        return
    metric = verdict["metric"]
    label = dict(task.report_metrics).get(metric)
    rows = [{t("finetune.baseline.col.who"): t("finetune.baseline.model"), t(label): f"{verdict['score']:.3f}"}]
    rows += [{t("finetune.baseline.col.who"): t(f"finetune.baseline.{name}"), t(label): f"{scores[metric]:.3f}"}
             for name, scores in found.items() if isinstance(scores.get(metric), (int, float))]
    st.dataframe(rows, hide_index=True)
    fields = {"baseline": t(f"finetune.baseline.{verdict['baseline']}"), "score": f"{verdict['score']:.3f}",
              "base": f"{verdict['baseline_score']:.3f}"}
    if verdict["code"] == "above":
        st.caption(t("finetune.baseline.above", **fields))
        return
    tips = [t(f"finetune.advice.{tip['code']}", **{k: (f"{v:.0e}" if k in ("lr", "suggested") and isinstance(v, float)
                                                       else v) for k, v in tip.items() if k != "code"})
            for tip in report.get("advice") or []]
    st.warning(t(f"finetune.baseline.{verdict['code']}", **fields)
               + (" " + t("finetune.advice.try", tips=t("finetune.advice.sep").join(tips)) if tips else ""))


def show_stop(summary: dict | None) -> None:
    """When and why a run ended before its last epoch, and which checkpoint it kept."""
    stop = (summary or {}).get("stop") or {}
    if stop.get("code") != "early_stopping":
        return
    score = stop.get("best_score")
    st.info(t("finetune.stopped_early", epoch=stop["epoch"], epochs=stop["epochs"], patience=stop["patience"],
              metric=stop["metric"], best_epoch=stop.get("best_epoch") or "–", best_step=stop.get("best_step") or "–",
              score=f"{score:.3f}" if isinstance(score, float) else "–"), icon=":material/timer_off:")


# ------------------------------------------------------------------ the playground

def draw_per_text(result: dict) -> None:
    """Probabilities per label; several labels above the threshold when the task predicts a set."""
    probs = result["probabilities"]
    if "predicted" in result:
        chosen = md(", ".join(result["predicted"])) or t("finetune.no_label_above")
        st.success(t("finetune.predicted_labels", labels=chosen, threshold=f"{result['threshold']:.2f}"))
    else:
        st.success(t("finetune.predicted_label", label=md(probs[0][0]), p=f"{probs[0][1]:.1%}"))
    st.plotly_chart(plots.probabilities_figure(probs, title=t("finetune.fig.probabilities"),
                                               x_title=t("finetune.fig.probability"),
                                               threshold=result.get("threshold")))


def draw_per_word(result: dict) -> None:
    kinds = result.get("entity_types") or sorted({e["type"] for e in result["entities"]})
    colours = plots.entity_colours(kinds)
    st.markdown(plots.legend_html(kinds, colours), unsafe_allow_html=True)
    st.markdown(plots.entity_html(result.get("text", ""), result["entities"], colours), unsafe_allow_html=True)
    if not result["entities"]:
        st.caption(t("finetune.no_entities_found"))
    if result.get("no_pieces"):
        st.caption(t("finetune.warn.no_pieces", count=result["no_pieces"]))


PLAYGROUND_VIEWS = {"per_text": draw_per_text, "per_word": draw_per_word}


def playground_inputs(run_id: str, predictor) -> dict:
    """The values of the task's playground inputs other than the text (a threshold slider, ...)."""
    values = {}
    if "threshold" in predictor.inputs:
        values["threshold"] = st.slider(t("finetune.threshold"), 0.05, 0.95, 0.5, 0.05, key=f"ft_threshold_{run_id}",
                                        help=t("finetune.threshold_help"))
    return values


def playground(run_id: str, run: dict) -> None:
    st.subheader(t("finetune.playground"))
    run_path = jobs.run_dir(run_id, user=me())
    try:
        predictor = _predictor(str(run_path), (run_path / "model" / "config.json").stat().st_mtime)
    except (OSError, ValueError) as err:
        st.error(bad_input(err))
        return
    default = (run.get("summary") or {}).get("example") or t(f"finetune.try_default.{predictor.view}")
    st.caption(t("finetune.try_hint"))
    text = st.text_area(t("finetune.try_text"), value=default, key=f"ft_try_{run_id}", height=80)
    try:
        result = {**predictor.predict(text, **playground_inputs(run_id, predictor)), "text": text}
    except ValueError as err:
        st.error(bad_input(err))
        return
    PLAYGROUND_VIEWS[predictor.view](result)


# ------------------------------------------------------------------ keep, resume

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
    from core.finetune.config import resumed

    if status.get("state") not in ("interrupted", "failed", "cancelled") or not run["has_checkpoint"]:
        return
    st.caption(t("finetune.resume_hint"))
    if st.button(t("finetune.resume"), key=f"ft_resume_{run_id}", icon=":material/play_arrow:"):
        try:
            meta = jobs.read_config(run_id, user=me())
            config = resumed(meta["config"], run_id)
            new_id = jobs.submit("finetune", config.to_dict(), name=f"{meta.get('name') or run_id} (resumed)", user=me())
        except ValueError as err:
            st.error(bad_input(err))
        else:
            ui_runs.attach(new_id)
            st.rerun()


def draw_run(run_id: str) -> None:
    """The attached run: live status, then curves, stop reason, resume, report, playground and zip."""
    from core.finetune import read_run

    meta_name = (jobs.read_config(run_id, user=me()) or {}).get("name") or run_id
    st.caption(t("finetune.showing_run", name=md(meta_name), run=run_id))
    status = ui_runs.live_status(run_id, render_live=draw_live, key="ft_live")
    if status.get("state") in jobs.ACTIVE or status.get("state") == "missing":
        return
    run = read_run(jobs.run_dir(run_id, user=me()))
    records = ui_runs.run_records(run_id)
    if any(r.get("type") == "step" for r in records):
        st.plotly_chart(plots.curves_figure(records, curve_labels()), key=f"ft_final_{run_id}")
    show_stop(run["summary"])
    resume_button(run_id, status, run)
    show_report(run)
    if run["has_model"]:
        playground(run_id, run)
        download(run_id)
