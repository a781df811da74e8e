"""Where the seconds of one change on the positional page go, at 4096 x 1024 (issue #14).

    python benchmarks/positional_page.py              # every registered kind, one JSON line per stage
    python benchmarks/positional_page.py --kinds rope --apptest

A change of a setting on the page (a new sequence length, width, base...) costs:
- ``compute``: ``core.positional.lab_view`` for the new setting (the page caches it,
  so this is paid once per setting);
- ``figures``: building the plotly figures the page draws;
- ``serialise``: ``plotly.io.to_json(fig, validate=False)``, what ``st.plotly_chart`` does;
- ``total``: all of them, the time from a slider release to the figures being sent.

Before #14 every tab ran on every change (``view: "all tabs"``, including a whole second
lab view for the side-by-side tab). Now the tabs run lazily: a change computes and draws
the open view only, so there is one set of lines per view (``matrix`` is the one a
change of setting costs when the page is opened; ``compare`` includes the second encoding).

With ``--apptest`` also ``apptest_change``: the page itself run headless through
``streamlit.testing`` after one slider change (cache cold), and ``apptest_rerun`` (cache warm).

Figures are built the way the page builds them (same builders, same data); each stage is the
median of ``--repeat`` runs after a warm-up. Machine facts go on every line.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from core import positional as pe  # noqa: E402
from core.plots import positional as plots  # noqa: E402

TEMPLATES = {"anchor": "query at p = {p}", "bound": "bound", "head": "head {h} (m = {m})", "after": "after",
             "before": "before", "dim": "dim {i}", "nearest": "nearest", "wavelength": "wavelength"}


def emit(**record) -> None:
    print(json.dumps({**record, "threads": torch.get_num_threads(), "cpus": os.cpu_count(),
                      "machine": platform.machine(), "python": platform.python_version()}), flush=True)


def median_time(fn, repeat: int) -> tuple[float, object]:
    out = fn()  # warm-up (imports, first-call costs)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def page_figures(view) -> list:
    """Every figure the positional page draws for ``view`` (main tabs; the compare tab repeats two)."""
    figs = []
    axes = dict(title="t", x_title="x", y_title="y")
    if view.table is not None:
        figs.append(plots.table_heatmap(view.table.values, view.table.positions, view.table.columns,
                                        colorbar_title="v", **axes))
    figs.append(plots.pair_heatmap(view.pairs.values[0], view.pairs.positions, colorbar_title="v",
                                   diverging=view.table is not None, **axes))
    if view.dims is not None:
        figs.append(plots.curve_plot(view.dims.x, view.dims.curves, TEMPLATES, **axes))
    if view.wavelengths is not None:
        figs.append(plots.curve_plot(view.wavelengths.x, view.wavelengths.curves, TEMPLATES, log_y=True,
                                     hline=view.spec.seq_len, hline_text="n", **axes))
    figs.append(plots.curve_plot(view.distance.x, view.distance.curves, TEMPLATES, **axes))
    ext = view.extrapolation
    figs.append(plots.curve_plot(ext.distance.x, ext.distance.curves, TEMPLATES, shade_from=ext.trained_len,
                                 shade_text="past", **axes))
    if ext.nearest is not None:
        figs.append(plots.curve_plot(ext.nearest.x, ext.nearest.curves, TEMPLATES, shade_from=ext.trained_len,
                                     shade_text="past", **axes))
    if ext.table is not None:
        figs.append(plots.table_heatmap(ext.table.values, ext.table.positions, ext.table.columns,
                                        colorbar_title="v", limit=ext.trained_len, limit_text="n", **axes))
    return figs


def serialise(figs) -> int:
    import plotly.io

    return sum(len(plotly.io.to_json(fig, validate=False)) for fig in figs)


def main_figure(view):
    axes = dict(title="t", x_title="x", y_title="y")
    if view.table is not None:
        return plots.table_heatmap(view.table.values, view.table.positions, view.table.columns, colorbar_title="v",
                                   **axes)
    return plots.pair_heatmap(view.pairs.values[0], view.pairs.positions, colorbar_title="v", diverging=False, **axes)


def compare_figures(view) -> list:
    return [main_figure(view), plots.curve_plot(view.distance.x, view.distance.curves, TEMPLATES, title="t",
                                                x_title="x", y_title="y")]


def lazy_tabs() -> bool:
    """Whether this code computes one view at a time (the page's tabs run lazily)."""
    import inspect

    return "views" in inspect.signature(pe.lab_view).parameters


DATA = {"compare": ("matrix", "distance"), "slopes": ("slopes", "distance")}  # as in app_pages/positional.py


def bench_view(kind: str, name: str, spec, other, repeat: int, label: str) -> None:
    needs = DATA.get(name, (name,))
    compute, view = median_time(lambda: pe.lab_view(spec, views=needs), repeat)
    second_time, second = (median_time(lambda: pe.lab_view(other, views=DATA["compare"]), repeat)
                           if name == "compare" else (0.0, None))
    figures, figs = median_time(lambda: tab_figures(name, view, second), repeat)
    ser, nbytes = median_time(lambda: serialise(figs), repeat)
    common = {"benchmark": "positional_page_change", "code": label, "kind": kind, "view": name,
              "size": f"{spec.seq_len}x{spec.dim}", "figures_n": len(figs)}
    emit(**common, stage="compute", seconds=round(compute + second_time, 4))
    emit(**common, stage="figures", seconds=round(figures, 4))
    emit(**common, stage="serialise", seconds=round(ser, 4), json_bytes=nbytes)
    emit(**common, stage="total", seconds=round(compute + second_time + figures + ser, 4))


def tab_figures(name: str, view, second=None) -> list:
    axes = dict(title="t", x_title="x", y_title="y")
    if name == "compare":
        return compare_figures(view) + compare_figures(second)
    if name == "matrix":
        return [main_figure(view)]
    if name in ("distance", "slopes"):
        return [plots.curve_plot(view.distance.x, view.distance.curves, TEMPLATES, **axes)]
    if name == "similarity":
        return [plots.pair_heatmap(view.pairs.values[0], view.pairs.positions, colorbar_title="v", **axes)]
    if name == "dimensions":
        figs = [plots.curve_plot(view.dims.x, view.dims.curves, TEMPLATES, **axes)]
        if view.wavelengths is not None:
            figs.append(plots.curve_plot(view.wavelengths.x, view.wavelengths.curves, TEMPLATES, log_y=True,
                                         hline=view.spec.seq_len, hline_text="n", **axes))
        return figs
    if name == "beyond":
        ext = view.extrapolation
        figs = [plots.curve_plot(ext.distance.x, ext.distance.curves, TEMPLATES, shade_from=ext.trained_len,
                                 shade_text="past", **axes)]
        if ext.nearest is not None:
            figs.append(plots.curve_plot(ext.nearest.x, ext.nearest.curves, TEMPLATES,
                                         shade_from=ext.trained_len, shade_text="past", **axes))
        if ext.table is not None:
            figs.append(plots.table_heatmap(ext.table.values, ext.table.positions, ext.table.columns,
                                            colorbar_title="v", limit=ext.trained_len, limit_text="n", **axes))
        return figs
    return []  # buckets: a table, no figure


def bench_kind(kind: str, seq_len: int, dim: int, heads: int, repeat: int, label: str) -> None:
    """One change of setting with ``kind`` chosen and ``rope`` (or sinusoidal) in the compare tab.

    Lazy tabs (after #14): one line set per view, since a change computes only the open one
    (the matrix view when the page opens). Before: every tab ran on every change.
    """
    spec = pe.EncodingSpec(kind=kind, seq_len=seq_len, dim=dim, heads=heads)
    other = pe.EncodingSpec(kind="sinusoidal" if kind == "rope" else "rope", seq_len=seq_len, dim=dim)
    if lazy_tabs():
        for name in pe.get(kind).views:
            bench_view(kind, name, spec, other, repeat, label)
        return
    size = f"{seq_len}x{dim}"
    compute, view = median_time(lambda: pe.lab_view(spec), repeat)
    compare, second = median_time(lambda: pe.lab_view(other), repeat)
    figures, figs = median_time(lambda: page_figures(view) + compare_figures(view) + compare_figures(second), repeat)
    ser, nbytes = median_time(lambda: serialise(figs), repeat)
    common = {"benchmark": "positional_page_change", "code": label, "kind": kind, "view": "all tabs",
              "size": size, "figures_n": len(figs)}
    emit(**common, stage="compute", seconds=round(compute + compare, 4), compare_tab_seconds=round(compare, 4))
    emit(**common, stage="figures", seconds=round(figures, 4))
    emit(**common, stage="serialise", seconds=round(ser, 4), json_bytes=nbytes)
    emit(**common, stage="total", seconds=round(compute + compare + figures + ser, 4))


def bench_apptest(kind: str, seq_len: int, dim: int) -> None:
    """The page itself, headless: one change of the sequence length (cold cache), then a rerun (warm)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app_pages" / "positional.py"), default_timeout=300)
    at.session_state["lang"] = "en"
    at.session_state["positional_kind"] = kind
    at.run()
    at.slider(key="positional_dim").set_value(dim).run() if _has_slider(at, "positional_dim") else None
    start = time.perf_counter()
    at.slider(key="positional_seq_len").set_value(seq_len).run()
    change = time.perf_counter() - start
    start = time.perf_counter()
    at.run()
    rerun = time.perf_counter() - start
    assert not at.exception, at.exception
    common = {"benchmark": "positional_page_apptest", "kind": kind, "size": f"{seq_len}x{dim}"}
    emit(**common, stage="apptest_change", seconds=round(change, 3))
    emit(**common, stage="apptest_rerun", seconds=round(rerun, 3))


def _has_slider(at, key: str) -> bool:
    try:
        at.slider(key=key)
        return True
    except KeyError:
        return False


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    kinds = list(pe.names())
    parser.add_argument("--kinds", nargs="*", default=kinds, help=f"kinds to measure (default: all: {kinds})")
    parser.add_argument("--seq-len", type=int, default=4096)
    parser.add_argument("--dim", type=int, default=1024)
    parser.add_argument("--heads", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--apptest", action="store_true", help="also time the page through streamlit.testing")
    parser.add_argument("--label", default="current", help="a name for the code measured (e.g. before/after)")
    args = parser.parse_args(argv)
    for kind in args.kinds:
        bench_kind(kind, args.seq_len, args.dim, args.heads, args.repeat, args.label)
    if args.apptest:
        for kind in args.kinds:
            bench_apptest(kind, args.seq_len, args.dim)


if __name__ == "__main__":
    main()
