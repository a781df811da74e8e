"""The positional lab's figures and sentences: the kind's names, its main picture, its distance curve, notes.

Everything a kind says about itself (its formula, its sentences ``positional.<group>.<kind>``,
which views apply) comes from the registry (``core.positional``); figures from
``core.plots.positional``.
"""
from __future__ import annotations

import streamlit as st

from core import positional as pe
from core.plots import positional as plots
from ui.i18n import t

CURVE_LABELS = ("anchor", "bound", "head", "after", "before", "dim", "nearest", "wavelength")


def kind_name(kind: str) -> str:
    return t(f"positional.kind.{kind}")


def kind_names() -> dict[str, str]:
    """Display name of every kind in the current language (a dict, so ``format_func=names.get``
    keeps working when Streamlit formats options outside a script run)."""
    return {kind: kind_name(kind) for kind in pe.names()}


def curve_names() -> dict[str, str]:
    return {label: t(f"positional.curve.{label}") for label in CURVE_LABELS}


def kind_text(group: str, view: pe.LabView, **fields) -> str:
    """The kind's own sentence ``positional.<group>.<kind>``, with the numbers it quotes."""
    return t(f"positional.{group}.{view.spec.kind}", **{**view.info["fields"], **fields})


def main_figure(view: pe.LabView, head: int = 0, short: bool = False):
    """The classic picture: the (position, dim) table, or the (query, key) matrix of scores.

    ``short`` leaves the encoding's name out of the title (the compare columns carry it).
    """
    spec, kind = view.spec, view.spec.kind
    if view.table is not None:
        rows = view.info["max_positions"]
        limit = rows if rows is not None and rows < spec.seq_len else None
        return plots.table_heatmap(
            view.table.values, view.table.positions, view.table.columns,
            title=t("positional.matrix.short") if short else t("positional.matrix.title", kind=kind_name(kind)),
            x_title=t("positional.axis.dimension"), y_title=t("positional.axis.position"),
            colorbar_title=t("positional.axis.value"), limit=limit,
            limit_text=t("positional.learned_ends", n=limit or 0),
        )
    return plots.pair_heatmap(
        view.pairs.values[head], view.pairs.positions, title=kind_text("matrix.pairs", view, **view.heads[head]),
        x_title=t("positional.axis.key"), y_title=t("positional.axis.query"),
        colorbar_title=t(f"positional.axis.{view.info['score_axis']}"), diverging=False,
    )


def distance_figure(view: pe.LabView, short: bool = False):
    kind = view.spec.kind
    return plots.curve_plot(
        view.distance.x, view.distance.curves, curve_names(),
        title=t("positional.distance.short") if short else t("positional.distance.title", kind=kind_name(kind)),
        x_title=t("positional.axis.distance"), y_title=kind_text("distance.y", view),
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
