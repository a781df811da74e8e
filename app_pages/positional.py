"""Positional encodings lab: every registered encoding, looked at from several sides, two compared.

Widgets -> one cached core call (``core.positional.lab_view``) -> figures from
``core.plots.positional``. The kinds, their settings (widgets), formulas,
sources and which views apply all come from the registry
(``core.positional.names()`` / ``get(kind)``): this page names no kind.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core import positional as pe
from core.plots import positional as plots
from ui.cache import shared
from ui.errors import bad_input
from ui.i18n import lang, t
from ui.positional_views import curve_names, distance_figure, kind_name, kind_names, kind_text, main_figure, \
    sampling_note, table_notes

SEQ_LEN = (16, 4096, 128, 16)  # slider: low, high, default, step
COMPARE_VIEWS = ("matrix", "distance")  # what the side-by-side tab draws of the second encoding
DATA = {"compare": COMPARE_VIEWS, "slopes": ("slopes", "distance")}  # the data a tab draws, if not its own view


@shared(max_entries=64)
def compute(kind: str, seq_len: int, settings: tuple, views: tuple | None = None) -> pe.LabView:
    """The lab view of ``kind`` with ``settings`` (sorted (name, value) pairs), only ``views`` (None: all)."""
    return pe.lab_view(pe.EncodingSpec.of(kind, seq_len, **dict(settings)), views=views)


@shared(max_entries=24)
def compute_dims(kind: str, seq_len: int, settings: tuple, dims: tuple):
    """Only the chosen dimensions' curves (so picking dimensions does not redo every view)."""
    spec = pe.EncodingSpec.of(kind, seq_len, **dict(settings))
    return pe.dimension_view(pe.make(spec), seq_len, dims)


def kind_select(where, label: str, key: str, default: str) -> str:
    """A selectbox of the registered encodings whose labels follow the language switch.

    Streamlit keeps showing a keyed selectbox's old label after the options'
    names change, so there is one widget per language (``key_en``/``key_zh``)
    sharing the chosen value through ``st.session_state[key]``.
    """
    kinds = pe.names()
    try:
        index = kinds.index(pe.get(st.session_state.get(key, default)).kind)
    except ValueError as err:  # a kind no longer registered (or a typo in a saved session): say so
        where.error(bad_input(err))
        index = kinds.index(default) if default in kinds else 0
    choice = where.selectbox(label, kinds, index=index, format_func=kind_names().get, key=f"{key}_{lang()}")
    st.session_state[key] = choice
    return choice


def _number(value) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def param_widget(where, param: pe.Param):
    """One widget for one setting; its value outlives switching to a kind without it."""
    key, memory = f"positional_{param.name}", f"_positional_{param.name}"
    value = st.session_state.get(memory, param.default)
    label, help_ = t(f"positional.{param.name}"), t(f"positional.{param.name}_help")
    if param.type is str:
        with where.expander(t(f"positional.{param.name}_expander")):
            value = st.text_input(label, value=value or "", key=key, help=help_).strip() or None
    elif param.choices:
        options = list(param.choices)
        value = where.select_slider(label, options, value=value if value in options else param.default,
                                    key=key, format_func=_number, help=help_)
    elif param.widget:
        low, high, step = param.widget
        value = where.slider(label, param.type(low), param.type(high), param.type(min(max(value, low), high)),
                             step=param.type(step), key=key, help=help_)
    else:
        value = where.number_input(label, value=value, key=key, help=help_)
    st.session_state[memory] = value
    return value


def remembered(kind: str) -> dict:
    """The settings of ``kind`` as last set on this page (defaults for those never shown)."""
    return {p.name: st.session_state.get(f"_positional_{p.name}", p.default) for p in pe.get(kind).params}


def settings_ui() -> tuple[str, int, dict]:
    """The encoding, the sequence length and the kind's own settings, as plain values."""
    cols = st.columns([2, 1, 3])
    kind = kind_select(cols[0], t("positional.kind"), "positional_kind", pe.names()[0])
    low, high, default, step = SEQ_LEN
    seq_len = cols[1].slider(t("positional.seq_len"), low, high, default, step=step, key="positional_seq_len",
                             help=t("positional.seq_len_help"))
    params = pe.get(kind).params
    boxes = [p for p in params if p.type is not str]
    settings = {p.name: param_widget(col, p) for col, p in zip(cols[2].columns(max(len(boxes), 1)), boxes)}
    settings.update({p.name: param_widget(st, p) for p in params if p.type is str})
    return kind, seq_len, settings


def frozen(settings: dict) -> tuple:
    return tuple(sorted(settings.items()))


def dims_ui(dim: int) -> tuple[int, ...]:
    """Which dimensions to draw as curves (the choice resets when the width changes)."""
    chosen = st.multiselect(t("positional.dims_pick"), list(range(dim)), default=pe.default_dims(dim),
                            key=f"positional_dims_{dim}", max_selections=8)
    return tuple(chosen)


def formula(view: pe.LabView) -> None:
    """The kind's defining formula (its own LaTeX), a sentence or two about it, and its source."""
    st.latex(view.info["formula"])
    st.write(kind_text("explain", view))
    st.caption(t("positional.source", source=view.info["source"]))


# --- one function per view (the kind lists the views that apply to it) -----------------------------


def matrix_tab(view: pe.LabView, context: dict) -> None:
    left, right = st.columns([2.2, 1])
    head = 0
    with right:
        formula(view)
        if view.table is None and len(view.heads) > 1:
            head = st.slider(t("positional.head_pick"), 1, len(view.heads), 1, key="positional_head") - 1
    with left:
        st.plotly_chart(main_figure(view, head), key="positional_chart_1")
        sampling_note(view)


def dimensions_tab(view: pe.LabView, context: dict) -> None:
    left, right = st.columns([2.2, 1])
    with right:
        dims = dims_ui(view.info["dim"])
        if view.wavelengths is not None:
            st.latex(t("positional.formula.wavelength"))
            st.write(kind_text("explain.wavelength", view))
    curves = view.dims
    if tuple(dims) != tuple(c.fields["i"] for c in curves.curves):
        curves = compute_dims(view.spec.kind, view.spec.seq_len, context["settings"], dims)
    with left:
        st.plotly_chart(plots.curve_plot(
            curves.x, curves.curves, curve_names(), title=t("positional.dims.title"),
            x_title=t("positional.axis.position"), y_title=t("positional.axis.value"),
        ), key="positional_chart_5")
        if view.wavelengths is None:  # not built from waves
            return
        per_column = len(view.wavelengths.x) == view.info["dim"]  # estimated per column, not per pair
        st.plotly_chart(plots.curve_plot(
            view.wavelengths.x, view.wavelengths.curves, curve_names(),
            title=t("positional.wavelength.title"),
            x_title=t("positional.axis.column" if per_column else "positional.axis.pair"),
            y_title=t("positional.axis.wavelength"), log_y=True, markers=per_column,
            hline=view.spec.seq_len, hline_text=t("positional.seq_len_line", n=view.spec.seq_len),
        ), key="positional_chart_6")


def slopes_tab(view: pe.LabView, context: dict) -> None:
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


def buckets_tab(view: pe.LabView, context: dict) -> None:
    left, right = st.columns([2.2, 1])
    with left:
        st.subheader(t("positional.buckets.title"))
        table = pd.DataFrame(view.buckets, dtype=object, columns=[
            t("positional.buckets.bucket"), t("positional.buckets.first"), t("positional.buckets.last")])
        st.dataframe(table.fillna(t("positional.buckets.open")).astype("string"), hide_index=True,
                     height=min(36 * (len(table) + 1) + 4, 640))
    with right:
        formula(view)
        st.write(t("positional.explain.buckets", **view.info["fields"]))


def similarity_tab(view: pe.LabView, context: dict) -> None:
    left, right = st.columns([2.2, 1])
    with right:
        st.latex(t("positional.formula.similarity"))
        st.write(kind_text("explain.similarity", view))
    with left:
        st.plotly_chart(plots.pair_heatmap(
            view.pairs.values[0], view.pairs.positions,
            title=t("positional.similarity.title", kind=kind_name(view.spec.kind)),
            x_title=t("positional.axis.position"), y_title=t("positional.axis.position"),
            colorbar_title=t("positional.axis.cosine"),
        ), key="positional_chart_7")
        if view.pairs.step > 1:
            st.caption(t("positional.sampled", step=view.pairs.step))


def distance_tab(view: pe.LabView, context: dict) -> None:
    left, right = st.columns([2.2, 1])
    with right:
        st.latex(view.info["distance_formula"])
        st.write(kind_text("explain.distance", view))
    with left:
        st.plotly_chart(distance_figure(view), key="positional_chart_8")


def beyond_tab(view: pe.LabView, context: dict) -> None:
    ext = view.extrapolation
    st.write(kind_text("beyond", view, n=ext.trained_len, horizon=ext.horizon))
    shade = t("positional.beyond.shade", n=ext.trained_len)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(plots.curve_plot(
            ext.distance.x, ext.distance.curves, curve_names(),
            title=t("positional.beyond.distance_title", horizon=ext.horizon),
            x_title=t("positional.axis.distance"), y_title=kind_text("distance.y", view),
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
            st.info(kind_text("beyond.note", view, n=ext.trained_len))
    if ext.table is not None:
        st.plotly_chart(plots.table_heatmap(
            ext.table.values, ext.table.positions, ext.table.columns,
            title=t("positional.beyond.table_title", kind=kind_name(view.spec.kind), horizon=ext.horizon),
            x_title=t("positional.axis.dimension"), y_title=t("positional.axis.position"),
            colorbar_title=t("positional.axis.value"), limit=ext.trained_len,
            limit_text=t("positional.beyond.limit", n=ext.trained_len),
        ), key="positional_chart_11")
        table_notes(ext.table)


def compare_tab(view: pe.LabView, context: dict) -> None:
    st.write(t("positional.compare.intro"))
    kinds = pe.names()
    default = kinds[(kinds.index(view.spec.kind) + 1) % len(kinds)] if len(kinds) > 1 else kinds[0]
    other = kind_select(st, t("positional.compare.pick"), "positional_compare_kind", default)
    if other == view.spec.kind:
        st.info(t("positional.compare.same"))
    second = compute(other, view.spec.seq_len, frozen(remembered(other)), COMPARE_VIEWS)
    for side, col, v in zip(("left", "right"), st.columns(2), (view, second)):
        with col:
            st.subheader(kind_name(v.spec.kind))
            st.latex(v.info["formula"])
            st.plotly_chart(main_figure(v, short=True), key=f"positional_cmp_main_{side}")
            st.plotly_chart(distance_figure(v, short=True), key=f"positional_cmp_dist_{side}")
            st.caption(kind_text("explain.distance", v))


VIEWS = {
    "matrix": matrix_tab, "dimensions": dimensions_tab, "slopes": slopes_tab, "buckets": buckets_tab,
    "similarity": similarity_tab, "distance": distance_tab, "beyond": beyond_tab, "compare": compare_tab,
}


def open_view(views: list[str]):
    """The tabs, lazily: only the open one runs (and computes), so a change costs one view, not all."""
    tabs = st.tabs([t(f"positional.tab.{name}") for name in views], key=f"positional_view_{lang()}",
                   on_change="rerun")
    for name, tab in zip(views, tabs):
        if tab.open:
            return name, tab
    return views[0], tabs[0]


st.title(t("positional.title"))
st.write(t("positional.intro"))
try:
    kind, seq_len, settings = settings_ui()
    facts = compute(kind, seq_len, frozen(settings), ())  # the kind's facts only: cheap
except (ValueError, OSError) as err:
    st.error(bad_input(err))
    st.stop()
where = t(f"positional.where.{facts.info['where']}")
st.caption(f"{kind_text('info', facts)} {where}")

name, tab = open_view([v for v in facts.info["views"] if v in VIEWS])
with tab:
    try:
        with st.spinner(t("positional.computing")):
            view = compute(kind, seq_len, frozen(settings), DATA.get(name, (name,)))
        VIEWS[name](view, {"settings": frozen(settings)})
    except ValueError as err:
        st.error(bad_input(err))
