"""Word vectors the explorer shares between sessions (and warms at server start): MiniLM's WordPiece table."""
from __future__ import annotations

from ui.cache import shared


@shared(max_entries=1)
def minilm():
    """``(KeyedVectors of MiniLM's 30,522 WordPiece embeddings (dim 384), fingerprint)``, loaded once per server."""
    from core.vectors.pretrained import minilm_token_vectors
    from core.vectors.projection import fingerprint
    from ui.warmup import transformers_ready

    transformers_ready()
    kv = minilm_token_vectors()
    return kv, fingerprint(kv)
