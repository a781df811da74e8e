"""A word2vec run on the training page: live curves, then scores with coverage, neighbours, downloads.

The numbers come from core (``core.word2vec.results``: scores with coverage and the
degenerate-vectors diagnosis; ``core.word2vec.exports``: the download files); this
module only draws them.
"""
from __future__ import annotations

import streamlit as st

import core.jobs as jobs
from core.plots import training as plots
from ui import runs as ui_runs
from ui.i18n import t
from ui.auth import user as me
from ui.errors import bad_input
from ui.text import md


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
    draw_curves(steps, evals, key="live", run_id=run_id)


def benchmark_label(name: str, short: bool = False) -> str:
    """A benchmark's translated name (short: the metric's label), or its key for one without strings."""
    key = f"train.metric.{name}" if short else f"train.{name}"
    text = t(key)
    return text if text != key else name


def steps_figure(steps: list[dict]):
    return plots.live_figure(
        steps, panels=(("loss", t("train.loss")), ("words_per_s", t("train.words_per_s")), ("lr", t("train.lr"))),
        x_title=t("train.epochs_done"))


def draw_curves(steps: list[dict], evals: list[dict], key: str, run_id: str | None = None) -> None:
    """Step curves and per-epoch scores; with ``run_id`` (a live run) the step figure is the one every tab shares."""
    from core.word2vec.results import covered_benchmarks, scores

    if run_id is None:
        st.plotly_chart(steps_figure(steps), key=f"{key}_steps")
    else:
        ui_runs.live_chart(run_id, lambda records: steps_figure(ui_runs.split_records(records)[0]), key=f"{key}_steps")
    covered = covered_benchmarks(evals)
    if covered:  # no empty plot when no benchmark covers the corpus (e.g. Chinese text on English sets)
        last = {score.benchmark: score for score in scores(evals[-1])}
        labels = tuple((name, t("train.curve_label", name=benchmark_label(name),
                                coverage=last[name].coverage_text() if name in last else "?")) for name in covered)
        st.plotly_chart(plots.eval_figure(evals, metrics=labels, title=t("train.eval_title"),
                                          x_title=t("train.epoch"), y_title=t("train.score")), key=f"{key}_evals")
    elif evals:
        st.caption(t("train.eval_none_covered"))


def withheld_text(score) -> str:
    from core.word2vec.results import MIN_COVERAGE, MIN_ITEMS

    if not score.covered and not score.coverage:
        return t("train.withheld_none")
    return t("train.withheld", coverage=score.coverage_text(), min_coverage=f"{MIN_COVERAGE:.0%}",
             min_items=MIN_ITEMS)


def draw_scores(run_id: str, summary: dict) -> None:
    """One metric per benchmark with its coverage; a score on too few items is withheld, the reason on hover."""
    from core.word2vec.results import run_scores

    items = run_scores(jobs.run_dir(run_id, user=me()))
    columns = st.columns(len(items) + 1)
    for column, score in zip(columns, items):
        help_text = t(f"train.{score.benchmark}_help")
        label = benchmark_label(score.benchmark, short=True)
        if score.withheld:
            column.metric(label, "–", help=withheld_text(score) + "\n\n" + help_text)
            column.caption(":gray[" + t("train.score_withheld", coverage=score.coverage_text()) + "]",
                           help=withheld_text(score))
        else:
            column.metric(label, f"{score.value:.3f}", help=help_text)
            column.caption(t("train.coverage", coverage=score.coverage_text()))
    columns[-1].metric(t("train.vocab_size"), f"{summary.get('vocab_size', 0):,}")
    if any(score.withheld for score in items):
        st.caption(t("train.withheld_explain"))


def degenerate_text(diagnosis: dict) -> str:
    """The degenerate-vectors warning with the advice that fits the run (``diagnosis["advice"]``, see
    ``core.word2vec.results.degenerate_advice``; runs from before it get the general advice)."""
    from core.word2vec.results import degenerate_advice

    advice = diagnosis.get("advice")
    tips = [t(f"train.degenerate_tip.{tip['code']}", **{k: v for k, v in tip.items() if k != "code"})
            for tip in (advice if isinstance(advice, list) else degenerate_advice(None))]
    return t("train.degenerate", mean=f"{diagnosis['mean_cosine']:.2f}", neighbour=f"{diagnosis['neighbour_cosine']:.2f}",
             advice=t("train.degenerate_tip_sep").join(tips))


def draw_results(run_id: str, kv) -> None:
    """Scores, warnings, curves, neighbours, downloads and the explorer link of a finished run."""
    from core.word2vec.results import neighbours_of, neighbours_table, probe_words

    summary = jobs.read_summary(run_id, user=me())
    st.subheader(t("train.results"))
    diagnosis = summary.get("diagnosis") or {}
    if diagnosis.get("degenerate"):
        st.warning(degenerate_text(diagnosis), icon=":material/warning:")
    draw_scores(run_id, summary)
    st.latex(r"\rho = \mathrm{Spearman}\big(\text{human}(w_1,w_2),\ \cos(\mathbf{v}_{w_1},\mathbf{v}_{w_2})\big)"
             r"\qquad b - a + c \approx d")
    st.caption(t("train.scores_explain"))
    steps, evals = ui_runs.split_records(ui_runs.run_records(run_id))
    if steps:
        draw_curves(steps, evals, key=f"final_{run_id}")
    st.markdown(f"**{t('train.neighbours')}**")
    query = st.text_input(t("train.neighbours_word"), key="train_probe", placeholder=t("train.neighbours_hint"))
    word = query.strip()
    words = ([word] if word in kv.key_to_index else [word.lower()]) if word else probe_words(kv)
    found = neighbours_of(kv, words)
    if word and not found:
        st.warning(t("train.not_in_vocab", word=md(word)))
    st.dataframe(neighbours_table(found), hide_index=True)
    draw_downloads(run_id, kv)
    link_to_explorer(run_id)


def draw_downloads(run_id: str, kv) -> None:
    from core.word2vec.exports import export_files

    st.markdown(f"**{t('train.downloads')}**")
    try:
        paths = export_files(jobs.run_dir(run_id, user=me()), kv)
    except ValueError as err:
        st.error(bad_input(err))
        return
    for column, (name, path) in zip(st.columns(len(paths)), paths.items()):
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
