"""core.registry: the one idiom every axis uses (decorator, ordered names, a miss that names the known kinds)."""
from __future__ import annotations

import sys
import textwrap

import pytest

from core.registry import Registry


def make():
    reg = Registry("widget")

    @reg.register
    class Late:
        name = "late"
        order = 30

    @reg.register
    class Early:
        name = "early"
        order = 10

    @reg.register
    class Unordered:  # no order: after every declared one, in registration order
        name = "plain"

    return reg, Late, Early


def test_names_follow_the_declared_order_and_the_decorator_returns_the_class():
    reg, late, early = make()
    assert reg.names() == ("early", "late", "plain")
    assert reg.get("late") is late and list(reg) == ["early", "late", "plain"]
    assert "early" in reg and "nope" not in reg and len(reg) == 3
    assert reg.first(lambda k: k.name.startswith("l")) is late


def test_a_miss_names_the_known_kinds_in_order():
    reg, *_ = make()
    with pytest.raises(ValueError, match=r"^unknown widget 'nope'; known widgets: early, late, plain\.$"):
        reg.get("nope")
    with pytest.raises(ValueError, match="unknown widget None"):
        reg.get(None)
    with pytest.raises(ValueError, match="known boxes"):
        Registry("box", "boxes").get("x")


def test_instances_registry_stores_one_instance_and_unregister_removes_it():
    reg = Registry("engine", instances=True)

    @reg.register
    class Toy:
        name = "toy"

    assert isinstance(reg.get("toy"), Toy)
    reg.unregister("toy")
    assert reg.names() == ()


def test_a_second_kind_under_a_taken_name_is_refused_but_the_same_kind_again_is_not():
    reg, late, _ = make()

    class Impostor:
        name = "late"

    with pytest.raises(ValueError, match="already registered"):
        reg.register(Impostor)
    reg.register(late)  # a re-imported module registers its class again
    assert reg.get("late") is late
    with pytest.raises(ValueError, match="lower-case letters"):
        reg.register(type("Bad", (), {"name": "Has Space"}))


def test_objects_register_by_key_or_by_explicit_name_and_check_refuses_bad_declarations():
    def check(kind):
        if kind.size < 0:
            raise ValueError("size must be >= 0")

    reg = Registry("record", key="kind", check=check)
    reg.register(type("R", (), {"kind": "one", "size": 1}))
    reg.register(type("S", (), {"kind": "ignored", "size": 2}), name="two")
    assert reg.names() == ("one", "two")
    with pytest.raises(ValueError, match="size must be"):
        reg.register(type("T", (), {"kind": "three", "size": -1}))
    assert "three" not in reg


def test_discovery_imports_every_kind_file_of_the_package_once_without_an_import_list(tmp_path, monkeypatch):
    package = tmp_path / "toyaxis"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent("""
        from core.registry import Registry
        KINDS = Registry("toy kind", package=__name__, instances=True)
        register = KINDS.register
    """))
    (package / "base.py").write_text("raise RuntimeError('base is not a kind file')\n")
    (package / "_private.py").write_text("raise RuntimeError('private modules are skipped')\n")
    for name, order in (("zeta", 1), ("alpha", 2)):
        (package / f"{name}.py").write_text(textwrap.dedent(f"""
            from toyaxis import register
            @register
            class K:
                name = "{name}"
                order = {order}
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import toyaxis

        assert "toyaxis.zeta" not in sys.modules  # nothing imported until someone asks
        assert toyaxis.KINDS.names() == ("zeta", "alpha")
        assert toyaxis.KINDS.get("alpha").name == "alpha"
    finally:
        for name in [m for m in sys.modules if m == "toyaxis" or m.startswith("toyaxis.")]:
            del sys.modules[name]


def test_a_kind_file_that_fails_to_import_fails_every_time_not_half_a_list(tmp_path, monkeypatch):
    package = tmp_path / "brokenaxis"
    package.mkdir()
    (package / "__init__.py").write_text("from core.registry import Registry\nKINDS = Registry('x', package=__name__)\n")
    (package / "bad.py").write_text("raise ImportError('missing dependency')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import brokenaxis

        for _ in range(2):
            with pytest.raises(ImportError, match="missing dependency"):
                brokenaxis.KINDS.names()
    finally:
        for name in [m for m in sys.modules if m == "brokenaxis" or m.startswith("brokenaxis.")]:
            del sys.modules[name]


def test_threads_asking_while_the_kind_files_import_all_get_the_whole_list(tmp_path, monkeypatch):
    """The app's sessions are threads: thirty students opening the word2vec page at once got an empty
    engine list from the one still importing (issue 20's classroom benchmark)."""
    import threading

    package = tmp_path / "slowaxis"
    package.mkdir()
    (package / "__init__.py").write_text("from core.registry import Registry\nKINDS = Registry('x', package=__name__)\n")
    (package / "slow.py").write_text(textwrap.dedent("""
        import time
        from slowaxis import KINDS
        time.sleep(0.3)  # a kind file that takes a while to import (torch, gensim)
        @KINDS.register
        class Slow:
            name = "slow"
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import slowaxis

        seen, start = [], threading.Barrier(8)

        def ask():
            start.wait()
            seen.append(slowaxis.KINDS.names())

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert seen == [("slow",)] * 8
    finally:
        for name in [m for m in sys.modules if m == "slowaxis" or m.startswith("slowaxis.")]:
            del sys.modules[name]
