"""A model picker shared by the pages: every model ``core.models.list_models`` finds, the right one by default.

The default follows the data's language (``core.models.model_for_language``): Chinese
data gets the shipped Chinese model, anything else the shipped MiniLM. Once the user
picks a model (or a reattached run brings its own, :func:`pin`), the picker keeps it.
A folder path typed into the box is accepted too (any local Hugging Face model folder), except for
a student in class mode unless the teacher allows it; the list holds only the models that person may see.
"""
from __future__ import annotations

import streamlit as st

from ui.i18n import t
from ui.text import md

_AUTO = "_auto"  # session key suffix: the value the picker chose by itself last time
_PINNED = "__pinned__"


@st.cache_data(ttl=20, show_spinner=False)
def _models_for(user_name: str) -> list[dict]:
    from core.models import list_models

    return [m.to_dict() for m in list_models(user=user_name or None)]


def available_models() -> list[dict]:
    """The models the signed-in person may pick (alone: all of them), cached for 20 s per person."""
    from ui.auth import user

    person = user()
    return _models_for(person.name if person is not None else "")


def model_label(info: dict | None, value: str) -> str:
    """How a model is named in every picker: name (a run by its own name), language, position encoding, size."""
    if info is None:
        return value
    language = t(f"models.language.{info['language']}") if info["language"] in ("en", "zh") else "?"
    position = info["position_encoding"] or "?"
    name = info.get("title") or info["name"] if info.get("source") == "run" else info["name"]  # a run by its name
    return t("models.option", name=name, language=language, position=position,
             millions=f"{info['parameters'] / 1e6:.1f}")


def _typing_allowed() -> bool:
    """May this person type a folder or hub id? Alone and the teacher: yes; a student: if the teacher allows."""
    from ui.auth import settings, user

    config = settings()
    if config is None:
        return True
    person = user()
    return bool((person is not None and person.is_teacher) or config.allow_paths or config.allow_hub)


def pin(key: str) -> None:
    """Keep the current value of the picker ``key`` (e.g. a reattached run's model): no automatic switch."""
    st.session_state[key + _AUTO] = _PINNED


def apply_default(key: str, language: str) -> str:
    """Set the picker ``key`` to the default model for ``language`` unless the user chose one; returns the value.

    Pages call it as soon as they know the data's language, before they use the model.
    """
    from core.models import DEFAULT_MODEL_NAME, ModelInfo, model_for_language

    current = st.session_state.get(key)
    chosen_by_us = st.session_state.get(key + _AUTO)
    if language and chosen_by_us != _PINNED:
        managed = current is None or current == chosen_by_us or (chosen_by_us is None and current == DEFAULT_MODEL_NAME)
        if managed:
            auto = model_for_language(language, [ModelInfo(**m) for m in available_models()]).name
            st.session_state[key] = auto
            st.session_state[key + _AUTO] = auto
    return st.session_state.get(key) or DEFAULT_MODEL_NAME


def pick_model(key: str, language: str, *, label: str, help: str | None = None) -> str:
    """Draw the picker and return the chosen model (a name ``core.models.resolve_model`` takes, or a folder path).

    ``language``: "zh", "en" or "" (unknown: no automatic switch). Says in a caption which
    model was picked for the data's language and why, and warns when an English model
    meets Chinese data.
    """
    from core.models import DEFAULT_MODEL_NAME

    infos = available_models()
    by_name = {m["name"]: m for m in infos}
    value = apply_default(key, language)
    options = list(by_name) + ([value] if value not in by_name else [])
    st.session_state[key] = value
    labels = {v: model_label(by_name.get(v), v) for v in options}  # translated now, not when formatted later
    picked = st.selectbox(label, options, key=key, help=help, accept_new_options=_typing_allowed(),
                          format_func=lambda v: labels.get(v, v))
    info = by_name.get(picked)
    if info is not None and language == "zh":
        if info["language"] == "zh":
            why = "models.picked_zh" if picked == st.session_state.get(key + _AUTO) else "models.kept_zh"
            st.caption(t(why, name=picked))
        elif info["language"] == "en":
            zh_models = [m["name"] for m in infos if m["language"] == "zh"]
            st.warning(t("models.english_on_chinese", name=md(picked),
                         other=zh_models[0] if zh_models else t("models.none_zh")))
    return picked or DEFAULT_MODEL_NAME


def readable(model: str) -> str:
    """``model`` when the signed-in person may load it (``core.models.resolve_model`` checks it), else ""."""
    from core.models import resolve_model
    from ui.auth import user as me

    try:
        resolve_model(model, user=me())
    except (OSError, ValueError):
        return ""
    return model
