"""EmbedLab entry point: page config, shared sidebar, and routing only."""
import streamlit as st

from ui import sidebar
from ui.i18n import t

st.set_page_config(page_title="EmbedLab", page_icon="🧭", layout="wide")
sidebar.render()

PAGES = [
    ("app_pages/home.py", "nav.home", ":material/home:", True),
    ("app_pages/input_layer.py", "nav.input_layer", ":material/layers:", False),
    ("app_pages/positional.py", "nav.positional", ":material/waves:", False),
    ("app_pages/train_word2vec.py", "nav.train_word2vec", ":material/model_training:", False),
    ("app_pages/explorer.py", "nav.explorer", ":material/scatter_plot:", False),
    ("app_pages/finetune.py", "nav.finetune", ":material/tune:", False),
]

navigation = st.navigation(
    [
        st.Page(path, title=t(title), icon=icon, default=default, url_path=path.split("/")[1][:-3])
        for path, title, icon, default in PAGES
    ]
)
navigation.run()
