"""`python -m core` lists its commands and turns bad input into one line, exit 2."""
import subprocess
import sys
from pathlib import Path

from core.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_help_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "core", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    assert "usage: python -m core" in out.stdout


def test_value_error_becomes_exit_2(capsys, monkeypatch):
    import core.cli as cli

    def fake_parser():
        import argparse

        parser = argparse.ArgumentParser()
        parser.set_defaults(func=lambda args: (_ for _ in ()).throw(ValueError("dim must be even")))
        return parser

    monkeypatch.setattr(cli, "build_parser", fake_parser)
    assert main([]) == 2
    assert capsys.readouterr().err.strip() == "error: dim must be even"
