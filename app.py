"""EmbedLab entry point: page config, shared sidebar, and routing only."""
import streamlit as st

from ui import auth, errors, janitor, sidebar, uploads, warmup
from ui.i18n import t
from ui.pages import PAGES, shown

st.set_page_config(page_title="EmbedLab", page_icon="🧭", layout="wide")
warmup.start()  # heavy imports once, in one thread
janitor.start()  # uploads of closed tabs leave memory
uploads.apply()  # the class's upload limit, enforced by the server itself
sidebar.render()
teacher = auth.is_teacher(auth.gate())  # class mode: sign in first; alone: nothing

navigation = st.navigation(
    [st.Page(p.path, title=t(f"nav.{p.name}"), icon=p.icon, default=p.default, url_path=p.name,
             visibility="visible" if shown(p, teacher) else "hidden") for p in PAGES]
)
errors.guard(navigation.run, navigation.url_path or "home")
