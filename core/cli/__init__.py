"""The command-line interface: one module per sub-command.

Each module ``core/cli/<name>.py`` defines ``register(subparsers)`` which adds
its parser and sets ``func`` (a callable taking the parsed ``args`` and
returning an exit code). Heavy imports stay inside ``func`` so ``--help`` is fast.
A ``ValueError`` raised by a command is bad user input: it is printed as one
line on stderr with exit code 2, never as a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

COMMANDS = ("positional", "word2vec", "runs", "finetune", "inspect", "datasets", "pretrain", "models", "classroom")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="EmbedLab: train, inspect and compare the input layer of language models.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"core.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name == f"core.cli.{name}":
                continue  # command not built in this checkout
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # inside the try: a closed pipe must be caught here, not at interpreter exit
        return code
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `python -m core runs list | head`: the reader left, which is no error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
