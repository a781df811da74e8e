"""Figure builders: labelled axes, shapes in titles, diverging scales centred at 0, unique token rows."""
import numpy as np

from core.plots import input_layer as plots

LABELS = ["0 [CLS]", "1 the", "2 cat", "3 the", "4 [SEP]"]


def test_matrix_heatmap_rows_are_tokens_and_scale_is_centred():
    values = np.linspace(-2, 1, 5 * 384).reshape(5, 384)
    fig = plots.matrix_heatmap(values, LABELS, title="word (5, 384)", x_title="dimension", y_title="token",
                               value_title="value")
    heat = fig.data[0]
    assert heat.z.shape == (5, 384) and heat.zmid == 0 and heat.zmin == -heat.zmax
    assert list(fig.layout.yaxis.ticktext) == LABELS  # both "the" rows kept apart
    assert fig.layout.title.text == "word (5, 384)" and fig.layout.xaxis.title.text == "dimension"
    assert "%{z:.4f}" in heat.hovertemplate


def test_heads_grid_has_one_heatmap_per_head_on_one_scale():
    probs = np.random.default_rng(0).dirichlet(np.ones(5), size=(12, 5))
    fig = plots.heads_grid(probs, LABELS, title="heads", head_titles=[f"head {h}" for h in range(12)],
                           x_title="key", y_title="query", value_title="weight")
    assert len(fig.data) == 12
    assert all(tr.zmin == 0 and tr.zmax == np.float32(probs.max()) for tr in fig.data)
    assert sum(bool(tr.showscale) for tr in fig.data) == 1


def test_attention_scores_diverging_probs_sequential():
    m = np.array([[1.0, -3.0], [0.5, 0.2]])
    scores = plots.attention_heatmap(m, LABELS[:2], title="s", x_title="key", y_title="query", value_title="v",
                                     probabilities=False).data[0]
    assert scores.zmid == 0 and scores.zmax == 3.0
    p = np.array([[0.25, 0.75], [0.5, 0.5]])
    probs = plots.attention_heatmap(p, LABELS[:2], title="p", x_title="key", y_title="query", value_title="v").data[0]
    assert probs.zmin == 0 and probs.zmax == 0.75 and probs.zmid is None


def test_chips_escape_html_and_show_unk_source():
    html = plots.token_chips_html(["[CLS]", "[UNK]", "<b>"], [101, 100, 5], ["", "们", "<b>"], ["special", "unk", "word"])
    assert "100 ← 们" in html and "&lt;b&gt;" in html and "<b>" not in html
    assert html.count(plots.CHIP_COLOURS["unk"]) == 1


def test_pieces_and_mask_chips():
    html = plots.pieces_html([["un", "##believ", "##ably"], ["word"]])
    assert html.count("dashed") == 2 and "##believ" in html
    chips = plots.mask_chips_html(["the", "cat"], ["[MASK]", "cat"], ["mask", "not_selected"], {"mask": "was"})
    assert "was the" in chips and plots.CHIP_COLOURS["mask"] in chips


def test_shares_bar_and_fertility_curve():
    fig = plots.shares_bar({"selected": 0.14, "mask": 0.81}, {"selected": 0.15, "mask": 0.8}, {"mask": "[MASK]"},
                           title="t", observed_name="obs", expected_name="exp", y_title="share")
    assert [tr.name for tr in fig.data] == ["exp", "obs"] and list(fig.data[1].y) == [0.14, 0.81]
    curve = plots.fertility_curve([100, 1000], {"BPE": [3.0, 1.5], "WordPiece": [4.0, 1.7]}, title="f",
                                  x_title="vocab", y_title="pieces", marker=1000)
    assert len(curve.data) == 2 and curve.layout.xaxis.type == "log"


def _labels(n):
    return [f"{i} tok{i}" for i in range(n)]


def test_token_axes_are_thinned_so_labels_never_overlap():
    """Past ~24 tokens a half-width heatmap cannot hold every label: every k-th one is kept, hover has all."""
    for n in (5, 24, 25, 60, 128):
        labels = _labels(n)
        sim = plots.similarity_heatmap(np.eye(n), labels, title="s", x_title="t", y_title="t", value_title="cos")
        shown = list(sim.layout.xaxis.ticktext)
        assert len(shown) <= plots.X_LABELS and shown[0] == labels[0]
        assert len(shown) == n if n <= plots.X_LABELS else len(shown) >= plots.X_LABELS // 2
        assert list(sim.layout.yaxis.ticktext) == shown
        assert sim.data[0].customdata[n - 1][0] == f"{labels[-1]} → {labels[0]}"  # hover still names every token
        mat = plots.matrix_heatmap(np.ones((n, 8)), labels, title="m", x_title="d", y_title="t", value_title="v")
        rows = list(mat.layout.yaxis.ticktext)
        room = (mat.layout.height - 150) // plots.LABEL_PX  # labels the plot area holds, 15 px each
        assert len(rows) == n if n <= room else room // 2 <= len(rows) <= room


def test_heads_grid_labels_every_panel_edge_at_any_length():
    probs = np.full((12, 40, 40), 1 / 40)
    fig = plots.heads_grid(probs, _labels(40), title="h", head_titles=[str(h) for h in range(12)], x_title="k",
                           y_title="q", value_title="w")
    assert fig.layout.yaxis.showticklabels and len(fig.layout.yaxis.ticktext) <= plots.PANEL_LABELS


def test_thin_ticks_keeps_all_when_they_fit_and_evenly_spaced_otherwise():
    assert plots.thin_ticks(list("abc"), 5) == ([0, 1, 2], ["a", "b", "c"])
    vals, text = plots.thin_ticks([str(i) for i in range(100)], 10)
    assert vals == list(range(0, 100, 10)) and text[1] == "10"


def _guesses():
    from core.input_layer import MaskGuess

    return [MaskGuess(position=2, shown="[MASK]", original="cat", tokens=("dog", "cat", "mat", "the", "a"),
                      probs=(0.4, 0.3, 0.1, 0.05, 0.01)),
            MaskGuess(position=5, shown="park", original="mat", tokens=("mat", "park", "a", "in", "on"),
                      probs=(0.6, 0.2, 0.1, 0.04, 0.02))]


def test_guesses_figure_has_one_panel_per_position_best_on_top_and_the_original_green():
    from core.plots.mlm import GUESS, RIGHT, guesses_figure

    fig = guesses_figure(_guesses(), title="top 5", panel_title="{position}: {shown}", x_title="p")
    assert len(fig.data) == 2 and [a.text for a in fig.layout.annotations] == ["2: [MASK]", "5: park"]
    first = fig.data[0]
    assert list(first.y) == ["a ", "the ", "mat ", "cat ", "dog "]  # plotly draws bottom-up: best on top
    assert list(first.x) == [0.01, 0.05, 0.1, 0.3, 0.4]
    assert list(first.marker.color) == [GUESS, GUESS, GUESS, RIGHT, GUESS]


def test_guesses_table_columns_and_cells():
    from core.plots.mlm import guesses_table

    table = guesses_table(_guesses(), position="pos", shown="reads", original="was", guess="guess")
    assert list(table) == ["pos", "reads", "was", "guess 1", "guess 2", "guess 3", "guess 4", "guess 5"]
    assert table["guess 1"] == ["dog (0.40)", "mat (0.60)"] and table["was"] == ["cat", "mat"]
    unknown = [g.__class__(**{**g.__dict__, "original": None}) for g in _guesses()]
    assert "was" not in guesses_table(unknown, position="pos", shown="reads", original="was", guess="guess")
