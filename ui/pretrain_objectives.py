"""The pretraining page's objective pieces: the picker, each objective's prompt box, the objective shoot-out.

Pages keep their caching: the loaders are handed in (``load(model_dir, head, finished)``).
Every string comes from locales/pretrain.json; user text is shown literally (dataframes, st.text).

- :func:`objectives_ui`: which objectives to train (one run per objective x encoding x start);
- :func:`prompt_box`: what a finished run's model does with a prompt, by its objective's ``view``:
  ``masks`` (top-5 per [MASK]), ``pair`` (p(B follows A), and the masks), ``generate`` (the next
  tokens, a greedy and a sampled continuation);
- :func:`objective_shootout`: the chosen runs' held-out scores side by side (table + bars), and
  fine-tuning each run's model on one labelled dataset, whose test accuracy joins the table.
"""
from __future__ import annotations

import streamlit as st

import core.jobs as jobs
from ui.auth import user as me
from ui.errors import bad_input
from ui.i18n import lang, t

FINETUNE_SAMPLES = 4000  # reviews per shoot-out fine-tune: minutes for a tiny model on a CPU


def objective_label(name: str | None) -> str:
    return t(f"pretrain.objective.{name}") if name else "–"


def objective_choices() -> list[list[str]]:
    """The values the form may restore into the objectives picker (one objective each, as a run has)."""
    from core.pretrain import objectives

    return [[name] for name in objectives.names()]


def objectives_ui(container=st) -> list[str]:
    """The objectives to train, a multiselect (its default, masked LM, comes from the page's form)."""
    from core.pretrain import objectives

    key = "pretrain_objectives"
    default = {} if key in st.session_state else {"default": ["mlm"]}
    return container.multiselect(t("pretrain.objectives"), list(objectives.names()), key=key, **default,
                                 format_func=objective_label, help=t("pretrain.help.objective"))


def formulas(names: list[str]) -> None:
    """Each chosen objective's loss, with one sentence on what it predicts."""
    from core.pretrain import objectives

    for name in names or ["mlm"]:
        st.latex(objectives.get(name).formula)
        st.caption(t(f"pretrain.objective_about.{name}"))


# ------------------------------------------------------------------ prompt boxes

def prompt_box(model_dir: str, finished: str, objective_name: str | None, language: str | None, load) -> None:
    """The prompt box of a finished run's model, drawn by its objective's view."""
    from core.pretrain import objectives

    kind = objectives.get(objective_name or "mlm")
    st.markdown(f"**{t(f'pretrain.try_title.{kind.view}')}**")
    st.caption(t(f"pretrain.try_about.{kind.view}"))
    try:
        model, tokenizer = load(model_dir, kind.head, finished)
        {"masks": _masks, "pair": _pair, "generate": _generate}[kind.view](model, tokenizer, language)
    except ValueError as err:
        st.error(bad_input(err))


def _masks(model, tokenizer, language) -> None:
    from core.plots.pretrain import predictions_table
    from core.pretrain.predict import predict_masks

    example = t("pretrain.try_example_zh") if language == "zh" else t("pretrain.try_example_en")
    text = st.text_input(t("pretrain.try_input"), value=example, key="pretrain_try", max_chars=500)
    st.dataframe(predictions_table(predict_masks(model, tokenizer, text)), hide_index=True)
    st.latex(r"p(w \mid \tilde{x}) = \mathrm{softmax}\big(W_E\, h_{[\mathrm{MASK}]} + b\big)_w")


def _pair(model, tokenizer, language) -> None:
    from core.pretrain.objectives.mlm_nsp import next_sentence

    zh = language == "zh"
    left, right = st.columns(2)
    a = left.text_input(t("pretrain.pair_a"), value=t("pretrain.pair_a_zh" if zh else "pretrain.pair_a_en"),
                        key="pretrain_pair_a", max_chars=500)
    b = right.text_input(t("pretrain.pair_b"), value=t("pretrain.pair_b_zh" if zh else "pretrain.pair_b_en"),
                         key="pretrain_pair_b", max_chars=500)
    if a.strip() and b.strip():
        st.metric(t("pretrain.pair_probability"), f"{next_sentence(model, tokenizer, a, b):.1%}")
        st.latex(r"p(\mathrm{IsNext}) = \mathrm{softmax}\big(W_{\mathrm{NSP}} \tanh(W_p h_{[\mathrm{CLS}]} + b_p)\big)_0")
    else:  # the [MASK] box below still works
        st.info(t("pretrain.pair_empty"))
    _masks(model, tokenizer, language)


def _generate(model, tokenizer, language) -> None:
    from core.pretrain.objectives.clm import continue_text, next_tokens

    example = t("pretrain.prompt_zh") if language == "zh" else t("pretrain.prompt_en")
    prompt = st.text_input(t("pretrain.prompt"), value=example, key="pretrain_prompt", max_chars=500)
    a, b, c, d = st.columns(4)
    length = a.number_input(t("pretrain.gen_length"), 1, 200, 30, key="pretrain_gen_length")
    top_k = b.number_input(t("pretrain.gen_top_k"), 1, 1000, 10, key="pretrain_gen_top_k",
                           help=t("pretrain.gen_top_k_help"))
    temperature = c.number_input(t("pretrain.gen_temperature"), 0.05, 5.0, 1.0, step=0.1, key="pretrain_gen_temp",
                                 help=t("pretrain.gen_temperature_help"))
    seed = d.number_input(t("pretrain.gen_seed"), 0, 10_000, 0, key="pretrain_gen_seed")
    top = next_tokens(model, tokenizer, prompt)
    st.dataframe({t("pretrain.col.next_token"): [tok for tok, _ in top],
                  t("pretrain.col.probability"): [f"{p:.3f}" for _, p in top]}, hide_index=True)
    greedy = continue_text(model, tokenizer, prompt, max_new_tokens=int(length))
    sampled = continue_text(model, tokenizer, prompt, max_new_tokens=int(length), sample=True, top_k=int(top_k),
                            temperature=float(temperature), seed=int(seed))
    left, right = st.columns(2)
    with left.container(border=True):
        st.caption(t("pretrain.greedy"))
        st.text(prompt + greedy)
    with right.container(border=True):
        st.caption(t("pretrain.sampled", k=int(top_k), temperature=f"{float(temperature):g}", seed=int(seed)))
        st.text(prompt + sampled)
    st.latex(r"x_{i+1} = \arg\max_w\, \big(h_i W_E^{\top}\big)_w,\qquad "
             r"x_{i+1} \sim \mathrm{softmax}\big(\mathrm{top}_k(h_i W_E^{\top}) / T\big)")


# ------------------------------------------------------------------ the objective shoot-out

SCORE_COLUMNS = ("valid_loss", "masked_accuracy", "next_accuracy", "nsp_accuracy", "finetune_accuracy")


def shootout_rows(run_ids: list[str]) -> list[dict]:
    """One row per run: label, objective, encoding, tokens, held-out loss and the accuracies that apply to it.

    Masked-token accuracy for the autoencoding objectives, next-token accuracy for the
    causal LM (the same summary field, split by what it counts), NSP accuracy where it was
    trained, and the test accuracy of the newest finished fine-tune of the run's model.
    """
    from core.pretrain import objectives

    tuned = {}
    for run in jobs.list_runs("finetune", user=me()):  # newest first: keep the first per base model
        base = str((run.get("config") or {}).get("model") or "")
        if run.get("state") == "done" and base and (run.get("summary") or {}).get("accuracy") is not None:
            tuned.setdefault(base, run["summary"]["accuracy"])
    rows = []
    for run_id in run_ids:
        try:
            meta, summary = jobs.read_config(run_id, user=me()), jobs.read_summary(run_id, user=me())
        except ValueError:
            continue
        config = meta.get("config") or {}
        name = config.get("objective") or summary.get("objective") or "mlm"
        causal = objectives.get(name).causal
        accuracy = summary.get("valid_accuracy")
        rows.append({"id": run_id, "label": meta.get("name") or run_id, "objective": name,
                     "language": summary.get("language") or config.get("language"),
                     "position": config.get("position_encoding"), "tokens": summary.get("tokens"),
                     "valid_loss": summary.get("valid_loss"),
                     "masked_accuracy": None if causal else accuracy, "next_accuracy": accuracy if causal else None,
                     "nsp_accuracy": summary.get("valid_nsp_accuracy"),
                     "finetune_accuracy": tuned.get(str(jobs.run_dir(run_id, user=me()) / "model"))})
    return rows


def objective_shootout(run_ids: list[str], language: str | None = None) -> None:
    """The table and bars of the chosen runs' scores, by objective; and the fine-tune-each button, which offers
    datasets in the runs' language first (else ``language``)."""
    from core.plots.pretrain import objective_scores_figure

    rows = shootout_rows(run_ids)
    if not rows:
        return
    st.subheader(t("pretrain.objective_shootout"))
    st.write(t("pretrain.objective_shootout_intro"))
    fmt = lambda v: "–" if v is None else f"{v:.3f}"  # noqa: E731
    scores = {t(f"pretrain.score.{k}"): [fmt(r[k]) for r in rows] for k in SCORE_COLUMNS}
    st.table({  # a static table wraps its headers: all eight columns stay readable (and on a projector)
        t("pretrain.col.run"): [r["label"] for r in rows],
        t("pretrain.col.objective"): [objective_label(r["objective"]) for r in rows],
        t("pretrain.col.position"): [t(f"pretrain.position.{r['position']}") for r in rows],
        t("pretrain.tokens_seen"): [f"{r['tokens'] or 0:,}" for r in rows],
        **scores,
    }, hide_index=True)
    st.plotly_chart(objective_scores_figure(
        rows, {k: t(f"pretrain.score.{k}") for k in SCORE_COLUMNS if k != "valid_loss"},
        title=t("pretrain.objective_scores_title"), y_title=t("pretrain.accuracy")), key="pretrain_objective_scores")
    st.caption(t("pretrain.objective_scores_explain"))
    finetune_each(rows, next((r["language"] for r in rows if r.get("language") in ("en", "zh")), language))


def finetune_each(rows: list[dict], language: str | None) -> None:
    """Fine-tune every chosen run's model on one named classification dataset (same data and settings for all)."""
    from core import datasets

    named = {d.name: d for d in datasets.list_datasets(task="classification")}
    if not named:
        return
    order = sorted(named, key=lambda n: (named[n].language != (language or "zh"), n))
    left, right = st.columns([3, 1])
    picked = left.selectbox(t("pretrain.finetune_dataset"), order, key="pretrain_ft_dataset",
                            format_func=lambda n: getattr(named[n], f"title_{lang()}", None) or n,
                            help=t("pretrain.finetune_help", n=f"{FINETUNE_SAMPLES:,}"))
    if right.button(t("pretrain.finetune_each"), key="pretrain_ft_each", icon=":material/model_training:"):
        from core.finetune.config import FinetuneConfig
        from ui.runs import submit_once

        started = 0
        try:
            for row in rows:  # a double click queues no twins; a class's job limit stops the rest, and says so
                config = FinetuneConfig(train_file=f"dataset:{picked}",
                                        model=str(jobs.run_dir(row["id"], user=me()) / "model"),
                                        max_train_samples=FINETUNE_SAMPLES, epochs=2, batch_size=32,
                                        learning_rate=1e-3, max_length=128, seed=1, early_stopping=0)
                submit_once("finetune", config.to_dict(), name=t("pretrain.finetune_name", run=row["label"], data=picked))
                started += 1
        except ValueError as err:
            st.error(bad_input(err))
        if started:
            st.success(t("pretrain.finetune_started", n=started))
