"""Home: what EmbedLab is and where each lesson lives."""
import streamlit as st

from ui.i18n import t
from ui.pages import PAGES

st.title(t("home.title"))
st.write(t("home.tagline"))
st.subheader(t("home.pages"))
for page in PAGES:
    if page.default:
        continue
    st.page_link(page.path, label=t(f"nav.{page.name}"), icon=page.icon)
    st.caption(t(f"home.{page.name}"))
st.info(t("home.offline"))
