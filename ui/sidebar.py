"""The sidebar every page shares: language switch and the compute device."""
from __future__ import annotations

import streamlit as st

from ui.cache import shared
from ui.i18n import language_switch, t


@shared(max_entries=None)
def _device_line() -> str:
    from core.device import describe, pick

    return describe(pick())


def render() -> None:
    """Draw the shared sidebar: language switch, then the device in use."""
    language_switch()
    st.sidebar.caption(t("common.device", device=_device_line()))
