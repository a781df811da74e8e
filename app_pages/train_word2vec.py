"""Train word2vec on a sample, a dataset or an upload, in a background job, with live curves.

Widgets -> ``core.word2vec.job.build_job_config`` -> ``core.jobs.submit``; the
run id goes into ``?run=`` so a refresh, a second tab or a shared link
reattaches, and the form then shows that run's settings ("train again with
changes" starts from them). Engines, their devices and descriptions come from
the engine registry (``core.word2vec.engines``); the default engine follows
the device. The live block (``ui.runs.live_status``) refreshes once a second.
"""
from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

import core.jobs as jobs
from core.plots import training as plots
from ui import runs as ui_runs
from ui.auth import user as me
from ui.errors import bad_input
from ui.corpus_datasets import corpus_datasets
from ui.i18n import t

# TrainConfig fields every engine reads, in the order the form shows them; an engine's own
# fields (``Engine.extra_parameters``) follow when it is chosen.
HYPERPARAMETERS = ("vector_size", "window", "min_count", "epochs", "negative", "sample", "alpha", "min_alpha",
                   "max_vocab", "seed")
READING_KEYS = ("corpus", "column", "field", "language", "lowercase", "strip_punctuation")
DATASET_PREFIX = "dataset:"
# The form's settings that differ from their defaults live in ``?form=`` (compact JSON), so a
# refresh keeps them; an upload cannot be kept that way (the browser must send it again).
FORM_PARAM = "form"
FORM_KEYS = ("train_sg", "train_engine", "train_source", "train_corpus_sample", "train_dataset", "train_language",
             "train_lowercase", "train_strip", "train_name")


# ------------------------------------------------------------------ cached compute

@st.cache_data(show_spinner=False)
def train_defaults() -> dict:
    from core.word2vec.config import TrainConfig

    return TrainConfig().to_dict()


@st.cache_data(show_spinner=False)
def samples() -> dict[str, str]:
    from core.text import SAMPLES

    return dict(SAMPLES)


@st.cache_data(show_spinner=False)
def upload_limit_bytes() -> int:
    from core.text import MAX_UPLOAD_BYTES

    return int(min(MAX_UPLOAD_BYTES, st.get_option("server.maxUploadSize") * 1024 * 1024))


@st.cache_data(show_spinner=False, max_entries=16)
def corpus_preview(source_json: str):
    from core.word2vec.preview import preview_corpus

    return preview_corpus(json.loads(source_json))


@st.cache_data(show_spinner=False, max_entries=16)
def file_columns(path: str) -> tuple[str, list[str]]:
    """(kind, csv columns or jsonl fields) of an uploaded file."""
    from core.text import sniff

    info = sniff(path)
    return info.kind, list(info.columns or info.fields)


@st.cache_resource(show_spinner=False, max_entries=4)
def run_vectors(run_id: str, finished: str):
    from core.vectors.io import load_run_vectors

    return load_run_vectors(jobs.run_dir(run_id, user=me()))


def engine_info() -> dict[str, dict]:
    """``{name: {description, devices, extra_parameters}}``, asked of the engine registry on every run
    (cheap; not cached, so an engine registered at run time shows up at once)."""
    from core.word2vec import engines

    return {name: {"description": engines.get(name).description, "devices": engines.get(name).devices(),
                   "extra_parameters": tuple(engines.get(name).extra_parameters)} for name in engines.names()}


@st.cache_data(show_spinner=False)
def default_engine() -> tuple[str, str]:
    """(the default engine here, this machine's device type): gensim on a CPU, torch on a GPU."""
    from core.word2vec import engines

    return engines.default_engine(), engines.device_type()


@st.cache_data(show_spinner=False)
def device_text(engine: str, choice: str) -> str:
    from core.device import describe, resolve
    from core.word2vec import engines

    kind = engines.get(engine).device_type(choice)
    return describe(resolve(choice if kind != "cpu" and choice != "auto" else kind))


def save_uploaded(uploaded) -> str:
    """Store the upload once per browser upload (keyed by Streamlit's file id), return its path."""
    from core.jobs.uploads import save_upload

    saved = st.session_state.setdefault("_train_uploads", {})
    if uploaded.file_id not in saved:
        saved[uploaded.file_id] = str(save_upload(uploaded, uploaded.name, max_bytes=upload_limit_bytes(), user=me()))
    return saved[uploaded.file_id]


# ------------------------------------------------------------------ labels

def sample_label(name: str) -> str:
    """The translated description of a sample (core's English one for samples added later)."""
    key = f"train.sample.{name}"
    label = t(key)
    return label if label != key else f"{name}: {samples().get(name, '')}"


def engine_label(name: str) -> str:
    key = f"train.engine.{name}"
    label = t(key)
    return label if label != key else name


def engine_about(name: str) -> str:
    """What an engine offers, translated when locales/train.json has it, else the engine's own line."""
    key = f"train.engine_about.{name}"
    text = t(key)
    return text if text != key else engine_info().get(name, {}).get("description", "")


def dataset_title(name: str) -> str:
    info = corpus_datasets().get(name, {})
    return info.get("title_zh" if st.session_state.get("lang") == "zh" else "title_en") or name


def corpus_label(config: dict) -> str:
    """What a user knows a run's corpus by: the sample's or dataset's title, else the file's own name."""
    corpus = str(config.get("corpus") or "")
    if corpus in samples():
        return sample_label(corpus)
    if corpus.startswith(DATASET_PREFIX):
        return dataset_title(corpus[len(DATASET_PREFIX):])
    return config.get("corpus_name") or Path(corpus).name or "–"


def benchmark_label(name: str, short: bool = False) -> str:
    key = f"train.metric.{name}" if short else f"train.{name}"
    text = t(key)
    return text if text != key else name


# ------------------------------------------------------------------ the form follows the attached run

def init_form() -> None:
    """Seed every form widget's state once per session, so widgets never get a second default."""
    defaults = train_defaults()
    state = st.session_state
    for field, value in defaults.items():
        if field != "sg":
            state.setdefault(f"train_hp_{field}", value)
    state.setdefault("train_sg", True)
    state.setdefault("train_engine", default_engine()[0])
    state.setdefault("train_language", "auto")
    state.setdefault("train_lowercase", True)
    state.setdefault("train_strip", True)
    if "train_source" not in state:
        first_chinese = state.get("lang") == "zh"
        zh_sets = [n for n, info in corpus_datasets().items() if info.get("language") == "zh"]
        if first_chinese and zh_sets:  # the first run in a Chinese UI starts on Chinese data (#12)
            state["train_source"], state["train_dataset"] = "dataset", zh_sets[0]
        else:
            state["train_source"] = "sample"
            state.setdefault("train_corpus_sample", "zh" if first_chinese and "zh" in samples() else
                             next(iter(samples())))
    state.setdefault("_train_form_baseline", {key: state.get(key) for key in _form_keys()})


def _form_keys() -> list[str]:
    return list(FORM_KEYS) + [f"train_hp_{f}" for f in train_defaults() if f != "sg"] + \
        [f"train_device_{e}" for e in engine_info()]


def form_to_url() -> None:
    """Keep the form's non-default settings in ``?form=`` (removed when everything is at its default)."""
    baseline = st.session_state.get("_train_form_baseline", {})
    changed = {key: st.session_state[key] for key in _form_keys()
               if key in st.session_state and st.session_state[key] != baseline.get(key)
               and isinstance(st.session_state[key], (bool, int, float, str)) and st.session_state[key] != ""}
    text = json.dumps(changed, ensure_ascii=False, separators=(",", ":"), sort_keys=True) if changed else ""
    if text and st.query_params.get(FORM_PARAM) != text:
        st.query_params[FORM_PARAM] = text
    elif not text and FORM_PARAM in st.query_params:
        del st.query_params[FORM_PARAM]


def form_from_url() -> None:
    """Put ``?form=`` back into the form, once per session (after a refresh); unusable values are skipped."""
    state = st.session_state
    if state.get("_train_form_url_done"):
        return
    state["_train_form_url_done"] = True
    try:
        saved = json.loads(st.query_params.get(FORM_PARAM) or "{}")
    except ValueError:
        return
    if not isinstance(saved, dict):
        return
    baseline = state.get("_train_form_baseline", {})
    for key in _form_keys():
        value = saved.get(key)
        if value is None:
            continue
        expected = baseline.get(key, state.get(key))
        if expected is not None and type(value) is not type(expected) \
                and not (isinstance(expected, float) and isinstance(value, int)):
            continue
        if key.startswith("train_device_") and value not in engine_info().get(key[len("train_device_"):], {}).get(
                "devices", []):
            continue
        state[key] = float(value) if isinstance(expected, float) else value


def form_from_run(run_id: str) -> None:
    """Put the settings of ``run_id`` into the form (once per attached run), so Train starts from them."""
    state = st.session_state
    if state.get("_train_form_run") == run_id:
        return
    state["_train_form_run"] = run_id
    config = jobs.read_config(run_id, user=me()).get("config", {})
    for field, value in (config.get("train") or {}).items():
        if field == "sg":
            state["train_sg"] = bool(value)
        elif f"train_hp_{field}" in state:
            state[f"train_hp_{field}"] = type(train_defaults().get(field, value))(value)
    engine = config.get("engine")
    if engine in engine_info():
        state["train_engine"] = engine
        if config.get("device") in engine_info()[engine]["devices"]:
            state[f"train_device_{engine}"] = config["device"]
    elif engine:
        state["_train_form_error"] = engine
    for key, widget in (("language", "train_language"), ("lowercase", "train_lowercase"),
                        ("strip_punctuation", "train_strip")):
        if key in config:
            state[widget] = config[key]
    corpus = str(config.get("corpus") or "")
    if corpus in samples():
        state["train_source"], state["train_corpus_sample"] = "sample", corpus
    elif corpus.startswith(DATASET_PREFIX) and corpus[len(DATASET_PREFIX):] in corpus_datasets():
        state["train_source"], state["train_dataset"] = "dataset", corpus[len(DATASET_PREFIX):]
    elif corpus:
        state["train_source"] = "upload"
        state["_train_reuse"] = {"corpus": corpus, "corpus_name": config.get("corpus_name") or Path(corpus).name,
                                 "column": config.get("column"), "field": config.get("field")}


# ------------------------------------------------------------------ widgets -> plain values

def corpus_ui() -> dict | None:
    """The corpus choice as ``build_job_config`` keyword arguments, or None when nothing is chosen yet."""
    st.subheader(t("train.corpus"))
    kinds = ["sample", "dataset", "upload"] if corpus_datasets() else ["sample", "upload"]
    sources = {s: t(f"train.source.{s}") for s in kinds}
    if st.session_state.get("train_source") not in sources:
        st.session_state["train_source"] = "sample"
    source = st.radio(t("train.source"), list(sources), horizontal=True, key="train_source", format_func=sources.get)
    extra: dict = {}
    if source == "sample":
        names = {n: sample_label(n) for n in samples()}
        if st.session_state.get("train_corpus_sample") not in names:
            st.session_state["train_corpus_sample"] = next(iter(names))
        name = st.selectbox(t("train.sample"), list(names), key="train_corpus_sample", format_func=names.get)
        corpus, corpus_name = name, sample_label(name)
    elif source == "dataset":
        datasets = corpus_datasets()
        if st.session_state.get("train_dataset") not in datasets:
            st.session_state["train_dataset"] = next(iter(datasets))
        titles = {n: dataset_title(n) for n in datasets}
        name = st.selectbox(t("train.dataset"), list(titles), key="train_dataset", format_func=titles.get)
        info = datasets[name]
        st.caption(t("train.dataset_info", source=info.get("source") or "–", licence=info.get("licence") or "–",
                     tokens=f"{info['tokens']:,}" if info.get("tokens") else "–"))
        corpus, corpus_name = DATASET_PREFIX + name, dataset_title(name)
    else:
        limit = upload_limit_bytes()
        uploaded = st.file_uploader(t("train.upload"), type=["txt", "csv", "tsv", "jsonl", "json", "zip"],
                                    key="train_upload", help=t("train.upload_help"))
        st.caption(t("train.upload_limit", mb=f"{limit / 1024**2:,.0f}"))
        reuse = st.session_state.get("_train_reuse")
        if uploaded is not None:
            try:
                corpus = save_uploaded(uploaded)
            except ValueError as err:
                st.error(bad_input(err))
                return None
            corpus_name = uploaded.name[:120]
        elif reuse and Path(reuse["corpus"]).is_file():
            from core.jobs.uploads import check_readable

            try:
                check_readable(reuse["corpus"], user=me())  # class mode: only a file this person may read
            except ValueError as err:
                st.error(bad_input(err))
                return None
            corpus, corpus_name = reuse["corpus"], reuse["corpus_name"]
            st.info(t("train.reusing_file", name=corpus_name))
        else:
            return None
        try:
            kind, columns = file_columns(corpus)
        except ValueError as err:
            st.error(bad_input(err))
            return None
        if kind in ("csv", "tsv") and columns:
            extra["column"] = st.selectbox(t("train.column"), columns, key="train_column")
        elif kind == "jsonl" and columns:
            extra["field"] = st.selectbox(t("train.field"), columns, key="train_field")
    with st.expander(t("train.reading")):
        languages = {code: t(f"train.language.{code}") for code in ("auto", "en", "zh")}
        extra["language"] = st.selectbox(t("train.language"), list(languages), key="train_language",
                                         format_func=languages.get, help=t("train.language_help"))
        extra["lowercase"] = st.checkbox(t("train.lowercase"), key="train_lowercase")
        extra["strip_punctuation"] = st.checkbox(t("train.strip_punctuation"), key="train_strip")
    return {"corpus": corpus, "corpus_name": corpus_name, **extra}


def engine_ui() -> tuple[str, str]:
    """(engine, device): the registry's engines, the default one following the device, and why."""
    info = engine_info()
    names = list(info)
    if st.session_state.get("train_engine") not in info:
        st.session_state["train_engine"] = default_engine()[0]
    labels = {name: engine_label(name) for name in names}
    engine = st.radio(t("train.engine"), names, key="train_engine", horizontal=True, format_func=labels.get,
                      help=t("train.engine_help"))
    default, device_kind = default_engine()
    if engine == default:
        line = t("train.engine_why_default", engine=engine_label(engine), device=device_kind,
                 about=engine_about(engine))
    else:
        line = t("train.engine_why_chosen", engine=engine_label(engine), about=engine_about(engine))
    others = "; ".join(f"{engine_label(o)}: {engine_about(o)}" for o in names if o != engine)
    if others:
        line += " " + t("train.engine_others", others=others)
    st.caption(line)
    devices = info[engine]["devices"]
    device = devices[0]
    if len(devices) > 1:
        device = st.selectbox(t("train.device"), devices, key=f"train_device_{engine}", help=t("train.device_help"))
    try:
        st.caption(t("train.device_used", device=device_text(engine, device)))
    except ValueError as err:
        st.error(bad_input(err))
    return engine, device


def hyperparameters_ui() -> tuple[dict, str, str, str]:
    """(TrainConfig fields, engine, device, run name) from the settings column."""
    st.subheader(t("train.settings"))
    missing = st.session_state.pop("_train_form_error", None)
    if missing:
        from core.word2vec import engines

        try:
            engines.get(missing)
        except ValueError as err:
            st.error(bad_input(err))
    engine, device = engine_ui()
    defaults = train_defaults()
    values: dict = {}
    architectures = {True: t("train.skipgram"), False: t("train.cbow")}
    values["sg"] = st.radio(t("train.hp.sg"), list(architectures), key="train_sg", horizontal=True,
                            format_func=architectures.get, help=t("train.help.sg"))
    left, right = st.columns(2)
    for i, field in enumerate(HYPERPARAMETERS + engine_info()[engine]["extra_parameters"]):
        column = left if i % 2 == 0 else right
        default = defaults[field]
        kwargs = {"key": f"train_hp_{field}", "help": t(f"train.help.{field}")}
        st.session_state.setdefault(kwargs["key"], default)
        if isinstance(default, float):
            values[field] = column.number_input(t(f"train.hp.{field}"), min_value=0.0,
                                                step=float(default) / 5 or 0.001,
                                                format="%.5f" if default < 0.01 else "%.4f", **kwargs)
        else:
            values[field] = int(column.number_input(t(f"train.hp.{field}"), min_value=0, step=1, **kwargs))
    name = st.text_input(t("train.run_name"), key="train_name", max_chars=120, placeholder=t("train.run_name_hint"))
    return values, engine, device, name


# ------------------------------------------------------------------ drawing

def draw_preview(source: dict, min_count: int):
    """The reading report, token counts, first sentences and the Zipf plot; returns the preview or None."""
    reading = {k: source.get(k) for k in READING_KEYS}
    try:
        with st.spinner(t("train.reading_corpus")):
            preview = corpus_preview(json.dumps(reading, sort_keys=True))
    except ValueError as err:
        st.error(bad_input(err))
        return None
    if preview.report is not None:
        from ui.reading_report import show

        show(preview.report)
    a, b = st.columns(2)
    a.metric(t("train.tokens"), f"{preview.tokens:,}")
    b.metric(t("train.vocab_at_min_count", min_count=min_count), f"{preview.vocab_size(min_count):,}")
    splitting = t("train.language.segmented") if preview.segmented else t(f"train.language.{preview.language}")
    st.caption(t("train.detected", encoding=preview.encoding, language=splitting))
    if preview.truncated:
        st.caption(t("train.preview_truncated", tokens=f"{preview.tokens:,}"))
    st.markdown(f"**{t('train.first_sentences')}**")
    st.code(preview.token_lines(), language=None, wrap_lines=True)
    st.plotly_chart(plots.zipf_figure(
        preview.counts, title=t("train.zipf_title"), x_title=t("train.zipf_x"), y_title=t("train.zipf_y"),
        observed=t("train.zipf_observed"), reference=t("train.zipf_reference"), min_count=min_count,
        min_count_label=t("train.hp.min_count")), key="train_zipf")
    st.caption(t("train.zipf_explain"))
    return preview


def too_small_reason(preview, min_count: int) -> str | None:
    """Why Train is disabled for this corpus and min_count (training needs two words), or None."""
    if preview is None or preview.truncated:
        return None
    kept = preview.vocab_size(min_count)
    if kept >= 2:
        return None
    counts = [c for _, c in preview.counts[:2]]
    return t("train.vocab_too_small", kept=kept, min_count=min_count, tokens=f"{preview.tokens:,}",
             suggest=counts[1] if len(counts) == 2 else 1)


def live_curves(run_id: str, records: list[dict], status: dict) -> None:
    """Drawn inside the live fragment: loss / speed / lr curves and per-epoch evaluation."""
    steps, evals = ui_runs.split_records(records)
    if not steps:
        if status.get("state") == "running":
            st.caption(t("train.waiting_for_metrics"))
        return
    last = steps[-1]
    a, b, c, d = st.columns(4)
    a.metric(t("train.epoch"), f"{last.get('epoch', '–')} / {last.get('epochs', '–')}")
    b.metric(t("train.loss"), f"{last['loss']:.4f}" if last.get("loss") is not None else "–")
    c.metric(t("train.words_per_s"), f"{last.get('words_per_s', 0):,.0f}")
    d.metric(t("train.lr"), f"{last.get('lr', 0):.5f}")
    draw_curves(steps, evals, key="live")


def draw_curves(steps: list[dict], evals: list[dict], key: str) -> None:
    from core.word2vec.results import covered_benchmarks

    st.plotly_chart(plots.live_figure(
        steps, panels=(("loss", t("train.loss")), ("words_per_s", t("train.words_per_s")), ("lr", t("train.lr"))),
        x_title=t("train.epochs_done")), key=f"{key}_steps")
    covered = covered_benchmarks(evals)
    if covered:  # no empty plot when no benchmark covers the corpus (e.g. Chinese text on English sets)
        from core.word2vec.results import scores

        last = {score.benchmark: score for score in scores(evals[-1])}
        labels = tuple((name, t("train.curve_label", name=benchmark_label(name),
                                coverage=last[name].coverage_text() if name in last else "?")) for name in covered)
        st.plotly_chart(plots.eval_figure(
            evals, metrics=labels,
            title=t("train.eval_title"), x_title=t("train.epoch"), y_title=t("train.score")), key=f"{key}_evals")
    elif evals:
        st.caption(t("train.eval_none_covered"))


def run_scores(run_id: str) -> list:
    """The run's benchmark scores with coverage (``core.word2vec.results.Score``), from evaluation.json."""
    from core.word2vec.results import flatten, relevant, scores

    try:
        evaluation = json.loads((jobs.run_dir(run_id, user=me()) / "evaluation.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return relevant(scores(jobs.read_summary(run_id, user=me())))
    return relevant(scores(flatten(evaluation)))


def withheld_text(score) -> str:
    from core.word2vec.results import MIN_COVERAGE, MIN_ITEMS

    if not score.covered and not score.coverage:
        return t("train.withheld_none")
    return t("train.withheld", coverage=score.coverage_text(), min_coverage=f"{MIN_COVERAGE:.0%}",
             min_items=MIN_ITEMS)


def draw_scores(run_id: str, summary: dict) -> None:
    """One metric per benchmark with its coverage; a score on too few items is withheld, the reason on hover."""
    items = run_scores(run_id)
    columns = st.columns(len(items) + 1)
    for column, score in zip(columns, items):
        help_text = t(f"train.{score.benchmark}_help")
        if score.withheld:
            column.metric(benchmark_label(score.benchmark, short=True), "–",
                          help=withheld_text(score) + "\n\n" + help_text)
            column.caption(":gray[" + t("train.score_withheld", coverage=score.coverage_text()) + "]",
                           help=withheld_text(score))
        else:
            column.metric(benchmark_label(score.benchmark, short=True), f"{score.value:.3f}", help=help_text)
            column.caption(t("train.coverage", coverage=score.coverage_text()))
    columns[-1].metric(t("train.vocab_size"), f"{summary.get('vocab_size', 0):,}")
    if any(score.withheld for score in items):
        st.caption(t("train.withheld_explain"))


def draw_results(run_id: str, status: dict) -> None:
    """Scores, warnings, curves, neighbours, downloads and the explorer link of a finished run."""
    run_dir = jobs.run_dir(run_id, user=me())
    if not (run_dir / "vectors.bin").exists():
        return
    summary = jobs.read_summary(run_id, user=me())
    st.subheader(t("train.results"))
    diagnosis = summary.get("diagnosis") or {}
    if diagnosis.get("degenerate"):
        st.warning(t("train.degenerate", mean=f"{diagnosis['mean_cosine']:.2f}",
                     neighbour=f"{diagnosis['neighbour_cosine']:.2f}"), icon=":material/warning:")
    draw_scores(run_id, summary)
    st.latex(r"\rho = \mathrm{Spearman}\big(\text{human}(w_1,w_2),\ \cos(\mathbf{v}_{w_1},\mathbf{v}_{w_2})\big)"
             r"\qquad b - a + c \approx d")
    st.caption(t("train.scores_explain"))
    steps, evals = ui_runs.split_records(ui_runs.run_records(run_id))
    if steps:
        draw_curves(steps, evals, key=f"final_{run_id}")
    kv = run_vectors(run_id, status.get("finished") or "")
    from core.word2vec.results import neighbours_of, neighbours_table, probe_words

    st.markdown(f"**{t('train.neighbours')}**")
    query = st.text_input(t("train.neighbours_word"), key="train_probe", placeholder=t("train.neighbours_hint"))
    word = query.strip()
    words = ([word] if word in kv.key_to_index else [word.lower()]) if word else probe_words(kv)
    found = neighbours_of(kv, words)
    if query.strip() and not found:
        st.warning(t("train.not_in_vocab", word=query.strip()))
    st.dataframe(neighbours_table(found), hide_index=True)
    draw_downloads(run_id, kv)
    link_to_explorer(run_id)


def draw_downloads(run_id: str, kv) -> None:
    from core.word2vec.exports import export_files

    st.markdown(f"**{t('train.downloads')}**")
    try:
        paths = export_files(jobs.run_dir(run_id, user=me()), kv)
    except ValueError as err:
        st.error(bad_input(err))
        return
    columns = st.columns(len(paths))
    for column, (name, path) in zip(columns, paths.items()):
        column.download_button(t(f"train.download.{name}"), data=path.read_bytes,  # read on click
                               file_name=f"{run_id}-{path.name}", on_click="ignore", key=f"dl_{name}_{run_id}",
                               icon=":material/download:")
    st.caption(t("train.downloads_help"))


def link_to_explorer(run_id: str) -> None:
    try:
        st.page_link("app_pages/explorer.py", label=t("train.open_explorer"), icon=":material/scatter_plot:",
                     query_params={"run": run_id})
    except Exception:  # noqa: BLE001 - outside st.navigation (a page run alone) page_link cannot resolve
        st.markdown(f"[{t('train.open_explorer')}](/explorer?run={run_id})")


def score_cell(run: dict, name: str) -> str | None:
    """A runs-table cell: ``0.412 · 34.0%``, or ``– · 1.7%`` when withheld for low coverage."""
    from core.word2vec.results import scores

    found = {s.benchmark: s for s in scores(run["summary"])}
    score = found.get(name)
    if score is None:
        value = run["summary"].get(name)
        return None if value is None else f"{value:.3f} · ?"
    coverage = f"{100 * score.coverage:.1f}%" if score.coverage is not None else "?"
    return f"– · {coverage}" if score.withheld else f"{score.value:.3f} · {coverage}"


def draw_runs() -> None:
    from core.word2vec.results import MIN_COVERAGE, MIN_ITEMS, scores

    st.subheader(t("train.all_runs"))
    found = [score for run in jobs.list_runs("word2vec", user=me()) for score in scores(run["summary"])]
    names = list(dict.fromkeys(score.benchmark for score in found if score.coverage)) \
        or list(dict.fromkeys(score.benchmark for score in found))
    columns = {
        t("train.col.corpus"): lambda run: corpus_label(run["config"]),
        t("train.col.engine"): lambda run: engine_label(run["config"].get("engine") or "–"),
    }
    help_text = t("train.col.score_help", min_coverage=f"{MIN_COVERAGE:.0%}", min_items=MIN_ITEMS)
    for name in names:
        columns[benchmark_label(name)] = (lambda key: lambda run: score_cell(run, key))(name)
    selected = ui_runs.runs_table("word2vec", key="train_runs", columns=columns,
                                  column_help={benchmark_label(name): help_text for name in names})
    ui_runs.run_actions("word2vec", key="train_runs_actions")
    if len(selected) >= 2:
        series = ui_runs.overlay_series(selected)
        left, right = st.columns(2)
        left.plotly_chart(plots.overlay_figure(series, "loss", title=t("train.overlay_loss"),
                                               x_title=t("train.epochs_done"), y_title=t("train.loss")),
                          key="overlay_loss")
        right.plotly_chart(plots.overlay_figure(series, "wordsim353", record_type="eval",
                                                title=t("train.overlay_eval"), x_title=t("train.epoch"),
                                                y_title=t("train.wordsim353")), key="overlay_eval")
    elif selected:
        st.caption(t("train.overlay_pick_more"))


def draw_attached(run_id: str) -> None:
    """The run in ``?run=``: header, live status and curves, then the results once it has vectors."""
    meta = jobs.read_config(run_id, user=me())
    config = meta.get("config", {})
    with st.container(border=True):
        head, close = st.columns([5, 1])
        head.markdown("### " + t("train.current_run", name=ui_runs.escape_markdown(meta.get("name") or run_id)))
        head.caption(t("train.run_info", run=run_id, engine=engine_label(config.get("engine") or "–"),
                       corpus=ui_runs.escape_markdown(corpus_label(config))))
        if close.button(t("train.new_run"), key="train_detach", icon=":material/close:"):
            ui_runs.detach()
            st.rerun()
        status = ui_runs.live_status(run_id, render_live=live_curves, key="train_live")
        if status.get("state") in ("done", "cancelled"):
            draw_results(run_id, status)
        st.caption(t("train.form_from_run"))


# ------------------------------------------------------------------ the page

ui_runs.ensure_recovered()
st.title(t("train.title"))
st.write(t("train.intro"))
st.latex(r"\max_{\theta}\ \log\sigma(\mathbf{u}_{c}^{\top}\mathbf{v}_{w})"
         r"+\sum_{i=1}^{k}\log\sigma(-\mathbf{u}_{n_i}^{\top}\mathbf{v}_{w})")
st.caption(t("train.formula_explain"))

init_form()
run_id = ui_runs.attached_run(kind="word2vec")
if run_id:
    form_from_run(run_id)
form_from_url()  # after a refresh: the form as it was, on top of the attached run's settings
if run_id:
    draw_attached(run_id)

corpus_column, settings_column = st.columns([3, 2], gap="large")
with settings_column:  # first in code: the preview needs min_count
    train_values, engine, device, run_name = hyperparameters_ui()
min_count = max(1, int(train_values["min_count"]))
preview = None
with corpus_column:
    source = corpus_ui()
    if source is not None:
        preview = draw_preview(source, min_count)

with settings_column:
    blocked = too_small_reason(preview, min_count)
    if st.button(t("train.start"), type="primary", key="train_start", icon=":material/play_arrow:",
                 disabled=source is None or blocked is not None, help=blocked):
        try:
            from core.word2vec.job import build_job_config

            config = build_job_config(source["corpus"], train_values, engine=engine, device=device,
                                      **{k: v for k, v in source.items() if k != "corpus"})
            new_run = jobs.submit("word2vec", config, name=run_name or source["corpus_name"], user=me())
        except ValueError as err:
            st.error(bad_input(err))
        else:
            st.session_state["_train_form_run"] = new_run  # the form already shows its settings
            ui_runs.attach(new_run)
            st.rerun()
    if blocked:
        st.warning(blocked)

form_to_url()
st.divider()
draw_runs()
