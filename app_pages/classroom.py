"""The teacher's page (class mode only): every student's runs and usage, cancel / delete / share any run,
the class's runs of one kind compared on one plot, the limits, accounts and retention."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import core.jobs as jobs
from core.classroom import overview
from core.plots import classroom as plots
from ui import auth
from ui.errors import bad_input
from ui.i18n import t
from ui.runs import escape_markdown, format_time, state_label

LIMIT_FIELDS = ("active_runs", "queue_total", "upload_mb", "disk_mb", "retention_days")


def header(config) -> None:
    st.title(t("classroom.title"))
    st.write(t("classroom.intro", name=escape_markdown(config.name)))
    st.caption(t("classroom.signup_code", code=escape_markdown(config.code)) if config.signup_open
               else t("classroom.signup_off"))


def people_section() -> dict[str, str]:
    """The accounts with their usage; returns ``{user: display name}`` for labels."""
    st.subheader(t("classroom.students"))
    rows = overview.people()
    st.dataframe(pd.DataFrame([{
        t("classroom.col.user"): r["user"], t("classroom.col.name"): r["display"] or "–",
        t("classroom.col.role"): t(f"classroom.role.{r['role']}"), t("classroom.col.active"): r["active"],
        t("classroom.col.runs"): r["runs"], t("classroom.col.disk"): r["disk_mib"]} for r in rows]),
        hide_index=True)
    return {r["user"]: r["display"] or r["user"] for r in rows}


def _act(action: str, run_id: str) -> None:
    me = auth.user()
    try:
        if action == "cancel":
            jobs.cancel(run_id, user=me)
        elif action == "delete":
            jobs.delete_run(run_id, user=me)
        else:
            jobs.share(run_id, "class" if action == "share" else "private", user=me)
    except ValueError as err:
        st.session_state["classroom_error"] = bad_input(err)
    else:
        st.session_state["classroom_done"] = t("classroom.done_action", action=t(f"classroom.{action}"), run=run_id)


def runs_section(names: dict[str, str]) -> None:
    """Every run of the class, and the buttons to cancel, delete or share one."""
    st.subheader(t("classroom.all_runs"))
    runs = jobs.list_runs(user=auth.user())
    if not runs:
        st.caption(t("runs.none_yet"))
        return
    st.dataframe(pd.DataFrame([{
        t("classroom.col.owner"): names.get(r["owner"], r["owner"]) or t("classroom.role.teacher"),
        t("runs.col.name"): r["name"] or "–", t("classroom.col.kind"): r["kind"],
        t("runs.col.state"): state_label(r["state"]),
        t("classroom.col.node"): r["node"] or "–",
        t("classroom.col.visibility"): t(f"classroom.{'shared' if r['visibility'] == 'class' else 'private'}"),
        t("runs.col.created"): format_time(r["created"]), t("runs.col.id"): r["id"]} for r in runs]),
        hide_index=True)
    labels = {r["id"]: f"{names.get(r['owner'], r['owner']) or t('classroom.role.teacher')} · "
                       f"{r['name'] or r['id']} · {state_label(r['state'])} · {r['id']}" for r in runs}
    run_id = st.selectbox(t("classroom.pick_run"), list(labels), format_func=labels.get, key="classroom_run")
    run = next(r for r in runs if r["id"] == run_id)
    cols = st.columns(4)
    cols[0].button(t("classroom.cancel"), key="classroom_cancel", on_click=_act, args=("cancel", run_id),
                   disabled=run["state"] not in jobs.ACTIVE, icon=":material/stop_circle:")
    cols[1].button(t("classroom.delete"), key="classroom_delete", on_click=_act, args=("delete", run_id),
                   disabled=run["state"] in jobs.ACTIVE, icon=":material/delete:")
    shared = run["visibility"] == "class"
    cols[2].button(t("classroom.unshare" if shared else "classroom.share"), key="classroom_share", on_click=_act,
                   args=("unshare" if shared else "share", run_id), icon=":material/group:")
    for key, show in (("classroom_error", st.error), ("classroom_done", st.success)):
        if key in st.session_state:
            show(st.session_state.pop(key))


def compare_section(names: dict[str, str]) -> None:
    """The class's runs of one kind on one plot: loss curves and scores side by side."""
    st.subheader(t("classroom.compare"))
    kinds = overview.kinds_with_runs(user=auth.user())
    if not kinds:
        st.caption(t("runs.none_yet"))
        return
    kind = st.radio(t("classroom.compare_kind"), kinds, horizontal=True, key="classroom_kind")
    items = overview.comparison(kind, user=auth.user())
    if not items:
        st.caption(t("classroom.compare_none", kind=kind))
        return
    left, right = st.columns(2)
    left.plotly_chart(plots.loss_figure(items, owners=names, title=t("classroom.compare_loss"),
                                        x_title=t("classroom.progress"), y_title=t("classroom.loss")),
                      key="classroom_loss")
    if any(item["scores"] for item in items):
        right.plotly_chart(plots.scores_figure(items, owners=names, title=t("classroom.compare_score"),
                                               y_title=t("classroom.score")), key="classroom_scores")


def settings_section(config) -> None:
    """Limits, sign-up and what students may type: the teacher changes them here (or with the CLI)."""
    from core.classroom import update_settings

    st.subheader(t("classroom.limits"))
    with st.form("classroom_limits"):
        cols = st.columns(len(LIMIT_FIELDS))
        values = {name: int(col.number_input(t(f"classroom.limit_label.{name}"), min_value=0, step=1,
                                             value=int(getattr(config.limits, name)), key=f"classroom_{name}"))
                  for col, name in zip(cols, LIMIT_FIELDS)}
        signup = st.checkbox(t("classroom.signup_on"), value=config.signup, key="classroom_signup")
        paths = st.checkbox(t("classroom.allow_paths"), value=config.allow_paths, key="classroom_paths")
        hub = st.checkbox(t("classroom.allow_hub"), value=config.allow_hub, key="classroom_hub")
        if st.form_submit_button(t("classroom.save")):
            try:
                update_settings(limits=values, signup=signup, allow_paths=paths, allow_hub=hub)
            except ValueError as err:
                st.error(bad_input(err))
            else:
                st.success(t("classroom.saved"))


def accounts_section(names: dict[str, str]) -> None:
    """Add a student; reset someone's password (which signs them out everywhere)."""
    from core.classroom import add_user, set_password

    st.subheader(t("classroom.accounts"))
    left, right = st.columns(2)
    with left.form("classroom_add", clear_on_submit=True):
        st.markdown(f"**{t('classroom.add_user')}**")
        name = st.text_input(t("classroom.sign_in.username"), max_chars=32, key="classroom_new_user")
        display = st.text_input(t("classroom.sign_up.display"), max_chars=80, key="classroom_new_display")
        password = st.text_input(t("classroom.sign_in.password"), type="password", key="classroom_new_password")
        if st.form_submit_button(t("classroom.add_user")):
            try:
                added = add_user(name, password, display=display, source="teacher")
            except ValueError as err:
                st.error(bad_input(err))
            else:
                st.success(t("classroom.added", name=escape_markdown(added.name)))
    with right.form("classroom_reset", clear_on_submit=True):
        st.markdown(f"**{t('classroom.reset_password')}**")
        who = st.selectbox(t("classroom.col.user"), list(names), key="classroom_reset_user")
        password = st.text_input(t("classroom.new_password"), type="password", key="classroom_reset_password")
        if st.form_submit_button(t("classroom.reset_password")):
            try:
                set_password(who, password)
            except ValueError as err:
                st.error(bad_input(err))
            else:
                st.success(t("classroom.password_reset", name=escape_markdown(who)))
    if st.button(t("classroom.clean"), key="classroom_clean", icon=":material/cleaning_services:"):
        from core.classroom.retention import clean

        report = clean()
        st.success(t("classroom.cleaned", runs=len(report.runs), uploads=len(report.uploads),
                     mib=f"{report.freed_bytes / 1024**2:,.1f}"))


config = auth.settings()
if config is None:
    st.title(t("classroom.title"))
    st.info(t("classroom.off"))
    st.stop()
if not auth.is_teacher():
    st.title(t("classroom.title"))
    st.warning(t("classroom.teacher_only"))
    st.stop()
header(config)
names = people_section()
runs_section(names)
compare_section(names)
settings_section(config)
accounts_section(names)
