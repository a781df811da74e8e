"""Home: what EmbedLab is and where each lesson lives."""
import streamlit as st

from ui.auth import is_teacher
from ui.i18n import t
from ui.pages import PAGES, shown

st.title(t("home.title"))
st.write(t("home.tagline"))
st.subheader(t("home.pages"))
teacher = is_teacher()
for page in PAGES:
    if page.default or not shown(page, teacher):
        continue
    st.page_link(page.path, label=t(f"nav.{page.name}"), icon=page.icon)
    st.caption(t(f"home.{page.name}"))
st.info(t("home.offline"))
