"""The input layer, step by step: one sentence through MiniLM's tokenizer, embeddings and first attention."""
from __future__ import annotations

import streamlit as st

from core import input_layer as il
from core import positional as pe
from core.plots import input_layer as plots
from ui.i18n import lang, t

MAX_PAGE_TOKENS = 128  # more rows than this make the heatmaps unreadable on a projector
VOCAB_SIZES = [100, 200, 300, 500, 1000, 2000, 3000, 5000, 10000]
FERTILITY_SIZES = [100, 300, 1000, 3000, 10000]
# Text to split with the trained tokenizers: in the corpus's language; for an upload, in the UI's.
PROBE_TEXT = {
    "lee": "The government announced unbelievably fast negotiations with Australian bushfire authorities",
    "zh": "我们在北京学习中文，自然语言处理很有意思。",
}
CORPUS_FOR_LANGUAGE = {"en": "lee", "zh": "zh"}  # the shipped corpus a user of that UI language starts with


# --- cached resources --------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def load_model_and_tokenizer():
    from core.models import load_tokenizer

    return il.load_input_model(), load_tokenizer()


@st.cache_resource(show_spinner=False)
def random_pool(_tokenizer):
    return il.ordinary_ids(_tokenizer)


@st.cache_data(show_spinner=False, max_entries=8)
def corpus_lines(source: str, data: bytes | None, name: str) -> list[str]:
    return il.read_lines(data, name) if source == "upload" else il.sample_lines(source)


@st.cache_data(show_spinner=False, max_entries=32)
def compare_tokenizers(lines: list[str], text: str, vocab_size: int) -> dict:
    return il.compare(lines, text, vocab_size)


@st.cache_data(show_spinner=False, max_entries=8)
def fertility(lines: list[str]) -> dict:
    return il.fertility(lines, FERTILITY_SIZES, max_words=5000)


# --- widgets -------------------------------------------------------------------------------------------

def choice(container, label: str, options: list[str], name: str, default: str, **kwargs) -> str:
    """A radio whose choice survives a language switch.

    Streamlit keeps a radio's value as its *displayed* label, so after the labels change language
    the old value no longer matches any option. The widget key therefore carries the language and
    the choice itself is remembered under ``il_<name>``, language-free. Option labels are the
    messages ``input_layer.<name>_<option>``.
    """
    key = f"il_{name}"
    current = st.session_state.get(key, default)
    value = container.radio(label, options, index=options.index(current if current in options else default),
                            key=f"{key}_{lang()}", format_func=lambda c: t(f"input_layer.{name}_{c}"), **kwargs)
    st.session_state[key] = value
    return value

def sentence_ui() -> tuple[str, str]:
    """The sentence (and optional second sentence) to walk through the model."""
    pick = choice(st, t("input_layer.pick"), ["en", "zh", "own"], "pick", default=lang(), horizontal=True)
    text_default, pair_default = il.EXAMPLES.get(pick, ("", ""))
    left, right = st.columns(2)
    text = left.text_input(t("input_layer.sentence"), value=text_default, key=f"il_text_{pick}", max_chars=1000)
    pair = right.text_input(t("input_layer.pair"), value=pair_default, key=f"il_pair_{pick}",
                            max_chars=1000, help=t("input_layer.pair_help"))
    return text, pair


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
    vocab_size = right.select_slider(t("input_layer.vocab_size"), VOCAB_SIZES, value=1000, key="il_vocab",
                                     help=t("input_layer.vocab_size_help"))
    probe_lang = CORPUS_FOR_LANGUAGE.get(lang(), "lee") if source == "upload" else source
    probe = right.text_input(t("input_layer.probe"), value=PROBE_TEXT[probe_lang], key=f"il_probe_{source}_{lang()}"
                             if source == "upload" else f"il_probe_{source}")
    return source, data, name, vocab_size, probe


def mask_ui() -> il.MaskConfig:
    left, right = st.columns(2)
    seed = left.number_input(t("input_layer.seed"), min_value=0, max_value=10**6, value=0, step=1, key="il_seed",
                             help=t("input_layer.seed_help"))
    prob = right.slider(t("input_layer.select_prob"), 0.05, 0.5, 0.15, 0.05, key="il_prob",
                        help=t("input_layer.select_prob_help"))
    return il.MaskConfig(select_prob=prob, seed=int(seed))


# --- sections ------------------------------------------------------------------------------------------

def figure_with_formula(fig, formula: str, text: str, ratio=(3, 2)) -> None:
    """A figure on the left; its formula (st.latex) and a sentence for students on the right."""
    left, right = st.columns(ratio)
    left.plotly_chart(fig, width="stretch")
    right.latex(formula)
    right.write(text)


def section_tokens(result: il.InputWalk) -> None:
    view = result.tokens
    st.header(t("input_layer.s1"))
    st.write(t("input_layer.s1_text"))
    st.html(plots.token_chips_html(view.tokens, view.input_ids.tolist(), view.sources, il.chip_kinds(view)))
    st.html(plots.legend_html({k: t(f"input_layer.chip_{k}") for k in ("word", "piece", "segment_b", "special", "unk")}))
    cols = st.columns(3)
    cols[0].metric(t("input_layer.n_tokens"), view.seq_len)
    cols[1].metric(t("input_layer.n_unk"), view.unk_count)
    cols[2].metric(t("input_layer.vocab"), f"{view.vocab_size:,}")
    if view.unk_count:
        st.warning(t("input_layer.unk_warning", n=view.unk_count))
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
        st.error(t("common.bad_input", message=str(err)))
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
    parts = [
        ("word", steps.word, r"W_E[\mathrm{id}_i]"),
        ("position", steps.position, r"P[i]"),
        ("token_type", steps.token_type, r"T[\mathrm{type}_i]"),
        ("sum", steps.summed, r"\begin{aligned} e_i = {} & W_E[\mathrm{id}_i] \\ & + P[i] + T[\mathrm{type}_i] \end{aligned}"),
        ("layernorm", steps.final, r"x_i = \gamma \odot \frac{e_i - \mu_i}{\sqrt{\sigma_i^2 + \epsilon}} + \beta"),
    ]
    for name, matrix, formula in parts:
        figure_with_formula(
            plots.matrix_heatmap(matrix.numpy(), labels, title=t(f"input_layer.fig_{name}", shape=tuple(matrix.shape)), **axes),
            formula, t(f"input_layer.s4_{name}"),
        )
    if result.embeddings_error is not None:
        st.success(t("input_layer.verified_embeddings", err=f"{result.embeddings_error:.1e}"))


def section_positions(model, tokenizer, text: str, pair: str) -> il.InputWalk:
    st.header(t("input_layer.s5"))
    st.write(t("input_layer.s5_text"))
    kind = choice(st, t("input_layer.position_kind"), list(il.position_kinds()), "position", default="learned",
                  horizontal=True)
    result = il.walk(model, tokenizer, text, pair, position=kind, max_tokens=MAX_PAGE_TOKENS)
    labels = result.tokens.labels()
    norms = result.steps.mean_row_norms()
    cols = st.columns(3)
    for col, name in zip(cols, ("word", "position", "token_type")):
        col.metric(t(f"input_layer.norm_{name}"), f"{norms[name]:.3f}")
    st.caption(t(f"input_layer.s5_{kind}"))
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


def section_attention(result: il.InputWalk) -> None:
    att, labels = result.attention, result.tokens.labels()
    kind = t(f"input_layer.position_{result.steps.position_kind}")
    st.header(t("input_layer.s6"))
    st.write(t("input_layer.s6_text", kind=kind))
    head = st.slider(t("input_layer.head"), 0, att.heads - 1, 0, key="il_head")
    st.plotly_chart(plots.qkv_figure(
        att.q[head].numpy(), att.k[head].numpy(), att.v[head].numpy(), labels,
        titles=[t(f"input_layer.fig_{m}", head=head, shape=tuple(att.q[head].shape)) for m in ("q", "k", "v")],
        x_title=t("input_layer.ax_head_dim"), y_title=t("input_layer.ax_token"), value_title=t("input_layer.ax_value")),
        width="stretch")
    st.latex(r"Q = X W_Q^{\top} + b_Q,\quad K = X W_K^{\top} + b_K,\quad V = X W_V^{\top} + b_V")
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
    st.write(t("input_layer.s6_softmax_text"))
    if result.attention_error is not None:
        st.success(t("input_layer.verified_attention", err=f"{result.attention_error:.1e}"))
    st.subheader(t("input_layer.s6_heads"))
    st.plotly_chart(plots.heads_grid(
        att.probs.numpy(), labels, title=t("input_layer.fig_heads", shape=tuple(att.probs.shape)),
        head_titles=[t("input_layer.head_n", head=h) for h in range(att.heads)],
        x_title=t("input_layer.ax_key"), y_title=t("input_layer.ax_query"), value_title=t("input_layer.ax_prob")),
        width="stretch")
    st.write(t("input_layer.s6_heads_text"))


def section_mlm(result: il.InputWalk, tokenizer) -> None:
    view = result.tokens
    st.header(t("input_layer.s7"))
    st.write(t("input_layer.s7_text"))
    config = mask_ui()
    pool = random_pool(tokenizer)
    masked = il.mask_tokens(view.input_ids, view.special, view.mask_id, config, random_pool=pool)
    arrows = {a: t(f"input_layer.was_{a}") for a in ("mask", "random", "keep")}
    st.html(plots.mask_chips_html(view.tokens, il.shown_tokens(tokenizer, masked), il.action_names(masked), arrows))
    st.html(plots.legend_html({"mask": t("input_layer.action_mask"), "random": t("input_layer.action_random"),
                               "keep": t("input_layer.action_keep"), "word": t("input_layer.action_not_selected")}))
    counts = masked.counts()
    st.caption(t("input_layer.mask_counts", selected=counts["selected"], ordinary=view.ordinary_count,
                 mask=counts["mask"], random=counts["random"], keep=counts["keep"]))
    stats = il.masking_statistics(view.input_ids, view.special, view.mask_id, config, repeats=2000, random_pool=pool)
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


# --- the page ------------------------------------------------------------------------------------------

st.title(t("input_layer.title"))
st.write(t("input_layer.intro"))
with st.spinner(t("input_layer.loading")):
    model, tokenizer = load_model_and_tokenizer()
text, pair = sentence_ui()
try:
    base = il.walk(model, tokenizer, text, pair, position="learned", max_tokens=MAX_PAGE_TOKENS)
except ValueError as err:
    st.error(t("common.bad_input", message=str(err)))
    st.stop()

section_tokens(base)
section_one_hot(base, tokenizer)
section_subword()
section_embeddings(base)
swapped = section_positions(model, tokenizer, text, pair)
section_attention(swapped)
section_mlm(base, tokenizer)
