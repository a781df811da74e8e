"""``python -m core models``: the models one can pick (shipped, model folders, pretraining runs).

    python -m core models            # a table
    python -m core models --json     # one JSON list: name, path, language, objective, mlm_head, position_encoding, ...
"""
from __future__ import annotations

import json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "models", help="list the models one can pick (shipped MiniLM, model folders, pretraining runs)",
        description="List the models EmbedLab can use (each with the objective it was pretrained with): the shipped all-MiniLM-L6-v2, model folders "
                    "under models/, and the models of pretraining runs in the runs directory.")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    parser.add_argument("--runs", default=None, help="runs directory (default: $EMBEDLAB_RUNS or ./runs)")
    parser.set_defaults(func=run_cli)


def run_cli(args) -> int:
    from core.jobs import SHELL
    from core.models import list_models

    models = list_models(args.runs, user=SHELL)
    if args.json:
        print(json.dumps([m.to_dict() for m in models], ensure_ascii=False, indent=1))
        return 0
    header = f"{'name':<40} {'lang':<4} {'objective':<9} {'position':<10} {'parameters':>12}  path"
    print(header)
    for m in models:
        print(f"{m.name:<40} {m.language or '-':<4} {m.objective or '-':<9} "
              f"{m.position_encoding or '-':<10} {m.parameters:>12,}  {m.path}")
    return 0
