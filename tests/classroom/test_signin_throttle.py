"""Wrong passwords and class codes, counted (core.classroom.throttle): after five in a row, that door waits."""
from __future__ import annotations

import pytest

from core import classroom
from core.classroom import throttle
from tests.classroom.conftest import PASSWORDS


class Clock:
    """``throttle``'s time, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = 1_000_000.0
        monkeypatch.setattr(throttle.time, "time", lambda: self.now)


def _wrong(klass, name: str, times: int, client: str = "10.0.0.7") -> None:
    for _ in range(times):
        with pytest.raises(ValueError, match="not right"):
            classroom.sign_in(name, "wrong-pass", klass, client=client)


def test_five_wrong_passwords_make_that_name_wait_from_that_address_only(klass, monkeypatch):
    clock = Clock(monkeypatch)
    _wrong(klass, "alice", 5)
    with pytest.raises(classroom.ClassError, match="wait 31 s") as refused:  # even the right password waits
        classroom.sign_in("alice", PASSWORDS["alice"], klass, client="10.0.0.7")
    assert refused.value.key == "classroom.error.wait" and refused.value.fields == {"seconds": 31}
    assert classroom.sign_in("alice", PASSWORDS["alice"], klass, client="10.0.0.8")[0].name == "alice"  # her PC
    assert classroom.sign_in("bob", PASSWORDS["bob"], klass, client="10.0.0.7")[0].name == "bob"  # another name
    clock.now += 31
    assert classroom.sign_in("ALICE", PASSWORDS["alice"], klass, client="10.0.0.7")[0].name == "alice"
    _wrong(klass, "alice", 5)  # the right answer started the count again: five more before a wait
    with pytest.raises(classroom.ClassError, match="wait"):
        classroom.sign_in("alice", "wrong-pass", klass, client="10.0.0.7")


def test_the_wait_doubles_up_to_a_quarter_of_an_hour(klass, monkeypatch):
    assert [throttle.wait_for(n) for n in range(4, 8)] == [0, 30, 60, 120]
    assert throttle.wait_for(30) == throttle.MAX_WAIT_S == 900
    clock = Clock(monkeypatch)
    _wrong(klass, "nobody", 5)  # a name with no account is counted the same (no hint that it does not exist)
    clock.now += 31
    _wrong(klass, "nobody", 1)
    with pytest.raises(classroom.ClassError, match="wait 61 s"):
        classroom.sign_in("nobody", "wrong-pass", klass, client="10.0.0.7")


def test_the_teachers_reset_lets_the_new_password_in_at_once(klass, monkeypatch):
    Clock(monkeypatch)
    _wrong(klass, "alice", 5)
    with pytest.raises(classroom.ClassError, match="wait"):
        classroom.sign_in("alice", PASSWORDS["alice"], klass, client="10.0.0.7")
    classroom.set_password("alice", "fresh-password", klass)
    assert classroom.sign_in("alice", "fresh-password", klass, client="10.0.0.7")[0].name == "alice"


def test_wrong_class_codes_wait_per_address(klass, monkeypatch):
    Clock(monkeypatch)
    for i in range(5):
        with pytest.raises(ValueError, match="not this class's code"):
            classroom.sign_up(f"guess{i}", "guess-pass", "nope", runs_root=klass, client="10.0.0.9")
    with pytest.raises(classroom.ClassError, match="wait"):  # the right code waits too
        classroom.sign_up("carol", "carol-pass", "open-sesame", runs_root=klass, client="10.0.0.9")
    assert classroom.sign_up("dan", "dan-pass", "open-sesame", runs_root=klass, client="10.0.0.3").name == "dan"
    assert classroom.get_user("carol", klass) is None
