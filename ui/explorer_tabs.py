"""The explorer's other tabs: neighbours and analogies, semantic axes, benchmarks, drift, compare, export.

Each tab is a fragment (a new query redraws only its tab). The numbers come from
``core.vectors`` (neighbours, axes, align, evaluate, files) and ``core.word2vec.results``.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from core.plots import explorer as plots
from core.vectors import align, axes, neighbours
from core.vectors.projection import top_words
from ui.explorer_common import MINILM, PLOT_CONFIG, bad, run_label, stamp, text, words_of
from ui.cache import shared
from ui.errors import guarded
from ui.i18n import t
from ui.text import md


@shared(max_entries=8)
def _evaluation(fp: str, _kv) -> dict:
    from core.vectors.evaluate import evaluate

    return evaluate(_kv, detail=True)


@shared(max_entries=8)
def _snapshots(path: str, stamp: float):
    return align.read_snapshots(path)


@shared(max_entries=8)
def _drift(path: str, stamp: float, limit: int):
    return align.drift_projection(_snapshots(path, stamp), limit)


@shared(max_entries=8)
def _compare(fp_a: str, fp_b: str, limit: int, _kv_a, _kv_b):
    return align.compare_projection(_kv_a, _kv_b, limit)


@st.fragment
@guarded
def neighbours_tab(kv, fp: str) -> None:
    first = next((w for w in ("king", "good", "国王", "中国") if w in kv.key_to_index), top_words(kv, 1)[0])
    left, right = st.columns([3, 2])
    with left:
        c1, c2 = st.columns([3, 1])
        word = c1.text_input(t("explorer.word"), value=first, key=f"explorer_nb_word@{fp[:8]}")
        k = c2.number_input(t("explorer.k"), 1, 100, 10, key="explorer_nb_k")
        try:
            pairs = neighbours.neighbours(kv, word, int(k))
        except ValueError as err:
            bad(err)
        else:
            st.plotly_chart(plots.neighbours_figure(pairs, title=t("explorer.neighbours_title", word=word.strip()),
                                                    x_title=t("explorer.cosine")),
                            config=PLOT_CONFIG, key="explorer_nb_fig")
        st.latex(r"\cos(u, v) = \frac{u \cdot v}{\lVert u\rVert\,\lVert v\rVert}")
    with right:
        st.subheader(t("explorer.pair"))
        p1, p2 = st.columns(2)
        pair = _pair_default(kv, first)
        a = p1.text_input(t("explorer.word_a"), value=pair[0], key=f"explorer_pair_a@{fp[:8]}")
        b = p2.text_input(t("explorer.word_b"), value=pair[1], key=f"explorer_pair_b@{fp[:8]}")
        try:
            st.metric(t("explorer.cosine"), f"{neighbours.similarity(kv, a, b):.3f}")
        except ValueError as err:
            bad(err)
        st.subheader(t("explorer.analogy"))
        st.caption(t("explorer.analogy_help"))
        defaults = ("king", "man", "woman") if all(w in kv.key_to_index for w in ("king", "man", "woman")) else ("", "", "")
        q1, q2, q3 = st.columns(3)
        a = q1.text_input("a", value=defaults[0], key=f"explorer_an_a@{fp[:8]}")
        b = q2.text_input("b", value=defaults[1], key=f"explorer_an_b@{fp[:8]}")
        c = q3.text_input("c", value=defaults[2], key=f"explorer_an_c@{fp[:8]}")
        st.latex(r"\arg\max_{w \notin \{a,b,c\}} \cos\!\big(w,\; \hat a - \hat b + \hat c\big)")
        if a.strip() and b.strip() and c.strip():
            try:
                answers = neighbours.analogy(kv, a, b, c, k=6)
            except ValueError as err:
                bad(err)
            else:
                st.metric(t("explorer.answer", a=md(a.strip()), b=md(b.strip()), c=md(c.strip())), answers[0][0],
                          f"cos {answers[0][1]:.3f}", delta_color="off", delta_arrow="off")
                st.dataframe(pd.DataFrame(answers[1:], columns=[t("explorer.runner_up"), t("explorer.cosine")]),
                             hide_index=True)


def _pair_default(kv, first: str) -> tuple[str, str]:
    """Two different words to compare: a classic pair when known, else ``first`` and its nearest neighbour."""
    for a, b in (("king", "queen"), ("good", "bad"), ("国王", "王后"), ("中国", "美国")):
        if a in kv.key_to_index and b in kv.key_to_index:
            return a, b
    others = [w for w in top_words(kv, 2) if w != first]
    try:
        return first, kv.most_similar(first, topn=1)[0][0]
    except (KeyError, ValueError, IndexError):
        return first, others[0] if others else first


AXES_EXAMPLE = ("he - she", "king - queen",
                "man woman boy girl father mother king queen prince princess doctor nurse actor actress husband wife")


def _axes_defaults(kv) -> tuple[str, str, str]:
    """The classic gender/royalty example where the vocabulary has it, else the most frequent words."""
    known = [w for w in AXES_EXAMPLE[2].split() if w in kv.key_to_index]
    if all(w in kv.key_to_index for w in ("he", "she", "king", "queen")):
        return AXES_EXAMPLE[0], AXES_EXAMPLE[1], " ".join(known)
    top = top_words(kv, 24)
    return f"{top[0]} - {top[1]}", f"{top[2]} - {top[3]}", " ".join(top[4:])


@st.fragment
@guarded
def axes_tab(kv, fp: str) -> None:
    st.markdown(t("explorer.axes_intro"))
    x_default, y_default, words_default = _axes_defaults(kv)
    c1, c2 = st.columns(2)
    x_formula = c1.text_input(t("explorer.axis_x"), value=x_default, key=f"explorer_ax_x@{fp[:8]}")
    y_formula = c2.text_input(t("explorer.axis_y"), value=y_default, key=f"explorer_ax_y@{fp[:8]}")
    words = words_of(st.text_area(t("explorer.axis_words"), value=words_default, key=f"explorer_ax_words@{fp[:8]}"))
    try:
        placed, coords = axes.place_on_axes(kv, words, x_formula, y_formula)
        angle = axes.axes_cosine(kv, x_formula, y_formula)
    except ValueError as err:
        bad(err)
        return
    skipped = [w for w in words if w not in kv.key_to_index]
    if skipped:
        st.warning(t("explorer.skipped", words=md(", ".join(skipped))))
    fig = plots.axes_figure(coords, placed, x_title=f"cos(w, {x_formula.strip()})",
                            y_title=f"cos(w, {y_formula.strip()})", title=t("explorer.axes_title"))
    st.plotly_chart(fig, config=PLOT_CONFIG, key="explorer_axes_fig")
    st.latex(r"x_w = \cos\big(w,\ \textstyle\sum_i s_i\,\hat v_i\big),\quad s_i = \pm 1")
    st.caption(t("explorer.axes_angle", cos=f"{angle:.2f}"))


def _bench_title(name: str) -> str:
    return text(f"explorer.bench_{name}", name)


def score_metric(container, kind: str, score, label: str) -> None:
    """One benchmark score with its coverage; withheld (greyed "–", reason on hover) when coverage is too low."""
    coverage = t("explorer.coverage_of", covered=score.covered if score.covered is not None else "?",
                 total=score.total if score.total is not None else "?",
                 pct="–" if score.coverage is None else f"{score.coverage:.1%}")
    if score.withheld:
        from core.word2vec.results import MIN_COVERAGE, MIN_ITEMS

        reason = t("explorer.withheld_reason", coverage=coverage, min_pct=f"{MIN_COVERAGE:.0%}", min_items=MIN_ITEMS)
        container.metric(label, "–", t("explorer.withheld", coverage=coverage), delta_color="off",
                         delta_arrow="off", help=reason)
        container.caption(f":gray[{reason}]")
    else:
        value = format(score.value, ".1%") if kind == "analogy" else format(score.value, ".3f")
        container.metric(label, value, coverage, delta_color="off", delta_arrow="off",
                         help=t("explorer.coverage_help", coverage=coverage))


@st.fragment
@guarded
def benchmarks_tab(kv, fp: str) -> None:
    st.markdown(t("explorer.bench_intro"))
    done = st.session_state.get("explorer_bench_done", set())
    if fp not in done and not st.button(t("explorer.bench_run"), icon=":material/play_arrow:", key="explorer_bench"):
        return
    with st.spinner(t("explorer.bench_running")):
        try:
            result = _evaluation(fp, kv)
        except (ValueError, OSError) as err:
            bad(err)
            return
    st.session_state["explorer_bench_done"] = done | {fp}
    from core.word2vec.results import bench_scores

    scores = bench_scores(result)
    if not scores:
        st.info(t("explorer.bench_none"))
        return
    for row in range(0, len(scores), 3):
        for col, (kind, score) in zip(st.columns(3), scores[row:row + 3]):
            label = t(f"explorer.{kind}_score", name=_bench_title(score.benchmark))
            score_metric(col, kind, score, label)
    for _, score in scores:
        part = result[score.benchmark]
        if score.withheld:
            continue
        if part.get("sections"):
            st.plotly_chart(plots.sections_figure(part["sections"], y_title=t("explorer.accuracy"),
                                                  title=t("explorer.sections_title", name=_bench_title(score.benchmark))),
                            config=PLOT_CONFIG, key=f"explorer_sections_{score.benchmark}")
    pair_sets = [s for _, s in scores if not s.withheld and result[s.benchmark].get("pairs")]
    for row in range(0, len(pair_sets), 2):
        for col, score in zip(st.columns(2), pair_sets[row:row + 2]):
            col.plotly_chart(plots.similarity_scatter(result[score.benchmark]["pairs"],
                                                      title=_bench_title(score.benchmark), x_title=t("explorer.human"),
                                                      y_title=t("explorer.model_cos")),
                             config=PLOT_CONFIG, key=f"explorer_pairs_{score.benchmark}")
    st.latex(r"\rho = 1 - \frac{6\sum_i d_i^2}{n(n^2-1)},\quad d_i = \text{rank}(\text{human}_i) - \text{rank}(\cos_i)")
    st.caption(t("explorer.bench_note"))


@st.fragment
@guarded
def drift_tab(run_path: Path | None) -> None:
    if run_path is None:
        st.info(t("explorer.drift_needs_run"))
        return
    when = stamp(run_path)
    try:
        snapshots = _snapshots(str(run_path), when)
    except ValueError as err:
        bad(err)
        return
    if len(snapshots) < 2:
        st.info(t("explorer.drift_none"))
        return
    st.markdown(t("explorer.drift_intro"))
    c1, c2 = st.columns([1, 2])
    kept = len(snapshots[-1].words)
    limit = c1.slider(t("explorer.drift_words"), 20, min(1000, kept), min(300, kept),
                      key="explorer_drift_n") if kept > 20 else kept
    marked = words_of(c2.text_input(t("explorer.drift_highlight"), key="explorer_drift_mark"))
    try:
        epochs, words, coords = _drift(str(run_path), when, limit)
    except ValueError as err:
        bad(err)
        return
    st.plotly_chart(plots.drift_figure(epochs, words, coords, highlight=marked, title=t("explorer.drift_title"),
                                       epoch_label=t("explorer.epoch")),
                    config=PLOT_CONFIG, key="explorer_drift_fig")
    st.latex(r"R_e = \arg\min_{R^\top R = I} \lVert \hat X_e R - \hat X_{\text{last}} \rVert_F,\quad"
             r" y_{e,i} = W_{\text{PCA(last)}}^\top\, \hat x_{e,i} R_e")
    word = st.text_input(t("explorer.drift_word"), value=marked[0] if marked else words[0], key="explorer_drift_word")
    try:
        table = align.neighbour_drift(snapshots, word, k=6)
    except ValueError as err:
        bad(err)
        return
    st.dataframe(pd.DataFrame({t("explorer.epoch"): e, **{str(i + 1): f"{w} ({s:.2f})" for i, (w, s) in enumerate(nb)}}
                              for e, nb in table), hide_index=True)


@st.fragment
@guarded
def compare_tab(kv, fp: str, name: str, current: str, runs: list[dict], load_source) -> None:
    """Neighbours of one word in two sets of vectors, and both clouds aligned (``load_source`` loads the other)."""
    options = [MINILM] + [r["id"] for r in runs]
    labels = {MINILM: t("explorer.source_minilm"), **{r["id"]: run_label(r) for r in runs}}
    options = [o for o in options if o != current]
    if not options:
        st.info(t("explorer.compare_none"))
        return
    st.markdown(t("explorer.compare_intro"))
    c1, c2, c3 = st.columns([2, 2, 1])
    other = c1.selectbox(t("explorer.compare_with"), options, format_func=labels.get, key="explorer_cmp_other")
    try:
        kv_b, fp_b, _, name_b = load_source({"kind": MINILM} if other == MINILM else {"kind": "run", "run_id": other})
    except (ValueError, OSError) as err:
        bad(err)
        return
    # The first word to compare is one both vocabularies know (a Chinese run and English MiniLM share few).
    both = [w for w in ("king", "good", *top_words(kv, 2000)) if w in kv.key_to_index and w in kv_b.key_to_index]
    word = c2.text_input(t("explorer.word"), value=both[0] if both else top_words(kv, 1)[0],
                         key=f"explorer_cmp_word@{fp[:8]}@{fp_b[:8]}")
    limit = c3.number_input(t("explorer.compare_n"), 20, 5000, 500, 10, key="explorer_cmp_n")
    left, right = st.columns(2)
    for col, vectors, title in ((left, kv, name), (right, kv_b, name_b)):
        with col:
            st.markdown(f"**{md(title)}**")
            try:
                rows = neighbours.neighbours(vectors, word, 10)
            except ValueError as err:
                bad(err)
            else:
                st.dataframe(pd.DataFrame(rows, columns=[t("explorer.word"), t("explorer.cosine")]), hide_index=True)
    try:
        words, pa, pb = _compare(fp, fp_b, int(limit), kv, kv_b)
    except ValueError as err:
        bad(err)
        return
    st.plotly_chart(plots.compare_figure(words, pa, pb, name_a=name, name_b=name_b, highlight=[word.strip()],
                                         title=t("explorer.compare_title", n=len(words))),
                    config=PLOT_CONFIG, key="explorer_cmp_fig")
    st.latex(r"R^\star = \arg\min_{R^\top R = I} \lVert A R - B\rVert_F = U V^\top,\quad U\Sigma V^\top = A^\top B")


@st.fragment
@guarded
def export_tab(kv, name: str) -> None:
    st.markdown(t("explorer.export_intro"))
    limit = st.number_input(t("explorer.export_n"), 1, len(kv.index_to_key),
                            min(10_000, len(kv.index_to_key)), 10, key="explorer_export_n")
    c1, c2, c3 = st.columns(3)
    from core.vectors.files import projector_tsv, word2vec_text

    c1.download_button(t("explorer.export_vectors_tsv"), data=lambda: projector_tsv(kv, int(limit))[0],
                       file_name="vectors.tsv", mime="text/tab-separated-values", icon=":material/download:",
                       key="explorer_dl_vec")
    c2.download_button(t("explorer.export_metadata_tsv"), data=lambda: projector_tsv(kv, int(limit))[1],
                       file_name="metadata.tsv", mime="text/tab-separated-values", icon=":material/download:",
                       key="explorer_dl_meta")
    c3.download_button(t("explorer.export_w2v"), data=partial(word2vec_text, kv), file_name="vectors.txt",
                       mime="text/plain", icon=":material/download:", key="explorer_dl_w2v")
    st.caption(t("explorer.export_note"))
