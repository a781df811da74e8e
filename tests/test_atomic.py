"""core.atomic: the target is either the old file or the whole new one, never a half file."""
from __future__ import annotations

import json

import pytest

from core.atomic import atomic_write, atomic_write_bytes, atomic_write_json, atomic_write_text


def test_text_bytes_json_round_trip(tmp_path):
    target = tmp_path / "sub" / "folder" / "a.txt"  # parent folders are created
    atomic_write_text(target, "猫 café\n")
    assert target.read_text(encoding="utf-8") == "猫 café\n"
    atomic_write_bytes(tmp_path / "b.bin", b"\x00\xff")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"
    atomic_write_json(tmp_path / "c.json", {"word": "猫", "n": 3})
    raw = (tmp_path / "c.json").read_text(encoding="utf-8")
    assert "猫" in raw and json.loads(raw) == {"word": "猫", "n": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.bin", "c.json", "sub"]  # no temporary files left


def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "status.json"
    atomic_write_json(target, {"state": "running"})

    def half_then_crash(tmp):
        tmp.write_text('{"state": "do', encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, half_then_crash)
    assert json.loads(target.read_text(encoding="utf-8")) == {"state": "running"}
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]


def test_unserialisable_json_never_touches_the_file(tmp_path):
    target = tmp_path / "c.json"
    atomic_write_json(target, [1])
    with pytest.raises(TypeError):
        atomic_write_json(target, {"x": object()})
    assert json.loads(target.read_text(encoding="utf-8")) == [1]


def test_write_fn_gets_a_path_in_the_same_folder(tmp_path):
    seen = []

    def write(tmp):
        seen.append(tmp)
        tmp.write_bytes(b"ok")

    assert atomic_write(tmp_path / "x.bin", write) == tmp_path / "x.bin"
    assert seen[0].parent == tmp_path and seen[0].name.startswith(".x.bin.")
    assert (tmp_path / "x.bin").read_bytes() == b"ok"
