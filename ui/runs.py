"""Streamlit pieces for background runs, shared by the word2vec and fine-tune pages.

The run a page shows lives in the URL (``?run=<id>``), so a refresh, a second
tab or a shared link reattaches to the live job. Typical page::

    from ui import runs as ui_runs

    ui_runs.ensure_recovered()                       # once per app process
    if st.button("Train"):
        run_id = core.jobs.submit("finetune", config, name=name)
        ui_runs.attach(run_id)                       # ?run=<id>
    run_id = ui_runs.attached_run(kind="finetune")   # None when no (valid) ?run=
    if run_id:
        status = ui_runs.live_status(run_id, render_live=draw_curves)
        if status["state"] == "done":
            ...                                      # results of the finished run
    selected = ui_runs.runs_table(kind="finetune", columns={header: lambda r: r["summary"].get("f1")})
    series = ui_runs.overlay_series(selected)        # {label: metrics records} for overlay plots

Nothing here trains or parses: it calls :mod:`core.jobs` and draws. Every call
passes the signed-in user (``ui.auth.user()``: None alone), so in class mode
a student's tables list their own runs and the shared ones, and someone
else's ``?run=`` link is refused with a message.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

import streamlit as st

import core.jobs as jobs
from core.jobs import limits
from ui import errors
from ui.auth import user as _user
from ui.cache import shared
from ui.errors import bad_input, message
from ui.i18n import lang, t
from ui.text import md

QUERY_KEY = "run"


@shared(max_entries=None)
def _recover_once(root: str) -> list[str]:
    return jobs.recover(root)


def ensure_recovered() -> list[str]:
    """Mark runs left active by dead workers as "interrupted", once per app process and runs root."""
    return _recover_once(str(jobs.runs_root()))


# ------------------------------------------------------------------ the run in the URL

def attached_run(kind: str | None = None) -> str | None:
    """The run id in ``?run=``, if it is a valid id of an existing run (of ``kind``); else None.

    A bad or unknown id in a shared link is dropped from the URL with a warning,
    never a traceback.
    """
    run_id = st.query_params.get(QUERY_KEY)
    if not run_id:
        return None
    try:
        meta = jobs.read_config(run_id, user=_user())
    except jobs.AccessError as err:
        st.error(message(err))
        detach()
        return None
    except ValueError:
        st.warning(t("runs.unknown_run", run=md(str(run_id)[:80])))
        detach()
        return None
    if kind and meta.get("kind") != kind:
        return None
    return run_id


def attach(run_id: str) -> None:
    """Show ``run_id`` on this page from now on (kept in ``?run=`` across refreshes)."""
    st.query_params[QUERY_KEY] = jobs.check_run_id(run_id)


REPEAT_S = 10.0  # the same settings submitted again this soon by the same tab are the same click (a double click)
_SUBMITTED = "_runs_submitted"


def submit_once(kind: str, config: dict, *, name: str = "", **kwargs) -> str:
    """``core.jobs.submit(kind, config, name=name, user=<signed-in>)``, once per click.

    A double click on Train reruns the page twice with the button pressed; the second
    submission of the same kind and settings from this tab within :data:`REPEAT_S`
    returns the first run's id instead of queueing a twin. Raises what ``submit`` raises.
    """
    import json
    import time

    key = json.dumps([kind, config, name], sort_keys=True, default=str)
    done = st.session_state.setdefault(_SUBMITTED, {})
    now = time.monotonic()
    for old in [k for k, (_, when) in done.items() if now - when > REPEAT_S]:
        del done[old]
    if key in done:
        return done[key][0]
    run_id = jobs.submit(kind, config, name=name, user=_user(), **kwargs)
    done[key] = (run_id, now)
    return run_id


def detach() -> None:
    """Stop showing a run (removes ``?run=``)."""
    if QUERY_KEY in st.query_params:
        del st.query_params[QUERY_KEY]


# ------------------------------------------------------------------ metrics

STATUS_EVERY_S = 2.0   # a running run's progress bar, ETA and Cancel refresh this often
QUEUED_EVERY_S = 3.0   # a queued run's place in the queue this often (thirty queued students: ten reruns a second)
FIGURE_EVERY_S = 5.0   # its curves this often (one figure per run and language, shared by every tab)
TAIL_EVERY_S = 1.0     # the shared reader stats metrics.jsonl at most this often, however many tabs ask


_ASK = object()  # "ask ui.auth who is signed in" (a fragment that already knows passes ``user=``)


def _tail(run_id: str, user=_ASK) -> jobs.MetricsTail:
    tail = jobs.metrics_tail(run_id, user=_user() if user is _ASK else user)
    tail.poll(TAIL_EVERY_S)
    return tail


def run_records(run_id: str, *, user=_ASK) -> list[dict]:
    """Every metrics record of ``run_id`` so far (the same list object until new records arrive).

    Read through the run's one shared reader in this server process
    (:func:`core.jobs.metrics_tail`): only the bytes appended since the last
    read are parsed, and every tab watching the run shares them. Do not
    change the list. ``user``: the signed-in person (default: asked of ``ui.auth``).
    """
    return _tail(run_id, user).records


def live_records(run_id: str, *, user=_ASK) -> list[dict]:
    """:func:`run_records` thinned for a live figure (every evaluation, at most ~600 steps, the last one kept)."""
    return _tail(run_id, user).snapshot()


def live_chart(run_id: str, build: Callable[[list[dict]], object], *, key: str, user=_ASK) -> None:
    """Draw ``build(records)`` (a plotly figure of the live records) for ``run_id``.

    The figure is built once per new batch of records and language in this
    server process, at most every :data:`FIGURE_EVERY_S`, and shared by every
    tab that shows it, so ten watchers cost one figure. ``build`` must depend only on the records and the
    page's language; ``key`` names the chart (unique on the page).
    """
    tail = _tail(run_id, user)
    figure = tail.memo((key, lang()), build, tail.snapshot(), min_interval_s=FIGURE_EVERY_S)
    st.plotly_chart(figure, key=key)


def split_records(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """``(step records, eval records)`` of a metrics stream."""
    return ([r for r in records if r.get("type") == "step"], [r for r in records if r.get("type") == "eval"])


def overlay_series(run_ids: list[str]) -> dict[str, list[dict]]:
    """``{label: metrics records}`` for several runs (label: name, else id), for overlay figures."""
    series = {}
    for run_id in run_ids:
        try:
            meta = jobs.read_config(run_id, user=_user())
        except ValueError:
            continue
        label = meta.get("name") or run_id
        if label in series:
            label = f"{label} ({run_id})"
        series[label] = run_records(run_id)
    return series


# ------------------------------------------------------------------ formatting

def format_duration(seconds: float | None) -> str:
    """``"1 h 02 min"``, ``"3 min 05 s"``, ``"12 s"`` in the page's language (``"1 小时 02 分"``); ``"–"`` for None."""
    if seconds is None:
        return "–"
    seconds = int(round(max(0.0, float(seconds))))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return t("runs.duration.h_min", h=hours, min=f"{minutes:02d}")
    if minutes:
        return t("runs.duration.min_s", min=minutes, s=f"{secs:02d}")
    return t("runs.duration.s", s=secs)


def format_time(iso: str | None) -> str:
    """An ISO timestamp as ``YYYY-MM-DD HH:MM`` UTC (``"–"`` for None)."""
    if not iso:
        return "–"
    try:
        return _dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso


def escape_markdown(text: str) -> str:
    """``text`` (e.g. a run name someone typed) with Markdown syntax neutralised, for st.markdown."""
    return md(text)


def state_label(state: str) -> str:
    """The translated name of a run state (queued, running, done, ...)."""
    return t(f"runs.state.{state}") if state in jobs.STATES else state


# ------------------------------------------------------------------ live status

def _cancel(run_id: str) -> None:
    try:
        jobs.cancel(run_id, user=_user())
        st.session_state[f"_runs_cancelled_{run_id}"] = True
    except ValueError as err:
        st.session_state[f"_runs_cancel_error_{run_id}"] = message(err)


def _draw_status(run_id: str, status: dict, key: str) -> None:
    state = status.get("state", "unknown")
    if state == "queued":
        st.info(t("runs.queued_position", position=status.get("position") or 1,
                  total=status.get("queue_length") or 1, slots=status.get("slots") or 1))
    elif state == "running":
        progress = float(status.get("progress") or 0.0)
        eta = status.get("eta_s")
        if progress <= 0.0 and eta is None:
            text = t("runs.starting")
        else:
            text = t("runs.running_progress", percent=round(100 * progress),
                     eta=format_duration(eta) if eta is not None else "…")
        st.progress(min(1.0, max(0.0, progress)), text=text)
        if st.session_state.get(f"_runs_cancelled_{run_id}"):
            st.caption(t("runs.cancel_requested"))
    if state in jobs.ACTIVE:
        st.button(t("runs.cancel"), key=f"{key}_cancel_{run_id}", on_click=_cancel, args=(run_id,),
                  icon=":material/stop_circle:", disabled=bool(st.session_state.get(f"_runs_cancelled_{run_id}")))
        error = st.session_state.pop(f"_runs_cancel_error_{run_id}", None)
        if error:
            st.error(bad_input(error))


def _draw_final(status: dict) -> None:
    state = status.get("state")
    if state == "done":
        st.success(t("runs.done", duration=format_duration(_duration(status))))
    elif state == "failed":  # a job's error names files and words of the user's data: shown as text
        st.error(t("runs.failed", error=errors.message(status.get("error") or "?")))
    elif state == "cancelled" and isinstance(status.get("limit"), dict):  # stopped by a class limit: which, and why
        limit = status["limit"]
        st.warning(errors.message(limits.LimitError(limit.get("message", ""), limit.get("key", ""),
                                                    **(limit.get("fields") or {}))))
    elif state == "cancelled":
        st.warning(t("runs.cancelled"))
    elif state == "interrupted":
        st.warning(t("runs.interrupted", error=errors.message(status.get("error") or "")))


def _duration(status: dict) -> float | None:
    from core.jobs.store import parse_iso

    started, finished = parse_iso(status.get("started")), parse_iso(status.get("finished"))
    return finished - started if started and finished else None


def _status_block(run_id: str, key: str, shown_state: str) -> None:
    """The status block; the whole page reruns once when the run leaves ``shown_state`` (queued -> running:
    the curves start; ended or gone: the page draws the results)."""
    try:
        status = jobs.get_status(run_id, user=_user())
    except ValueError:
        status = {"state": "missing"}
    if status.get("state") != shown_state:
        st.rerun()
        return
    _draw_status(run_id, status, key)


@st.fragment(run_every=QUEUED_EVERY_S)
@errors.guarded
def _queued_fragment(run_id: str, key: str) -> None:
    _status_block(run_id, key, "queued")


@st.fragment(run_every=STATUS_EVERY_S)
@errors.guarded
def _status_fragment(run_id: str, key: str) -> None:
    _status_block(run_id, key, "running")


@st.fragment(run_every=FIGURE_EVERY_S)
@errors.guarded
def _curves_fragment(run_id: str, render_live, key: str) -> None:
    person = _user()
    try:
        status = jobs.get_status(run_id, user=person)
    except ValueError:
        return  # the status block above reruns the page
    render_live(run_id, live_records(run_id, user=person), status)


def live_status(
    run_id: str,
    *,
    render_live: Callable[[str, list[dict], dict], None] | None = None,
    key: str = "live",
) -> dict:
    """Draw the status of ``run_id`` and return its status dict (``core.jobs.get_status``).

    While the run is queued, its place in the queue (and Cancel) refreshes every
    :data:`QUEUED_EVERY_S`. While it runs, two blocks refresh themselves without
    rerunning the page (``st.fragment(run_every=...)``): every
    :data:`STATUS_EVERY_S` the progress bar with ETA and a Cancel button; every
    :data:`FIGURE_EVERY_S` whatever
    ``render_live(run_id, records, status)`` draws from the run's records so
    far (:func:`live_records`: shared by every tab, step records thinned; draw
    curves with :func:`live_chart` so one figure serves every watcher). A
    refresh reads files only; nothing is re-tokenised or re-loaded. When the
    run starts or ends the whole page reruns once; from then on this draws the final
    message (done / the error / cancelled / interrupted) and the caller shows
    the results. A run that no longer exists returns ``{"state": "missing"}``
    after a warning.
    """
    try:
        status = jobs.get_status(run_id, user=_user())
    except ValueError as err:
        st.warning(bad_input(err))
        return {"state": "missing"}
    if status.get("state") == "queued":
        _queued_fragment(run_id, key)  # nothing to draw yet but the place in the queue, which moves slowly
    elif status.get("state") in jobs.ACTIVE:
        _status_fragment(run_id, key)
        if render_live is not None:
            _curves_fragment(run_id, render_live, key)
    else:
        _draw_final(status)
    return status


# ------------------------------------------------------------------ runs table

def runs_table(
    kind: str | None = None,
    *,
    columns: dict[str, Callable[[dict], object]] | None = None,
    key: str = "runs",
    select_label: str | None = None,
    column_help: dict[str, str] | None = None,
) -> list[str]:
    """Draw a table of every run (of ``kind``) and return the ids picked for overlay.

    Columns: name, state, corpus/summary columns given by ``columns``
    (``{translated header: function(run dict from core.jobs.list_runs) -> value}``),
    created, duration, run id; ``column_help`` (``{header: text}``) is shown
    when the pointer rests on a column's header (e.g. how a score's coverage
    is read). Below it a multiselect ("select two or more runs to compare")
    whose picked ids are returned (newest first).
    """
    import pandas as pd

    person = _user()
    runs = jobs.list_runs(kind, user=person)
    if not runs:
        st.caption(t("runs.none_yet"))
        return []
    rows = []
    for run in runs:
        row = {t("runs.col.name"): run["name"] or "–", t("runs.col.state"): state_label(run["state"])}
        if person is not None:  # class mode: whose run, and whether it is shared
            row[t("classroom.col.owner")] = run["owner"] or t("classroom.role.teacher")
            row[t("classroom.col.visibility")] = t(f"classroom.{'shared' if run['visibility'] == 'class' else 'private'}")
        for header, getter in (columns or {}).items():
            try:
                value = getter(run)
            except (KeyError, TypeError, ValueError, AttributeError):
                value = None
            row[header] = round(value, 4) if isinstance(value, float) else value
        row[t("runs.col.created")] = format_time(run["created"])
        row[t("runs.col.duration")] = format_duration(run["duration_s"])
        row[t("runs.col.id")] = run["id"]
        rows.append(row)
    config = {header: st.column_config.Column(header, help=text) for header, text in (column_help or {}).items()}
    st.dataframe(pd.DataFrame(table_cells(rows)), hide_index=True, column_config=config or None)
    # A label that stays the same while a run ends (its state is in the table), and picks kept only for runs
    # listed: Streamlit matches picks to options by label, and a pick made while the table was not drawn
    # (the page picks the runs it just started) crashed the page when its label was unknown.
    labels = {run["id"]: f"{run['name'] or run['id']} · {run['id']}" for run in runs}
    picked_key = f"{key}_compare"
    if picked_key in st.session_state:
        st.session_state[picked_key] = [i for i in st.session_state[picked_key] or [] if i in labels]
    return st.multiselect(select_label or t("runs.compare"), options=list(labels),
                          format_func=lambda run_id: labels.get(run_id, str(run_id)), key=picked_key,
                          placeholder=t("runs.compare_placeholder"))


def table_cells(rows: list[dict]) -> list[dict]:
    """``rows`` with each column made one type, so Arrow can serialise it (no traceback in the server log).

    A column of numbers with none missing keeps its numbers (it sorts as numbers); any other column
    becomes text, a missing value "–" (a number column with a gap: the numbers written with 4
    significant digits). Mixing the two ("0.533" beside "–") made pyarrow refuse the column on every
    redraw, and a bare None shows as the English word "None" in every language.
    """
    columns = list(dict.fromkeys(key for row in rows for key in row))

    def is_number(value) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    numeric = {c: all(is_number(row.get(c)) for row in rows) for c in columns}

    def text(value) -> str:
        return "–" if value is None else (f"{value:.4g}" if isinstance(value, float) else str(value))

    return [{c: (row.get(c) if numeric[c] else text(row.get(c))) for c in columns} for row in rows]


def run_actions(kind: str | None = None, *, key: str = "runs_actions") -> None:
    """An expander to open (attach) an earlier run or delete a finished one."""
    runs = jobs.list_runs(kind, user=_user())
    if not runs:
        return
    labels = {run["id"]: f"{run['name'] or run['id']} · {state_label(run['state'])} · {run['id']}" for run in runs}
    with st.expander(t("runs.manage")):
        choice = st.selectbox(t("runs.pick"), options=list(labels), format_func=labels.get, key=f"{key}_pick")
        left, right = st.columns(2)
        if left.button(t("runs.open"), key=f"{key}_open", icon=":material/open_in_new:"):
            attach(choice)
            st.rerun()
        if right.button(t("runs.delete"), key=f"{key}_delete", icon=":material/delete:"):
            try:
                jobs.delete_run(choice, user=_user())
            except ValueError as err:
                st.error(bad_input(err))
            else:
                if st.query_params.get(QUERY_KEY) == choice:
                    detach()
                st.rerun()
