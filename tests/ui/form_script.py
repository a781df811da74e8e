"""An AppTest script: the generic form (ui.form) of the config class named in ?config=, every field drawn."""
import importlib

import streamlit as st

from ui.form import Form

module, name = st.query_params["config"].rsplit(".", 1)
cls = getattr(importlib.import_module(module), name)
form = Form("schema", cls)
form.start()
form.draw(list(form.specs), columns=3, advanced="advanced")
form.keep_in_url()
