"""Home: what EmbedLab is and where each lesson lives."""
import streamlit as st

from ui.i18n import t

st.title(t("home.title"))
st.write(t("home.tagline"))
st.subheader(t("home.pages"))
for page, icon in [
    ("input_layer", ":material/layers:"),
    ("positional", ":material/waves:"),
    ("train_word2vec", ":material/model_training:"),
    ("explorer", ":material/scatter_plot:"),
    ("finetune", ":material/tune:"),
]:
    st.page_link(f"app_pages/{page}.py", label=t(f"nav.{page}"), icon=icon)
    st.caption(t(f"home.{page}"))
st.info(t("home.offline"))
