"""Sign-in sessions: a random token in the browser's cookie, only its SHA-256 on the server.

:func:`sign_in` checks the password and returns a new token (32 random bytes,
URL-safe); ``sessions.json`` keeps ``sha256(token) -> {user, created,
expires}``, so a copy of the file signs nobody in. :func:`user_for_token`
answers who a cookie belongs to (None once expired, revoked, or the account
is gone); :func:`revoke_session` is sign-out; a password reset revokes all of
that person's sessions. Expired entries are dropped whenever the file is written.
"""
from __future__ import annotations

import hashlib
import secrets
import time

from core.classroom import state
from core.classroom.errors import ClassError
from core.classroom.users import User, get_user, verify_password

SESSIONS_FILE = "sessions.json"
SESSION_COOKIE = "embedlab_session"


def _digest(token: str) -> str:
    return hashlib.sha256(str(token).encode("utf-8")).hexdigest()


def _write(runs_root, change) -> None:
    with state.locked(runs_root):
        data = state.read(runs_root, SESSIONS_FILE, {}) or {}
        now = time.time()
        data = {k: v for k, v in data.items() if isinstance(v, dict) and v.get("expires", 0) > now}
        change(data)
        state.write(runs_root, SESSIONS_FILE, data)


def create_session(user: User | str, runs_root=None, hours: float | None = None) -> str:
    """A new session token for ``user`` (no password check: for OIDC sign-ins and tests)."""
    from core.classroom.settings import load_settings

    name = user.name if isinstance(user, User) else str(user)
    if get_user(name, runs_root) is None:
        raise ValueError(f"there is no account {name!r}.")
    settings = load_settings(runs_root)
    hours = hours if hours is not None else (settings.session_hours if settings else 24)
    token = secrets.token_urlsafe(32)
    now = time.time()

    def add(data):
        data[_digest(token)] = {"user": name, "created": now, "expires": now + hours * 3600}

    _write(runs_root, add)
    return token


def sign_in(name: str, password: str, runs_root=None, *, client: str = "") -> tuple[User, str]:
    """``(user, token)`` when the password is right; ``ValueError`` (one message whatever was wrong) otherwise.

    ``client``: the browser's address. After a few wrong passwords for one name from one address, the next
    attempt is refused unchecked for a while, and says how long (``core.classroom.throttle``).
    """
    from core.classroom import throttle

    key = throttle.door("sign_in", name, client)
    throttle.check(key, runs_root)
    user = verify_password(name, password, runs_root)
    if user is None:
        throttle.failed(key, runs_root)
        raise ClassError("the user name or the password is not right.", "classroom.error.wrong_password")
    throttle.succeeded(key, runs_root)
    return user, create_session(user, runs_root)


def user_for_token(token: str | None, runs_root=None) -> User | None:
    """The user a session token belongs to, or None (no token, unknown, expired, revoked, account removed)."""
    if not token or len(str(token)) > 200:
        return None
    entry = _sessions(runs_root).get(_digest(token))
    if not isinstance(entry, dict) or entry.get("expires", 0) <= time.time():
        return None
    return get_user(entry.get("user", ""), runs_root)


_cache: dict[str, tuple[int, dict]] = {}


def _sessions(runs_root) -> dict:
    """sessions.json, parsed once per change of the file (pages ask on every run)."""
    key = str(state.class_dir(runs_root))
    stamp = state.mtime(runs_root, SESSIONS_FILE)
    cached = _cache.get(key)
    if cached is None or cached[0] != stamp:
        cached = (stamp, state.read(runs_root, SESSIONS_FILE, {}) or {})
        _cache[key] = cached
    return cached[1]


def revoke_session(token: str | None, runs_root=None) -> None:
    """Sign out: the token no longer signs anyone in (in any tab)."""
    if token:
        _write(runs_root, lambda data: data.pop(_digest(token), None))


def revoke_user_sessions(name: str, runs_root=None) -> None:
    """Sign ``name`` out on every browser (after a password reset or when the account is removed)."""
    def drop(data):
        for key in [k for k, v in data.items() if v.get("user") == name]:
            del data[key]

    _write(runs_root, drop)
