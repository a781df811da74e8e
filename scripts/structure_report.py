"""Measure the code's shape (issue 21): page lengths, longest functions, registries, kind-name comparisons, imports.

    python scripts/structure_report.py            # a readable report
    python scripts/structure_report.py --json     # one JSON object

- pages: lines of each ``app_pages/*.py``, and of all of ``ui/``;
- functions: the longest functions (lines from ``def`` to the end) in ``app_pages/``, ``core/``, ``ui/``;
- registries: every ``core.registry.Registry`` an import of ``core`` creates, with its kinds, and any
  module-level ``def register`` / ``get_method`` / ``method_names`` / ``kinds`` outside that idiom;
- kind comparisons: ``==``, ``!=``, ``in`` of a registered kind's name (a string literal) in product code
  outside the file that defines that kind;
- imports: ``python -c "import core.<package>"`` of each package alone, in a fresh interpreter.
"""
from __future__ import annotations

import argparse
import ast
import gc
import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("app_pages", "core", "ui")
OLD_IDIOM = {"register", "get_method", "method_names", "kinds"}


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def page_lengths() -> dict:
    pages = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in python_files("app_pages")}
    ui = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in python_files("ui"))
    return {"pages": pages, "ui_total": ui}


def longest_functions(limit: int = 12) -> list[dict]:
    found = []
    for path in python_files(*PRODUCT):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append({"function": f"{path.relative_to(ROOT)}:{node.lineno} {node.name}",
                              "lines": node.end_lineno - node.lineno + 1})
    found.sort(key=lambda f: -f["lines"])
    return found[:limit]


def functions_over(limit: int) -> int:
    return sum(1 for f in longest_functions(10_000) if f["lines"] > limit)


def _import_everything() -> None:
    for path in python_files("core"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if name.endswith("__main__"):
            continue
        importlib.import_module(name.removesuffix(".__init__"))


def registries() -> list[dict]:
    from core.registry import Registry

    _import_everything()
    out = []
    for obj in gc.get_objects():
        if isinstance(obj, Registry):
            names = obj.names()
            out.append({"axis": obj.plural, "kinds": list(names),
                        "files": {n: _kind_file(obj.get(n), obj) for n in names}})
    return sorted(out, key=lambda r: r["axis"])


def _kind_file(kind, registry) -> str:
    origin = registry._origins.get(getattr(kind, registry.key, ""), kind)
    target = origin if isinstance(origin, type) else type(origin)
    try:
        path = Path(inspect.getsourcefile(target)).resolve()
    except TypeError:
        return ""
    if target.__module__ in ("core.datasets.base", "core.jobs.registry") or path.name == "base.py":
        path = Path(sys.modules[type(registry).__module__].__file__)  # records declared in one catalog file
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def old_idiom() -> list[str]:
    """Module-level registry functions written outside core/registry.py (the old idioms)."""
    hits = []
    for path in python_files("core"):
        if (path.name == "registry.py" and path.parent.name == "core") or path.parent.name == "cli":
            continue  # core/cli/<command>.py's register(subparsers) is the CLI's hook, not a registry
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name in OLD_IDIOM:
                body = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
                if ".register(" in body or "Registry" in body:
                    continue  # a thin wrapper over a Registry
                hits.append(f"{path.relative_to(ROOT)}:{node.lineno} def {node.name}")
    return hits


def kind_comparisons(regs: list[dict]) -> list[str]:
    """Comparisons of a registered kind name to a string literal outside that kind's own file."""
    owners: dict[str, set[str]] = {}
    for reg in regs:
        for name, file in reg["files"].items():
            owners.setdefault(name, set()).add(file)
    hits = []
    for path in python_files(*PRODUCT):
        rel = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare) or _about_modules(node):
                continue
            for literal in _literals([node.left, *node.comparators]):
                if literal in owners and rel not in owners[literal]:
                    hits.append(f"{rel}:{node.lineno} {literal!r}")
    return hits


def _about_modules(node: ast.Compare) -> bool:
    """``"umap" in sys.modules`` names a Python module, not a kind."""
    return any(isinstance(n, ast.Attribute) and n.attr == "modules" for n in node.comparators)


def _literals(nodes) -> list[str]:
    out = []
    for node in nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            out.extend(e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return out


def import_each_package() -> dict[str, str]:
    out = {}
    for path in sorted((ROOT / "core").iterdir()):
        if (path / "__init__.py").is_file():
            name = f"core.{path.name}"
            run = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, text=True, cwd=ROOT)
            out[name] = "ok" if run.returncode == 0 else (run.stderr.strip().splitlines() or ["failed"])[-1]
    return out


def report() -> dict:
    regs = registries()
    return {"pages": page_lengths(), "longest_functions": longest_functions(),
            "functions_over_60": functions_over(60), "registries": regs, "old_idiom": old_idiom(),
            "kind_comparisons": kind_comparisons(regs), "imports": import_each_package()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    data = report()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return
    print("pages:", ", ".join(f"{k} {v}" for k, v in sorted(data["pages"]["pages"].items(), key=lambda kv: -kv[1])),
          f"| ui/ total {data['pages']['ui_total']}")
    print(f"functions over 60 lines: {data['functions_over_60']}; longest:")
    for f in data["longest_functions"]:
        print(f"  {f['lines']:4d}  {f['function']}")
    print(f"registries ({len(data['registries'])}, all core.registry.Registry):")
    for reg in data["registries"]:
        print(f"  {reg['axis']}: {', '.join(reg['kinds'])}")
    print(f"old registry idioms outside core/registry.py: {len(data['old_idiom'])}")
    for hit in data["old_idiom"]:
        print("  " + hit)
    print(f"kind names compared to a string outside their own file: {len(data['kind_comparisons'])}")
    for hit in data["kind_comparisons"]:
        print("  " + hit)
    bad = {k: v for k, v in data["imports"].items() if v != "ok"}
    print(f"packages that fail to import alone: {len(bad)} of {len(data['imports'])}")
    for name, why in bad.items():
        print(f"  {name}: {why}")


if __name__ == "__main__":
    main()
