"""word2vec: registered engines (torch: GPU-ready; gensim: CPU) all returning gensim ``KeyedVectors``.

Public names (docs/CONTRACTS.md): ``TrainConfig``, ``train``, ``evaluate``,
``ENGINES`` (the engine registry, ``core.word2vec.engines``). Torch and gensim
are imported lazily, so importing this package is cheap.
"""
from core.vectors.evaluate import evaluate
from core.word2vec.config import TrainConfig
from core.word2vec.train import ENGINES, train

__all__ = ["ENGINES", "TrainConfig", "evaluate", "train"]
