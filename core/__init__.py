"""EmbedLab core: the science behind the app, importable without Streamlit.

Sub-packages: ``positional`` (position encodings), ``text`` (reading uploads),
``word2vec`` (training engines), ``vectors`` (I/O, evaluation, projection),
``finetune`` (BERT-family fine-tuning), ``inspect`` (the input layer step by
step), ``jobs`` (background workers) and ``plots`` (plotly figure builders).
"""
