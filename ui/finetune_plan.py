"""The fine-tune page before Train: the model's own defaults, the time a run takes here, the quick preset,
and what stops a run that cannot succeed. The numbers come from core (``core.finetune.presets``,
``core.finetune.estimate``, ``core.finetune.readiness``); this module only draws them."""
from __future__ import annotations

import streamlit as st

from ui.auth import user as me
from ui.form import Form
from ui.i18n import t

_DEFAULTS_FOR = "_ft_defaults_for"  # the model whose defaults the form was last given


def model_defaults(form: Form, model: str, *, seeded: bool):
    """Give the form ``model``'s own learning rate, epochs, max length and batch size when the model changes.

    The first time in a session the form keeps what a reattached run or the link (``?form=``) set
    (``seeded``); after that, choosing another model (or the page choosing the Chinese model for
    Chinese data) sets that model's values, and a caption says where they come from.
    """
    from core.finetune import defaults, presets

    first = _DEFAULTS_FOR not in st.session_state
    if st.session_state.get(_DEFAULTS_FOR) != model:
        st.session_state[_DEFAULTS_FOR] = model
        if not (first and seeded):
            for field, value in presets.model_settings(model, user=me()).items():
                form.set(field, float(value) if field == "learning_rate" else value)
    return defaults.for_model(model, user=me())


def keep_defaults_of(model: str) -> None:
    """The form shows a run's own settings for ``model``: do not replace them with the model's defaults."""
    st.session_state[_DEFAULTS_FOR] = model


def defaults_caption(found) -> None:
    st.caption(t(f"finetune.model_defaults.{found.source}", lr=f"{found.learning_rate:.0e}", epochs=found.epochs,
                 max_length=found.max_length, positions=found.positions or "∞"))


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return t("finetune.estimate.seconds", n=f"{max(10, round(seconds / 10) * 10):.0f}")
    return t("finetune.estimate.minutes", n=f"{seconds / 60:.0f}" if seconds >= 600 else f"{seconds / 60:.1f}")


def _basis(estimate) -> str:
    basis = t("finetune.estimate.history", runs=estimate.runs) if estimate.basis == "history" else t(
        "finetune.estimate.size")
    if estimate.busy:
        basis += t("finetune.estimate.busy", load=f"{estimate.load:.1f}", cores=estimate.cores)
    return basis


def _apply_quick(form: Form, values: dict) -> None:
    for field, value in values.items():
        form.set(field, float(value) if isinstance(value, float) else value)
    st.session_state["ft_quick_applied"] = True


def plan_section(form: Form, task: str, summary: dict, values: dict) -> None:
    """The estimate of the run the form describes and the quick preset (a button that fills the form)."""
    from core.finetune import presets

    try:
        plan = presets.plan(values, summary, user=me())
        quick = presets.quick(values, summary, user=me())
    except (OSError, ValueError):
        return  # the data section already says what is wrong with the data
    st.caption(t("finetune.estimate.line", time=_minutes(plan.estimate.seconds), n=f"{plan.n_train:,}",
                 epochs=values.get("epochs"), basis=_basis(plan.estimate)))
    q = quick["values"]
    n = q["max_train_samples"] or quick["plan"].n_train
    label = t("finetune.quick.button", time=_minutes(quick["plan"].estimate.seconds))
    left, right = st.columns([1, 3])
    left.button(label, key="ft_quick", on_click=_apply_quick, args=(form, q), icon=":material/bolt:")
    what = t("finetune.quick.what", n=f"{n:,}", epochs=q["epochs"], max_length=q["max_length"],
             lr=f"{q['learning_rate']:.0e}", evals=q["max_eval_samples"])
    if quick["learns"]:
        right.caption(what)
    else:
        key = f"finetune.quick.slow.{task}" if task in presets.SLOW_TASKS else "finetune.quick.slow.few"
        own = presets.model_settings(str(values.get("model") or ""), user=me())
        right.caption(what + " " + t(key, full=_minutes(quick["full"].estimate.seconds),
                                      n=f"{quick['full'].n_train:,}", epochs=own["epochs"]))


def blockers(values: dict, summary: dict, positions: int | None) -> list[str]:
    """The translated reasons a run of ``values`` (the form's data choice and settings) on this data cannot
    succeed ([] when Train may be pressed)."""
    from core.finetune import data as data_mod
    from core.finetune.readiness import blockers as found

    named = data_mod.dataset_files(str(values.get("train_file") or "")) or {}
    held_out = sum(1 for split, fraction in (("valid", "valid_fraction"), ("test", "test_fraction"))
                   if float(values.get(fraction) or 0) > 0 and not values.get(f"{split}_file") and split not in named)
    return [t(f"finetune.blocked.{b['code']}", **{k: v for k, v in b.items() if k != "code"})
            for b in found(values["task"], summary, max_length=int(values["max_length"]), positions=positions,
                           held_out=held_out)]
