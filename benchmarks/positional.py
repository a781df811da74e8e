"""Positional encodings: speed of the public functions against their peers, and of the page's views.

    python benchmarks/positional.py            # one JSON line per measurement

Peers, in the same run: a plain numpy sinusoidal table (the annotated-transformer
formula), transformers' Llama ``apply_rotary_pos_emb`` and T5's
``_relative_position_bucket``. ``lab_view`` is everything the page computes for
one setting (uncached); the page caches it, so this is the cost of a new setting.
"""
from __future__ import annotations

import json
import math
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from core import positional as pe  # noqa: E402


def timed(fn, repeat: int = 3) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def emit(name: str, impl: str, seconds: float, **extra) -> None:
    print(json.dumps({"benchmark": name, "impl": impl, "seconds": round(seconds, 5),
                      "threads": torch.get_num_threads(), "machine": platform.machine(), **extra}), flush=True)


def numpy_sinusoidal(seq_len: int, dim: int, base: float = 10000.0) -> np.ndarray:
    position = np.arange(seq_len)[:, None]
    div_term = np.exp(np.arange(0, dim, 2) * -(math.log(base) / dim))
    pe_ = np.zeros((seq_len, dim), dtype=np.float32)
    pe_[:, 0::2] = np.sin(position * div_term)
    pe_[:, 1::2] = np.cos(position * div_term)
    return pe_


def main() -> None:
    seq, dim = 4096, 1024
    emit("sinusoidal_4096x1024", "embedlab", timed(lambda: pe.sinusoidal(seq, dim)))
    emit("sinusoidal_4096x1024", "numpy_reference", timed(lambda: numpy_sinusoidal(seq, dim)))

    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

    q = torch.randn(1, 12, 2048, 64)
    k = torch.randn(1, 12, 2048, 64)
    inv = 1.0 / (10000 ** (torch.arange(0, 64, 2).float() / 64))
    freqs = torch.outer(torch.arange(2048).float(), inv)
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos()[None], emb.sin()[None]
    emit("rope_q_and_k_1x12x2048x64", "embedlab", timed(lambda: (pe.apply_rope(q), pe.apply_rope(k))))
    emit("rope_q_and_k_1x12x2048x64", "transformers_llama_precomputed_cos_sin",
         timed(lambda: apply_rotary_pos_emb(q, k, cos, sin)))

    from transformers.models.t5.modeling_t5 import T5Attention

    pos = torch.arange(2048)
    rel = pos[None, :] - pos[:, None]
    emit("t5_bucket_2048x2048", "embedlab", timed(lambda: pe.t5_relative_bucket(rel)))
    emit("t5_bucket_2048x2048", "transformers_t5", timed(lambda: T5Attention._relative_position_bucket(rel)))
    emit("alibi_bias_8x2048x2048", "embedlab", timed(lambda: pe.alibi_bias(2048, 8)))

    for seq_len, dim in ((128, 64), (4096, 1024)):
        for kind in pe.KINDS:
            spec = pe.EncodingSpec(kind=kind, seq_len=seq_len, dim=dim, heads=32 if seq_len > 128 else 8)
            emit(f"lab_view_{seq_len}x{dim}", kind, timed(lambda: pe.lab_view(spec), repeat=1))


if __name__ == "__main__":
    main()
