"""The named corpus datasets (``core.datasets``, task "corpus") as the pages offer them."""
from __future__ import annotations

import streamlit as st
from ui.cache import shared


@shared(max_entries=None)
def corpus_datasets() -> dict[str, dict]:
    """``{name: {title_en, title_zh, language, source, licence, tokens}}`` in registry order."""
    from core.datasets import list_datasets

    return {ds.name: {"title_en": ds.title_en, "title_zh": ds.title_zh, "language": ds.language,
                      "source": ds.source, "licence": ds.licence, "tokens": ds.tokens}
            for ds in list_datasets(task="corpus")}
