"""``python -m core positional``: write an encoding's matrix to a .npy file.

    python -m core positional --kind rope --seq-len 128 --dim 64 --out rope.npy

What is written, by kind:
- sinusoidal: the table PE, (seq_len, dim)
- learned: the checkpoint's first seq_len rows, (seq_len, hidden); dim comes from the model
- rope: the unit query (1, 0, 1, 0, ...) rotated to each position, (seq_len, dim)
- alibi: the bias -m_h |i - j|, (heads, seq_len, seq_len)
- t5: the bucket of each (query, key) pair, (seq_len, seq_len) int64
"""
from __future__ import annotations

from core.positional.spec import KINDS


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "positional",
        help="write a positional-encoding matrix to a .npy file",
        description="Write a positional-encoding matrix to a .npy file and print its shape.",
        epilog=__doc__.split("\n\n", 1)[1].replace("``", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--kind", choices=KINDS, required=True)
    parser.add_argument("--seq-len", type=int, default=128, help="positions (default 128)")
    parser.add_argument("--dim", type=int, default=64, help="vector width, even (default 64; learned: ignored)")
    parser.add_argument("--base", type=float, default=10000.0, help="frequency base for sinusoidal/rope (default 10000)")
    parser.add_argument("--heads", type=int, default=8, help="ALiBi heads (default 8)")
    parser.add_argument("--num-buckets", type=int, default=32, help="T5 buckets (default 32)")
    parser.add_argument("--max-distance", type=int, default=128, help="T5 max distance (default 128)")
    parser.add_argument("--model-dir", default=None, help="learned: a local BERT-family checkpoint (default: shipped MiniLM)")
    parser.add_argument("--out", required=True, help="where to write the .npy file")
    parser.set_defaults(func=run)


def matrix(args):
    """The tensor the options describe (see the module docstring for shapes)."""
    import torch

    from core import positional as pe

    spec = pe.EncodingSpec(
        kind=args.kind, seq_len=args.seq_len, dim=args.dim, base=args.base, heads=args.heads,
        num_buckets=args.num_buckets, max_distance=args.max_distance, model_dir=args.model_dir,
    )
    if spec.kind == "sinusoidal":
        return pe.sinusoidal(spec.seq_len, spec.dim, spec.base)
    if spec.kind == "learned":
        table = pe.learned(spec.model_dir)
        if spec.seq_len > table.shape[0]:
            raise ValueError(
                f"the learned table has only {table.shape[0]} positions; use --seq-len {table.shape[0]} or less"
            )
        return table[: spec.seq_len]
    if spec.kind == "rope":
        return pe.make(spec).vectors(torch.arange(spec.seq_len))
    if spec.kind == "alibi":
        return pe.alibi_bias(spec.seq_len, spec.heads)
    pos = torch.arange(spec.seq_len)
    return pe.t5_relative_bucket(pos[None, :] - pos[:, None], True, spec.num_buckets, spec.max_distance)


def run(args) -> int:
    from pathlib import Path

    import numpy as np

    out = Path(args.out)
    if out.suffix != ".npy":
        raise ValueError(f"--out must end in .npy (numpy adds it otherwise), got {out}")
    if not out.parent.exists():
        raise ValueError(f"the folder {out.parent} does not exist")
    values = matrix(args).numpy()
    np.save(out, values)
    print(f"{args.kind}: wrote {out} shape {tuple(values.shape)} {values.dtype}")
    return 0
