"""``python -m core positional``: write an encoding's matrix to a .npy file.

    python -m core positional --kind rope --seq-len 128 --dim 64 --out rope.npy

The kinds, their flags and what each writes come from the registry
(``core.positional.names()``): a kind registered in a new file shows up here
with its own settings and no edit to this module. An unknown kind is an
error naming the known ones (one line, exit 2).
"""
from __future__ import annotations


def register(subparsers) -> None:
    import argparse

    from core import positional as pe

    kinds = pe.names()
    written = "\n".join(f"- {kind}: {pe.get(kind).output}" for kind in kinds)
    parser = subparsers.add_parser(
        "positional",
        help="write a positional-encoding matrix to a .npy file",
        description="Write a positional-encoding matrix to a .npy file and print its shape.",
        epilog=f"example:\n  {__doc__.split(chr(10) * 2)[1].strip()}\n\nWhat is written, by kind:\n{written}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # No argparse `choices`: it would print a two-line usage error; the registry's one-line message is clearer.
    parser.add_argument("--kind", required=True, metavar="{" + ",".join(kinds) + "}",
                        help=f"the encoding, one of: {', '.join(kinds)}")
    parser.add_argument("--seq-len", type=int, default=128, help="positions (default 128)")
    for name, (param, users) in pe.all_params().items():
        defaults = {pe.get(kind).defaults()[name] for kind in users}
        default = defaults.pop() if len(defaults) == 1 else "depends on the kind"
        parser.add_argument(f"--{name.replace('_', '-')}", type=param.type, default=None, dest=name,
                            help=f"{param.help} ({', '.join(users)}; default {default})")
    parser.add_argument("--out", required=True, help="where to write the .npy file")
    parser.set_defaults(func=run)


def spec_of(args):
    """The EncodingSpec the options describe (flags left out take the kind's defaults)."""
    from core import positional as pe

    cls = pe.get(args.kind)  # ValueError naming the known kinds
    for name, (_, users) in pe.all_params().items():
        if getattr(args, name, None) is not None and args.kind not in users:
            raise ValueError(f"--{name.replace('_', '-')} does not apply to {args.kind}; "
                             f"it is a setting of {', '.join(users)}")
    settings = {p.name: getattr(args, p.name, None) for p in cls.params}
    return pe.EncodingSpec.of(args.kind, args.seq_len, **settings)


def matrix(args):
    """The tensor the options describe (``--help`` lists what each kind writes)."""
    from core import positional as pe

    spec = spec_of(args)
    return pe.make(spec).matrix(spec.seq_len)


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
