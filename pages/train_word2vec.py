"""Placeholder until the page lands."""
import streamlit as st

from ui.i18n import t

st.title(t("nav.train_word2vec"))
