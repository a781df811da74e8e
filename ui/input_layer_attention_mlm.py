"""The input-layer page's last steps: the first layer's attention (where position enters it) and masked LM.

BERT's masking rule (15% selected; of those 80% [MASK], 10% random, 10% kept), counted over
2,000 draws against the expected shares, and the MLM head's top-5 at each [MASK]
(``core.input_layer``); figures from ``core.plots``.
"""
from __future__ import annotations

import streamlit as st

from core import input_layer as il
from core import positional as pe
from core.plots import input_layer as input_layer_plots
from core.plots import mlm as mlm_figures
from ui.cache import shared_builders
from ui.i18n import lang, t
from ui.input_layer_common import choice, figure_with_formula
from ui.input_layer_data import masking_demo, own_guesses
from ui.errors import bad_input
from ui.text import md

# Built once per server for the same arguments (every student with the same sentence sees the same figures).
plots = shared_builders(input_layer_plots)
mlm_plots = shared_builders(mlm_figures)

MASK_EXAMPLES = {"en": "The cat sat on the [MASK].", "zh": "我们在北[MASK]学习中文。"}  # by the model's language


def mask_ui() -> il.MaskConfig:
    left, right = st.columns(2)
    seed = left.number_input(t("input_layer.seed"), min_value=0, max_value=10**6, value=0, step=1, key="il_seed",
                             help=t("input_layer.seed_help"))
    prob = right.slider(t("input_layer.select_prob"), 0.05, 0.5, 0.15, 0.05, key="il_prob",
                        help=t("input_layer.select_prob_help"))
    return il.MaskConfig(select_prob=prob, seed=int(seed))


def section_attention(result: il.InputWalk, family: il.EncoderFamily) -> None:
    att, labels = result.attention, result.tokens.labels()
    if result.where == "input":
        kind = t(f"input_layer.position_{result.steps.position_kind}")
    else:
        kind = t(f"input_layer.s6_kind_{result.position_encoding}")
    st.header(t("input_layer.s6"))
    st.write(t("input_layer.s6_text", kind=kind, heads=att.heads, head_dim=att.head_dim))
    head = st.slider(t("input_layer.head"), 0, att.heads - 1, 0, key="il_head")
    st.plotly_chart(plots.qkv_figure(
        att.q[head].numpy(), att.k[head].numpy(), att.v[head].numpy(), labels,
        titles=[t(f"input_layer.fig_{m}", head=head, shape=tuple(att.q[head].shape)) for m in ("q", "k", "v")],
        x_title=t("input_layer.ax_head_dim"), y_title=t("input_layer.ax_token"), value_title=t("input_layer.ax_value")),
        width="stretch")
    st.latex(family.attention_formula)
    st.latex(r"d_k = d / h = " + f"{att.dim} / {att.heads} = {att.head_dim}")
    pair_axes = dict(x_title=t("input_layer.ax_key"), y_title=t("input_layer.ax_query"))
    left, right = st.columns(2)
    left.plotly_chart(plots.attention_heatmap(
        att.scores[head].numpy(), labels, title=t("input_layer.fig_scores", head=head, shape=tuple(att.scores[head].shape)),
        value_title=t("input_layer.ax_score"), probabilities=False, **pair_axes), width="stretch")
    right.plotly_chart(plots.attention_heatmap(
        att.probs[head].numpy(), labels, title=t("input_layer.fig_probs", head=head, shape=tuple(att.probs[head].shape)),
        value_title=t("input_layer.ax_prob"), probabilities=True, **pair_axes), width="stretch")
    st.latex(r"S = \frac{Q K^{\top}}{\sqrt{d_k}},\qquad A_{ij} = \frac{e^{S_{ij}}}{\sum_{k} e^{S_{ik}}},"
             r"\qquad \mathrm{head} = A V")
    if result.where == "attention":
        st.latex(pe.get(result.position_encoding).formula)
        st.caption(t("input_layer.s6_position_inside"))
    st.write(t("input_layer.s6_softmax_text"))
    if result.attention_error is not None:
        st.success(t("input_layer.verified_attention", err=f"{result.attention_error:.1e}"))
    st.subheader(t("input_layer.s6_heads", heads=att.heads))
    st.plotly_chart(plots.heads_grid(
        att.probs.numpy(), labels, title=t("input_layer.fig_heads", shape=tuple(att.probs.shape)),
        head_titles=[t("input_layer.head_n", head=h) for h in range(att.heads)],
        x_title=t("input_layer.ax_key"), y_title=t("input_layer.ax_query"), value_title=t("input_layer.ax_prob")),
        width="stretch")
    st.write(t("input_layer.s6_heads_text") if result.where == "input" else t("input_layer.s6_heads_text_fixed"))


def section_mlm(result: il.InputWalk, family: il.EncoderFamily, tokenizer, name: str, model_language: str,
                path: str, text: str, pair: str) -> None:
    """The masking demo on the walked sentence (``path``, ``text``, ``pair`` key the shared computation)."""
    view = result.tokens
    st.header(t("input_layer.s7"))
    st.write(t("input_layer.s7_text"))
    config = mask_ui()
    masked, stats, demo_guesses = masking_demo(path, text, pair, config.select_prob, config.seed)
    arrows = {a: t(f"input_layer.was_{a}") for a in ("mask", "random", "keep")}
    st.html(plots.mask_chips_html(view.tokens, il.shown_tokens(tokenizer, masked), il.action_names(masked), arrows))
    st.html(plots.legend_html({"mask": t("input_layer.action_mask"), "random": t("input_layer.action_random"),
                               "keep": t("input_layer.action_keep"), "word": t("input_layer.action_not_selected")}))
    counts = masked.counts()
    st.caption(t("input_layer.mask_counts", selected=counts["selected"], ordinary=view.ordinary_count,
                 mask=counts["mask"], random=counts["random"], keep=counts["keep"]))
    expected = config.expected()
    figure_with_formula(
        plots.shares_bar(stats, expected, {k: t(f"input_layer.share_{k}") for k in expected},
                         title=t("input_layer.fig_shares", repeats="2,000"), observed_name=t("input_layer.observed"),
                         expected_name=t("input_layer.expected"), y_title=t("input_layer.ax_share")),
        r"\begin{aligned} P(\text{selected}) &= " + f"{expected['selected']:.2f}" + r" \\ "
        r"P(\texttt{[MASK]} \mid \text{selected}) &= " + f"{expected['mask']:.1f}" + r" \\ "
        r"P(\text{random} \mid \text{selected}) &= " + f"{expected['random']:.1f}" + r" \\ "
        r"P(\text{keep} \mid \text{selected}) &= " + f"{expected['keep']:.1f}" + r" \end{aligned}",
        t("input_layer.s7_stats_text"),
    )
    section_guesses(demo_guesses, family, name, model_language, path)


def section_guesses(demo_guesses, family: il.EncoderFamily, name: str, model_language: str, path: str) -> None:
    """The MLM head's top-5 at each selected token of the demo above, or at each [MASK] of the user's sentence."""
    st.subheader(t("input_layer.s7_guess"))
    if not family.has_mlm_head:
        st.info(t("input_layer.no_mlm_head", name=md(name)))
        return
    source = choice(st, t("input_layer.guess"), ["demo", "own"], "guess", default="demo", horizontal=True)
    try:
        if source == "demo":
            if demo_guesses is None:
                st.info(t("input_layer.nothing_selected"))
                return
            guesses = demo_guesses
        else:
            example = MASK_EXAMPLES.get(model_language or lang(), MASK_EXAMPLES["en"])
            text = st.text_input(t("input_layer.guess_text"), value=example, key=f"il_guess_text_{model_language}",
                                 max_chars=1000, help=t("input_layer.guess_text_help"))
            guesses = own_guesses(path, text)
    except ValueError as err:
        st.error(bad_input(err))
        return
    figure_with_formula(
        mlm_plots.guesses_figure(guesses, title=t("input_layer.fig_guesses", k=il.TOP_K),
                                 panel_title=t("input_layer.guess_panel"), x_title=t("input_layer.ax_probability")),
        r"\begin{aligned} p(w \mid \tilde{x}) &= \mathrm{softmax}(z_i)_w \\ "
        r"z_i &= \mathrm{LN}(\mathrm{GELU}(W h_i))\, W_E^{\top} + b \end{aligned}",
        t("input_layer.s7_guess_text"),
    )
    st.dataframe(mlm_plots.guesses_table(guesses, position=t("input_layer.col_position"),
                                         shown=t("input_layer.col_shown"), original=t("input_layer.col_original"),
                                         guess=t("input_layer.col_guess")), hide_index=True)
