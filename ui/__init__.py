"""Streamlit helpers shared by the pages (language, sidebar, small widgets).

Only UI code lives here; the science is in ``core``.
"""
