"""Training figures: right traces, right points, readable sizes."""
from __future__ import annotations

import numpy as np

from core.plots import training


def steps(n, epochs=2):
    return [{"type": "step", "progress": (i + 1) / n, "epochs": epochs, "loss": 5.0 - i / n,
             "words_per_s": 1000.0 + i, "lr": 0.025 * (1 - i / n)} for i in range(n)]


def test_zipf_plots_log_log_with_reference_and_cut():
    counts = [(f"w{r}", int(1000 / r)) for r in range(1, 501)]
    fig = training.zipf_figure(counts, min_count=5)
    observed, reference = fig.data
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert list(observed.x[:3]) == [1, 2, 3] and list(observed.y[:3]) == [1000, 500, 333]
    assert observed.hovertext[0] == "#1: w1 (1000)"
    np.testing.assert_allclose(reference.y, 1000 / np.asarray(reference.x))  # count ∝ 1/rank through the top word
    assert fig.layout.shapes[0].y0 == 5  # the min_count line


def test_zipf_downsamples_long_tails_but_keeps_the_head():
    fig = training.zipf_figure(list(range(100_000, 0, -1)), max_points=300)
    xs = list(fig.data[0].x)
    assert len(xs) <= 300 and xs[:5] == [1, 2, 3, 4, 5] and xs[-1] == 100_000


def test_live_figure_one_panel_per_metric_against_epochs():
    fig = training.live_figure(steps(10))
    assert [t.name for t in fig.data] == ["loss", "words / s", "learning rate"]
    np.testing.assert_allclose(fig.data[0].x, [(i + 1) / 10 * 2 for i in range(10)])
    assert fig.data[0].y[0] == 5.0
    big = training.live_figure(steps(10_000), max_points=500)
    assert len(big.data[0].x) <= 500 and big.data[0].x[-1] == 2.0


def test_live_figure_skips_missing_values():
    records = steps(4)
    records[1]["loss"] = None
    assert len(training.live_figure(records).data[0].x) == 3


def test_eval_figure_and_overlay():
    evals = [{"type": "eval", "epoch": e, "wordsim353": 0.1 * e, "simlex999": None, "analogies": 0.0} for e in (2, 1)]
    fig = training.eval_figure(evals)
    assert list(fig.data[0].x) == [1, 2] and list(fig.data[0].y) == [0.1, 0.2]
    assert len(fig.data[1].x) == 0  # no SimLex scores: an empty line, not a crash
    overlay = training.overlay_figure({"run a": steps(5) + evals, "run b": steps(3)}, "loss")
    assert [t.name for t in overlay.data] == ["run a", "run b"]
    assert [len(t.x) for t in overlay.data] == [5, 3]
    per_epoch = training.overlay_figure({"run a": evals}, "wordsim353", record_type="eval")
    assert list(per_epoch.data[0].x) == [1, 2]
