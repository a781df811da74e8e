"""EmbedLab entry point: page config, shared sidebar, and routing only."""
import streamlit as st

from ui import sidebar
from ui.i18n import t
from ui.pages import PAGES

st.set_page_config(page_title="EmbedLab", page_icon="🧭", layout="wide")
sidebar.render()

navigation = st.navigation(
    [st.Page(p.path, title=t(f"nav.{p.name}"), icon=p.icon, default=p.default, url_path=p.name) for p in PAGES]
)
navigation.run()
