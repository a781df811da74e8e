"""ui.runs: durations read in the page's language (a Chinese page must not say "2 min 38 s")."""
import pytest
from streamlit.testing.v1 import AppTest


def _durations_page():
    import streamlit as st

    from ui.runs import format_duration

    for seconds in (None, 12, 158, 3725):
        st.text(format_duration(seconds))


@pytest.mark.parametrize("lang, expected", [
    ("en", ["–", "12 s", "2 min 38 s", "1 h 02 min"]),
    ("zh", ["–", "12 秒", "2 分 38 秒", "1 小时 02 分"]),
])
def test_durations_are_written_in_the_page_language(lang, expected):
    at = AppTest.from_function(_durations_page)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    assert [el.value for el in at.text] == expected


def test_runs_table_cells_serialise_to_arrow_with_missing_scores():
    # The issue: 98 pyarrow tracebacks in the server log, from "–" cells in a column of numbers.
    import pandas as pd
    import pyarrow as pa

    from ui.runs import table_cells

    rows = [{"name": "a", "accuracy": 0.5333, "F1": None, "score": "0.412 · 34.0%", "steps": 9},
            {"name": None, "accuracy": None, "F1": None, "score": None, "steps": 12}]
    cells = table_cells(rows)
    table = pa.Table.from_pandas(pd.DataFrame(cells))  # raised ArrowInvalid before
    assert [c["accuracy"] for c in cells] == ["0.5333", "–"]  # a gap is "–", never the English "None"
    assert str(table.schema.field("steps").type) == "int64" and [c["steps"] for c in cells] == [9, 12]
    assert [c["score"] for c in cells] == ["0.412 · 34.0%", "–"] and cells[1]["name"] == "–"
    assert all(c["F1"] == "–" for c in cells)


def _runs_table_page():
    import streamlit as st

    from ui.runs import runs_table

    runs_table("finetune", columns={"accuracy": lambda r: (r.get("summary") or {}).get("accuracy")})
    st.text("drawn")


def test_runs_table_with_an_unscored_run_draws_without_arrow_errors(runs_root, caplog):
    import core.jobs as jobs
    from core.jobs import queue, store

    scored, _ = queue.create_run("finetune", {"task": "classification"}, "scored", runs_root)
    queue.create_run("finetune", {"task": "classification"}, "queued one", runs_root)
    store.write_json(jobs.run_dir(scored, runs_root) / "summary.json", {"accuracy": 0.81})
    at = AppTest.from_function(_runs_table_page)
    at.run()
    assert not at.exception and at.text[0].value == "drawn"
    frame = at.dataframe[0].value
    assert sorted(frame["accuracy"].tolist()) == ["0.81", "–"]
    assert not [r for r in caplog.records if "Arrow" in r.getMessage() or "pyarrow" in r.getMessage()]


def _cancelled_page():
    import streamlit as st

    from ui.runs import _draw_final

    fields = {"used": "4", "limit": "2", "times": "2"}
    _draw_final({"state": "cancelled", "limit": {"key": "classroom.limit.disk_running", "fields": fields,
                                                 "message": "This run was stopped: ..."}})
    _draw_final({"state": "cancelled"})
    st.text("end")


@pytest.mark.parametrize("lang, expected", [("en", "more than 2 times your 2 MiB"), ("zh", "超过了你 2 MiB 限额的 2 倍")])
def test_a_run_stopped_at_the_disk_limit_says_so_in_the_page_language(lang, expected):
    at = AppTest.from_function(_cancelled_page)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    limit, plain = (w.value for w in at.warning)
    assert expected in limit and limit != plain



def _compare_page():
    import streamlit as st

    from ui.runs import runs_table

    st.text(repr(runs_table("pretrain", key="p_runs")))


def test_a_runs_label_in_the_compare_picker_stays_the_same_when_the_run_ends(runs_root):
    """The browser sends the picks back as their labels: a label that changed when a run finished ("running"
    -> "done") came back unknown and crashed the pretraining page (E-F923B5) as its runs ended."""
    from core.jobs import queue, store

    run_id, path = queue.create_run("pretrain", {}, "tiny rope", runs_root)
    at = AppTest.from_function(_compare_page)
    at.run()
    before = list(at.multiselect[0].options)
    store.update_status(path, state="done")
    at.run()
    assert not at.exception and list(at.multiselect[0].options) == before == [f"tiny rope · {run_id}"]
    at.multiselect[0].select(run_id).run()
    store.update_status(path, state="failed")
    at.run()
    assert not at.exception and at.text[0].value == repr([run_id])


def test_picks_of_runs_no_longer_listed_are_dropped(runs_root):
    from core.jobs import queue

    run_id, _ = queue.create_run("pretrain", {}, "kept", runs_root)
    at = AppTest.from_function(_compare_page)
    at.session_state["p_runs_compare"] = [run_id, "pretrain-deleted-meanwhile"]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text[0].value == repr([run_id])
