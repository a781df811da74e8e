"""The input-layer page's BERT-vs-GPT view: one sentence through a bidirectional and a causal model.

Side by side, for the same text: the first-layer attention of each (one head), the causal
mask as a picture, where position enters in each, and what each predicts for the same
token: BERT with that token replaced by [MASK] (it reads both sides), GPT from the tokens
before it (it reads the left only). The page hands in its cached loader and model list.
"""
from __future__ import annotations

import streamlit as st

from core import input_layer as il
from core.plots import input_layer as plots
from core.plots import mlm as mlm_plots
from ui import input_layer_data as data
from ui.errors import bad_input
from ui.i18n import t
from ui.model_picker import model_label
from ui.text import md


def _pick(kind: str, options: list[str], default: str | None, models: dict) -> str | None:
    if not options:
        st.info(t(f"input_layer.cmp_none_{kind}"))
        return None
    key = f"il_cmp_{kind}"
    if st.session_state.get(key) not in options:
        st.session_state[key] = default if default in options else options[0]
    return st.selectbox(t(f"input_layer.cmp_pick_{kind}"), options, key=key,
                        format_func=lambda n: model_label(models[n], n))


def choose_models(models: dict, language: str) -> tuple[str | None, str | None]:
    """``(bidirectional model, causal model)`` names: the shipped Chinese pair by default for Chinese text."""
    from core.pretrain import objectives

    def causal(info: dict) -> bool:
        kind = objectives.get(info["objective"]) if info.get("objective") in objectives.names() else None
        return bool(kind and kind.causal)

    bert = [n for n, m in models.items() if m.get("mlm_head") and not causal(m)]
    gpt = [n for n, m in models.items() if causal(m)]
    same_language = lambda names: next((n for n in names if models[n].get("language") == language), None)  # noqa: E731
    left, right = st.columns(2)
    with left:
        a = _pick("bert", bert, "embedlab-bert-zh" if language == "zh" else same_language(bert), models)
    with right:
        b = _pick("gpt", gpt, "embedlab-gpt-zh" if language == "zh" else same_language(gpt), models)
    return a, b


def bert_vs_gpt(text: str, language: str, models: dict) -> None:
    """The section: ``models`` is ``{name: ModelInfo dict}``, those the signed-in person may read."""
    st.header(t("input_layer.cmp"))
    st.write(t("input_layer.cmp_text"))
    bert_name, gpt_name = choose_models(models, language)
    if not bert_name or not gpt_name:
        return
    paths = {"bert": models[bert_name]["path"], "gpt": models[gpt_name]["path"]}
    try:
        walks = {kind: data.compare_walk(path, text) for kind, path in paths.items()}
        gpt, _ = data.load_model_and_tokenizer(paths["gpt"])
    except (OSError, ValueError) as err:
        st.error(bad_input(err))
        return
    for name in (bert_name, gpt_name):
        if models[name].get("language") not in ("", language):
            st.warning(t("input_layer.cmp_language", name=md(name), language=md(models[name].get("language") or "?")))
    heads = min(w.attention.heads for w in walks.values())
    head = st.slider(t("input_layer.head"), 0, heads - 1, 0, key="il_cmp_head")
    axes = dict(x_title=t("input_layer.ax_key"), y_title=t("input_layer.ax_query"), value_title=t("input_layer.ax_prob"))
    left, right = st.columns(2)
    for column, kind, name in ((left, "bert", bert_name), (right, "gpt", gpt_name)):
        walk = walks[kind]
        column.plotly_chart(plots.attention_heatmap(
            walk.attention.probs[head].numpy(), walk.tokens.labels(),
            title=t(f"input_layer.cmp_fig_{kind}", name=name, head=head), probabilities=True, **axes),
            width="stretch", key=f"il_cmp_attention_{kind}")
        where = t(f"input_layer.where_short_{walk.where}")
        column.caption(t("input_layer.cmp_where", name=md(name), position=walk.position_encoding, where=where))
        if walk.attention_error is not None:
            column.caption(t("input_layer.verified_attention", err=f"{walk.attention_error:.1e}"))
    st.caption(t("input_layer.cmp_attention_explain"))
    gpt_walk = walks["gpt"]
    mask = il.as_family(gpt).attention_mask(gpt_walk.tokens.seq_len)
    left, right = st.columns([1, 1])
    left.plotly_chart(plots.causal_mask_figure(
        mask.numpy(), gpt_walk.tokens.labels(), title=t("input_layer.cmp_fig_mask"), x_title=t("input_layer.ax_key"),
        y_title=t("input_layer.ax_query"), allowed=t("input_layer.cmp_allowed"), blocked=t("input_layer.cmp_blocked")),
        width="stretch", key="il_cmp_mask")
    with right:
        st.latex(r"S_{ij} = \frac{q_i \cdot k_j}{\sqrt{d_k}} + M_{ij},\qquad "
                 r"M_{ij} = \begin{cases} 0 & j \le i \\ -\infty & j > i \end{cases}")
        st.write(t("input_layer.cmp_mask_text"))
    _predictions(walks, paths, text, bert_name, gpt_name)


def _predictions(walks: dict, paths: dict, text: str, bert_name: str, gpt_name: str) -> None:
    """For one token of the sentence: BERT's guesses with it masked, GPT's guesses from the tokens before it."""
    st.subheader(t("input_layer.cmp_predict"))
    gpt_tokens = walks["gpt"].tokens.tokens
    bert_view = walks["bert"].tokens
    inner = [i for i, special in enumerate(bert_view.special.tolist()) if not special]
    if len(gpt_tokens) < 2:
        st.info(t("input_layer.cmp_too_short"))
        return
    if [bert_view.tokens[i] for i in inner] != gpt_tokens:
        st.info(t("input_layer.cmp_other_tokens"))
        return
    target = st.select_slider(t("input_layer.cmp_target"), options=list(range(1, len(gpt_tokens))),
                              value=min(len(gpt_tokens) - 1, max(1, len(gpt_tokens) // 2)),
                              format_func=lambda i: f"{i} · {gpt_tokens[i]}", key="il_cmp_target")
    at = inner[target]
    bert_guess = data.guess_masked(paths["bert"], text, at)
    gpt_guess = data.next_guesses(paths["gpt"], text)[target - 1]
    left, right = st.columns(2)
    shown = _join([bert_view.tokens[i] if i != at else "[MASK]" for i in inner])
    # the sentence and the run names are the user's: shown as text, never as Markdown
    left.caption(t("input_layer.cmp_bert_reads", name=md(bert_name), text=md(shown)))
    right.caption(t("input_layer.cmp_gpt_reads", name=md(gpt_name), text=md(_join(gpt_tokens[:target]))))
    for column, guess, kind in ((left, bert_guess, "bert"), (right, gpt_guess, "gpt")):
        column.plotly_chart(mlm_plots.guesses_figure(
            [guess], title=t(f"input_layer.cmp_fig_guess_{kind}", token=gpt_tokens[target]),
            panel_title=t("input_layer.guess_panel"), x_title=t("input_layer.ax_probability")),
            width="stretch", key=f"il_cmp_guess_{kind}")
    st.write(t("input_layer.cmp_predict_text"))


def _join(tokens: list[str]) -> str:
    """WordPiece tokens back to readable text (no spaces between Chinese characters)."""
    from core.pretrain.objectives.clm import readable

    return readable(" ".join(tokens).replace(" ##", ""))


def next_token_section(path: str, text: str) -> None:
    """For a causal model (the page's last section): its top-5 guess of the token after each position."""
    st.header(t("input_layer.s7_next"))
    st.write(t("input_layer.s7_next_text"))
    try:
        guesses = data.next_guesses(path, text, max_tokens=data.MAX_PAGE_TOKENS)
    except ValueError as err:
        st.error(bad_input(err))
        return
    st.plotly_chart(mlm_plots.guesses_figure(
        guesses[-mlm_plots.MAX_PANELS:], title=t("input_layer.fig_next_guesses", k=il.TOP_K),
        panel_title=t("input_layer.next_panel"), x_title=t("input_layer.ax_probability")), width="stretch")
    st.latex(r"p(x_{i+1} = w \mid x_1, \dots, x_i) = \mathrm{softmax}\big(h_i W_E^{\top}\big)_w")
    st.dataframe(mlm_plots.guesses_table(guesses, position=t("input_layer.col_position"),
                                         shown=t("input_layer.col_read"), original=t("input_layer.col_next"),
                                         guess=t("input_layer.col_guess")), hide_index=True)
