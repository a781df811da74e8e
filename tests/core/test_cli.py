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


def test_output_piped_into_a_reader_that_leaves_is_not_a_traceback():
    """`python -m core datasets | head -1`: the reader closes the pipe early; no BrokenPipeError traceback, exit 0."""
    proc = subprocess.Popen([sys.executable, "-m", "core", "datasets"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # the reader is gone before the command writes a byte
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err
