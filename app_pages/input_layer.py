"""The input layer, step by step: one sentence through a model's tokenizer, embeddings and first attention.

The model is picked (the shipped MiniLM, EmbedLab's own masked-LM models, finished pretraining
runs); the walk takes any family ``core.input_layer`` knows and shows where position enters.
"""
from __future__ import annotations

import math

import streamlit as st

from core import input_layer as il
from core import positional as pe
from core.plots import input_layer as input_layer_plots
from ui.cache import shared_builders
from ui import family_compare
from ui.errors import bad_input, message as error_message
from ui.i18n import lang, t
from ui.input_layer_attention_mlm import section_attention, section_mlm
from ui.input_layer_common import choice, figure_with_formula
from ui.input_layer_data import (
    CORPUS_FOR_LANGUAGE, DEFAULT_VOCAB_SIZE, FERTILITY_SIZES, PROBE_TEXT, compare_tokenizers, corpus_lines, fertility,
    load_model_and_tokenizer, walk,
)
from ui.model_picker import pick_model
from ui.text import md

# Every student who types the same sentence sees the same figures: each is built once per server.
plots = shared_builders(input_layer_plots)

VOCAB_SIZES = [100, 200, 300, 500, 1000, 2000, 3000, 5000, 10000]


# --- cached resources (shared by every session, and warmed at server start: ui/input_layer_data.py) ----

def models() -> dict[str, dict]:
    """Every model one can pick, by name (``core.models.list_models``)."""
    from ui.model_picker import available_models

    return {m["name"]: m for m in available_models()}


# --- widgets -------------------------------------------------------------------------------------------


def sentence_ui() -> tuple[str, str]:
    """The sentence (and optional second sentence) to walk through the model."""
    pick = choice(st, t("input_layer.pick"), ["en", "zh", "own"], "pick", default=lang(), horizontal=True)
    text_default, pair_default = il.EXAMPLES.get(pick, ("", ""))
    left, right = st.columns(2)
    text = left.text_input(t("input_layer.sentence"), value=text_default, key=f"il_text_{pick}", max_chars=1000)
    pair = right.text_input(t("input_layer.pair"), value=pair_default, key=f"il_pair_{pick}",
                            max_chars=1000, help=t("input_layer.pair_help"))
    return text, pair


def model_ui(text: str) -> tuple[str, str, str]:
    """The picked model: ``(name, folder path, its language)``; the default follows the sentence's language."""
    from core.models import ModelInfo, model_for_language
    from core.text import detect_language

    language = detect_language(text) if text.strip() else lang()
    picked = pick_model("il_model", language, label=t("input_layer.model"), help=t("input_layer.model_help"))
    info = models().get(picked)
    if info is None:  # a folder path typed into the picker (class mode: only where the teacher allows it)
        from core.models import check_typed_model
        from ui.auth import user as me

        try:
            check_typed_model(picked, user=me())
        except ValueError as err:
            st.error(bad_input(err))
            st.stop()
        return picked, picked, ""
    if language == "en" and picked == model_for_language("en", [ModelInfo(**m) for m in models().values()]).name:
        st.caption(t("input_layer.picked_en", name=md(picked)))
    return picked, info["path"], info["language"]


def subword_ui() -> tuple[str, bytes | None, str, int, str]:
    """Corpus source, uploaded bytes, file name, vocabulary size and the text to split."""
    left, right = st.columns([1, 2])
    source = choice(left, t("input_layer.corpus"), ["lee", "zh", "upload"], "corpus",
                    default=CORPUS_FOR_LANGUAGE.get(lang(), "lee"))
    data, name = None, ""
    if source == "upload":
        upload = left.file_uploader(t("input_layer.upload"), type=["txt", "cor", "csv", "md"], key="il_upload")
        if upload is not None:
            data, name = upload.getvalue(), upload.name
    vocab_size = right.select_slider(t("input_layer.vocab_size"), VOCAB_SIZES, value=DEFAULT_VOCAB_SIZE, key="il_vocab",
                                     help=t("input_layer.vocab_size_help"))
    probe_lang = CORPUS_FOR_LANGUAGE.get(lang(), "lee") if source == "upload" else source
    probe = right.text_input(t("input_layer.probe"), value=PROBE_TEXT[probe_lang], key=f"il_probe_{source}_{lang()}"
                             if source == "upload" else f"il_probe_{source}")
    return source, data, name, vocab_size, probe


# --- sections ------------------------------------------------------------------------------------------


def model_caption(name: str, family: il.EncoderFamily) -> None:
    """One line on the model: its family, sizes, where position enters, whether it can guess [MASK]."""
    facts = family.facts()
    st.caption(t("input_layer.model_facts", name=md(name), family=facts["family"], layers=facts["layers"], dim=facts["dim"],
                 heads=facts["heads"], positions=f"{facts['positions']:,}", vocab=f"{facts['vocab']:,}",
                 position=facts["position"], where=t(f"input_layer.where_short_{facts['where']}"),
                 head=t("input_layer.yes") if facts["mlm_head"] else t("input_layer.no")))


def section_tokens(result: il.InputWalk, model_language: str) -> None:
    view = result.tokens
    st.header(t("input_layer.s1"))
    st.write(t("input_layer.s1_text"))
    st.html(plots.token_chips_html(view.tokens, view.input_ids.tolist(), view.sources, il.chip_kinds(view)))
    st.html(plots.legend_html({k: t(f"input_layer.chip_{k}") for k in ("word", "piece", "segment_b", "special", "unk")}))
    cols = st.columns(3)
    cols[0].metric(t("input_layer.n_tokens"), view.seq_len)
    cols[1].metric(t("input_layer.n_unk"), view.unk_count)
    cols[2].metric(t("input_layer.vocab"), f"{view.vocab_size:,}")
    if view.unk_count:  # the English model's own explanation, else a general one
        st.warning(t("input_layer.unk_warning" if model_language == "en" else "input_layer.unk_warning_other",
                     n=view.unk_count))
    st.caption(t("input_layer.s1_caption"))


def section_one_hot(result: il.InputWalk, tokenizer) -> None:
    view, labels = result.tokens, result.tokens.labels()
    st.header(t("input_layer.s2"))
    summary = il.one_hot_summary(view.seq_len, view.vocab_size, result.steps.word.shape[1])
    st.write(t("input_layer.s2_text", n=view.seq_len, vocab=f"{view.vocab_size:,}",
               numbers=f"{summary['one_hot_numbers']:,}", zeros=f"{summary['zero_share']:.4%}",
               dense=f"{summary['dense_numbers']:,}"))
    columns, matrix = il.one_hot_slice(tokenizer, view)
    left, right = st.columns(2)
    left.plotly_chart(plots.one_hot_slice(
        matrix.numpy(), columns, labels, title=t("input_layer.fig_onehot_slice", shape=f"({view.seq_len}, {view.vocab_size})",
                                                  n=len(columns)),
        x_title=t("input_layer.ax_vocab_column"), y_title=t("input_layer.ax_token")), width="stretch")
    right.plotly_chart(plots.matrix_heatmap(
        result.steps.word.numpy(), labels, title=t("input_layer.fig_dense", shape=tuple(result.steps.word.shape)),
        x_title=t("input_layer.ax_dim"), y_title=t("input_layer.ax_token"), value_title=t("input_layer.ax_value")),
        width="stretch")
    figure_with_formula(
        plots.one_hot_overview(view.input_ids.tolist(), view.vocab_size, labels,
                               title=t("input_layer.fig_onehot_overview", vocab=f"{view.vocab_size:,}"),
                               x_title=t("input_layer.ax_vocab_column"), y_title=t("input_layer.ax_token")),
        r"\begin{aligned} x_i &= \mathrm{onehot}(\mathrm{id}_i) \in \{0,1\}^{V} \\ "
        r"x_i^{\top} W_E &= W_E[\mathrm{id}_i] \in \mathbb{R}^{d} \end{aligned}",
        t("input_layer.s2_formula_text"),
    )


def section_subword() -> None:
    st.header(t("input_layer.s3"))
    st.write(t("input_layer.s3_text"))
    source, data, name, vocab_size, probe = subword_ui()
    if source == "upload" and data is None:
        st.info(t("input_layer.upload_first"))
        return
    try:
        with st.spinner(t("input_layer.training")):
            lines = corpus_lines(source, data, name)
            result = compare_tokenizers(lines, probe, vocab_size)
            curve = fertility(lines)
    except ValueError as err:
        st.error(bad_input(err))
        return
    cols = st.columns(2)
    for col, kind in zip(cols, ("bpe", "wordpiece")):
        col.subheader(t(f"input_layer.kind_{kind}"))
        col.caption(t("input_layer.trained_on", lines=f"{len(lines):,}", size=f"{result[kind]['vocab_size']:,}",
                      pieces=result[kind]["pieces"], words=len(result[kind]["words"])))
        if result[kind]["over"]:
            col.caption(t("input_layer.alphabet_note", size=vocab_size))
        col.html(plots.pieces_html(result[kind]["words"]))
    st.markdown(t("input_layer.first_merges"))
    st.code(plots.merges_text(result["bpe"]["merges"]), language=None)
    figure_with_formula(
        plots.fertility_curve(FERTILITY_SIZES, {t(f"input_layer.kind_{k}"): v for k, v in curve.items()},
                              title=t("input_layer.fig_fertility"), x_title=t("input_layer.ax_vocab_size"),
                              y_title=t("input_layer.ax_pieces_per_word"), marker=vocab_size),
        r"\begin{aligned} (a, b)^{*} &= \arg\max_{(a,b)} \mathrm{count}(a\,b) \\ a\,b &\rightarrow ab \end{aligned}",
        t("input_layer.s3_formula_text"),
    )


def section_embeddings(result: il.InputWalk) -> None:
    steps, labels = result.steps, result.tokens.labels()
    st.header(t("input_layer.s4"))
    st.write(t("input_layer.s4_text"))
    axes = dict(x_title=t("input_layer.ax_dim"), y_title=t("input_layer.ax_token"), value_title=t("input_layer.ax_value"))
    at_input = result.where == "input"  # else the model adds no position row: RoPE/ALiBi act in attention
    kind = steps.position_kind
    position_sum = r"\\ & + P[i] + T[\mathrm{type}_i]" if at_input else r"+ T[\mathrm{type}_i]"
    parts = [
        ("word", steps.word, r"W_E[\mathrm{id}_i]", t("input_layer.s4_word")),
        ("position", steps.position, r"P[i]", t(f"input_layer.s4_position_{kind}")),
        ("token_type", steps.token_type, r"T[\mathrm{type}_i]", t("input_layer.s4_token_type")),
        ("sum" if at_input else "sum_two", steps.summed,
         r"\begin{aligned} e_i = {} & W_E[\mathrm{id}_i] " + position_sum + r" \end{aligned}",
         t("input_layer.s4_sum") if at_input else t(f"input_layer.s4_sum_{result.where}")),
        ("layernorm", steps.final, r"x_i = \gamma \odot \frac{e_i - \mu_i}{\sqrt{\sigma_i^2 + \epsilon}} + \beta",
         t("input_layer.s4_layernorm")),
    ]
    for name, matrix, formula, text in parts:
        if name == "position" and not at_input:
            st.info(t(f"input_layer.s4_no_position_{result.where}", kind=result.position_encoding))
            continue
        title = t(f"input_layer.fig_{name}", shape=tuple(matrix.shape), kind=t(f"input_layer.short_{kind}"))
        figure_with_formula(plots.matrix_heatmap(matrix.numpy(), labels, title=title, **axes), formula, text)
    if result.embeddings_error is not None:
        st.success(t("input_layer.verified_embeddings", err=f"{result.embeddings_error:.1e}"))


def section_positions(family: il.EncoderFamily, path: str, text: str, pair: str, base: il.InputWalk) -> il.InputWalk:
    """Where position enters: swap the input's position part, or show what it does inside attention."""
    if base.where != "input":
        section_position_inside(base)
        return base
    st.header(t("input_layer.s5"))
    st.write(t("input_layer.s5_text"))
    own = base.steps.position_kind
    options = list(il.position_choices(family))

    def label(c: str) -> str:
        short = t(f"input_layer.short_{c}")
        return t("input_layer.own_kind", kind=short) if c == own else short

    kind = choice(st, t("input_layer.position_kind"), options, "position", default=own, format_func=label,
                  horizontal=True)
    result = walk(path, text, pair, kind)
    labels = result.tokens.labels()
    norms = result.steps.mean_row_norms()
    cols = st.columns(3)
    for col, name in zip(cols, ("word", "position", "token_type")):
        col.metric(t(f"input_layer.norm_{name}"), f"{norms[name]:.3f}")
    norm = f"{math.sqrt(result.steps.final.shape[1] / 2):.1f}"  # |PE_p| = sqrt(d/2) for the sinusoidal rows
    st.caption(t(f"input_layer.s5_{kind}_own" if kind == own else f"input_layer.s5_{kind}", norm=norm))
    axes = dict(x_title=t("input_layer.ax_dim"), y_title=t("input_layer.ax_token"), value_title=t("input_layer.ax_value"))
    left, right = st.columns(2)
    left.plotly_chart(plots.matrix_heatmap(
        result.steps.position.numpy(), labels,
        title=t("input_layer.fig_position_kind", kind=t(f"input_layer.short_{kind}"),
                shape=tuple(result.steps.position.shape)), **axes), width="stretch")
    right.plotly_chart(plots.matrix_heatmap(
        result.steps.final.numpy(), labels,
        title=t("input_layer.fig_input_kind", kind=t(f"input_layer.short_{kind}"),
                shape=tuple(result.steps.final.shape)), **axes), width="stretch")
    sim_axes = dict(x_title=t("input_layer.ax_token"), y_title=t("input_layer.ax_token"), value_title=t("input_layer.ax_cosine"))
    left, right = st.columns(2)
    left.plotly_chart(plots.similarity_heatmap(
        result.position_similarity.numpy(), labels,
        title=t("input_layer.fig_position_similarity", shape=tuple(result.position_similarity.shape)), **sim_axes),
        width="stretch")
    right.plotly_chart(plots.similarity_heatmap(
        result.input_similarity.numpy(), labels,
        title=t("input_layer.fig_input_similarity", shape=tuple(result.input_similarity.shape)), **sim_axes),
        width="stretch")
    st.latex(r"\cos(u, v) = \frac{u \cdot v}{\lVert u \rVert\,\lVert v \rVert}")
    st.latex(pe.get(kind).formula)  # the chosen position part's own formula
    st.write(t("input_layer.s5_similarity_text"))
    return result


def section_position_inside(result: il.InputWalk) -> None:
    """For a model whose position is not added at the input: where it enters, with the model's own numbers."""
    att, labels, encoding = result.attention, result.tokens.labels(), result.position_encoding
    st.header(t(f"input_layer.s5_where_{result.where}"))
    st.write(t(f"input_layer.where_{encoding}"))
    st.latex(pe.get(encoding).formula)
    if att.position_scores is None:  # nowhere: a repeated word has identical input rows
        st.plotly_chart(plots.similarity_heatmap(
            result.input_similarity.numpy(), labels,
            title=t("input_layer.fig_input_similarity", shape=tuple(result.input_similarity.shape)),
            x_title=t("input_layer.ax_token"), y_title=t("input_layer.ax_token"),
            value_title=t("input_layer.ax_cosine")), width="stretch")
        st.write(t("input_layer.s5_none_text"))
        return
    head = st.slider(t("input_layer.pos_head"), 0, att.heads - 1, 0, key="il_pos_head")
    pair_axes = dict(x_title=t("input_layer.ax_key"), y_title=t("input_layer.ax_query"),
                     value_title=t("input_layer.ax_score"), probabilities=False)
    shape = tuple(att.scores[head].shape)
    left, right = st.columns(2)
    left.plotly_chart(plots.attention_heatmap(
        att.content_scores[head].numpy(), labels, title=t("input_layer.fig_content_scores", head=head, shape=shape),
        **pair_axes), width="stretch")
    right.plotly_chart(plots.attention_heatmap(
        att.position_scores[head].numpy(), labels, title=t("input_layer.fig_position_scores", head=head, shape=shape),
        **pair_axes), width="stretch")
    st.write(t("input_layer.s5_attention_text"))


# --- the page ------------------------------------------------------------------------------------------

st.title(t("input_layer.title"))
st.write(t("input_layer.intro"))
text, pair = sentence_ui()
name, path, model_language = model_ui(text)
try:
    with st.spinner(t("input_layer.loading")):
        model, tokenizer = load_model_and_tokenizer(path)
        family = il.as_family(model)
except (OSError, ValueError) as err:
    st.error(t("input_layer.load_failed", name=md(name), message=error_message(err)))
    st.stop()
model_caption(name, family)
if family.causal and pair.strip():  # a GPT reads one text: the second sentence is left out, and said so
    st.info(t("input_layer.causal_no_pair", name=name))
    pair = ""
try:
    base = walk(path, text, pair)
except ValueError as err:
    st.error(bad_input(err))
    st.stop()

section_tokens(base, model_language)
section_one_hot(base, tokenizer)
section_subword()
section_embeddings(base)
swapped = section_positions(family, path, text, pair, base)
section_attention(swapped, family)
family_compare.bert_vs_gpt(text, model_language or lang(), models())
if family.predicts == "next":
    family_compare.next_token_section(path, text)
else:
    section_mlm(base, family, tokenizer, name, model_language, path, text, pair)
