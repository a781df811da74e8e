"""A tiny EmbedLab masked-LM model folder (config, safetensors, tokenizer) for tests, in a second or less."""
from __future__ import annotations

from pathlib import Path

# A few short lines (English words and Chinese characters) for a tiny WordPiece vocabulary.
TINY_LINES = ["the cat sat on the mat .", "a dog ran in the park .", "我 们 在 北 京 学 习 中 文 。",
              "the dog sat on a mat in the park .", "天 天 学 中 文 。"] * 10


def save_tiny_embedlab(path: str | Path, position: str, seed: int = 0, objective: str = "mlm") -> Path:
    """Save a 1-layer, 32-wide, 2-head EmbedLab model with ``position`` and its tokenizer to ``path``.

    ``objective`` picks the model class (``core.pretrain.objectives``): masked LM, MLM + NSP, or
    the causal (GPT-style) LM.

    Weights are drawn wider than the trainer's (std 0.3, not 0.02) and the LayerNorms get a
    random scale and shift (not 1 and 0), so attention is far from uniform and a wrong or
    missing step in the walk (e.g. the pre-LN ``ln_1``) shows up as a large difference.
    """
    import torch

    from core.pretrain import model as m
    from core.pretrain import objectives
    from core.pretrain.data import train_tokenizer

    tokenizer = train_tokenizer(TINY_LINES, 60, min_frequency=1)
    torch.manual_seed(seed)
    kind = objectives.get(objective)
    config = getattr(m, kind.config_class)(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=64, position_encoding=position, initializer_range=0.3,
        pad_token_id=tokenizer.pad_token_id, causal=kind.causal, objective=kind.name)
    model = getattr(m, kind.model_class)(config)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.LayerNorm):
                module.weight.normal_(1.0, 0.3)
                module.bias.normal_(0.0, 0.3)
    path = Path(path)
    model.save_pretrained(path, safe_serialization=True)
    tokenizer.save_pretrained(str(path))
    return path
