"""What the input-layer page's sections share: a language-proof radio and a figure next to its formula."""
from __future__ import annotations

import streamlit as st

from ui.i18n import lang, t


def choice(container, label: str, options: list[str], name: str, default: str, format_func=None, **kwargs) -> str:
    """A radio whose choice survives a language switch.

    Streamlit keeps a radio's value as its *displayed* label, so after the labels change language
    the old value no longer matches any option. The widget key therefore carries the language and
    the choice itself is remembered under ``il_<name>``, language-free. Option labels are the
    messages ``input_layer.<name>_<option>`` unless ``format_func`` says otherwise.
    """
    key = f"il_{name}"
    current = st.session_state.get(key, default)
    value = container.radio(label, options, index=options.index(current if current in options else default),
                            key=f"{key}_{lang()}", format_func=format_func or (lambda c: t(f"input_layer.{name}_{c}")),
                            **kwargs)
    st.session_state[key] = value
    return value


def figure_with_formula(fig, formula: str, text: str, ratio=(3, 2)) -> None:
    """A figure on the left; its formula (st.latex) and a sentence for students on the right."""
    left, right = st.columns(ratio)
    left.plotly_chart(fig, width="stretch")
    right.latex(formula)
    right.write(text)
