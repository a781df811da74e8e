"""Positional encodings lab: generate five encodings, look at them from six sides, compare two.

Widgets -> one cached core call (``core.positional.lab_view``) -> figures from
``core.plots.positional``. All numbers are computed (and downsampled to what a
screen can show) in core; this page only lays them out.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import positional as pe
from core.plots import positional as plots
from ui.i18n import lang, t

BASES = [100, 1_000, 10_000, 100_000, 500_000, 1_000_000]
WAVE_KINDS = ("sinusoidal", "rope")  # the kinds that use dim and base
CURVE_LABELS = ("anchor", "bound", "head", "after", "before", "dim", "nearest", "wavelength")


@st.cache_data(show_spinner=False, max_entries=24)
def compute(kind: str, seq_len: int, dim: int, base: float, heads: int, dims: tuple | None,
            model_dir: str | None) -> pe.LabView:
    spec = pe.EncodingSpec(kind=kind, seq_len=seq_len, dim=dim, base=base, heads=heads, model_dir=model_dir)
    return pe.lab_view(spec, dims=dims)


@st.cache_data(show_spinner=False, max_entries=24)
def compute_dims(kind: str, seq_len: int, dim: int, base: float, dims: tuple, model_dir: str | None):
    """Only the chosen dimensions' curves (so picking dimensions does not redo every view)."""
    spec = pe.EncodingSpec(kind=kind, seq_len=seq_len, dim=dim, base=base, model_dir=model_dir)
    return pe.dimension_view(pe.make(spec), seq_len, dims)


@st.cache_data(show_spinner=False, max_entries=8)
def learned_shape(model_dir: str | None) -> tuple[int, int]:
    return tuple(pe.learned(model_dir).shape)


def kind_name(kind: str) -> str:
    return t(f"positional.kind.{kind}")


def kind_names() -> dict[str, str]:
    """Display name of every kind in the current language (a dict, so ``format_func=names.get``
    keeps working when Streamlit formats options outside a script run)."""
    return {kind: kind_name(kind) for kind in pe.KINDS}


def curve_names() -> dict[str, str]:
    return {label: t(f"positional.curve.{label}") for label in CURVE_LABELS}


def kind_select(where, label: str, key: str, default: str) -> str:
    """A selectbox of encodings whose labels follow the language switch.

    Streamlit keeps showing a keyed selectbox's old label after the options'
    names change, so there is one widget per language (``key_en``/``key_zh``)
    sharing the chosen value through ``st.session_state[key]``.
    """
    current = st.session_state.get(key, default)
    choice = where.selectbox(label, pe.KINDS, index=pe.KINDS.index(current), format_func=kind_names().get,
                             key=f"{key}_{lang()}")
    st.session_state[key] = choice
    return choice


def settings_ui() -> dict:
    """The encoding and its parameters, as plain values."""
    cols = st.columns([2, 1, 1, 1, 1])
    kind = kind_select(cols[0], t("positional.kind"), "positional_kind", "sinusoidal")
    seq_len = cols[1].slider(t("positional.seq_len"), 16, 4096, 128, step=16, key="positional_seq_len",
                             help=t("positional.seq_len_help"))
    dim = cols[2].slider(t("positional.dim"), 8, 1024, 64, step=8, key="positional_dim",
                         disabled=kind not in WAVE_KINDS, help=t("positional.dim_help"))
    base = cols[3].select_slider(t("positional.base"), BASES, value=10_000, key="positional_base",
                                 format_func="{:,}".format, disabled=kind not in WAVE_KINDS,
                                 help=t("positional.base_help"))
    heads = cols[4].slider(t("positional.heads"), 1, 32, 8, key="positional_heads",
                           disabled=kind != "alibi", help=t("positional.heads_help"))
    model_dir = None
    if kind == "learned":
        with st.expander(t("positional.model_dir_expander")):
            model_dir = st.text_input(t("positional.model_dir"), key="positional_model_dir",
                                      help=t("positional.model_dir_help")).strip() or None
    return {"kind": kind, "seq_len": seq_len, "dim": dim, "base": float(base), "heads": heads,
            "model_dir": model_dir}


def dims_ui(dim: int) -> tuple[int, ...]:
    """Which dimensions to draw as curves (the choice resets when the width changes)."""
    chosen = st.multiselect(t("positional.dims_pick"), list(range(dim)), default=pe.default_dims(dim),
                            key=f"positional_dims_{dim}", max_selections=8)
    return tuple(chosen)


def formula(kind: str) -> None:
    """The defining formula of ``kind`` and a sentence or two about it."""
    st.latex(t(f"positional.formula.{kind}"))
    st.write(t(f"positional.explain.{kind}"))


def main_figure(view: pe.LabView, head: int = 0, short: bool = False):
    """The classic picture: the (position, dim) table, or the (query, key) matrix of a bias.

    ``short`` leaves the encoding's name out of the title (the compare columns carry it).
    """
    spec = view.spec
    if view.table is not None:
        limit = view.info["max_positions"] if (view.info["max_positions"] or spec.seq_len) < spec.seq_len else None
        return plots.table_heatmap(
            view.table.values, view.table.positions, view.table.columns,
            title=t("positional.matrix.short") if short else t("positional.matrix.title", kind=kind_name(spec.kind)),
            x_title=t("positional.axis.dimension"), y_title=t("positional.axis.position"),
            colorbar_title=t("positional.axis.value"), limit=limit,
            limit_text=t("positional.learned_ends", n=limit or 0),
        )
    if spec.kind == "alibi":
        return plots.pair_heatmap(
            view.pairs.values[head], view.pairs.positions,
            title=t("positional.matrix.alibi_title", h=head + 1, m=f"{view.slopes[head]:.4g}"),
            x_title=t("positional.axis.key"), y_title=t("positional.axis.query"),
            colorbar_title=t("positional.axis.bias"), diverging=False,
        )
    return plots.pair_heatmap(
        view.pairs.values[0], view.pairs.positions, title=t("positional.matrix.t5_title"),
        x_title=t("positional.axis.key"), y_title=t("positional.axis.query"),
        colorbar_title=t("positional.axis.bucket"), diverging=False,
    )


def distance_figure(view: pe.LabView, short: bool = False):
    kind = view.spec.kind
    return plots.curve_plot(
        view.distance.x, view.distance.curves, curve_names(),
        title=t("positional.distance.short") if short else t("positional.distance.title", kind=kind_name(kind)),
        x_title=t("positional.axis.distance"), y_title=t(f"positional.distance.y.{kind}"),
    )


def table_notes(table) -> None:
    """Say when a heatmap shows fewer cells than the table has numbers."""
    if table.row_step > 1 and table.used_per_row == table.row_step:
        st.caption(t("positional.rows_averaged", rows=table.row_step))
    elif table.row_step > 1:
        st.caption(t("positional.rows_averaged_sampled", rows=table.row_step, used=table.used_per_row))
    if table.col_step > 1:
        st.caption(t("positional.pairs_sampled", cols=table.col_step))


def sampling_note(view: pe.LabView) -> None:
    if view.table is not None:
        table_notes(view.table)
    elif view.pairs.step > 1:
        st.caption(t("positional.sampled", step=view.pairs.step))


def matrix_tab(view: pe.LabView) -> None:
    left, right = st.columns([2.2, 1])
    head = 0
    with right:
        formula(view.spec.kind)
        if view.spec.kind == "alibi":
            head = st.slider(t("positional.head_pick"), 1, view.info["heads"], 1, key="positional_head") - 1
    with left:
        st.plotly_chart(main_figure(view, head), key="positional_chart_1")
        sampling_note(view)


def dimensions_tab(view: pe.LabView) -> None:
    kind = view.spec.kind
    if kind == "alibi":
        left, right = st.columns([2.2, 1])
        with left:
            st.plotly_chart(plots.bar_plot(
                list(range(1, len(view.slopes) + 1)), view.slopes, title=t("positional.slopes.title"),
                x_title=t("positional.axis.head"), y_title=t("positional.axis.slope"), log_y=True,
            ), key="positional_chart_2")
            st.plotly_chart(distance_figure(view), key="positional_chart_3")
        with right:
            st.latex(t("positional.formula.slopes"))
            st.write(t("positional.explain.slopes"))
        return
    if kind == "t5":
        left, right = st.columns([2.2, 1])
        with left:
            st.subheader(t("positional.buckets.title"))
            table = pd.DataFrame(view.buckets, dtype=object, columns=[
                t("positional.buckets.bucket"), t("positional.buckets.first"), t("positional.buckets.last")])
            st.dataframe(table.fillna(t("positional.buckets.open")).astype("string"), hide_index=True,
                         height=36 * (len(table) + 1) + 4)
        with right:
            formula("t5")
            st.write(t("positional.explain.buckets"))
        return
    left, right = st.columns([2.2, 1])
    with right:
        dims = dims_ui(view.info["dim"])
        st.latex(t("positional.formula.wavelength"))
        st.write(t(f"positional.explain.wavelength.{kind}"))
    curves = view.dims
    if tuple(dims) != tuple(c.fields["i"] for c in curves.curves):
        curves = compute_dims(kind, view.spec.seq_len, view.spec.dim, view.spec.base, dims, view.spec.model_dir)
    with left:
        st.plotly_chart(plots.curve_plot(
            curves.x, curves.curves, curve_names(), title=t("positional.dims.title"),
            x_title=t("positional.axis.position"), y_title=t("positional.axis.value"),
        ), key="positional_chart_5")
        st.plotly_chart(plots.curve_plot(
            view.wavelengths.x, view.wavelengths.curves, curve_names(),
            title=t("positional.wavelength.title"),
            x_title=t("positional.axis.column" if kind == "learned" else "positional.axis.pair"),
            y_title=t("positional.axis.wavelength"), log_y=True, markers=kind == "learned",
            hline=view.spec.seq_len, hline_text=t("positional.seq_len_line", n=view.spec.seq_len),
        ), key="positional_chart_6")


def similarity_tab(view: pe.LabView) -> None:
    if view.table is None:
        st.info(t("positional.similarity.bias_note"))
        return
    left, right = st.columns([2.2, 1])
    with right:
        st.latex(t("positional.formula.similarity"))
        st.write(t(f"positional.explain.similarity.{view.spec.kind}"))
    with left:
        st.plotly_chart(plots.pair_heatmap(
            view.pairs.values[0], view.pairs.positions,
            title=t("positional.similarity.title", kind=kind_name(view.spec.kind)),
            x_title=t("positional.axis.position"), y_title=t("positional.axis.position"),
            colorbar_title=t("positional.axis.cosine"),
        ), key="positional_chart_7")
        if view.pairs.step > 1:
            st.caption(t("positional.sampled", step=view.pairs.step))


def distance_tab(view: pe.LabView) -> None:
    left, right = st.columns([2.2, 1])
    with right:
        st.latex(t(f"positional.formula.distance.{view.spec.kind}"))
        st.write(t(f"positional.explain.distance.{view.spec.kind}"))
    with left:
        st.plotly_chart(distance_figure(view), key="positional_chart_8")


def beyond_tab(view: pe.LabView) -> None:
    ext = view.extrapolation
    kind = view.spec.kind
    st.write(t(f"positional.beyond.{kind}", n=ext.trained_len, horizon=ext.horizon))
    shade = t("positional.beyond.shade", n=ext.trained_len)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(plots.curve_plot(
            ext.distance.x, ext.distance.curves, curve_names(),
            title=t("positional.beyond.distance_title", horizon=ext.horizon),
            x_title=t("positional.axis.distance"), y_title=t(f"positional.distance.y.{kind}"),
            shade_from=ext.trained_len, shade_text=shade,
        ), key="positional_chart_9")
    with right:
        if ext.nearest is not None:
            st.plotly_chart(plots.curve_plot(
                ext.nearest.x, ext.nearest.curves, curve_names(), title=t("positional.beyond.nearest_title"),
                x_title=t("positional.axis.position"), y_title=t("positional.axis.cosine"),
                shade_from=ext.trained_len, shade_text=shade, y_range=(-0.05, 1.05),
            ), key="positional_chart_10")
        else:
            st.info(t(f"positional.beyond.note.{kind}", n=ext.trained_len))
    if ext.table is not None:
        st.plotly_chart(plots.table_heatmap(
            ext.table.values, ext.table.positions, ext.table.columns,
            title=t("positional.beyond.table_title", kind=kind_name(kind), horizon=ext.horizon),
            x_title=t("positional.axis.dimension"), y_title=t("positional.axis.position"),
            colorbar_title=t("positional.axis.value"), limit=ext.trained_len,
            limit_text=t("positional.beyond.limit", n=ext.trained_len),
        ), key="positional_chart_11")
        table_notes(ext.table)


def compare_tab(view: pe.LabView, settings: dict) -> None:
    st.write(t("positional.compare.intro"))
    other = kind_select(st, t("positional.compare.pick"), "positional_compare_kind", "rope")
    if other == view.spec.kind:
        st.info(t("positional.compare.same"))
    second = compute(other, settings["seq_len"], settings["dim"], settings["base"], settings["heads"], None,
                     settings["model_dir"] if other == "learned" else None)
    for side, col, v in zip(("left", "right"), st.columns(2), (view, second)):
        with col:
            st.subheader(kind_name(v.spec.kind))
            st.latex(t(f"positional.formula.{v.spec.kind}"))
            st.plotly_chart(main_figure(v, short=True), key=f"positional_cmp_main_{side}")
            st.plotly_chart(distance_figure(v, short=True), key=f"positional_cmp_dist_{side}")
            st.caption(t(f"positional.explain.distance.{v.spec.kind}"))


st.title(t("positional.title"))
st.write(t("positional.intro"))
settings = settings_ui()
try:
    width = learned_shape(settings["model_dir"])[1] if settings["kind"] == "learned" else settings["dim"]
    view = compute(settings["kind"], settings["seq_len"], settings["dim"], settings["base"], settings["heads"],
                   None, settings["model_dir"])
except (ValueError, OSError) as err:
    st.error(t("common.bad_input", message=str(err)))
    st.stop()
st.caption(t(f"positional.info.{settings['kind']}", dim=width, n=view.info["max_positions"] or 0,
             heads=view.info["heads"]))

tabs = st.tabs([t("positional.tab.matrix"), t(f"positional.tab.parts.{settings['kind']}"), t("positional.tab.similarity"),
                t("positional.tab.distance"), t("positional.tab.beyond"), t("positional.tab.compare")])
try:
    with tabs[0]:
        matrix_tab(view)
    with tabs[1]:
        dimensions_tab(view)
    with tabs[2]:
        similarity_tab(view)
    with tabs[3]:
        distance_tab(view)
    with tabs[4]:
        beyond_tab(view)
    with tabs[5]:
        compare_tab(view, settings)
except ValueError as err:
    st.error(t("common.bad_input", message=str(err)))
