"""The fine-tune page's data section: how a table is read, which column plays which role, what was read.

The task says which roles it reads (``Task.roles``, ``required_roles``) and the reading
report says how the file was read; this module draws the pickers and the summary.
"""
from __future__ import annotations

import streamlit as st

from core.finetune import tasks
from core.plots import finetune as plots
from ui.finetune_names import help_text
from ui.i18n import t
from ui.text import md

NONE = "—"
DELIMITERS = ("", ",", ";", "\t", "|")
ROLE_KEYS = {"text": "ft_text_col", "label": "ft_label_col", "text_pair": "ft_pair_col"}
TAG_KEY = "ft_tag_col"  # CoNLL with several entity-tag columns: the one the tags come from (config label_col)


def reading_ui() -> None:
    """How to read a table: the delimiter (or sniff it) and whether the first row is data."""
    with st.expander(t("finetune.reading_options")):
        left, right = st.columns(2)
        labels = {"": t("finetune.delim.auto"), ",": ",", ";": ";", "\t": t("finetune.delim.tab"), "|": "|"}
        left.selectbox(t("finetune.delimiter"), DELIMITERS, key="ft_delimiter", format_func=labels.get,
                       help=help_text("delimiter"))
        right.checkbox(t("finetune.no_header"), key="ft_no_header", help=help_text("no_header"))


def mapping_ui(task_obj, view) -> None:
    """One column picker per role the task reads: preselected only where a column's name says what it holds."""
    columns, guess = view.columns, view.guess
    st.caption(t("finetune.mapping_hint"))
    cells = st.columns(max(1, len(task_obj.roles)))
    for cell, role in zip(cells, task_obj.roles):
        key, required = ROLE_KEYS[role], role in task_obj.required_roles
        options = columns if required else [NONE] + columns
        if key in st.session_state and st.session_state[key] not in options:
            del st.session_state[key]
        start = guess.get(role) if guess.get(role) in options else (None if required else NONE)
        kwargs = {} if key in st.session_state else {"index": None if start is None else options.index(start)}
        column = cell.selectbox(t(f"finetune.{tasks.ROLE_FIELDS[role]}"), options, key=key,
                                help=help_text(tasks.ROLE_FIELDS[role]), placeholder=t("finetune.pick_column"), **kwargs)
        why = (guess.get("why") or {}).get(role)
        if column and column == guess.get(role) and why:
            st.caption(t(f"finetune.chosen_by.{why}", role=t(f"finetune.role.{role}"), column=md(column)))


def tag_column_ui(view) -> None:
    """CoNLL with several entity-tag columns (GermEval: outer, then inner entities): which one to train on.

    The reader takes the first and says so in the report; the choice goes to the config's ``label_col``
    (the CLI's ``--label-col N``). Drawn only when the report names two or more tag columns.
    """
    roles = [(column, role) for column, role, _ in view.report.columns_roles]
    columns = [column for column, role in roles if role in ("tags", "tags_other")]
    if len(columns) < 2:
        return
    if st.session_state.get(TAG_KEY) not in (None, *columns):
        del st.session_state[TAG_KEY]
    used = view.report.label_column if view.report.label_column in columns else columns[0]
    kwargs = {} if TAG_KEY in st.session_state else {"index": columns.index(used)}
    labels = {c: t("finetune.tag_col_first" if c == columns[0] else "finetune.tag_col_other", column=c)
              for c in columns}
    st.selectbox(t("finetune.tag_col"), columns, key=TAG_KEY, format_func=labels.get, help=help_text("tag_col"),
                 **kwargs)


def show_data(view, max_length: int) -> None:
    import pandas as pd

    summary = view.summary
    for column, (key, value) in zip(st.columns(4), view.metrics):
        extra = {"help": t("finetune.max_tokens", n=summary["length_stats"]["max"])} \
            if key == "finetune.p95_tokens" else {}
        column.metric(t(key), value, **extra)
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
        st.warning(t(f"finetune.warn.{w['code']}", **{k: md(v) if isinstance(v, str) else v
                                                       for k, v in w.items() if k != "code"}))
