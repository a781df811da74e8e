"""``python -m core datasets``: the named datasets, their sizes, licences and converted files.

    python -m core datasets                      # table: name, language, task, size, installed, source
    python -m core datasets --json               # one JSON object per dataset per line
    python -m core datasets --task ner --language zh
    python -m core datasets msra_ner             # convert once (cached), print the files and the counts

A dataset is used elsewhere as the source ``dataset:<name>`` (``--corpus``, ``--train``).
"""
from __future__ import annotations

import json


def register(subparsers) -> None:
    from core.datasets.base import LANGUAGES, TASKS

    parser = subparsers.add_parser("datasets", help="named datasets from installed packages: list, convert, locate",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="?", help="a dataset name: convert it (once, cached) and print its files")
    parser.add_argument("--task", choices=TASKS, help="only this task")
    parser.add_argument("--language", choices=LANGUAGES, help="only this language")
    parser.add_argument("--json", action="store_true", help="print JSON (one object per line) instead of a table")
    parser.add_argument("--seed", type=int, default=None, help="seed of the train/valid/test shuffle (default 42)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core import datasets

    if args.name:
        return _show(datasets.get(args.name), args)
    found = datasets.list_datasets(task=args.task, language=args.language)
    if args.json:
        for d in found:
            print(json.dumps(d.to_dict(), ensure_ascii=False))
        return 0
    rows = [(d.name, d.language, d.task, d.size_text(), "yes" if d.available() else f"no ({d.requirement})", d.source)
            for d in found]
    header = ("name", "lang", "task", "size", "installed", "source")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header) - 1)]
    for row in [header] + rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    print("Use one as --corpus/--train dataset:<name>; licences: --json or `python -m core datasets NAME`.")
    return 0


def _show(d, args) -> int:
    from core.datasets import SEED

    seed = SEED if args.seed is None else args.seed
    files = d.files(seed=seed)
    manifest = d.manifest(seed=seed)
    if args.json:
        print(json.dumps({**d.to_dict(), "files": {k: str(v) for k, v in files.items()},
                          "manifest": manifest}, ensure_ascii=False))
        return 0
    print(f"{d.name}: {d.title_en} / {d.title_zh}")
    print(f"  source:   {d.source}")
    print(f"  licence:  {d.licence}")
    print(f"  citation: {d.citation}")
    if d.notes:
        print(f"  notes:    {d.notes}")
    for key, path in files.items():
        counts = manifest["splits"].get(key, {})
        summary = ", ".join(f"{k} {v}" for k, v in counts.items() if not isinstance(v, dict))
        print(f"  {key:<7} {path}  ({summary})")
    dropped = {k: v for k, v in manifest["notes"].items() if v}
    if dropped:
        print(f"  conversion: {json.dumps(dropped, ensure_ascii=False)}")
    return 0
