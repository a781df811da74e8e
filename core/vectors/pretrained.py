"""The shipped MiniLM's WordPiece token embedding table as gensim ``KeyedVectors``.

all-MiniLM-L6-v2 is a real BERT: its first layer looks each WordPiece token
up in a ``(30522, 384)`` table. Those rows are word vectors too, learned by
the whole transformer rather than by word2vec. The table is read straight
from ``model.safetensors`` (no torch, no transformers), and the tokens from
``vocab.txt``, whose line number is the row. Token frequencies are not
shipped, so the vocabulary rank stands in for frequency (BERT's vocabulary
lists special tokens, then characters, then word pieces roughly by frequency).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

TABLE = "embeddings.word_embeddings.weight"


def minilm_token_vectors(model_dir: str | Path | None = None):
    """``KeyedVectors`` with one ``(384,)`` float32 vector per WordPiece token, in vocabulary order."""
    from gensim.models import KeyedVectors
    from safetensors import safe_open

    if model_dir is None:
        from core.models import default_model_dir

        model_dir = default_model_dir()
    model_dir = Path(model_dir)
    weights = model_dir / "model.safetensors"
    vocab_file = model_dir / "vocab.txt"
    if not weights.is_file() or not vocab_file.is_file():
        raise ValueError(f"{model_dir} has no model.safetensors and vocab.txt (a BERT WordPiece checkpoint).")
    with safe_open(str(weights), framework="np") as f:
        names = [k for k in f.keys() if k.endswith(TABLE)]
        if not names:
            raise ValueError(f"{weights.name} has no token embedding table ({TABLE}).")
        table = np.asarray(f.get_tensor(names[0]), dtype=np.float32)
    tokens = vocab_file.read_text(encoding="utf-8").splitlines()
    if len(tokens) != table.shape[0]:
        raise ValueError(f"vocab.txt lists {len(tokens)} tokens but the table has {table.shape[0]} rows.")
    kv = KeyedVectors(vector_size=table.shape[1], dtype=np.float32)
    kv.add_vectors(tokens, table)
    return kv
