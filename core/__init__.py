"""EmbedLab core: the science behind the app, importable without Streamlit.

Sub-packages: ``positional`` (position encodings), ``text`` (reading uploads),
``word2vec`` (training engines), ``vectors`` (I/O, evaluation, projection),
``finetune`` (BERT-family fine-tuning), ``inspect`` (the input layer step by
step), ``jobs`` (background workers) and ``plots`` (plotly figure builders).
"""
from core import offline as _offline

_offline.apply()  # before anything imports huggingface_hub: no hub request unless EMBEDLAB_ALLOW_HUB=1
